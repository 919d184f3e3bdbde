"""The conversation state: stream events folded into messages and tool calls (no Textual, no I/O).

The entry types are light and imported at once; the state itself (which needs the typed
protocol models, and so pydantic) is imported on first use, after the app's first frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chat_tui.conversation.entries import (
    ChatMessage,
    Entry,
    ErrorEntry,
    InterruptEntry,
    MessageStatus,
    NoticeEntry,
    SubgraphGroup,
    ToolCallEntry,
    ToolStatus,
    content_text,
)
from chat_tui.conversation.reading import Changes, TextCursor
from chat_tui.conversation.run import RunInfo, RunOutcome

if TYPE_CHECKING:
    from chat_tui.conversation.state import Conversation

__all__ = [
    "Changes",
    "ChatMessage",
    "Conversation",
    "Entry",
    "ErrorEntry",
    "InterruptEntry",
    "MessageStatus",
    "NoticeEntry",
    "RunInfo",
    "RunOutcome",
    "SubgraphGroup",
    "TextCursor",
    "ToolCallEntry",
    "ToolStatus",
    "content_text",
]

_STATE = frozenset({"Conversation"})


def __getattr__(name: str) -> Any:
    if name in _STATE:
        from chat_tui.conversation import state

        return getattr(state, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
