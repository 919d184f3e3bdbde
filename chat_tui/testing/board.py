"""What the results view shows: the scenarios of a suite, each with its runs so far, filled as runs
finish (live) or all at once (from a ``--jsonl`` file). Pure, and keyed on the JSONL run lines
(``RunResult.to_json()``): a live suite and a file read back are one model.

A scenario's verdict follows :mod:`chat_tui.testing.results`: passes / counted runs (runs that were
not the server's or the network's fault) against its required pass rate; flaky when some counted
runs passed and some did not. Until its runs are all in, a scenario is ``running``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from chat_tui.testing.results import Tally, percentile

__all__ = ["Board", "RunView", "ScenarioView", "failing_turn", "turn_anchor"]

Key = tuple[str, str]  # (file, scenario id)


@dataclass(slots=True)
class RunView:
    data: dict[str, Any]  # the run line

    @property
    def index(self) -> int:
        return int(self.data.get("run") or 0)

    @property
    def outcome(self) -> str:
        return str(self.data.get("status") or "error")

    @property
    def infrastructure(self) -> bool:
        return bool(self.data.get("infrastructure"))

    @property
    def thread_id(self) -> str | None:
        value = self.data.get("thread_id")
        return value if isinstance(value, str) else None

    @property
    def duration_ms(self) -> float:
        return float(self.data.get("duration_ms") or 0.0)

    @property
    def turns(self) -> list[dict[str, Any]]:
        return [t for t in self.data.get("turns") or [] if isinstance(t, dict)]

    @property
    def checks(self) -> list[dict[str, Any]]:
        return [c for t in self.turns for c in t.get("checks") or [] if isinstance(c, dict)]

    @property
    def first_failure(self) -> dict[str, Any] | None:
        """The first check that failed (warnings do not fail)."""
        return next((c for c in self.checks if not c.get("passed") and c.get("severity", "fail") == "fail"), None)

    @property
    def reason(self) -> str:
        return str(self.data.get("first_failure") or self.data.get("error") or "")

    @property
    def tokens(self) -> int:
        return sum(int((t.get("usage") or {}).get("total_tokens") or 0) for t in self.turns)


def failing_turn(run: RunView) -> int | None:
    """The turn (0-based) where the run went wrong: its first failed check's, else the last turn
    it reached when it errored; None when it passed."""
    failure = run.first_failure
    if failure is not None:
        return int(failure.get("turn") or 0)
    if run.outcome == "error" and run.turns:
        return len(run.turns) - 1
    return None


MESSAGE_TURNS = ("user", "input")  # the turns that add a human message (answers add none)


def turn_anchor(run: RunView) -> tuple[int, bool] | None:
    """Where the failing turn (else the last) is in the run's thread: the ordinal of the human
    message that began it, and whether to go to the end of that message's part of the thread
    (an answer turn: what the answer made comes after the question it answered). None: no human
    message yet (a graph driven by JSON input without messages)."""
    turns = run.turns
    if not turns:
        return None
    target = failing_turn(run)
    target = len(turns) - 1 if target is None else min(target, len(turns) - 1)
    inputs = sum(1 for turn in turns[: target + 1] if turn.get("kind") in MESSAGE_TURNS)
    if inputs == 0:
        return None
    return inputs - 1, turns[target].get("kind") not in MESSAGE_TURNS


@dataclass(slots=True)
class ScenarioView(Tally):
    file: str
    id: str
    expected_runs: int = 0  # how many runs were asked for (0: unknown, as in a file read back)
    required: float = 1.0  # its pass rate
    line: int | None = None
    runs: list[RunView] = field(default_factory=list)

    @property
    def key(self) -> Key:
        return (self.file, self.id)

    @property
    def done(self) -> bool:
        return len(self.runs) >= self.expected_runs

    @property
    def verdict(self) -> str:
        """``running``, ``pass``, ``fail`` or ``error`` (only the server's or the network's fault)."""
        if not self.done:
            return "running"
        if self.rate is None:
            return "error"
        return "pass" if self.meets(self.required) else "fail"

    @property
    def p50_ms(self) -> float | None:
        return percentile([r.duration_ms for r in self.counted], 0.5)

    def sorted_runs(self) -> list[RunView]:
        return sorted(self.runs, key=lambda r: r.index)


class Board:
    """The scenarios in suite order; runs land in their scenario as they finish."""

    def __init__(self) -> None:
        self.scenarios: dict[Key, ScenarioView] = {}
        self.suite: dict[str, Any] | None = None  # the suite line, once the suite ended
        self.version = 0  # bumped on every change (a view redraws when it moved)

    def plan(self, file: str, scenario_id: str, runs: int, required: float, line: int | None = None) -> None:
        """A scenario about to run *runs* times (its earlier runs are dropped: a rerun)."""
        self.scenarios[(file, scenario_id)] = ScenarioView(file, scenario_id, runs, required, line)
        self.suite = None
        self.version += 1

    def add(self, data: Mapping[str, Any]) -> ScenarioView:
        """A finished run (a run line); its scenario is made if it was not planned."""
        key = (str(data.get("file") or ""), str(data.get("scenario") or ""))
        view = self.scenarios.get(key)
        if view is None:
            view = self.scenarios[key] = ScenarioView(*key)
        run = RunView(dict(data))
        view.runs = [r for r in view.runs if r.index != run.index] + [run]
        view.expected_runs = max(view.expected_runs, len(view.runs))
        self.version += 1
        return view

    def add_scenario_line(self, data: Mapping[str, Any]) -> None:
        """A scenario line of a results file: its required pass rate and run count."""
        key = (str(data.get("file") or ""), str(data.get("scenario") or ""))
        view = self.scenarios.get(key)
        if view is None:
            view = self.scenarios[key] = ScenarioView(*key)
        view.required = float(data.get("required") or 1.0)
        view.expected_runs = max(view.expected_runs, int(data.get("runs") or 0))
        view.line = data.get("line") if isinstance(data.get("line"), int) else view.line
        self.version += 1

    def load(self, lines: Iterable[Mapping[str, Any]]) -> None:
        """The lines of a ``--jsonl`` results file, in any order."""
        for data in lines:
            kind = data.get("type")
            if kind == "run":
                self.add(data)
            elif kind == "scenario":
                self.add_scenario_line(data)
            elif kind == "suite":
                self.suite = dict(data)
        self.version += 1

    @property
    def runs_done(self) -> int:
        return sum(len(s.runs) for s in self.scenarios.values())

    @property
    def runs_expected(self) -> int:
        return sum(max(s.expected_runs, len(s.runs)) for s in self.scenarios.values())

    def failing(self) -> list[ScenarioView]:
        return [s for s in self.scenarios.values() if s.verdict in ("fail", "error")]

    def summary(self) -> str:
        """One line: how far the suite is and how it stands."""
        views = list(self.scenarios.values())
        counts = {v: sum(1 for s in views if s.verdict == v) for v in ("pass", "fail", "error", "running")}
        parts = [f"{self.runs_done}/{self.runs_expected} runs", f"{counts['pass']} passed"]
        if counts["fail"]:
            parts.append(f"{counts['fail']} failed")
        if counts["error"]:
            parts.append(f"{counts['error']} errored")
        flaky = sum(1 for s in views if s.flaky)
        if flaky:
            parts.append(f"{flaky} flaky")
        if counts["running"]:
            parts.append(f"{counts['running']} running")
        return " · ".join(parts)
