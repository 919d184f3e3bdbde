"""Pending interrupts on the command line: how ``chat-tui stream`` shows them and answers them.

* :func:`interrupt_json` is the ``--json`` shape of one pending interrupt (``chat-tui inbox --json``
  uses it too): ``{"id", "kind", "value", "actions": [{"name", "args", "allowed"}, ...]}``.
* :func:`interrupt_lines` and :func:`answer_hints` are the human output: one line per gated call,
  and the command that answers each pending interrupt.
* :func:`answer_outgoing` turns ``--decide``/``--resume`` (and ``--interrupt``) into the answer to
  send, through :class:`~chat_tui.service.chat.ChatService`, which checks decisions before anything
  leaves. Everything that cannot be sent raises :class:`Refused`, with one line: nothing was sent.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from chat_tui.conversation import Conversation, InterruptEntry
from chat_tui.conversation.interrupts import Decision, GatedCall, InterruptKind, parse_decision
from chat_tui.sanitize import clean_line
from chat_tui.service.approvals import NotSendable
from chat_tui.service.chat import ChatService
from chat_tui.service.outcomes import Outgoing

__all__ = [
    "DECISION_FORMS",
    "Refused",
    "answer_hints",
    "answer_outgoing",
    "interrupt_json",
    "interrupt_lines",
    "parse_decisions",
]

DECISION_FORMS = "approve, reject[=REASON], respond=TEXT or edit=JSON"
ARGS_LIMIT = 200
DEFAULT_DESCRIPTION = "Tool execution requires approval"  # the middleware's, when the tool sets none


class Refused(Exception):
    """The answer cannot be sent (a usage error): one line says why. Nothing was sent."""


def interrupt_json(entry: InterruptEntry) -> dict[str, Any]:
    """The ``--json`` shape of a pending interrupt; ``actions`` is empty for a ``value`` interrupt."""
    return {
        "id": entry.interrupt_id,
        "kind": str(entry.kind),
        "value": entry.value,
        "actions": [{"name": call.name, "args": call.args, "allowed": list(call.allowed)} for call in entry.calls],
    }


def compact_args(args: Any) -> str:
    """A tool call's arguments on one line (cleaned, shortened)."""
    text = json.dumps(args, ensure_ascii=False, default=str, separators=(", ", ": "))
    return clean_line(text, ARGS_LIMIT)


def _call_line(position: int, call: GatedCall) -> str:
    line = f"  {position}. {clean_line(call.name, 80) or '?'} {compact_args(call.args)}  [{' | '.join(call.allowed)}]"
    note = clean_line(call.description.strip().splitlines()[0], 120) if call.description.strip() else ""
    if note and not note.startswith(DEFAULT_DESCRIPTION):
        line += f"  ({note})"
    return line


def interrupt_lines(entry: InterruptEntry) -> list[str]:
    """What a pending interrupt asks, for people: its question, or one line per gated call."""
    if not entry.calls:
        return [f"⏸ interrupt: {clean_line(entry.question, 500)}"]
    count = len(entry.calls)
    what = "a tool call waits" if count == 1 else f"{count} tool calls wait"
    ident = f", interrupt {clean_line(entry.interrupt_id, 40)}" if entry.interrupt_id else ""
    return [
        f"⏸ {what} for a decision ({entry.kind}{ident}):",
        *(_call_line(n, call) for n, call in enumerate(entry.calls, start=1)),
    ]


def answer_hints(pending: Sequence[InterruptEntry], thread_id: str | None) -> list[str]:
    """The command that answers each pending interrupt (``--interrupt`` when several wait)."""
    thread = clean_line(thread_id or "<id>", 60)
    lines: list[str] = []
    for entry in pending:
        pick = f" --interrupt {clean_line(entry.interrupt_id, 40)}" if len(pending) > 1 and entry.interrupt_id else ""
        if entry.calls:
            decide = " ".join(["--decide DECISION"] * len(entry.calls))
            order = " (one per call, in order)" if len(entry.calls) > 1 else ""
            lines.append(
                f"the run is waiting for a decision: chat-tui stream --thread {thread}{pick} {decide}{order}; "
                f"DECISION: {DECISION_FORMS}"
            )
        else:
            about = f" ({clean_line(entry.question, 60)})" if pick else ""
            lines.append(
                f"the run is waiting for input{about}: chat-tui stream --thread {thread}{pick} --resume '<json>'"
            )
    return lines or [f"the run is waiting for input: chat-tui stream --thread {thread} --resume '<json>'"]


def parse_decisions(texts: Sequence[str]) -> list[Decision]:
    """``--decide`` values, in order; :class:`Refused` names the first that does not parse."""
    decisions = []
    for position, text in enumerate(texts, start=1):
        try:
            decisions.append(parse_decision(text))
        except ValueError as exc:
            where = f"--decide #{position}: " if len(texts) > 1 else "--decide: "
            raise Refused(where + clean_line(str(exc), 300)) from None
    return decisions


def _choose(conversation: Conversation, interrupt_id: str | None) -> InterruptEntry:
    pending = conversation.pending_interrupts
    thread = clean_line(conversation.thread_id or "", 60)
    if not pending:
        raise Refused(f"thread {thread} has nothing waiting for an answer")
    ids = ", ".join(clean_line(e.interrupt_id or "?", 40) for e in pending)
    if interrupt_id is not None:
        entry = next((e for e in pending if e.interrupt_id == interrupt_id), None)
        if entry is None:
            raise Refused(f"thread {thread} has no pending interrupt {clean_line(interrupt_id, 40)} (pending: {ids})")
        return entry
    if len(pending) > 1:
        raise Refused(f"{len(pending)} interrupts are pending ({ids}): pick one with --interrupt ID")
    return pending[0]


def answer_outgoing(
    service: ChatService,
    conversation: Conversation,
    *,
    decisions: Sequence[Decision] = (),
    resume: Any = None,
    has_resume: bool = False,
    interrupt_id: str | None = None,
) -> Outgoing:
    """The answer to one pending interrupt of *conversation* (loaded from the thread's state), keyed
    by its id: *decisions* on its gated calls, or the raw *resume* value. A *resume* map already
    keyed by pending interrupt ids (to answer several at once) is sent as it is.

    Raises :class:`Refused` when it cannot be sent: nothing waits, several wait and none was picked,
    decisions for a value interrupt, a wrong count, a decision the call does not allow."""
    if has_resume and interrupt_id is None and _keyed_by_pending_ids(conversation, resume):
        request = service.request(conversation)
        request.resume = resume
        return Outgoing(conversation, request)
    entry = _choose(conversation, interrupt_id)
    if not decisions:
        return service.answer(conversation, entry, resume)
    if entry.kind is InterruptKind.VALUE:
        raise Refused(
            f"interrupt {clean_line(entry.interrupt_id or '', 40)} asks for a value, not decisions: "
            "answer it with --resume JSON"
        )
    entry.decisions = list(decisions)
    try:
        return service.decide(conversation, entry)
    except NotSendable as exc:
        raise Refused(clean_line(str(exc), 300)) from None


def _keyed_by_pending_ids(conversation: Conversation, value: Any) -> bool:
    ids = {e.interrupt_id for e in conversation.pending_interrupts if e.interrupt_id}
    return isinstance(value, dict) and bool(value) and set(value) <= ids
