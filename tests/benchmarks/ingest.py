"""Ingest: a messages-tuple stream from bytes on the socket to the final conversation state.

Three readers of the same stream from the replay server, interleaved round by round:

* ``raw``: httpx reading the response body and discarding it (the physical limit here);
* ``sdk``: the official ``langgraph_sdk`` client, ``client.runs.stream(..., stream_mode=
  "messages-tuple")``, just iterating its parts (JSON-decoded, not typed, not accumulated);
* ``ours``: ``LangGraphClient.runs.stream`` decoding, typing (pydantic models) and every
  event folded into a ``Conversation`` (the final accumulated state: text, tool calls, results).

Each is timed from the request to the end of the stream, which includes the same one-off
``GET`` of the run's status at the end for both clients. Peak memory is measured in a separate
pass with ``tracemalloc`` (which slows the code, so it is not timed).
"""

from __future__ import annotations

import gc
import time
import tracemalloc
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tests.benchmarks.measure import Figure, Results, interleaved, median, ratio_figure, spread

MB = 2**20
THREAD = "5e1c0b8e-1111-4222-8333-444455556666"


def readers(url: str, scenario: str) -> dict[str, Callable[[], Awaitable[float]]]:
    from langgraph_sdk import get_client

    from chat_tui.client import LangGraphClient
    from chat_tui.conversation import Conversation

    body = {"assistant_id": scenario, "input": {}, "stream_mode": ["messages-tuple"]}

    async def raw() -> float:
        start = time.perf_counter()
        async with (
            httpx.AsyncClient(base_url=url, timeout=60) as client,
            client.stream("POST", f"/threads/{THREAD}/runs/stream", json=body) as response,
        ):
            async for _ in response.aiter_raw():
                pass
        return time.perf_counter() - start

    async def sdk() -> float:
        start = time.perf_counter()
        client = get_client(url=url)
        async for _part in client.runs.stream(THREAD, scenario, input={}, stream_mode="messages-tuple"):
            pass
        return time.perf_counter() - start

    async def ours() -> float:
        start = time.perf_counter()
        async with LangGraphClient(url) as client:
            conversation = Conversation(THREAD)
            async with client.runs.stream(THREAD, scenario, input={}, stream_mode=["messages-tuple"]) as stream:
                async for event in stream:
                    conversation.apply(event)
        elapsed = time.perf_counter() - start
        readers.last = conversation  # type: ignore[attr-defined]
        return elapsed

    return {"raw": raw, "sdk": sdk, "ours": ours}


async def peak(run: Callable[[], Awaitable[float]]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        await run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


async def real_server_readers(url: str, text: str) -> dict[str, Callable[[], Awaitable[float]]]:
    """SDK and ours against the real ``langgraph dev`` demo server (each run on a fresh thread)."""
    from langgraph_sdk import get_client

    from chat_tui.client import LangGraphClient
    from chat_tui.conversation import Conversation

    def message() -> dict[str, Any]:
        return {"messages": [{"role": "user", "content": text, "id": str(uuid.uuid4())}]}

    async def sdk() -> float:
        client = get_client(url=url)
        thread = await client.threads.create()
        start = time.perf_counter()
        async for _part in client.runs.stream(
            thread["thread_id"], "agent", input=message(), stream_mode="messages-tuple"
        ):
            pass
        return time.perf_counter() - start

    async def ours() -> float:
        async with LangGraphClient(url) as client:
            thread = await client.threads.create()
            start = time.perf_counter()
            conversation = Conversation(thread.thread_id)
            async with client.runs.stream(
                thread.thread_id, "agent", input=message(), stream_mode=["messages-tuple"]
            ) as stream:
                async for event in stream:
                    conversation.apply(event)
            return time.perf_counter() - start

    return {"sdk": sdk, "ours": ours}


async def run(results: Results, replay_url: str, prepare: Callable[[str], dict[str, Any]], quick: bool) -> None:
    events = 5000 if quick else 20000
    # (11: the ratio moves ±20% between rounds on a 2-core VM; the median of more is steadier.)
    repetitions = 3 if quick else 11
    scenario = f"mixed:events={events}"
    info = prepare(scenario)
    runs = readers(replay_url, scenario)
    times = await interleaved(runs, repetitions)
    conversation = readers.last  # type: ignore[attr-defined]
    messages = [m for m in conversation.entries if getattr(m, "role", "") in ("ai", "tool")]
    if not messages or conversation.run is None or conversation.run.outcome != "success":
        raise AssertionError("ingest: the conversation did not accumulate the stream")
    for name in ("raw", "sdk", "ours"):
        results.add(
            Figure(f"ingest.{events}.{name}", median(times[name]), "s", spread=spread(times[name]), reps=repetitions)
        )
    results.add(ratio_figure(f"ingest.{events}.ours_vs_sdk", times["ours"], times["sdk"], 1.0, "ours / SDK"))
    results.add(ratio_figure(f"ingest.{events}.ours_vs_raw", times["ours"], times["raw"], 3.0, "ours / raw read"))
    results.add(Figure(f"ingest.{events}.ours_events_per_s", events / median(times["ours"]), "events/s"))
    results.add(
        Figure(
            f"ingest.{events}.stream_size",
            info["payload_bytes"] / MB,
            "MB",
            note=f"{info['payload_bytes'] / events:.0f} B per event, CRLF, ids, a heartbeat every 1,000 events",
        )
    )
    for name in ("ours", "sdk"):
        results.add(
            Figure(f"ingest.{events}.{name}_peak_memory", await peak(runs[name]) / MB, "MB", note="tracemalloc")
        )


async def run_real(results: Results, demo_url: str, quick: bool) -> None:
    """The same comparison against the real server: its own speed dominates (about 1 s before
    the first event), so this shows the client's share of a real run, not the client's limit."""
    repetitions = 1 if quick else 6
    runs = await real_server_readers(demo_url, "long")
    await runs["ours"]()  # the server's first run of a graph is slower: keep it out of both
    times = await interleaved(runs, repetitions, warmup=0)
    for name in ("sdk", "ours"):
        results.add(
            Figure(f"ingest.real.{name}", median(times[name]), "s", spread=spread(times[name]), reps=repetitions)
        )
    results.add(
        ratio_figure("ingest.real.ours_vs_sdk", times["ours"], times["sdk"], None, "`long`: ~1,750 chunks, real server")
    )
