"""Containers whose own rows are all alike render one and repeat it.

A container draws only its background, padding and side borders; its children draw over it.
Textual re-renders a widget row by row whenever its size changes, and while an answer streams
its entry, the Markdown around the answer and the pane (which scrolls) change every flush: in a
profile of the real app at the terminal those containers were most of the rows a frame rendered
(``BENCHMARKS.md``, terminal). Their rows are the same on every line, so one is rendered by
Textual and repeated; anything that makes rows differ (a top or bottom border or outline, a
border title, a hatch) takes Textual's way. (Textual's own ``BLANK`` flag skips the styles
entirely and draws a slightly different picture, so it is not used.)
"""

from __future__ import annotations

from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

__all__ = ["RowsAlike"]

_NONE = ("", "none")


class RowsAlike(Widget):
    """Mixin for a container: list it after the Textual base (``class Pane(VerticalScroll, RowsAlike)``)."""

    def render_lines(self, crop: Region) -> list[Strip]:
        styles = self.styles
        if (
            crop.height < 2
            or self.border_title
            or self.border_subtitle
            or styles.border_top[0] not in _NONE
            or styles.border_bottom[0] not in _NONE
            or styles.outline_top[0] not in _NONE
            or styles.outline_bottom[0] not in _NONE
            or styles.hatch not in (None, "none")
        ):
            return super().render_lines(crop)
        return super().render_lines(Region(crop.x, crop.y, crop.width, 1)) * crop.height
