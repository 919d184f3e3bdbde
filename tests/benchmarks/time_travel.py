"""The checkpoint timeline of a 300-checkpoint thread in the real app: from F5 to the first frame that
shows its newest rows (the first page is small; each checkpoint carries the whole state), against the
real demo server. F5 is pressed once the opened thread is drawn (its messages mount for a while
after the view is ready), so the figure is the timeline's own; the rows are checked to be the newest,
newest first."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from textual import events

from tests.benchmarks.app_harness import SIZE, CaptureDriver, connected, make_app, next_frame_after, quiet, wait_for
from tests.benchmarks.measure import Figure, Results, median, spread

CHECKPOINTS = 300
QUICK_CHECKPOINTS = 60  # (the quick run only shows the figure still works)
FIRST_ROWS = 25


async def _thread(url: str, checkpoints: int) -> str:
    from chat_tui.client import LangGraphClient

    async with LangGraphClient(url) as client:
        thread = await client.threads.create(metadata={"graph_id": "echo", "title": "300 checkpoints"})
        body = {"input": {"messages": [{"role": "user", "content": "hello"}]}}
        async with client.runs.stream(thread.thread_id, "echo", stream_mode=["updates"], **body) as stream:
            async for _ in stream:
                pass
        for n in range(checkpoints):
            message = {"type": "ai" if n % 2 else "human", "content": f"message {n} " + "x" * 200, "id": f"m{n}"}
            await client.threads.update_state(thread.thread_id, {"messages": [message]}, as_node="echo")
        return thread.thread_id


async def _newest(url: str, thread_id: str) -> list[str]:
    """The thread's newest checkpoints, newest first, as the server lists them."""
    from chat_tui.client import LangGraphClient

    async with LangGraphClient(url) as client:
        return [s.checkpoint_id or "" for s in await client.threads.get_history(thread_id, limit=FIRST_ROWS)]


async def _open_once(url: str, data: Path, thread_id: str, newest: list[str]) -> float:
    """Seconds from F5 to the first frame after the timeline has its first rows (which must be *newest*)."""
    from chat_tui.ui.screens.timeline import TimelineScreen

    CaptureDriver.reset()
    app = make_app(url, data, thread=thread_id)
    async with app.run_test(size=SIZE, headless=False) as pilot:
        chat = await connected(pilot)
        await wait_for(lambda: chat.conversation.thread_id == thread_id and not chat.view.busy, 30, "the thread")
        chat.composer.focus()
        await quiet(0.3)
        driver = app._driver
        assert driver is not None
        key = events.Key("f5", None)
        key.set_sender(app)
        start = time.perf_counter()
        driver.send_message(key)  # (as a terminal's key: Pilot.press waits for the app to go idle)

        def rows() -> bool:
            screen = app.screen
            return isinstance(screen, TimelineScreen) and len(screen.rows) >= FIRST_ROWS

        await wait_for(rows, 30, "the timeline's rows")
        seconds = await next_frame_after(time.perf_counter()) - start
        timeline = app.screen.timeline
        steps = [timeline.by_id[c].step for c in app.screen.rows]
        if app.screen.rows[:FIRST_ROWS] != newest or steps != sorted(steps, reverse=True):
            raise AssertionError("the timeline's first rows are not the newest checkpoints, newest first")
        return seconds


async def run(results: Results, demo_url: str, quick: bool) -> None:
    repetitions = 1 if quick else 7
    checkpoints = QUICK_CHECKPOINTS if quick else CHECKPOINTS
    thread_id = await _thread(demo_url, checkpoints)
    newest = await _newest(demo_url, thread_id)
    with tempfile.TemporaryDirectory(prefix="chat-tui-bench-tt-") as tmp:
        await _open_once(demo_url, Path(tmp) / "warm", thread_id, newest)  # (not counted)
        times = [await _open_once(demo_url, Path(tmp) / f"data{n}", thread_id, newest) for n in range(repetitions)]
    results.add(
        Figure(
            f"time_travel.timeline_{checkpoints}.open",
            median(times),
            "s",
            ("<=", 0.5),
            spread(times),
            f"F5 to the first frame with the newest {FIRST_ROWS} of {checkpoints}+ checkpoints, newest first",
            repetitions,
        )
    )
