"""The conversation state: stream events folded into messages and tool calls (no Textual, no I/O)."""

from chat_tui.conversation.entries import (
    ChatMessage,
    Entry,
    ErrorEntry,
    InterruptEntry,
    MessageStatus,
    NoticeEntry,
    ToolCallEntry,
    ToolStatus,
)
from chat_tui.conversation.state import Changes, Conversation, RunInfo, RunOutcome, content_text

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
    "ToolCallEntry",
    "ToolStatus",
    "content_text",
]
