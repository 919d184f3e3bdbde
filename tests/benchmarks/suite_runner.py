"""`chat-tui test`'s overhead: a suite of N runs at -j 8 beside a plain langgraph_sdk loop doing the same
runs (a new thread each, one streamed run, 8 at a time), interleaved in one process against the real
demo server (no token delay, so the client's share is as large as it gets)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from tests.benchmarks.measure import Figure, Results, interleaved, median, ratio_figure, spread

PROMPT = "what's the weather in sf"
CONCURRENCY = 8
SUITE = f"""version: 1
scenarios:
  - id: weather
    turns:
      - user: "{PROMPT}"
        expect:
          tool_calls: [{{name: get_weather, args: {{city: San Francisco}}}}]
          final_text: {{contains: San Francisco}}
"""


def _runners(url: str, runs: int, folder: Path) -> dict[str, Callable[[], Awaitable[float]]]:
    from langgraph_sdk import get_client

    from chat_tui.connection import Connection
    from chat_tui.service.chat import ChatService
    from chat_tui.testing.loader import load_file, select
    from chat_tui.testing.runner import Runner

    path = folder / "bench.yaml"
    path.write_text(SUITE, encoding="utf-8")
    selected = select([load_file(path)], repeat=runs)

    async def ours() -> float:
        connection = Connection(url)
        async with connection.client() as client:
            start = time.perf_counter()
            results = await Runner(ChatService(connection, client), concurrency=CONCURRENCY).run(selected)
            elapsed = time.perf_counter() - start
        assert all(r.outcome == "pass" for r in results[0].runs), [r.reason for r in results[0].runs]
        return elapsed

    async def sdk() -> float:
        client = get_client(url=url)
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one() -> None:
            async with gate:
                thread = await client.threads.create()
                body = {"messages": [{"role": "user", "content": PROMPT}]}
                stream_mode = ["messages-tuple", "updates"]
                async for _part in client.runs.stream(
                    thread["thread_id"], "agent", input=body, stream_mode=stream_mode
                ):
                    pass

        start = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(runs)))
        return time.perf_counter() - start

    return {"sdk": sdk, "ours": ours}


async def run(results: Results, demo_url: str, quick: bool) -> None:
    runs = 8 if quick else 100
    repetitions = 1 if quick else 3
    with tempfile.TemporaryDirectory(prefix="chat-tui-bench-suite-") as tmp:
        runners = _runners(demo_url, runs, Path(tmp))
        times = await interleaved(runners, repetitions, warmup=1)
    for name in ("sdk", "ours"):
        results.add(
            Figure(f"test_runner.{runs}.{name}", median(times[name]), "s", spread=spread(times[name]), reps=repetitions)
        )
    results.add(
        ratio_figure(
            f"test_runner.{runs}.ours_vs_sdk",
            times["ours"],
            times["sdk"],
            1.1,
            f"`chat-tui test` ({runs} runs, -j {CONCURRENCY}, with its checks) / a plain SDK loop, real server",
        )
    )
