"""Render: one assistant message streamed into the real app, and the naive approach beside it.

The replay server sends one Markdown answer (paragraphs, lists, code fences, tables, quotes)
as N text chunks at full speed, or paced at 200 chunks/s. The app is the real ``ChatApp``
(send, stream worker, 30 Hz flush, one ``MarkdownStream``), rendering real frames through
``CaptureDriver``. Time runs from the first chunk's arrival to the first frame written after
the whole answer is in its Markdown widget.

The naive approach is what most chat TUIs do: ``Markdown.update(full_text)`` for every chunk,
in a minimal app reading the same stream with the same client; it is stopped after a time cap
and its cost per chunk is taken over the chunks it managed.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
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
from tests.benchmarks.measure import Figure, LagProbe, Results, median, percentile, spread
from tests.benchmarks.replay_server import ReplayServer

PACED_RATE = 200


async def stream_into_app(
    url: str, data_dir: Path, scenario: str, timeout: float, inspector: str | None = None
) -> dict[str, Any]:
    """Send one message; the replay server answers with *scenario*. Returns timings.

    *inspector*: ``shown`` streams with the event inspector open beside the messages, ``hidden``
    with it opened and hidden again; None never opens it.
    """
    from chat_tui.ui.widgets.entries import AssistantMessage

    CaptureDriver.reset()
    FrameClock.reset()
    app = make_app(url, data_dir, assistant=scenario)
    probe = LagProbe()
    async with app.run_test(size=SIZE, headless=False) as pilot:
        screen = await connected(pilot)
        if inspector is not None:
            await screen.action_inspector()
            if inspector == "hidden":
                await screen.action_inspector()
        await pilot.pause(0.2)
        screen.composer.focus()
        await pilot.press("g", "o")
        probe.start()
        await pilot.press("enter")
        conversation = screen.conversation
        await wait_for(lambda: conversation.run and conversation.run.first_token_at, timeout, "the first chunk")
        run = conversation.run
        first = run.first_token_at

        def answer() -> AssistantMessage | None:
            widgets = list(screen.view.query(AssistantMessage))
            return widgets[-1] if widgets else None

        await wait_for(answer, timeout, "the answer widget")
        widget = answer()
        assert widget is not None
        done = await wait_for(lambda: widget.settled, timeout, "the whole answer in its widget")
        final = await next_frame_after(done)
        probe.stop()
        last_event = run.last_token_at or first
        chunks = run.chunks
        await wait_for(lambda: app.service is not None and not app.service.live, timeout, "the run to settle")
        text_ok = widget.message.text == widget.query_one(Markdown).source
        if inspector == "shown":  # (it listed every event)
            await wait_for(lambda: len(screen.inspector.view) == screen.conversation.events.appended, 10, "the rows")
    frames = FrameClock.since(first)
    lags = list(probe.lags)
    return {
        "total": final - first,
        "stream": last_event - first,
        "chunks": chunks,
        "frames": frames,
        "lag_p99": percentile(lags, 99),
        "lag_max": max(lags) if lags else 0.0,
        "text_ok": text_ok,
    }


class NaiveApp(App[None]):
    """``Markdown.update(full_text)`` per chunk, the way most chat TUIs stream."""

    def __init__(self, url: str, scenario: str, cap: float) -> None:
        super().__init__(driver_class=CaptureDriver)
        self.url = url
        self.scenario = scenario
        self.cap = cap
        self.done = 0
        self.elapsed = 0.0
        self.finished = False

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown()

    async def run_stream(self) -> None:
        from chat_tui.client import LangGraphClient
        from chat_tui.client.events import MessageChunk

        markdown = self.query_one(Markdown)
        text = ""
        start: float | None = None
        async with LangGraphClient(self.url) as client:
            thread = "00000000-0000-4000-8000-000000000001"
            async with client.runs.stream(thread, self.scenario, input={}, stream_mode=["messages-tuple"]) as stream:
                async for event in stream:
                    if not isinstance(event, MessageChunk) or not isinstance(event.message.content, str):
                        continue
                    if not event.message.content:
                        continue
                    if start is None:
                        start = time.perf_counter()
                    text += event.message.content
                    await markdown.update(text)
                    self.done += 1
                    self.elapsed = time.perf_counter() - start
                    if self.elapsed > self.cap:
                        break
        self.finished = True


async def naive(url: str, scenario: str, cap: float) -> tuple[int, float]:
    CaptureDriver.reset()
    app = NaiveApp(url, scenario, cap)
    async with app.run_test(size=SIZE, headless=False) as pilot:
        app.run_worker(app.run_stream(), exit_on_error=False)
        await wait_for(lambda: app.finished, cap + 60, "the naive stream", interval=0.05)
        await pilot.pause(0.05)
    return app.done, app.elapsed


async def run(results: Results, server: ReplayServer, data_dir: Path, quick: bool) -> None:
    from tests.benchmarks.child import run_child

    sizes = (250, 1000) if quick else (1000, 4000, 16000)
    repetitions = 1 if quick else 2
    per_chunk: dict[int, list[float]] = {}
    for size in sizes:
        server.control("prepare", scenario=f"answer:chunks={size}")
    for rep in range(repetitions):
        for size in sizes:
            outcome = await run_child(
                "render", server.url, data_dir / f"r{size}-{rep}", scenario=f"answer:chunks={size}"
            )
            if not outcome["text_ok"]:
                raise AssertionError(f"render {size}: the widget's Markdown differs from the message")
            per_chunk.setdefault(size, []).append(outcome["total"] / outcome["chunks"])
            if rep == repetitions - 1:
                results.add(Figure(f"render.{size}.total", outcome["total"], "s", note="first event to final frame"))
                frames = outcome["frames"]
                results.add(Figure(f"render.{size}.frame_p95", percentile(frames, 95) * 1000, "ms"))
    small, large = sizes[0], sizes[-1]
    for size in sizes:
        values = per_chunk[size]
        results.add(
            Figure(
                f"render.{size}.per_chunk", median(values) * 1000, "ms", spread=_ms(spread(values)), reps=len(values)
            )
        )
    growth = [b / a for a, b in zip(per_chunk[small], per_chunk[large], strict=True)]
    results.add(
        Figure(
            f"render.per_chunk_{large}_vs_{small}",
            median(growth),
            "x",
            ("<=", 1.5),
            spread(growth),
            "linear, not quadratic",
            len(growth),
        )
    )
    # The naive approach on the middle size, capped in time.
    cap = 2.0 if quick else 20.0
    middle = sizes[1]
    naive = await run_child("naive", server.url, data_dir / "naive", scenario=f"answer:chunks={middle}", cap=cap)
    done, elapsed = naive["done"], naive["elapsed"]
    naive_per_chunk = elapsed / max(done, 1)
    results.add(
        Figure(
            "render.naive.per_chunk",
            naive_per_chunk * 1000,
            "ms",
            note=f"Markdown.update(full_text) per chunk: {done} of {middle} chunks in {elapsed:.1f} s (capped)",
        )
    )
    ours = median(per_chunk[middle])
    results.add(
        Figure(
            f"render.naive_vs_ours.{middle}",
            naive_per_chunk / ours,
            "x",
            note="per-chunk cost of the naive approach over ours (the naive one over its first chunks only)",
        )
    )
    # Paced at a fast model's rate: does the app keep up, and does the loop stay responsive?
    for paced in (500,) if quick else (1000, 4000):
        scenario = f"answer:chunks={paced}:rate={PACED_RATE}"
        server.control("prepare", scenario=scenario)
        outcome = await run_child("render", server.url, data_dir / f"paced{paced}", scenario=scenario)
        name = f"render.paced{PACED_RATE}.{paced}"
        results.add(
            Figure(
                f"{name}.finish_ratio",
                outcome["total"] / outcome["stream"],
                "x",
                ("<=", 1.05),
                note="first event to final frame, over first to last event",
            )
        )
        results.add(Figure(f"{name}.lag_p99", outcome["lag_p99"] * 1000, "ms", ("<=", 50.0), note="event-loop lag"))
        results.add(Figure(f"{name}.lag_max", outcome["lag_max"] * 1000, "ms"))
        results.add(Figure(f"{name}.frame_p99", percentile(outcome["frames"], 99) * 1000, "ms"))


def _ms(values: tuple[float, float]) -> tuple[float, float]:
    return values[0] * 1000, values[1] * 1000


__all__ = ["naive", "run", "stream_into_app"]
