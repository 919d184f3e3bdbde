"""Out of layout while the message pane follows a stream: what lies far above the view.

Textual lays out and places every displayed widget of the screen on every frame whose
layout changed, and a streaming message changes it on every flush: with a 200-message
thread's window mounted (about 600 widgets) a frame cost ~40 ms, so a typed key or a new
token waited 40-80 ms for the screen. Whatever ends more than a screen above the view while
the pane is pinned to the end cannot be seen, so :class:`Dormancy` takes it out of layout
(``display: none``): whole entries, then the finished blocks at the top of the streaming
message itself (a long answer), never the block being written. Nothing is unmounted or
rebuilt: the widgets keep their state and wake, all at once, as soon as the user scrolls
away from the end, moves through the messages, or the window changes
(:class:`~chat_tui.ui.widgets.window_pane.WindowPane`, which keeps what is on screen in
place while they take their height again).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.dom import DOMNode
from textual.widget import Widget

from chat_tui.ui.widgets.entries_base import EntryWidget

__all__ = ["Dormancy", "y_in"]

MARGIN = 1.0  # screens above the view kept in layout (a first Page Up needs no waking)


def y_in(container: Widget, widget: Widget) -> int:
    """*widget*'s top in *container*'s scrolling space (its descendants' containers do not scroll)."""
    y = 0
    node: Widget | None = widget
    while node is not None and node is not container:
        y += node.virtual_region.y
        parent = node.parent
        node = parent if isinstance(parent, Widget) else None
        if node is not None and node is not container:
            y += node.styles.gutter.top
    return y


class Dormancy:
    """The widgets of one pane taken out of layout, in order, until they wake."""

    def __init__(self, pane: Widget) -> None:
        self._pane = pane
        self._asleep: list[Widget] = []

    def __len__(self) -> int:
        return len(self._asleep)

    def doze(self, entries: Iterable[EntryWidget]) -> int:
        """Take out of layout what ends more than :data:`MARGIN` screens above the view: the
        leading *entries* (in order), then the leading blocks of the first one that stays, when
        it has them (:meth:`EntryWidget.blocks`). Returns how many were taken out."""
        pane = self._pane
        cut = pane.region.y - round(pane.size.height * MARGIN)
        focused = pane.screen.focused
        keep: set[DOMNode] = set(focused.ancestors_with_self) if focused is not None else set()
        before = len(self._asleep)
        for entry in entries:
            if not entry.display:
                continue
            if not self._hide_above(entry, cut, keep):
                self._doze_blocks(entry.blocks(), cut, keep)
                break
        return len(self._asleep) - before

    def _doze_blocks(self, blocks: list[Widget], cut: int, keep: set[DOMNode]) -> None:
        for block in blocks[:-1]:  # (never the last: it is the one being written)
            if block.display and not self._hide_above(block, cut, keep):
                return

    def _hide_above(self, widget: Widget, cut: int, keep: set[DOMNode]) -> bool:
        region = widget.region
        if not region or region.bottom > cut or widget in keep:
            return False
        widget.display = False
        self._asleep.append(widget)
        return True

    def top_shown(self, entries: Iterable[EntryWidget]) -> Widget | None:
        """The first shown widget (an entry, or a block of an entry whose first blocks sleep)
        that reaches below the top of the view: what to keep in place while the others wake."""
        top = self._pane.region.y
        for entry in entries:
            region = entry.region
            if not entry.display or not region or region.bottom <= top:
                continue
            blocks = entry.blocks()
            if blocks and not blocks[0].display:
                for block in blocks:
                    if block.display and block.region and block.region.bottom > top:
                        return block
            return entry
        return None

    def wake(self) -> int:
        """Everything back in layout; returns how many woke."""
        woken = 0
        for widget in self._asleep:
            if widget.is_mounted:
                widget.display = True
                woken += 1
        self._asleep.clear()
        return woken

    def forget(self) -> None:
        """The widgets were removed (a new window): nothing to wake."""
        self._asleep.clear()
