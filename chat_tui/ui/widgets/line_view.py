"""A read-only, line-virtualised view of many lines of plain text (a big tool result, an event as JSON).

Textual's :class:`~textual.widgets.Log` was made for lines arriving one by one: writing 80,000
lines at once splits each again, invalidates each line's render cache and measures every line
in a thread, ~0.1 s before the first frame for a 1 MB result. Here the lines are given once,
already cut to the pane's width (:func:`chat_tui.conversation.json_text.split_lines`); the width
is the longest line's length, and a frame renders only the lines in view. The text is shown as
plain text (never markup): the caller passes it cleaned of control characters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.segment import Segment
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["LineView"]


class LineView(ScrollView, can_focus=True):
    DEFAULT_CSS: ClassVar[str] = """
    LineView {
        background: $surface;
        color: $text;
        overflow: auto;
        &:focus { background-tint: $foreground 5%; }
    }
    """

    def __init__(self, lines: Sequence[str] = (), *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self._lines: list[str] = []
        self.set_lines(lines)

    @property
    def lines(self) -> Sequence[str]:
        return self._lines

    @property
    def line_count(self) -> int:
        return len(self._lines)

    def set_lines(self, lines: Sequence[str]) -> None:
        """Show *lines* (cleaned, each at most about the pane's width), from the top."""
        self._lines = list(lines)
        width = max(map(len, self._lines), default=0)
        self.virtual_size = Size(width, len(self._lines))
        if self.is_mounted:
            self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def clear(self) -> None:
        self.set_lines([])

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.scrollable_content_region.width
        style = self.rich_style
        index = scroll_y + y
        if index >= len(self._lines):
            return Strip.blank(width, style)
        strip = Strip([Segment(self._lines[index], style)])
        return strip.crop_extend(scroll_x, scroll_x + width, style)
