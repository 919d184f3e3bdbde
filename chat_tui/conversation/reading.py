"""How readers of a conversation take only what is new: a cursor into a message's text, and the change log.

The stream worker only appends; each reader (the message pane, its window's text budget,
``chat-tui stream``'s printer) keeps its own :class:`TextCursor` per message, and the pane
takes a :class:`Changes` at its own pace.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chat_tui.conversation.entries import ChatMessage, Entry

__all__ = ["Changes", "TextCursor"]


@dataclass(slots=True)
class TextCursor:
    """How far one reader has read a message's text, so that it takes only what is new.

    Appending keeps the parts already read; a replacement (the stored text differed) bumps
    the message's ``text_epoch``, and the reader then takes the whole text and starts over.
    """

    parts: int = 0
    epoch: int = 0

    @classmethod
    def after(cls, message: ChatMessage) -> TextCursor:
        """A cursor that has read everything *message* holds now."""
        return cls(len(message.text_parts), message.text_epoch)

    def take(self, message: ChatMessage) -> tuple[str, bool]:
        """``(text, replaced)``: the text added since the last take; or, when the text was
        replaced meanwhile, the whole new text and True."""
        parts = message.text_parts
        count = len(parts)
        if message.text_epoch != self.epoch:
            self.epoch = message.text_epoch
            self.parts = count
            return message.text, True
        if count == self.parts:
            return "", False
        new = "".join(parts[self.parts :])
        self.parts = count
        return new, False

    def caught_up(self, message: ChatMessage) -> bool:
        return self.parts == len(message.text_parts) and self.epoch == message.text_epoch


@dataclass(slots=True)
class Changes:
    """What changed since the last :meth:`Conversation.take_changes`."""

    added: list[Entry] = field(default_factory=list)
    updated: list[Entry] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    run_changed: bool = False
    reset: bool = False  # everything was replaced (history loaded)

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.faults or self.run_changed or self.reset)
