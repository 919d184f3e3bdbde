"""Measuring tools: figures, interleaved repetitions, ratios with spread, memory, event-loop lag."""

from __future__ import annotations

import asyncio
import gc
import os
import statistics
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field

PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Figure:
    """One reported number. ``target`` is ``("<=", 1.0)`` style; ``spread`` is (min, max) of repetitions."""

    name: str
    value: float
    unit: str
    target: tuple[str, float] | None = None
    spread: tuple[float, float] | None = None
    note: str = ""
    reps: int = 1

    @property
    def passed(self) -> bool | None:
        if self.target is None:
            return None
        op, limit = self.target
        return self.value <= limit if op == "<=" else self.value >= limit

    def line(self) -> str:
        return f"{self.name} {fmt(self.value)} {self.unit}"


def fmt(value: float) -> str:
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:.0f}"
    if magnitude >= 100:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.3g}" if magnitude < 10 else f"{value:.1f}"
    return f"{value:.3f}" if magnitude >= 0.01 else f"{value:.2g}"


@dataclass
class Results:
    figures: list[Figure] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)  # group -> what limits it

    def add(self, figure: Figure) -> Figure:
        self.figures.append(figure)
        print(figure.line(), flush=True)
        return figure


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def spread(values: Sequence[float]) -> tuple[float, float]:
    return min(values), max(values)


def ratio_figure(
    name: str, numerator: Sequence[float], denominator: Sequence[float], target: float | None = None, note: str = ""
) -> Figure:
    """The median of per-repetition ratios (each pair measured back to back), with their range."""
    ratios = [a / b for a, b in zip(numerator, denominator, strict=True)]
    return Figure(
        name,
        median(ratios),
        "x",
        ("<=", target) if target is not None else None,
        spread(ratios),
        note,
        len(ratios),
    )


async def interleaved(
    runs: dict[str, Callable[[], Awaitable[float]]], repetitions: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Run each measurement once per round, rotating the order, so drift and noise hit all alike."""
    names = list(runs)
    for _ in range(warmup):
        for name in names:
            await runs[name]()
    times: dict[str, list[float]] = {name: [] for name in names}
    for rep in range(repetitions):
        order = names[rep % len(names) :] + names[: rep % len(names)]
        for name in order:
            gc.collect()
            times[name].append(await runs[name]())
    return times


def rss() -> int:
    """Resident set size of this process, in bytes (after a full collection)."""
    gc.collect()
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


class LagProbe:
    """How late a task that sleeps 5 ms wakes up: the input-latency proxy (textual.md §1)."""

    def __init__(self, interval: float = 0.005) -> None:
        self.interval = interval
        self.lags: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        clock = time.perf_counter
        while True:
            start = clock()
            await asyncio.sleep(self.interval)
            self.lags.append(max(0.0, clock() - start - self.interval))

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            self._task = None

    def p(self, q: float) -> float:
        return percentile(self.lags, q)


def timed(function: Callable[[], None]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start
