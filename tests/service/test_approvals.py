"""The service's human-in-the-loop use cases on the real demo server: a partial answer to parallel
interrupts, a refused answer and the reset that recovers from it, and the inbox among hundreds of
threads (cancelled ones, which wait for nobody, left out)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.conversation import Conversation, RunOutcome
from chat_tui.conversation.interrupts import Decision, InterruptKind
from chat_tui.service.approvals import NotSendable
from chat_tui.service.chat import ChatService
from chat_tui.service.inbox import InboxCursor

pytestmark = pytest.mark.server


@pytest.fixture
def service(service: ChatService) -> ChatService:
    service.assistant_id = "approvals"  # (the shared fixture's, on the approval graph)
    return service


async def until(predicate: Callable[[], object], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.02)


async def say(service: ChatService, text: str, conversation: Conversation | None = None) -> Conversation:
    conversation = conversation or Conversation()
    outcome = await service.send(service.prepare(conversation, text))
    assert outcome.outcome in (RunOutcome.INTERRUPTED, RunOutcome.SUCCESS), outcome
    return conversation


async def test_a_partial_answer_to_parallel_interrupts_leaves_the_other_pending(
    service: ChatService, client: LangGraphClient
) -> None:
    service.assistant_id = "parallel"
    conversation = await say(service, "plan the meeting")
    first, second = conversation.pending_interrupts
    assert first.kind is second.kind is InterruptKind.VALUE
    outcome = await service.send(service.prepare(conversation, "Tuesday"))  # the composer answers the first
    assert outcome.outcome is RunOutcome.INTERRUPTED
    assert first.resolved and first.answer == "Tuesday" and not second.resolved
    state = await client.threads.get_state(conversation.thread_id or "")
    assert [i.id for i in state.interrupts] == [second.interrupt_id]
    outcome = await service.send(service.prepare(conversation, "Ana"))
    assert outcome.outcome is RunOutcome.SUCCESS and not conversation.pending_interrupts
    assert "**Tuesday**" in conversation.messages[-1].text and "**Ana**" in conversation.messages[-1].text


async def test_nothing_wrong_is_sent_and_a_refused_answer_is_reset(
    service: ChatService, client: LangGraphClient
) -> None:
    conversation = await say(service, "email alice and delete the report")
    (entry,) = conversation.pending_interrupts
    thread_id = conversation.thread_id or ""
    runs = len(await client.runs.list(thread_id))
    with pytest.raises(NotSendable, match="1 of 2 gated call"):
        entry.decisions[0] = Decision("approve")
        service.decide(conversation, entry)
    with pytest.raises(NotSendable, match=r"delete_file .* allows approve, reject, not edit"):
        entry.decisions[1] = Decision("edit", args={"path": "/tmp/other"})
        service.decide(conversation, entry)
    assert len(await client.runs.list(thread_id)) == runs  # refused here: the server saw nothing

    # An answer that slipped past (sent raw, with one decision for two calls) poisons the thread...
    outcome = await service.send(service.answer(conversation, entry, {"decisions": [{"type": "approve"}]}))
    assert outcome.outcome is RunOutcome.ERROR
    assert conversation.pending_interrupts  # still waiting: the answer was refused
    # The thread is in `error` and lists no interrupt itself; its state still waits: the inbox finds it.
    thread = await client.threads.get(thread_id)
    assert thread.status == "error" and not thread.interrupts
    row = next(r for r in await service.inbox(limit=50) if r.thread.thread_id == thread_id)
    assert (row.kind, row.preview) == (InterruptKind.HITL, "send_email, delete_file")
    # ...and resetting the request asks again, with a fresh interrupt that a right answer clears.
    await service.reset_request(thread_id)
    outcome = await service.send(service.again(conversation))
    assert outcome.outcome is RunOutcome.INTERRUPTED
    (fresh,) = conversation.pending_interrupts
    assert fresh.interrupt_id != entry.interrupt_id and [c.name for c in fresh.calls] == ["send_email", "delete_file"]
    fresh.decisions[:] = [Decision("approve"), Decision("reject", message="not today")]
    outcome = await service.send(service.decide(conversation, fresh))
    assert outcome.outcome is RunOutcome.SUCCESS
    assert (await client.threads.get(thread_id)).status == "idle"


async def test_the_inbox_pages_through_hundreds_of_threads_and_leaves_out_cancelled_ones(
    service: ChatService, client: LangGraphClient
) -> None:
    waiting = [(await say(service, text)).thread_id for text in ("email bob", "delete /tmp/x.log")]
    service.assistant_id = "parallel"
    waiting.append((await say(service, "plan the meeting")).thread_id)
    # Cancelled runs leave threads `interrupted` with nothing pending: many, and newer than the waiting ones.
    service.assistant_id = "agent"
    service.context = {"delay_ms": 12}
    cancelled: list[str] = []
    for _ in range(3):
        conversation = Conversation()
        sending = asyncio.create_task(service.send(service.prepare(conversation, "slow please")))
        await until(lambda c=conversation: c.run is not None and c.run.first_token_at is not None)  # type: ignore[misc]
        assert await service.cancel(conversation.thread_id)
        assert (await sending).outcome is RunOutcome.CANCELLED
        cancelled.append(conversation.thread_id or "")
    assert {(await client.threads.get(t)).status for t in cancelled} == {"interrupted"}
    await asyncio.gather(*(client.threads.create() for _ in range(300)))  # idle threads, never asked for

    rows = await service.inbox(limit=50)
    found = [r.thread.thread_id for r in rows]
    assert [t for t in found if t in waiting] == waiting[::-1]  # newest first
    assert not set(found) & set(cancelled)
    kinds = {r.thread.thread_id: (r.kind, r.preview) for r in rows}
    assert kinds[waiting[0]] == (InterruptKind.HITL, "send_email")
    assert kinds[waiting[2]][0] is InterruptKind.VALUE and "(+1 more)" in kinds[waiting[2]][1]

    # A page of one at a time, scanning a batch of two: cancelled threads in between are skipped,
    # and the waiting ones still come newest first, each once.
    cursor = InboxCursor(client, batch=2)
    paged: list[str] = []
    while cursor.more and len(paged) < len(found):
        paged += [r.thread.thread_id for r in await cursor.next_page(1)]
    assert paged == found
    count, _more = await service.waiting_count()
    assert count >= 3
