"""Long thread: open a thread of N stored messages (``GET /state``), scroll it, go to the top and back.

The replay server holds a thread of N messages: questions, Markdown answers of 1-3 KB
(headings, lists, code, tables), and for a third of the exchanges a tool call with its result.
The app is running and connected; the thread is opened the way the sidebar opens it. "First
paint" is the first frame after the pane's window is mounted and every mounted answer has its
Markdown blocks. Memory is the process's resident set after a full collection, before opening
and after. Page scrolls are timed by the frames they cause.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from textual.widgets import Markdown

from tests.benchmarks.app_harness import (
    SIZE,
    CaptureDriver,
    FrameClock,
    connected,
    make_app,
    next_frame_after,
    wait_for,
)
from tests.benchmarks.measure import Figure, Results, percentile, rss
from tests.benchmarks.replay_server import ReplayServer

MB = 2**20


def _painted(view: Any, thread_id: str) -> bool:
    from chat_tui.ui.widgets.entries import EntryWidget

    if view.conversation is None or view.conversation.thread_id != thread_id:
        return False
    entries = list(view.query(EntryWidget))
    if not entries:
        return False
    return all(md.children or not md.source for md in view.query(Markdown))


async def open_long_thread(url: str, data_dir: Path, thread_id: str, pages: int, top: bool = True) -> dict[str, Any]:
    from chat_tui.ui.widgets.entries import UserMessage

    CaptureDriver.reset()
    FrameClock.reset()
    app = make_app(url, data_dir)
    result: dict[str, Any] = {}
    async with app.run_test(size=SIZE, headless=False) as pilot:
        screen = await connected(pilot)
        await wait_for(lambda: screen.threads.option_count > 0, 30, "the thread list")
        await pilot.pause(0.3)
        before = rss()
        start = time.perf_counter()
        screen.open_thread(thread_id)
        view = screen.view
        ready = await wait_for(lambda: _painted(view, thread_id), 120, "the thread to show")
        painted = await next_frame_after(ready)
        result["first_paint"] = painted - start
        filled = await wait_for(lambda: not view.filling, 120, "the window to fill", interval=0.01)
        result["window_filled"] = filled - start
        await pilot.pause(0.5)
        result["rss_growth"] = rss() - before
        result["mounted"] = view.mounted_entries
        # Page up, a page at a time (the pane's own binding), timing the frames each one causes.
        view.focus()
        await pilot.pause(0.1)
        scroll_frames: list[float] = []
        for _ in range(pages):
            mark = time.perf_counter()
            await pilot.press("pageup")
            await next_frame_after(mark)
            await pilot.pause(0.05)
            scroll_frames.extend(FrameClock.since(mark))
        result["scroll_frames"] = scroll_frames
        if not top:
            return result
        # The very top (Home loads older messages) and back (End).
        mark = time.perf_counter()
        press = asyncio.ensure_future(pilot.press("home"))  # timed by what shows, not by Pilot's idle wait

        def at_top() -> bool:
            users = list(view.query(UserMessage))
            return bool(users) and users[0].message.text.startswith("question 0:") and view.scroll_y <= 0

        reached = await wait_for(at_top, 600, "the top of the thread", interval=0.02)
        result["to_top"] = await next_frame_after(reached) - mark
        result["rss_at_top"] = rss() - before
        result["mounted_at_top"] = view.mounted_entries
        press.cancel()  # the key is handled; Pilot would wait for the window to fill as well
        mark = time.perf_counter()
        press = asyncio.ensure_future(pilot.press("end"))
        back = await wait_for(
            lambda: view.following and view.scroll_y >= view.max_scroll_y - 1 and view.max_scroll_y > 0,
            600,
            "the bottom",
        )
        result["to_bottom"] = await next_frame_after(back) - mark
        press.cancel()
        result["rss_after"] = rss() - before
    return result


async def run(results: Results, server: ReplayServer, data_dir: Path, quick: bool) -> None:
    from tests.benchmarks.child import run_child

    sizes = (200, 1000) if quick else (1000, 5000)
    growth: dict[int, float] = {}
    for size in sizes:
        # Quick runs only open the larger thread (for the memory ratio); full runs do everything.
        complete = not quick or size == sizes[0]
        pages = (1 if quick else 10) if complete else 0
        thread_id = server.control("long_thread", messages=size)["thread_id"]
        outcome = await run_child(
            "long_thread", server.url, data_dir / f"long{size}", thread_id=thread_id, pages=pages, top=complete
        )
        growth[size] = outcome["rss_growth"]
        results.add(
            Figure(
                f"long_thread.{size}.first_paint", outcome["first_paint"], "s", ("<=", 0.5), note="open to first frame"
            )
        )
        results.add(
            Figure(
                f"long_thread.{size}.rss_growth",
                outcome["rss_growth"] / MB,
                "MB",
                ("<=", 100.0) if size == sizes[0] else None,
                note=f"{outcome['mounted']} entries mounted",
            )
        )
        results.add(
            Figure(
                f"long_thread.{size}.window_filled",
                outcome["window_filled"],
                "s",
                note="open to the whole window mounted (in the background, after the first paint)",
            )
        )
        if not complete:
            continue
        frames = outcome["scroll_frames"]
        results.add(
            Figure(
                f"long_thread.{size}.page_scroll_frame_p95",
                percentile(frames, 95) * 1000,
                "ms",
                ("<=", 50.0),
                note=f"{len(frames)} frames over {pages} animated page-ups",
            )
        )
        results.add(Figure(f"long_thread.{size}.page_scroll_frame_max", max(frames, default=0) * 1000, "ms"))
        results.add(Figure(f"long_thread.{size}.to_top", outcome["to_top"], "s", note="Home: first message on screen"))
        results.add(Figure(f"long_thread.{size}.to_bottom", outcome["to_bottom"], "s", note="End: back to the last"))
        results.add(
            Figure(
                f"long_thread.{size}.rss_at_top",
                outcome["rss_at_top"] / MB,
                "MB",
                note=f"{outcome['mounted_at_top']} entries mounted at the top",
            )
        )
    small, large = sizes
    results.add(
        Figure(
            f"long_thread.rss_growth_{large}_vs_{small}",
            growth[large] / max(growth[small], 1),
            "x",
            ("<=", 2.0),
        )
    )
