"""What a turn sends: a message, a raw input, or the answer to the interrupts pending in the thread.

Answers are built by the same service methods as the app's approval keys and ``chat-tui stream
--decide/--resume``, so they are checked the same way before anything leaves: a ``decide`` or
``resume`` with nothing pending, decisions that do not fit the gated calls, a ``resume_each`` item
that matches no pending interrupt: :class:`~chat_tui.headless_answers.Refused`, and nothing is sent.
"""

from __future__ import annotations

from typing import Any

from chat_tui.conversation import Conversation, InterruptEntry
from chat_tui.conversation.interrupts import Decision
from chat_tui.headless_answers import Refused, answer_outgoing, interrupt_json
from chat_tui.service.approvals import NotSendable
from chat_tui.service.chat import ChatService
from chat_tui.service.outcomes import Outgoing
from chat_tui.service.turn import TurnRequest
from chat_tui.testing.matchers import dig, short, subset_problem
from chat_tui.testing.model import EditDecision, RejectDecision, RespondDecision, Turn

__all__ = ["decision", "turn_outgoing"]


def decision(spec: Any) -> Decision:
    """One ``decide`` item as the app's :class:`Decision`."""
    if spec == "approve":
        return Decision("approve")
    if spec == "reject":
        return Decision("reject")
    if isinstance(spec, RejectDecision):
        return Decision("reject", spec.reject)
    if isinstance(spec, RespondDecision):
        return Decision("respond", spec.respond)
    if isinstance(spec, EditDecision):
        return Decision("edit", args=spec.edit)
    raise ValueError(f"not a decision: {spec!r}")


def _decide(service: ChatService, conversation: Conversation, decisions: list[Decision]) -> Outgoing:
    pending = conversation.pending_interrupts
    gated = [entry for entry in pending if entry.calls]
    if not gated:
        if pending:
            raise Refused("the pending interrupt asks for a value, not decisions: use resume")
        raise Refused("decide: nothing is pending in the thread")
    total = sum(len(entry.calls) for entry in gated)
    if len(decisions) != total:
        names = ", ".join(call.name for entry in gated for call in entry.calls)
        raise Refused(f"decide: {total} gated call(s) wait ({names}); {len(decisions)} decision(s) given")
    outgoing: Outgoing | None = None
    keyed: dict[str, Any] = {}
    start = 0
    for entry in gated:
        entry.decisions = list(decisions[start : start + len(entry.calls)])
        start += len(entry.calls)
        try:
            answer = service.decide(conversation, entry)
        except NotSendable as exc:
            raise Refused(f"decide: {exc}") from None
        outgoing = outgoing or answer
        if len(gated) > 1:
            if not entry.interrupt_id:
                raise Refused("decide: several interrupts wait and one has no id to answer it by")
            keyed.update(answer.request.resume)
    assert outgoing is not None
    if len(gated) > 1:
        outgoing.request.resume = keyed
    return outgoing


def _matches(entry: InterruptEntry, match: dict[str, Any]) -> bool:
    shape = interrupt_json(entry)
    return all(subset_problem(want, dig(shape, path)) is None for path, want in match.items())


def _resume_each(service: ChatService, conversation: Conversation, turn: Turn) -> Outgoing:
    pending = [e for e in conversation.pending_interrupts if e.interrupt_id]
    if not pending:
        raise Refused("resume_each: nothing is pending in the thread")
    keyed: dict[str, Any] = {}
    for position, item in enumerate(turn.resume_each or (), start=1):
        hits = [e for e in pending if e.interrupt_id not in keyed and _matches(e, item.match)]
        if not hits:
            values = "; ".join(short(e.value, 80) for e in pending)
            raise Refused(
                f"resume_each #{position}: no pending interrupt matches {short(item.match)} (pending: {values})"
            )
        keyed[hits[0].interrupt_id or ""] = item.value
    request = service.request(conversation)
    request.resume = keyed
    return Outgoing(conversation, request)


def turn_outgoing(
    service: ChatService,
    conversation: Conversation,
    turn: Turn,
    *,
    assistant: str,
    config: dict[str, Any] | None,
    context: dict[str, Any] | None,
) -> Outgoing:
    """What *turn* sends on *conversation*'s thread. Raises :class:`Refused` (nothing sent)."""
    kind = turn.kind
    if kind in ("user", "input"):
        request = TurnRequest(assistant, conversation.thread_id, multitask_strategy="reject")
        if kind == "user":
            request.text = turn.user
        else:
            request.input = turn.input
        outgoing = Outgoing(conversation, request)
    elif kind == "decide":
        outgoing = _decide(service, conversation, [decision(d) for d in turn.decide or ()])
    elif kind == "resume_each":
        outgoing = _resume_each(service, conversation, turn)
    else:
        if not conversation.pending_interrupts:
            raise Refused("resume: nothing is pending in the thread")
        ids = {e.interrupt_id for e in conversation.pending_interrupts if e.interrupt_id}
        keyed = isinstance(turn.resume, dict) and bool(turn.resume) and set(turn.resume) <= ids
        if len(ids) > 1 and not keyed:
            raise Refused(f"resume: {len(ids)} interrupts are pending: answer them with resume_each")
        outgoing = answer_outgoing(service, conversation, resume=turn.resume, has_resume=True)
    outgoing.request.assistant_id = assistant
    outgoing.request.config = (turn.config if turn.config is not None else config) or None
    outgoing.request.context = (turn.context if turn.context is not None else context) or None
    return outgoing
