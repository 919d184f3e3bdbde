"""A conversation as Markdown: what ``chat-tui export --format md`` writes, and what the app can
copy (a pure function of the entries, so a live conversation and a loaded one read alike).

* a heading per speaker: ``## User``, ``## Assistant · planner`` (the node that wrote it, else
  the message's ``name``), ``## Tool result · get_weather``;
* tool calls and tool results as fenced JSON (a result that is not JSON as fenced text), each
  fence longer than any run of backticks in what it holds, so no content can close it;
* interrupts (``## ⏸ Interrupt``, waiting or answered, with the answer) and errors
  (``## ✗ Error``) marked, and so are partial answers (cancelled, failed, not saved);
* every string goes through :func:`~chat_tui.sanitize.clean`: no escape sequence and no
  control character but newline and tab.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from chat_tui.conversation.entries import (
    ChatMessage,
    Entry,
    ErrorEntry,
    MessageStatus,
    NoticeEntry,
    ToolCallEntry,
)
from chat_tui.conversation.interrupts import InterruptEntry
from chat_tui.sanitize import clean, clean_line

__all__ = ["code_span", "conversation_markdown", "fenced"]

_BACKTICKS = re.compile(r"`+")
SPEAKERS = {"human": "User", "ai": "Assistant", "tool": "Tool result", "system": "System"}
_STATUS_MARKS = {
    MessageStatus.CANCELLED: "cancelled",
    MessageStatus.FAILED: "failed",
    MessageStatus.INCOMPLETE: "incomplete",
}


def _longest_backticks(text: str) -> int:
    return max((len(run) for run in _BACKTICKS.findall(text)), default=0)


def fenced(text: str, language: str = "") -> str:
    """*text* in a fenced code block that nothing in it can close."""
    fence = "`" * max(3, _longest_backticks(text) + 1)
    body = text if text.endswith("\n") or not text else text + "\n"
    return f"{fence}{language}\n{body}{fence}\n"


def code_span(text: str) -> str:
    """*text* (one line) as inline code, whatever backticks it holds."""
    text = clean_line(text)
    ticks = "`" * (_longest_backticks(text) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _json_block(value: Any) -> str:
    return fenced(json.dumps(value, ensure_ascii=False, indent=2, default=str), "json")


def _text_or_json(text: str) -> str:
    """A tool result: pretty JSON when it is JSON (an object or a list), else the text as it is."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            return _json_block(json.loads(stripped))
        except ValueError:
            pass
    return fenced(text, "text")


def _heading(speaker: str, detail: str | None = None, marks: Iterable[str] = ()) -> str:
    title = speaker if not detail else f"{speaker} · {clean_line(detail, 120)}"
    extra = ", ".join(marks)
    return f"## {title}" + (f" *({extra})*" if extra else "") + "\n"


def _call(call: ToolCallEntry) -> str:
    ident = f" · {code_span(call.id)}" if call.id else ""
    args = call.args if call.args_valid else call.args_text
    invalid = " *(invalid JSON)*" if call.args_valid is False else ""
    block = _json_block(args) if call.args_valid else fenced(str(args or ""), "text")
    return f"**Tool call** {code_span(call.name or '?')}{ident}{invalid}\n\n{block}"


class _Writer:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.call_names: dict[str, str] = {}

    def add(self, *chunks: str) -> None:
        self.parts.append("\n".join(chunks))

    def message(self, message: ChatMessage) -> None:
        marks = []
        if message.status in _STATUS_MARKS:
            marks.append(_STATUS_MARKS[message.status])
        if message.persisted is False and message.role != "human":
            marks.append("not saved by the server")
        if message.role == "tool":
            name = message.name or self.call_names.get(message.tool_call_id or "")
            if message.tool_status == "error":
                marks.append("error")
            self.add(_heading("Tool result", name, marks), _text_or_json(message.text))
            return
        speaker = SPEAKERS.get(message.role, clean_line(message.role, 40).capitalize() or "Message")
        chunks = [_heading(speaker, message.node or message.name, marks)]
        if message.thinking:
            chunks.append("".join(f"> {line}\n" for line in message.thinking.splitlines() or [""]))
        if message.text:
            chunks.append(message.text.rstrip("\n") + "\n")
        for call in message.tool_calls:
            if call.id and call.name:
                self.call_names[call.id] = call.name
            chunks.append(_call(call))
        self.add(*chunks)

    def interrupt(self, entry: InterruptEntry) -> None:
        state = "answered" if entry.answered else "resolved" if entry.resolved else "waiting for an answer"
        chunks = [_heading("⏸ Interrupt", entry.interrupt_id, [state]), _json_block(entry.value)]
        if entry.answered:
            answer = entry.answer_text if entry.answered_decisions else None
            chunks.append(f"**Answer** {clean_line(answer, 500)}\n" if answer else "**Answer**\n")
            if not answer:
                chunks.append(_json_block(entry.answer))
        self.add(*chunks)

    def error(self, entry: ErrorEntry) -> None:
        body = entry.message.rstrip("\n") + "\n" if entry.message else ""
        self.add(_heading("✗ Error", entry.error), *([body] if body else []))

    def entry(self, entry: Entry) -> None:
        if isinstance(entry, ChatMessage):
            self.message(entry)
        elif isinstance(entry, InterruptEntry):
            self.interrupt(entry)
        elif isinstance(entry, ErrorEntry):
            self.error(entry)
        elif isinstance(entry, NoticeEntry):
            self.add(f"*{clean_line(entry.text, 200)}*\n")


def conversation_markdown(entries: Iterable[Entry], *, title: str | None = None, about: str | None = None) -> str:
    """*entries* (a conversation's, in order) as one Markdown document, cleaned.

    *title* is the document's heading; *about* a line under it (the thread's id, say)."""
    writer = _Writer()
    head = [f"# {clean_line(title, 200)}\n"] if title else []
    if about:
        head.append(clean(about).rstrip("\n") + "\n")
    if head:
        writer.add(*head)
    for entry in entries:
        writer.entry(entry)
    return clean("\n".join(writer.parts))
