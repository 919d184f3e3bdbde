"""Inspector: the paced stream with the event inspector shown beside the same stream with it hidden,
and a 1 MB JSON tool result folded, expanded and scrolled.

The paced runs are ``render``'s (one Markdown answer at 200 chunks/s into the real app, first event
to final frame), in fresh child interpreters, alternating hidden and shown round by round; the
figure is the median of the per-round ratios. The big result comes from the replay server's
``bigtool`` scenario: the app streams it, folds the panel (summary and first lines), then the
panel is expanded (Enter's action) and its log paged down; the first figure is the time from the
action to the first frame written once the log has its size, the second the p95 frame time while
paging.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tests.benchmarks.app_harness import (
    SIZE,
    CaptureDriver,
    FrameClock,
    connected,
    make_app,
    next_frame_after,
    wait_for,
)
from tests.benchmarks.measure import Figure, Results, median, percentile, spread
from tests.benchmarks.replay_server import ReplayServer

PACED_RATE = 200
BIG = 1_000_000


async def expand_big_result(url: str, data_dir: Path, scenario: str, scrolls: int) -> dict[str, Any]:
    from chat_tui.ui.widgets.line_view import LineView as Log
    from chat_tui.ui.widgets.tool_panel import ToolPanel

    CaptureDriver.reset()
    FrameClock.reset()
    app = make_app(url, data_dir, assistant=scenario)
    async with app.run_test(size=SIZE, headless=False) as pilot:
        screen = await connected(pilot)
        await pilot.pause(0.2)
        screen.composer.focus()
        await pilot.press("g", "o")
        sent = time.perf_counter()
        await pilot.press("enter")

        def panel() -> Any:
            panels = list(screen.view.query(ToolPanel))
            return panels[0] if panels and panels[0]._preview.display else None

        folded = await wait_for(panel, 120, "the folded preview")
        await wait_for(lambda: app.service is not None and not app.service.live, 120, "the run to settle")
        await pilot.pause(0.3)
        widget = panel()
        widget.focus()
        start = time.perf_counter()
        widget.action_toggle_panel()

        def log() -> Log | None:
            logs = list(widget.query(Log))
            return logs[0] if logs and logs[0].size.height > 0 else None

        sized = await wait_for(log, 60, "the expanded log")
        first_frame = await next_frame_after(sized)
        view = log()
        assert view is not None
        await pilot.pause(0.3)
        FrameClock.reset()
        paging = time.perf_counter()
        for _ in range(scrolls):
            view.scroll_to(y=view.scroll_y + view.size.height, animate=False)
            await next_frame_after(time.perf_counter())
        frames = FrameClock.since(paging)
        lines = view.line_count
    return {
        "preview": folded - sent,
        "first_frame": first_frame - start,
        "scroll_p95": percentile(frames, 95),
        "frames": len(frames),
        "lines": lines,
    }


async def run(results: Results, server: ReplayServer, data_dir: Path, quick: bool) -> None:
    from tests.benchmarks.child import run_child

    chunks = 200 if quick else 2000
    rounds = 1 if quick else 3
    scenario = f"answer:chunks={chunks}:rate={PACED_RATE}"
    server.control("prepare", scenario=scenario)
    totals: dict[str, list[float]] = {"hidden": [], "shown": []}
    lags: dict[str, list[float]] = {"hidden": [], "shown": []}
    for rep in range(rounds):
        for mode in ("hidden", "shown") if rep % 2 == 0 else ("shown", "hidden"):
            outcome = await run_child(
                "render", server.url, data_dir / f"i{mode}{rep}", scenario=scenario, inspector=mode
            )
            totals[mode].append(outcome["total"])
            lags[mode].append(outcome["lag_p99"])
    ratios = [s / h for s, h in zip(totals["shown"], totals["hidden"], strict=True)]
    name = f"inspector.paced{PACED_RATE}.{chunks}"
    results.add(
        Figure(
            f"{name}.shown_vs_hidden",
            median(ratios),
            "x",
            ("<=", 1.1),
            spread(ratios),
            "first event to final frame with the inspector shown, over hidden (alternating rounds)",
            len(ratios),
        )
    )
    for mode in ("hidden", "shown"):
        results.add(
            Figure(
                f"{name}.lag_p99_{mode}", median(lags[mode]) * 1000, "ms", note="event-loop lag", reps=len(lags[mode])
            )
        )
    big = f"bigtool:bytes={BIG}"
    server.control("prepare", scenario=big)
    outcome = await run_child("big_result", server.url, data_dir / "big", scenario=big, scrolls=15 if quick else 60)
    results.add(
        Figure(
            "inspector.big_result.preview",
            outcome["preview"],
            "s",
            note="send to the folded panel showing the 1 MB result's summary and first lines (stream included)",
        )
    )
    results.add(
        Figure(
            "inspector.big_result.expand_first_frame",
            outcome["first_frame"] * 1000,
            "ms",
            ("<=", 300.0),
            note=f"Enter to the first frame of the expanded panel ({outcome['lines']:,} lines)",
        )
    )
    results.add(
        Figure(
            "inspector.big_result.scroll_frame_p95",
            outcome["scroll_p95"] * 1000,
            "ms",
            ("<=", 50.0),
            note=f"paging down its log, {outcome['frames']} frames",
        )
    )


__all__ = ["expand_big_result", "run"]
