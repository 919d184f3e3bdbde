"""The application service on its own (no Textual): the use cases and the stores they keep.

Every test runs against the real demo server. The busy-thread question is answered by a
plain callback, as a CLI flag or a test runner would answer it.
"""

from __future__ import annotations

import asyncio

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.conversation import Conversation, RunOutcome
from chat_tui.run_config import RunConfig
from chat_tui.service.chat import ChatService
from chat_tui.service.outcomes import Accepted, BusyChoice
from tests.support.runs import assert_matches_state

pytestmark = pytest.mark.server
SLOW = {"delay_ms": 12}  # the `slow` script runs at 5x: a few seconds


def answer(choice: BusyChoice | None) -> tuple[list[bool], object]:
    asked: list[bool] = []

    async def ask_busy(ours: bool) -> BusyChoice | None:
        asked.append(ours)
        return choice

    return asked, ask_busy


async def test_a_first_message_creates_titles_and_remembers_its_thread(
    service: ChatService, client: LangGraphClient
) -> None:
    assert service.drafts is not None and service.userdata is not None
    conversation = Conversation()
    accepted: list[Accepted] = []
    config = RunConfig("context", {"persona": "pirate"})
    outgoing = service.prepare(conversation, "what's the weather in sf?\nthanks", config)
    assert service.drafts.stored(None) == "what's the weather in sf?\nthanks"  # kept until the server has it
    outcome = await service.send(outgoing, on_accepted=accepted.append)

    assert outcome.sent and outcome.outcome is RunOutcome.SUCCESS and outcome.problem is None
    thread_id = outcome.thread_id
    assert thread_id and outcome.run_id and accepted == [Accepted(thread_id, outcome.run_id, True, outgoing.text)]
    assert outcome.titled is not None and outcome.titled.metadata.get("title") == "what's the weather in sf?"
    assert_matches_state(conversation.run_messages(), await client.threads.get_state(thread_id))
    # One place wrote every store: the draft is gone, the prompt and the thread's config are kept,
    # and no run is left marked as in flight.
    userdata = service.userdata
    assert service.drafts.stored(None) == "" and service.drafts.stored(thread_id) == ""
    assert userdata.prompts(service.data_key)[-1] == outgoing.text
    assert RunConfig.from_json(userdata.run_config(service.data_key, thread_id)) == config
    assert userdata.active_runs(service.data_key) == {}
    assert service.run_config_for(thread_id, None) == config
    assert service.live == {}


async def test_a_refused_send_gives_the_text_back_or_keeps_it_as_the_draft(service: ChatService) -> None:
    assert service.drafts is not None
    service.assistant_id = "no-such-assistant"  # the server refuses the run: nothing is created
    conversation = Conversation()
    outcome = await service.send(service.prepare(conversation, "first try"), composer_text=lambda: "")
    assert not outcome.sent and outcome.restored_text == "first try" and outcome.problem
    assert conversation.entries == []  # the optimistic message went away again

    # The user typed something new while it was refused: the unsent message joins that draft instead.
    outgoing = service.prepare(conversation, "second try")
    service.drafts.save("a newer idea")
    outcome = await service.send(outgoing, composer_text=lambda: "a newer idea")
    assert not outcome.sent and outcome.restored_text is None
    assert service.drafts.stored(None) == "a newer idea\n\nsecond try"


async def test_an_answer_resumes_the_pending_interrupt(service: ChatService) -> None:
    conversation = Conversation()
    first = await service.send(service.prepare(conversation, "delete the report"))
    assert first.outcome is RunOutcome.INTERRUPTED and conversation.pending_interrupts
    outgoing = service.prepare(conversation, "yes")
    interrupt_id = conversation.pending_interrupts[0].interrupt_id
    assert outgoing.request.is_resume and outgoing.request.resume == {interrupt_id: "yes"}  # always by id
    second = await service.send(outgoing)
    assert second.sent and second.outcome is RunOutcome.SUCCESS and not conversation.pending_interrupts
    assert second.titled is None  # only a new thread is titled
    assert service.userdata is not None and "yes" not in service.userdata.prompts(service.data_key)


async def test_a_busy_thread_asks_and_follows_the_choice(service: ChatService, client: LangGraphClient) -> None:
    service.context = SLOW
    conversation = Conversation()
    first = asyncio.create_task(service.send(service.prepare(conversation, "slow please")))
    await _until(lambda: service.live)
    thread_id = next(iter(service.live))

    asked, keep = answer(None)  # "keep my text": nothing is sent
    kept = await service.send(service.prepare(conversation, "not now"), ask_busy=keep, composer_text=lambda: "")
    assert asked == [True] and kept.declined and not kept.sent and kept.restored_text == "not now"

    asked, queue = answer(BusyChoice.ENQUEUE)
    queued = await service.send(service.prepare(conversation, "and then?"), ask_busy=queue)
    assert asked == [True] and queued.sent and queued.outcome is RunOutcome.SUCCESS
    assert (await first).outcome is RunOutcome.SUCCESS
    runs = await client.runs.list(thread_id, limit=10)
    assert [r.status for r in runs] == ["success", "success"]
    assert runs[0].multitask_strategy == "enqueue"  # newest first: the queued one


async def test_a_run_started_elsewhere_is_a_409_that_ask_busy_answers(
    service: ChatService, client: LangGraphClient
) -> None:
    thread = await client.threads.create()
    await client.runs.create(
        thread.thread_id, "agent", input={"messages": [{"role": "user", "content": "slow"}]}, context=SLOW
    )
    opened = await service.open(thread.thread_id)
    assert opened.thread is not None and opened.running_run is not None
    asked, interrupt = answer(BusyChoice.INTERRUPT)
    outcome = await service.send(service.prepare(opened.conversation, "stop that, hi"), ask_busy=interrupt)
    assert asked == [False] and outcome.sent and outcome.outcome is RunOutcome.SUCCESS
    assert (await client.threads.get(thread.thread_id)).status == "idle"


async def test_cancel_stops_the_run_on_the_server(service: ChatService, client: LangGraphClient) -> None:
    service.context = SLOW
    conversation = Conversation()
    assert not await service.cancel(None)  # nothing streams: nothing to cancel
    sending = asyncio.create_task(service.send(service.prepare(conversation, "slow please")))
    await _until(lambda: conversation.run is not None and conversation.run.first_token_at is not None)
    assert await service.cancel(conversation.thread_id)
    outcome = await sending
    assert outcome.outcome is RunOutcome.CANCELLED
    run = await client.runs.get(outcome.thread_id or "", outcome.run_id or "")
    assert run.status == "interrupted"


async def test_attach_follows_a_run_and_open_finds_it(service: ChatService, client: LangGraphClient) -> None:
    thread = await client.threads.create()
    run = await client.runs.create(
        thread.thread_id, "agent", input={"messages": [{"role": "user", "content": "slow"}]}, context=SLOW
    )
    opened = await service.open(thread.thread_id)
    assert opened.running_run == run.run_id
    attached = await service.attach(opened.conversation, run.run_id)
    assert attached.followed and attached.outcome is RunOutcome.SUCCESS and attached.problem is None
    assert_matches_state(opened.conversation.run_messages(), await client.threads.get_state(thread.thread_id))
    again = await service.open(thread.thread_id)
    assert again.running_run is None and again.first_message == "slow"
    assert len(again.conversation.messages) == len(opened.conversation.messages)


async def test_deleting_a_thread_forgets_what_was_kept_for_it(service: ChatService) -> None:
    assert service.drafts is not None and service.userdata is not None
    outcome = await service.send(service.prepare(Conversation(), "hello"))
    thread_id = outcome.thread_id or ""
    service.drafts.save("half-typed", thread_id, explicit_key=True)
    service.set_run_config(thread_id, RunConfig("context", {"persona": "x"}))
    await service.delete_thread(thread_id)
    assert service.drafts.stored(thread_id) == ""
    assert service.userdata.run_config(service.data_key, thread_id) is None


async def _until(predicate: object, timeout: float = 20.0) -> None:
    """Poll *predicate* until it is truthy; fail after *timeout* seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {predicate}")
        await asyncio.sleep(0.02)
