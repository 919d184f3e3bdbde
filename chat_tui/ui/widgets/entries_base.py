"""The base of every block in the message pane (its own module: the interrupt block, beside
the others, is built on it too)."""

from __future__ import annotations

from textual.containers import Vertical

from chat_tui.ui.widgets.focus import OwnFocusStyles

__all__ = ["EntryWidget"]


class EntryWidget(Vertical, OwnFocusStyles, can_focus=True):
    """Base: a focusable block in the message pane that knows its entry."""

    def __init__(self, seq: int, classes: str) -> None:
        super().__init__(classes=f"entry {classes}")
        self.seq = seq

    async def sync(self) -> None:
        """Render whatever changed in the entry."""

    def copy_text(self) -> str:
        return ""
