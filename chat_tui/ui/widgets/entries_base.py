"""The base of every block in the message pane (its own module: the interrupt block, beside
the others, is built on it too)."""

from __future__ import annotations

from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from chat_tui.conversation import ChatMessage
from chat_tui.ui.widgets.focus import OwnFocusStyles
from chat_tui.ui.widgets.rows import RowsAlike

__all__ = ["EntryWidget", "MessageAction", "branch_label"]


class MessageAction(Message):
    """Go back in time from a message: ``edit``, ``regenerate``, ``branch`` (``step`` -1 or +1)."""

    def __init__(self, action: str, message: ChatMessage, step: int = 0) -> None:
        super().__init__()
        self.action = action
        self.message = message
        self.step = step


def branch_label(message: ChatMessage) -> Content:
    """``‹ 2/3 ›`` for a message with other versions ([ and ] switch), else nothing."""
    if message.branch is None:
        return Content("")
    index, count = message.branch
    return Content.styled(f"  ‹ {index}/{count} ›", "$accent")


class EntryWidget(Vertical, OwnFocusStyles, RowsAlike, can_focus=True):
    """Base: a focusable block in the message pane that knows its entry."""

    def __init__(self, seq: int, classes: str) -> None:
        super().__init__(classes=f"entry {classes}")
        self.seq = seq

    async def sync(self) -> None:
        """Render whatever changed in the entry."""

    def copy_text(self) -> str:
        return ""

    def blocks(self) -> list[Widget]:
        """The blocks of a long body, in order, that may leave layout one by one (see
        :mod:`chat_tui.ui.widgets.dormancy`); none here."""
        return []

    def _go(self, action: str, step: int = 0) -> None:
        message = getattr(self, "message", None)
        if isinstance(message, ChatMessage):
            self.post_message(MessageAction(action, message, step))

    def action_previous_branch(self) -> None:
        self._go("branch", -1)

    def action_next_branch(self) -> None:
        self._go("branch", 1)
