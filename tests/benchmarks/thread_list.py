"""Thread list: a server holding many threads; the sidebar's first page, then paging to the end.

The replay server holds N threads (newest first; every tenth has no title, so the sidebar
fetches its first message, as it does on a real server). Memory is compared between a server
with N threads and one with a tenth of them, after the first page: it must not depend on
what the server holds, only on the rows fetched.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.benchmarks.app_harness import SIZE, CaptureDriver, FrameClock, make_app, next_frame_after, wait_for
from tests.benchmarks.measure import Figure, Results, percentile, rss
from tests.benchmarks.replay_server import ReplayServer

MB = 2**20


async def browse(url: str, data_dir: Path, *, to_end: bool, timeout: float = 600) -> dict[str, Any]:
    CaptureDriver.reset()
    FrameClock.reset()
    before = rss()
    app = make_app(url, data_dir)
    result: dict[str, Any] = {}
    async with app.run_test(size=SIZE, headless=False) as pilot:
        connected = await wait_for(lambda: getattr(app, "service", None) is not None, 30, "the connection")
        screen = app.chat
        threads = screen.threads
        shown = await wait_for(lambda: threads.option_count > 0, 30, "the first page")
        result["first_page"] = await next_frame_after(shown) - connected
        await pilot.pause(0.5)
        result["rss_first_page"] = rss() - before
        if not to_end:
            return result
        threads.focus()
        await pilot.pause(0.1)
        mark = time.perf_counter()
        presses = 0
        while True:
            await pilot.press("end")
            presses += 1
            done = not threads.more and not threads.loading and threads.highlighted == threads.option_count - 1
            if done:
                break
            if time.perf_counter() - mark > timeout:
                raise TimeoutError("paging to the end took too long")
            if threads.loading:
                await wait_for(lambda: not threads.loading, 30, "a page", interval=0.005)
        result["to_end"] = time.perf_counter() - mark
        result["rows"] = threads.option_count
        result["presses"] = presses
        result["frames"] = FrameClock.since(mark)
        await pilot.pause(0.3)
        result["rss_end"] = rss() - before
    return result


async def run(results: Results, server: ReplayServer, data_dir: Path, quick: bool) -> None:
    from tests.benchmarks.child import run_child

    many = 500 if quick else 10000
    few = many // 10
    server.control("threads", count=few)
    small = await run_child("thread_list", server.url, data_dir / "few", to_end=False)
    server.control("threads", count=many)
    large = await run_child("thread_list", server.url, data_dir / "many", to_end=True)
    results.add(
        Figure(f"thread_list.{many}.first_page", large["first_page"], "s", ("<=", 0.5), note="connected to first frame")
    )
    frames = large["frames"]
    results.add(
        Figure(
            f"thread_list.{many}.to_end_frame_p95",
            percentile(frames, 95) * 1000,
            "ms",
            ("<=", 50.0),
            note=f"{large['presses']} End presses, {len(frames)} frames, {large['rows']} rows",
        )
    )
    results.add(Figure(f"thread_list.{many}.to_end_frame_max", max(frames, default=0) * 1000, "ms"))
    results.add(Figure(f"thread_list.{many}.to_end", large["to_end"], "s", note="paging through every row"))
    results.add(
        Figure(
            f"thread_list.first_page_rss_{many}_minus_{few}",
            (large["rss_first_page"] - small["rss_first_page"]) / MB,
            "MB",
            ("<=", 5.0),
            note="memory after the first page does not depend on the server's thread count",
        )
    )
    per_row = (large["rss_end"] - large["rss_first_page"]) / max(large["rows"] - 50, 1)
    results.add(
        Figure("thread_list.rss_per_1000_rows", per_row * 1000 / MB, "MB", note="memory grows with rows fetched")
    )
