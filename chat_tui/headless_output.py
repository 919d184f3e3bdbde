"""What ``chat-tui stream`` prints besides its human output: ``--raw`` (each SSE event the way the
LangGraph docs print them) and ``--json`` (one document once the run is over). A live run and a
played-back recording print through these same functions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TextIO

from chat_tui.client.events import Fault, Reconnecting, StreamEvent
from chat_tui.conversation import ChatMessage, Conversation
from chat_tui.headless_answers import interrupt_json
from chat_tui.sanitize import clean, clean_line

__all__ = ["json_document", "message_json", "raw_printer"]


def raw_printer(out: TextIO, err: TextIO) -> Callable[[StreamEvent], None]:
    """``--raw``: each event the way the LangGraph docs print them (cleaned)."""

    def on_event(event: StreamEvent) -> None:
        raw = getattr(event, "raw", None)
        if raw is not None:
            out.write(f"Receiving new event of type: {clean_line(raw.event, 200)}...\n{clean(raw.data)}\n\n\n")
            out.flush()
        elif isinstance(event, Reconnecting):
            err.write(f"reconnecting (attempt {event.attempt}): {event.reason}\n")
        elif isinstance(event, Fault):
            err.write(f"warning: {event.reason}\n")

    return on_event


def message_json(message: ChatMessage) -> dict[str, Any]:
    """The ``--json`` shape of one message."""
    return {
        "id": message.id,
        "type": message.role,
        "content": message.text,
        "node": message.node,
        "tool_calls": [
            {"id": call.id, "name": call.name, "args": call.args if call.args_valid else call.args_text}
            for call in message.tool_calls
        ],
        "tool_call_id": message.tool_call_id,
        "status": message.tool_status if message.role == "tool" else str(message.status),
    }


def json_document(conversation: Conversation, thread_id: str | None, run_id: str | None, outcome: str) -> str:
    messages = [message_json(m) for m in conversation.run_messages(run_id)]
    interrupts = [interrupt_json(entry) for entry in conversation.pending_interrupts]
    document = {
        "thread_id": thread_id,
        "run_id": run_id,
        "status": outcome,
        "messages": messages,
        "interrupts": interrupts,
    }
    return json.dumps(document, ensure_ascii=False, indent=2, default=str)
