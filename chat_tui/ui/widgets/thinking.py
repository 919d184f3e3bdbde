"""A message's thinking: open while the model thinks, folded to one line once it answers."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from chat_tui.conversation import ChatMessage, MessageStatus

__all__ = ["ThinkingBlock"]


class ThinkingBlock(Static):
    """The header says what it is and how long; Enter on the message opens or folds it."""

    def __init__(self, message: ChatMessage) -> None:
        super().__init__(classes="thinking")
        self.message = message
        self.user_toggled = False
        self.expanded = self._open_by_itself()
        self._shown: tuple[int, bool] = (-1, False)
        self.render_thinking()

    def _open_by_itself(self) -> bool:
        """Open while the model is still thinking (no answer text yet); folded afterwards and in history."""
        message = self.message
        return message.status is MessageStatus.STREAMING and not message.text_parts

    def render_thinking(self) -> None:
        """Bring the block up to date (cheap when nothing changed)."""
        message = self.message
        if not self.user_toggled:
            self.expanded = self._open_by_itself()
        key = (len(message.thinking_parts), self.expanded)
        if key == self._shown:
            return
        self._shown = key
        thinking = message.thinking
        self.display = bool(thinking.strip())
        if self.expanded:
            self.update(Content.assemble(("▼ thinking\n", "$text-muted"), (thinking, "italic $text-muted")))
        else:
            size = f"{len(thinking):,} characters"
            self.update(Content.assemble(("▶ thinking", "$text-muted"), (f" · {size} · Enter shows it", "$text-muted")))

    def toggle(self) -> None:
        self.user_toggled = True
        self.expanded = not self.expanded
        self.render_thinking()
