"""The real app under Pilot, with a driver that renders real frames, and a clock on those frames.

``CaptureDriver`` reports ``is_headless = False``, so Textual renders
each frame to terminal bytes exactly as it would for a terminal, then keeps only their size
and time. ``FrameClock`` times the screen's frame work (layout + compositing + rendering).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual.drivers.headless_driver import HeadlessDriver
from textual.pilot import Pilot
from textual.screen import Screen

SIZE = (120, 40)


class CaptureDriver(HeadlessDriver):
    """Not headless: frames are really rendered to terminal bytes (then counted, not kept)."""

    writes: ClassVar[list[float]] = []  # time of each write
    bytes_written: ClassVar[int] = 0
    last: ClassVar[str] = ""

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        CaptureDriver.writes.append(time.perf_counter())
        CaptureDriver.bytes_written += len(data)
        CaptureDriver.last = data

    def flush(self) -> None:
        pass

    @classmethod
    def reset(cls) -> None:
        cls.writes = []
        cls.bytes_written = 0
        cls.last = ""


class FrameClock:
    """Durations of the screen's frame work: ``Screen._on_timer_update`` and layout refreshes.

    Installed on the class before the app starts (the screen's update timer binds the method
    when it is created).
    """

    frames: ClassVar[list[tuple[float, float]]] = []  # (end time, duration) of frames that wrote
    _installed = False

    @classmethod
    def install(cls) -> None:
        if cls._installed:
            return
        cls._installed = True
        original_update = Screen._on_timer_update
        original_layout = Screen._refresh_layout
        depth = [0]

        def timed(method: Callable[..., None]) -> Callable[..., None]:
            def wrapper(self: Screen[Any], *args: Any, **kwargs: Any) -> None:
                if depth[0]:
                    method(self, *args, **kwargs)
                    return
                depth[0] += 1
                writes = len(CaptureDriver.writes)
                start = time.perf_counter()
                try:
                    method(self, *args, **kwargs)
                finally:
                    depth[0] -= 1
                    if len(CaptureDriver.writes) != writes:
                        end = time.perf_counter()
                        cls.frames.append((end, end - start))

            return wrapper

        Screen._on_timer_update = timed(original_update)  # type: ignore[method-assign]
        Screen._refresh_layout = timed(original_layout)  # type: ignore[method-assign]

    @classmethod
    def reset(cls) -> None:
        cls.frames = []

    @classmethod
    def since(cls, start: float) -> list[float]:
        """Durations of the frames that ended after *start*."""
        return [duration for end, duration in cls.frames if end >= start]


def make_app(url: str, data_dir: Path, *, assistant: str = "agent", thread: str | None = None) -> Any:
    """The real ``ChatApp`` on *url*, rendering through ``CaptureDriver``."""
    from chat_tui.connection import Connection
    from chat_tui.settings.userdata import UserData
    from chat_tui.ui.app import ChatApp, LaunchPlan

    FrameClock.install()
    plan = LaunchPlan(connection=Connection(url), assistant=assistant, thread=thread)
    return ChatApp(plan, userdata=UserData(data_dir), driver_class=CaptureDriver)


async def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.002) -> float:
    """Poll *predicate* on the app's own loop (cheaply: no Pilot pause); return when it held."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(interval)
    return time.perf_counter()


async def next_frame_after(moment: float, timeout: float = 30.0) -> float:
    """The time of the first frame written after *moment*."""
    deadline = time.perf_counter() + timeout
    while True:
        later = [t for t in CaptureDriver.writes[-50:] if t > moment]
        if later:
            return later[0]
        if time.perf_counter() > deadline:
            raise TimeoutError("no frame was rendered")
        await asyncio.sleep(0.001)


async def quiet(seconds: float, timeout: float = 30.0) -> None:
    """Until no frame has been written for *seconds* (an opened thread mounts its messages for a
    while after the view says it is ready: a key pressed meanwhile would time that work too)."""
    deadline = time.perf_counter() + timeout
    while True:
        last = CaptureDriver.writes[-1] if CaptureDriver.writes else 0.0
        if time.perf_counter() - last >= seconds:
            return
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the screen was never quiet for {seconds} s")
        await asyncio.sleep(0.01)


async def connected(pilot: Pilot[Any], timeout: float = 30.0) -> Any:
    app = pilot.app
    await wait_for(lambda: getattr(app, "service", None) is not None and app.chat.started, timeout, "the connection")
    return app.chat
