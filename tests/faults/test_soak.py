"""Soak: many runs with random drops, one thread and ten at once; nothing lost, memory flat."""

from __future__ import annotations

import asyncio
import gc
import random
import resource

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.conversation import Conversation, RunOutcome
from chat_tui.service.turn import Turn, TurnRequest
from tests.faults.proxy import FaultProxy
from tests.faults.test_drops import RUN_STREAM
from tests.support.runs import assert_matches_state

pytestmark = [pytest.mark.server, pytest.mark.slow]
PROMPTS = ["hello there", "what's the weather in sf", "compare paris and tokyo", "你好", "this will fail"]


def rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


async def test_fifty_runs_on_one_thread_with_random_drops(proxy: FaultProxy, client: LangGraphClient) -> None:
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
    assert [m.id for m in conversation.messages if m.text_epoch] == []  # the streamed text needed no repair
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
