"""``python -m chat_tui`` with an event-loop lag probe, for the terminal benchmark.

The probe is the render group's (:class:`~tests.benchmarks.measure.LagProbe`: how late a task
that sleeps 5 ms wakes up), run in the app's own event loop, and it appends
``<time.monotonic()> <lag>`` lines to the file named by ``BENCH_LAG_FILE`` every half second,
so that the benchmark can take the samples of any window of the run (the clock is the one the
replay server logs its sends with)."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chat_tui.launch import set_frame_rate

if TYPE_CHECKING:
    from textual.app import App

INTERVAL = 0.005


async def _probe(path: Path) -> None:
    lines: list[str] = []
    flushed = time.monotonic()
    with path.open("a", encoding="utf-8") as out:
        try:
            while True:
                start = time.monotonic()
                await asyncio.sleep(INTERVAL)
                now = time.monotonic()
                lines.append(f"{now:.6f} {max(0.0, now - start - INTERVAL):.6f}\n")
                if now - flushed > 0.5:
                    out.write("".join(lines))
                    out.flush()
                    lines.clear()
                    flushed = now
        finally:
            out.write("".join(lines))


def read_lags(path: Path) -> list[tuple[float, float]]:
    """The probe's samples: (when, lag) in seconds."""
    if not path.exists():
        return []
    samples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        when, _, lag = line.partition(" ")
        if lag:
            samples.append((float(when), float(lag)))
    return samples


def _log_slow_steps(path: Path, threshold: float) -> None:
    """Diagnosis (``BENCH_SLOW_FILE``): every event-loop step longer than *threshold* seconds,
    with what ran (the task's coroutine or the callback), appended at exit."""
    import asyncio.events
    import atexit

    run = asyncio.events.Handle._run
    slow: list[str] = []
    clock = time.perf_counter

    def timed(self: asyncio.events.Handle) -> None:
        start = clock()
        run(self)
        took = clock() - start
        if took > threshold:
            callback = getattr(self, "_callback", None)
            owner = getattr(callback, "__self__", None)
            what = repr(callback)
            if isinstance(owner, asyncio.Task):
                coro = owner.get_coro()
                frame = getattr(coro, "cr_frame", None)
                timer = frame.f_locals.get("self") if frame is not None else None
                what = f"{coro!r} {getattr(timer, 'name', '')} {getattr(timer, '_callback', '')!r}"
            slow.append(f"{time.monotonic():.6f} {took * 1000:.1f} {what[:160]}\n")

    asyncio.events.Handle._run = timed  # type: ignore[method-assign]
    atexit.register(lambda: path.write_text("".join(slow), encoding="utf-8"))


def _profile_frames(path: Path) -> None:
    """Diagnosis (``BENCH_PROFILE_FRAMES``): a cProfile of every frame (the screen's update), saved at exit."""
    import atexit
    import cProfile

    from textual.screen import Screen

    profile = cProfile.Profile()
    update = Screen._on_timer_update

    def profiled(self: Screen[Any]) -> None:
        profile.enable()
        try:
            update(self)
        finally:
            profile.disable()

    Screen._on_timer_update = profiled  # type: ignore[method-assign]
    atexit.register(lambda: profile.dump_stats(str(path)))


def textual_app() -> type[App[Any]]:
    """Textual's ``App``, imported as ``chat-tui`` imports it: after setting the frame rate,
    which Textual reads on its first import."""
    set_frame_rate()
    from textual.app import App

    return App


def main() -> int:
    App = textual_app()
    run_async = App.run_async
    if switch := os.environ.get("BENCH_SWITCH_INTERVAL"):
        sys.setswitchinterval(float(switch))
    if profile_file := os.environ.get("BENCH_PROFILE_FRAMES"):
        _profile_frames(Path(profile_file))
    if slow_file := os.environ.get("BENCH_SLOW_FILE"):
        _log_slow_steps(Path(slow_file), float(os.environ.get("BENCH_SLOW_MS", "8")) / 1000)

    async def probed(self: App[Any], *args: Any, **kwargs: Any) -> Any:
        task = asyncio.get_running_loop().create_task(_probe(Path(os.environ["BENCH_LAG_FILE"])))
        try:
            return await run_async(self, *args, **kwargs)
        finally:
            task.cancel()

    App.run_async = probed  # type: ignore[method-assign]
    from chat_tui.cli import main as chat_tui

    return chat_tui(sys.argv[1:])


if __name__ == "__main__":
    sys.exit(main())
