"""What a conversation is made of: messages, tool calls, errors and interrupts.

These are plain, mutable objects owned by :class:`~chat_tui.conversation.state.Conversation`.
Streaming text is kept as a list of parts so that appending a token is O(token); a reader
(the UI, the headless printer) takes just what arrived since it last looked through a
:class:`TextCursor`.

This module is the one place where server strings are cleaned of terminal control
characters and cut to the limits below: every factory, setter and ``append_*`` method
cleans what it is given, so the code that folds streams and loads history passes raw
values in and never cleans anything itself. Every string an entry shows is clean; only
the ids matched against the server's own (message and interrupt ids) are kept as sent.

Light on purpose (no pydantic): the app imports it before its first frame.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from chat_tui.conversation.content import TOOL_BLOCKS, block_kind_text, joined_text
from chat_tui.conversation.interrupts import InterruptEntry
from chat_tui.conversation.subgraphs import SubgraphGroup
from chat_tui.sanitize import clean, clean_line, clean_obj

if TYPE_CHECKING:
    from chat_tui.client.models import ContentBlock

__all__ = [
    "ChatMessage",
    "Entry",
    "ErrorEntry",
    "InterruptEntry",
    "MessageStatus",
    "NoticeEntry",
    "SubgraphGroup",
    "ToolCallEntry",
    "ToolStatus",
    "Usage",
    "content_text",
]

# Limits on one-line strings from a server: generous for real values, short enough that a
# hostile one cannot fill the screen. (Message text and tool output are not cut.)
ID_CHARS = 200  # tool call ids, and the call id a tool result answers
NAME_CHARS = 200  # tool names and message names
LABEL_CHARS = 80  # an error's one-line label ("ValueError")
ERROR_TEXT_CHARS = 2000  # an error's message
BLOCK_TYPE_CHARS = 40  # the type of a content block that is not shown ("citations")
_EXCEPTION_REPR = re.compile(r"^([A-Za-z_][\w.]*)\(((?:'.*')|(?:\".*\"))\)$", re.S)  # ValueError('boom')


def content_text(content: Any) -> str:
    """Plain text of a message ``content`` (string or list of blocks), cleaned."""
    return clean(joined_text(content))


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
    gate: tuple[InterruptEntry, int] | None = None  # a pending approval of this call: (interrupt, its position)

    @classmethod
    def parsed(
        cls, index: int | str, message: ChatMessage, id: str | None, name: str | None, args: Any
    ) -> ToolCallEntry:
        """A call that arrived whole, its arguments already parsed (stored or non-streamed)."""
        call = cls(index=index, message=message)
        call.identify(id, name)
        call.set_args(args)
        return call

    @classmethod
    def invalid(cls, index: int, message: ChatMessage, raw: dict[str, Any]) -> ToolCallEntry:
        """One of a message's ``invalid_tool_calls``: its argument text is kept as it came."""
        call = cls(index=index, message=message)
        call.identify(str(raw.get("id") or ""), str(raw.get("name") or ""))
        args = raw.get("args")
        if isinstance(args, str):
            call.append_args(args)
        call.complete_args()
        return call

    @property
    def args_text(self) -> str:
        return "".join(self.args_parts)

    def identify(self, id: str | None, name: str | None) -> bool:
        """Fill in the id and the name where still unknown; True when this set the id."""
        if name and not self.name:
            self.name = clean_line(name, NAME_CHARS)
        if id and not self.id:
            self.id = clean_line(id, ID_CHARS) or None
            return self.id is not None
        return False

    def append_args(self, text: str) -> None:
        """A streamed piece of the arguments' JSON text."""
        self.args_parts.append(clean(text))

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
    """A human, AI, tool or system message.

    Its text changes only through :meth:`append_text` and :meth:`replace_text`, which keep
    the cached join and ``text_epoch`` right; readers follow it with a :class:`TextCursor`.
    """

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
    branch: tuple[int, int] | None = None  # (this version, of how many) when the message was edited or regenerated
    _text_cache: str | None = None

    def __post_init__(self) -> None:
        self.node = clean_line(self.node) if self.node else None
        self.name = clean_line(self.name, NAME_CHARS) if self.name else None

    @classmethod
    def human(cls, seq: int, text: str, id: str | None = None) -> ChatMessage:
        """The user's own message."""
        return cls(seq, "human", id=id, text_parts=[clean(text)] if text else [])

    @classmethod
    def from_content(
        cls,
        seq: int,
        role: str,
        content: Any,
        *,
        id: str | None = None,
        node: str | None = None,
        step: int | None = None,
        name: str | None = None,
    ) -> ChatMessage:
        """A whole message (stored, or sent complete): its text and thinking from *content*."""
        message = cls(seq, role, id=id, node=node, step=step, name=name)
        if isinstance(content, list):
            pairs = (block_kind_text(b) for b in content if not isinstance(b, str))
            message.thinking_parts = [clean(text) for kind, text in pairs if kind == "thinking" and text]
        text = content_text(content)
        message.text_parts = [text] if text else []
        return message

    @property
    def text(self) -> str:
        """The whole text so far (joined lazily and cached until the next append)."""
        if self._text_cache is None:
            self._text_cache = "".join(self.text_parts)
        return self._text_cache

    @property
    def thinking(self) -> str:
        return "".join(self.thinking_parts)

    @classmethod
    def unsaved(
        cls, seq: int, text: str, *, node: str | None, status: MessageStatus, run_id: str | None
    ) -> ChatMessage:
        """An answer the server did not keep (a cancelled or failed node's partial text), kept locally."""
        message = cls(seq, "ai", text_parts=[clean(text)] if text else [], status=status, run_id=run_id)
        message.label_node(node)
        message.persisted = False
        return message

    def label_node(self, node: str | None) -> None:
        """The graph node that wrote this message (learned from the thread's checkpoints)."""
        self.node = clean_line(node, LABEL_CHARS) or None if node else None

    def answers(self, call_id: str, status: str) -> None:
        """This (tool) message is the result of the call *call_id*; *status* ``"error"`` if it failed."""
        self.tool_call_id = clean_line(call_id, ID_CHARS) or None
        self.tool_status = "error" if status == "error" else "success"

    def append_text(self, text: str) -> None:
        self.text_parts.append(clean(text))
        self._text_cache = None

    def replace_text(self, text: str) -> None:
        self.text_parts = [clean(text)] if text else []
        self._text_cache = None
        self.text_epoch += 1

    def append_blocks(self, blocks: list[ContentBlock | str]) -> bool:
        """One streamed chunk's list content; True when it added something to show."""
        produced = False
        for block in blocks:
            if isinstance(block, str):
                if block:
                    self.append_text(block)
                    produced = True
                continue
            kind, text = block_kind_text(block)
            if kind == "text":
                if text:
                    self.append_text(text)
                    produced = True
            elif kind == "thinking":
                if text:
                    self.thinking_parts.append(clean(text))
                    produced = True
            elif kind in TOOL_BLOCKS:
                pass  # tool calls are taken from tool_call_chunks, which accompany these
            elif kind == "image":
                self.blocks.append({"type": "image"})
                self.append_text("[image]")
                produced = True
            else:
                self.blocks.append({"type": clean_line(kind, BLOCK_TYPE_CHARS)})
        return produced


@dataclass(eq=False, slots=True)
class ErrorEntry:
    """The run failed (``event: error``, or a failed status learned afterwards)."""

    seq: int
    error: str
    message: str
    run_id: str | None = None

    @classmethod
    def from_server(cls, seq: int, error: str, message: str, run_id: str | None = None) -> ErrorEntry:
        """An error the server reported as a label (``"ValueError"``) and a message."""
        return cls(seq, clean_line(error, LABEL_CHARS) or "Error", clean(message)[:ERROR_TEXT_CHARS], run_id)

    @classmethod
    def from_task_error(cls, seq: int, value: Any, run_id: str | None = None) -> ErrorEntry:
        """From a checkpoint task's ``error``: ``"ValueError('boom')"`` (a repr), or a dict like a thread's."""
        if isinstance(value, dict):
            return cls.from_thread_error(seq, value, run_id)
        text = str(value)
        found = _EXCEPTION_REPR.match(text)
        if found is None:
            return cls.from_server(seq, "Error", text, run_id)
        label, quoted = found.groups()
        return cls.from_server(seq, label, quoted[1:-1].replace("\\'", "'").replace('\\"', '"'), run_id)

    @classmethod
    def from_thread_error(cls, seq: int, value: Any, run_id: str | None = None) -> ErrorEntry:
        """From a thread's ``error`` field: ``{"error": ..., "message": ...}``, or any value as the message."""
        error = value if isinstance(value, dict) else {"message": str(value)} if value else {}
        return cls.from_server(seq, str(error.get("error") or "Error"), str(error.get("message") or ""), run_id)


@dataclass(eq=False, slots=True)
class NoticeEntry:
    """What a run did that left no message of its own (cancelled before it answered)."""

    seq: int
    text: str
    run_id: str | None = None


Entry = ChatMessage | ErrorEntry | InterruptEntry | NoticeEntry | SubgraphGroup
