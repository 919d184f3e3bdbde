"""What a conversation is made of: messages, tool calls, errors and interrupts.

These are plain, mutable objects owned by :class:`~chat_tui.conversation.state.Conversation`.
Streaming text is kept as a list of parts so that appending a token is O(token) and a
reader (the UI) can take just what arrived since it last looked, by remembering how
many parts it consumed. All strings here are already cleaned of control characters.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chat_tui.sanitize import clean, clean_obj

__all__ = [
    "Changes",
    "ChatMessage",
    "Entry",
    "ErrorEntry",
    "InterruptEntry",
    "MessageStatus",
    "ToolCallEntry",
    "ToolStatus",
    "Usage",
]


class MessageStatus(StrEnum):
    STREAMING = "streaming"
    COMPLETE = "complete"
    INCOMPLETE = "incomplete"  # the stream ended before the message did
    CANCELLED = "cancelled"  # the user cancelled the run mid-message
    FAILED = "failed"  # the run failed mid-message


class ToolStatus(StrEnum):
    STREAMING = "streaming"  # arguments are still arriving
    WAITING = "waiting"  # arguments complete, no result yet
    DONE = "done"
    ERROR = "error"
    UNANSWERED = "unanswered"  # the run ended (cancelled, failed, stopped) before the tool answered


@dataclass(slots=True)
class Usage:
    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0

    def add(self, usage: dict[str, Any]) -> None:
        for name in ("input_tokens", "output_tokens", "total_tokens"):
            value = usage.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                setattr(self, name, getattr(self, name) + value)


@dataclass(eq=False, slots=True)
class ToolCallEntry:
    """One tool call: arguments stream in as text, then parse; later its result attaches."""

    index: int | str | None
    id: str | None = None
    name: str = ""
    args_parts: list[str] = field(default_factory=list)
    args: Any = None  # parsed (and cleaned) arguments once complete and valid
    args_valid: bool | None = None  # None while streaming
    status: ToolStatus = ToolStatus.STREAMING
    result: ChatMessage | None = None
    message: ChatMessage | None = None  # the AI message that made the call

    @property
    def args_text(self) -> str:
        return "".join(self.args_parts)

    def complete_args(self) -> None:
        """Parse the streamed argument text (once); invalid JSON keeps the raw text."""
        if self.args_valid is not None:
            return
        text = self.args_text.strip()
        if not text:
            self.args, self.args_valid = {}, True
        else:
            try:
                self.args, self.args_valid = clean_obj(json.loads(text)), True
            except (ValueError, RecursionError):
                self.args, self.args_valid = None, False
        if self.status is ToolStatus.STREAMING:
            self.status = ToolStatus.WAITING

    def set_args(self, args: Any) -> None:
        """Arguments that arrived already parsed (stored or non-streamed messages)."""
        self.args = clean_obj(args)
        self.args_valid = True
        self.args_parts = [clean(json.dumps(args, ensure_ascii=False))] if args not in (None, {}) else []
        if self.status is ToolStatus.STREAMING:
            self.status = ToolStatus.WAITING

    def attach_result(self, result: ChatMessage) -> None:
        self.complete_args()
        self.result = result
        self.status = ToolStatus.ERROR if result.tool_status == "error" else ToolStatus.DONE


@dataclass(eq=False, slots=True)
class ChatMessage:
    """A human, AI, tool or system message."""

    seq: int
    role: str  # human | ai | tool | system | other
    id: str | None = None
    text_parts: list[str] = field(default_factory=list)
    thinking_parts: list[str] = field(default_factory=list)
    text_epoch: int = 0  # bumped when text is replaced rather than appended
    blocks: list[dict[str, Any]] = field(default_factory=list)  # non-text blocks (images ...)
    tool_calls: list[ToolCallEntry] = field(default_factory=list)
    tool_calls_by_index: dict[Any, ToolCallEntry] = field(default_factory=dict)
    node: str | None = None
    step: int | None = None
    namespace: tuple[str, ...] = ()
    checkpoint_ns: str | None = None
    name: str | None = None
    tool_call_id: str | None = None  # tool messages: which call this answers
    tool_status: str | None = None  # tool messages: "success" | "error"
    status: MessageStatus = MessageStatus.COMPLETE
    streamed: bool = False
    persisted: bool | None = None  # after reconciling with the server's state
    run_id: str | None = None
    usage: Usage = field(default_factory=Usage)
    response_metadata: dict[str, Any] = field(default_factory=dict)
    _text_cache: str | None = None

    @property
    def text(self) -> str:
        """The whole text so far (joined lazily and cached until the next append)."""
        if self._text_cache is None:
            self._text_cache = "".join(self.text_parts)
        return self._text_cache

    @property
    def thinking(self) -> str:
        return "".join(self.thinking_parts)

    def append_text(self, text: str) -> None:
        self.text_parts.append(text)
        self._text_cache = None

    def replace_text(self, text: str) -> None:
        self.text_parts = [text] if text else []
        self._text_cache = None
        self.text_epoch += 1


@dataclass(eq=False, slots=True)
class ErrorEntry:
    """The run failed (``event: error``, or a failed status learned afterwards)."""

    seq: int
    error: str
    message: str
    run_id: str | None = None


@dataclass(eq=False, slots=True)
class InterruptEntry:
    """A node called ``interrupt(value)`` and waits for ``command={"resume": ...}``."""

    seq: int
    interrupt_id: str | None
    value: Any
    resolved: bool = False
    run_id: str | None = None

    @property
    def question(self) -> str:
        """A one-paragraph rendering of the interrupt value for display."""
        value = self.value
        if isinstance(value, str):
            return value
        if isinstance(value, dict):
            for key in ("question", "message", "description", "prompt"):
                text = value.get(key)
                if isinstance(text, str) and text.strip():
                    return text
        return json.dumps(value, ensure_ascii=False, default=str)


@dataclass(eq=False, slots=True)
class NoticeEntry:
    """What a run did that left no message of its own (cancelled before it answered)."""

    seq: int
    text: str
    run_id: str | None = None


Entry = ChatMessage | ErrorEntry | InterruptEntry | NoticeEntry


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
