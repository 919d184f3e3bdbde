"""Soak: many runs with random drops, one thread and ten at once; nothing lost, memory flat."""

from __future__ import annotations

import asyncio
import gc
import random
import resource

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.conversation import ChatMessage, Conversation, RunOutcome
from chat_tui.service.turn import Turn, TurnRequest
from tests.faults.proxy import FaultProxy
from tests.faults.test_drops import RUN_STREAM
from tests.support.repairs import one_repeat_lost
from tests.support.runs import assert_matches_state

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.soak]
PROMPTS = ["hello there", "what's the weather in sf", "compare paris and tokyo", "你好", "this will fail"]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def test_the_allowed_loss_is_told_from_any_other_difference() -> None:
    assert one_repeat_lost("the cat sat", "the the cat sat")
    assert one_repeat_lost("a, b", "a, , b")
    assert not one_repeat_lost("the cat sat", "the dog cat sat")  # something else was lost
    assert not one_repeat_lost("the the cat", "the cat")  # doubled, not lost
    assert not one_repeat_lost("same", "same")


async def test_fifty_runs_on_one_thread_with_random_drops(
    proxy: FaultProxy, client: LangGraphClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    repairs: list[tuple[str, str]] = []
    replace_text = ChatMessage.replace_text

    def spy(message: ChatMessage, text: str) -> None:
        repairs.append((message.text, text))
        replace_text(message, text)

    monkeypatch.setattr(ChatMessage, "replace_text", spy)
    rng = random.Random(20261122)
    conversation = Conversation()
    thread_id: str | None = None
    rss: list[float] = []
    reconnects = 0
    async with LangGraphClient(proxy.url) as via_proxy:
        for n in range(50):
            if rng.random() < 0.4:
                proxy.add(
                    method="POST", path=RUN_STREAM, action="cut", after=rng.randint(200, 5000), reset=rng.random() < 0.5
                )
            turn = Turn(via_proxy, conversation, TurnRequest("agent", thread_id, text=PROMPTS[n % len(PROMPTS)]))
            result = await turn.run()
            assert result.outcome is RunOutcome.SUCCESS, (n, result)
            thread_id = result.thread_id
            reconnects += result.reconnects
            if n in (9, 49):
                gc.collect()
                rss.append(rss_mb())
    state = await client.threads.get_state(thread_id or "")
    assert [m.id for m in conversation.messages] == [m["id"] for m in state.messages]  # nothing lost or doubled
    # The streamed text needed no repair, but for the one loss the rejoin filter allows (seen once
    # in several hundred rejoins, on a loaded machine).
    assert all(one_repeat_lost(streamed, stored) for streamed, stored in repairs), repairs
    assert len(repairs) <= 2, repairs
    assert_matches_state([m for m in conversation.messages if m.role != "human"], state)
    assert reconnects >= 10
    assert rss[1] - rss[0] < 40, rss  # flat: 40 more runs did not grow the process by their size


async def test_ten_threads_streaming_at_once_with_drops(proxy: FaultProxy, client: LangGraphClient) -> None:
    rng = random.Random(7)
    for _ in range(10):
        proxy.add(method="POST", path=RUN_STREAM, action="cut", after=rng.randint(300, 4000))

    async with LangGraphClient(proxy.url) as via_proxy:

        async def one(n: int) -> tuple[Conversation, object]:
            conversation = Conversation()
            result = await Turn(via_proxy, conversation, TurnRequest("agent", text=PROMPTS[n % len(PROMPTS)])).run()
            return conversation, result

        results = await asyncio.gather(*(one(n) for n in range(10)))
    for conversation, result in results:
        assert result.outcome is RunOutcome.SUCCESS  # type: ignore[attr-defined]
        state = await client.threads.get_state(result.thread_id)  # type: ignore[attr-defined]
        assert [m.id for m in conversation.messages] == [m["id"] for m in state.messages]
    assert len(proxy.requests("GET", r"/runs/[0-9a-f-]+/stream$")) >= 10
