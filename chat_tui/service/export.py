"""Exporting a thread: ``chat-tui export``, and the app's export and copy (the same functions).

* ``md``: :func:`~chat_tui.service.markdown.conversation_markdown` of the thread as the
  app shows it when it opens it: its stored messages with what the live view showed put back
  (the nodes that wrote them, the interrupts asked and answered, errors), from its checkpoints
  and runs. The app can pass the conversation it holds instead (a live one knows all that).
* ``json``: the thread's messages exactly as the server stores them (``GET /threads/{id}/state``)
  with the thread's id, status, times and metadata: ``{"thread_id", "status", "created_at",
  "updated_at", "metadata", "messages"}``.
* ``jsonl``: one stored message per line.

JSON never changes a value: characters a terminal could act on (C1 controls, DEL, bidirectional
overrides, line and paragraph separators) are written as ``\\uXXXX`` escapes, which read back as
the same strings; the control characters below U+0020 are escaped by JSON itself.
"""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chat_tui.service.markdown import conversation_markdown
from chat_tui.service.outfile import open_output

if TYPE_CHECKING:
    from chat_tui.client.models import Thread, ThreadState
    from chat_tui.conversation import Conversation
    from chat_tui.service.chat import ChatService

__all__ = [
    "ExportFormat",
    "export_thread",
    "messages_jsonl",
    "safe_json",
    "save_export",
    "thread_json",
    "thread_markdown",
]

_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


class ExportFormat(StrEnum):
    MD = "md"
    JSON = "json"
    JSONL = "jsonl"


def safe_json(value: Any, *, indent: int | None = None) -> str:
    """*value* as JSON that is safe in a terminal and reads back equal (see the module's docstring)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent, default=str)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _when(thread: Thread, name: str) -> str | None:
    value = getattr(thread, name)
    return value.isoformat() if value is not None else None


def thread_json(thread: Thread, state: ThreadState) -> str:
    document = {
        "thread_id": thread.thread_id,
        "status": thread.status,
        "created_at": _when(thread, "created_at"),
        "updated_at": _when(thread, "updated_at"),
        "metadata": thread.metadata,
        "messages": state.messages,
    }
    return safe_json(document, indent=2) + "\n"


def messages_jsonl(state: ThreadState) -> str:
    return "".join(safe_json(message) + "\n" for message in state.messages)


def thread_markdown(conversation: Conversation, thread: Thread | None = None) -> str:
    """The Markdown of *conversation* (with its thread's title and id, when known)."""
    thread_id = thread.thread_id if thread is not None else conversation.thread_id
    title = (thread.title if thread is not None else None) or conversation.first_human_text() or "Conversation"
    about = f"thread `{thread_id}`" if thread_id else None
    return conversation_markdown(conversation.entries, title=title.splitlines()[0][:120], about=about)


async def export_thread(
    service: ChatService, thread_id: str, fmt: ExportFormat | str, *, conversation: Conversation | None = None
) -> str:
    """The thread *thread_id* as *fmt*. Raises ClientError (NotFound for a thread the server does not have).

    For ``md``, *conversation* (the one the app shows) is used as it is, when given."""
    fmt = ExportFormat(fmt)
    client = service.client
    if fmt is ExportFormat.MD:
        thread = None
        if conversation is None:
            opened = await service.open(thread_id)
            conversation, thread = opened.conversation, opened.thread
            await service.recall(conversation)
        return thread_markdown(conversation, thread or await client.threads.get(thread_id))
    thread = await client.threads.get(thread_id)
    state = await client.threads.get_state(thread_id)
    return thread_json(thread, state) if fmt is ExportFormat.JSON else messages_jsonl(state)


def save_export(path: Path, text: str, *, force: bool = False) -> None:
    """Write *text* to *path* (owner-only); an existing file only with *force*. Raises OutputRefused."""
    with open_output(path, force=force) as handle:
        handle.write(text.encode("utf-8"))
