"""The long soak (a two-hour session, sped up): 500 runs across 20 threads in one process, with drops.

About 45 s on two cores (``python -m pytest -m soak`` runs the soaks alone).
The demo model streams with no delay, 20 threads run at once (the demo server runs 10 runs at a
time), and two runs in five have their stream cut at a random offset. As in the app, where only the
thread shown is held in memory, each turn opens its thread from the server's state first. Checked: every run
succeeds; each conversation holds exactly the server's messages (nothing lost or doubled);
memory is flat: of what was allocated after the first 50 runs, at most 10 MB is still alive at the
end (``tracemalloc``, once the conversations the test holds are let go), and the process's RSS grew
at most 10 MB (read after a full collection and glibc's ``malloc_trim``, so that it counts the
memory in use, not the free pages the allocator keeps; without the trim it grew 12-20 MB, with no
live object behind it); no asyncio task and no file descriptor is left behind.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import os
import random
import resource
import tracemalloc

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.conversation import Conversation, RunOutcome
from chat_tui.service.turn import Turn, TurnRequest
from tests.faults.proxy import FaultProxy
from tests.faults.test_drops import RUN_STREAM

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.soak]
THREADS = 20
RUNS_PER_THREAD = 25
PROMPTS = ["hello there", "what's the weather in sf", "compare paris and tokyo", "你好", "this will fail"]


def trim() -> None:
    """Give the allocator's free pages back to the system (glibc), so RSS counts what is in use."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # (not glibc: RSS keeps the allocator's free pages too)
        pass


def rss_mb() -> float:
    gc.collect()
    trim()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1e6


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.timeout(900)
async def test_five_hundred_runs_across_twenty_threads_with_drops(proxy: FaultProxy, client: LangGraphClient) -> None:
    rng = random.Random(20261206)
    done = 0
    cuts = 0
    first_fifty: list[float] = []
    lock = asyncio.Lock()

    async with LangGraphClient(proxy.url) as via_proxy:
        await via_proxy.ok()  # (the connection pool's first sockets belong to the baseline)
        tasks_before = len(asyncio.all_tasks())
        fds_before = open_fds()

        async def thread(n: int) -> tuple[Conversation, str | None]:
            nonlocal done, cuts
            conversation = Conversation()
            thread_id: str | None = None
            for turn_number in range(RUNS_PER_THREAD):
                if thread_id is not None:  # as the app does: only the thread shown is held, opened from the server
                    conversation = Conversation()
                    conversation.load(await via_proxy.threads.get_state(thread_id))
                if rng.random() < 0.4:
                    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=rng.randint(200, 4000))
                text = PROMPTS[(n + turn_number) % len(PROMPTS)]
                request = TurnRequest("agent", thread_id, text=text, context={"delay_ms": 0})
                result = await Turn(via_proxy, conversation, request).run()
                assert result.outcome is RunOutcome.SUCCESS, (n, turn_number, result)
                thread_id = result.thread_id
                async with lock:
                    done += 1
                    # (the harness's own bookkeeping, in this same process, must not count as the app's)
                    proxy.log.clear()
                    cuts += sum(1 for r in proxy.rules if r.fired >= r.times)
                    proxy.rules[:] = [r for r in proxy.rules if r.fired < r.times]
                    if done == 50:
                        first_fifty.append(rss_mb())
                        tracemalloc.start()  # from here on, what is allocated and stays alive is counted
            return conversation, thread_id

        results = await asyncio.gather(*(thread(n) for n in range(THREADS)))
        for conversation, thread_id in results:
            state = await client.threads.get_state(thread_id or "")
            assert [m.id for m in conversation.messages] == [m["id"] for m in state.messages]  # nothing lost or doubled
        del results, conversation, state  # (the test's own references: the app keeps only the thread shown)
        gc.collect()
        alive = tracemalloc.get_traced_memory()[0] / 1e6
        tracemalloc.stop()  # (its own records of every allocation are freed: RSS is the app's again)
        grown = rss_mb() - first_fifty[0]
        tasks_after = len(asyncio.all_tasks())
        fds_after = open_fds()
    print(
        f"\nsoak: {done} runs, {cuts} cut streams; after the first 50 runs: {alive:.1f} MB allocated and still alive, "
        f"RSS {grown:+.1f} MB; tasks {tasks_before}->{tasks_after}, fds {fds_before}->{fds_after}"
    )
    assert done == THREADS * RUNS_PER_THREAD and cuts >= 100
    assert alive <= 10, f"{alive:.1f} MB allocated after the first 50 runs is still alive"
    assert grown <= 10, f"RSS grew {grown:.1f} MB after the first 50 runs"
    assert tasks_after <= tasks_before, (tasks_before, tasks_after)
    assert fds_after <= fds_before + 2, (fds_before, fds_after)  # (pooled keep-alive sockets: one or two)
