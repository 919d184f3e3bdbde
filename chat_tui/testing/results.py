"""Verdicts: one per run of a scenario, one per scenario (its pass rate), one for the suite (the exit code).

* A run **passes** when every ``fail``-severity check of every turn held; it **fails** on the first
  one that did not; it is an **error** when a turn could not run to a verdict (the server refused
  or dropped it, the turn went past ``turn_timeout``) or its run failed where the turn did not
  expect ``status: error`` (never a pass, whatever the checks' severities). Errors that were the
  server's or the network's (``infrastructure``: a refusal, a stream whose end could not be
  learned) are left out of the pass rate; a timeout and a failed run are the agent's and count.
* A scenario **passes** when passes / (runs - infrastructure errors) ≥ its ``pass_rate``, and at
  least one run counted. It is **flaky** when some counted runs passed and some did not.
* Exit codes: 0 every scenario passed; 1 one did not (a failed assertion or an agent's error);
  4 only the server or the network is to blame (unreachable, refused, or more than 20% of runs
  were infrastructure errors); 5 nothing ran.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from chat_tui.testing.checks import CheckResult
from chat_tui.testing.loader import Selected
from chat_tui.testing.observe import TurnObservation
from chat_tui.testing.paths import group_paths
from chat_tui.testing.result_file import CoverageRecord, PathGroup, RunRecord

__all__ = ["EXIT", "RunResult", "ScenarioResult", "SuiteResult", "Tally", "percentile"]

EXIT = {"ok": 0, "failed": 1, "usage": 2, "unreachable": 4, "nothing": 5}
MAX_ERROR_RATE = 0.2


@dataclass(slots=True)
class RunResult:
    scenario: Selected
    index: int  # the run's number within its scenario (0-based)
    thread_id: str | None = None
    turns: list[TurnObservation] = field(default_factory=list)
    checks: list[CheckResult] = field(default_factory=list)
    error: str | None = None  # why a turn could not run to a verdict
    infrastructure: bool = False  # the error was the server's or the network's
    duration_ms: float = 0.0

    @property
    def outcome(self) -> str:
        if self.error is not None:
            return "error"
        return "fail" if any(c.fails for c in self.checks) else "pass"

    @property
    def mark(self) -> str:
        return {"pass": ".", "fail": "F", "error": "E"}[self.outcome]

    @property
    def first_failure(self) -> CheckResult | None:
        return next((c for c in self.checks if c.fails), None)

    @property
    def warnings(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.passed and c.severity == "warn"]

    @property
    def reason(self) -> str:
        """Why it did not pass, on one line ('' when it did)."""
        if self.error is not None:
            return self.error
        failure = self.first_failure
        if failure is None:
            return ""
        return f"turn {failure.turn + 1} {failure.kind}: {failure.message}"

    @property
    def total_tokens(self) -> int:
        return sum(t.usage.get("total_tokens", 0) for t in self.turns)

    def to_json(self) -> dict[str, Any]:
        selected = self.scenario
        return {
            "type": "run",
            "suite": selected.file.name,
            "file": str(selected.file.path),
            "scenario": selected.id,
            "assistant": selected.assistant,  # what the runs were sent to (graph coverage asks for its graph)
            "run": self.index,
            "status": self.outcome,
            "thread_id": self.thread_id,
            "run_ids": [t.run_id for t in self.turns if t.run_id],
            "duration_ms": round(self.duration_ms, 1),
            "error": self.error,
            "infrastructure": self.infrastructure,
            "first_failure": self.reason or None,
            "turns": [
                {**turn.to_json(), "checks": [c.to_json() for c in self.checks if c.turn == turn.index]}
                for turn in self.turns
            ],
        }


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


class _Run(Protocol):
    @property
    def outcome(self) -> str: ...

    @property
    def infrastructure(self) -> bool: ...


class Tally:
    """A scenario's runs counted: the one rule for the console, the reports and the results view
    (:class:`~chat_tui.testing.board.ScenarioView`), whose runs are records read back."""

    __slots__ = ()
    runs: Sequence[_Run]

    @property
    def counted(self) -> list[Any]:
        """The runs that count: not the server's or the network's fault."""
        return [r for r in self.runs if not r.infrastructure]

    @property
    def passes(self) -> int:
        return sum(1 for r in self.runs if r.outcome == "pass")

    @property
    def rate(self) -> float | None:
        counted = len(self.counted)
        return self.passes / counted if counted else None

    def meets(self, required: float) -> bool:
        rate = self.rate
        return rate is not None and rate >= required - 1e-9

    @property
    def flaky(self) -> bool:
        return 0 < self.passes < len(self.counted)


@dataclass(slots=True)
class ScenarioResult(Tally):
    scenario: Selected
    runs: list[RunResult]

    @property
    def passed(self) -> bool:
        return self.meets(self.scenario.pass_rate)

    @property
    def latencies(self) -> list[float]:
        return [r.duration_ms for r in self.counted]

    @property
    def first_failure(self) -> RunResult | None:
        return next((r for r in self.runs if r.outcome != "pass"), None)

    def paths(self) -> list[PathGroup]:
        """Its runs grouped by the path they took (:mod:`.paths`)."""
        return group_paths(RunRecord.from_json(run.to_json()) for run in self.runs)

    def to_json(self) -> dict[str, Any]:
        failing = self.first_failure
        return {
            "type": "scenario",
            "suite": self.scenario.file.name,
            "file": str(self.scenario.file.path),
            "line": self.scenario.line,
            "scenario": self.scenario.id,
            "runs": len(self.runs),
            "passes": self.passes,
            "errors": sum(1 for r in self.runs if r.outcome == "error"),
            "pass_rate": self.rate,
            "required": self.scenario.pass_rate,
            "passed": self.passed,
            "flaky": self.flaky,
            "p50_ms": percentile(self.latencies, 0.5),
            "p95_ms": percentile(self.latencies, 0.95),
            "tokens": sum(r.total_tokens for r in self.runs),
            "first_failure": failing.reason if failing else None,
            "first_failure_thread": failing.thread_id if failing else None,
            "paths": [group.to_json() for group in self.paths()],
        }


@dataclass(slots=True)
class SuiteResult:
    scenarios: list[ScenarioResult]
    duration_ms: float = 0.0
    unreachable: str | None = None  # the server could not be reached at all
    coverage: list[CoverageRecord] = field(default_factory=list)  # per assistant (never part of the verdict)

    @property
    def runs(self) -> list[RunResult]:
        return [r for s in self.scenarios for r in s.runs]

    @property
    def infrastructure_errors(self) -> int:
        return sum(1 for r in self.runs if r.infrastructure)

    @property
    def exit_code(self) -> int:
        if self.unreachable is not None:
            return EXIT["unreachable"]
        if not self.runs:
            return EXIT["nothing"]
        if any(not s.passed and s.counted for s in self.scenarios):
            return EXIT["failed"]
        too_many = self.infrastructure_errors > MAX_ERROR_RATE * len(self.runs)
        if too_many or any(not s.passed for s in self.scenarios):
            return EXIT["unreachable"]
        return EXIT["ok"]

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "suite",
            "scenarios": len(self.scenarios),
            "passed": sum(1 for s in self.scenarios if s.passed),
            "failed": sum(1 for s in self.scenarios if not s.passed),
            "runs": len(self.runs),
            "infrastructure_errors": self.infrastructure_errors,
            "duration_ms": round(self.duration_ms, 1),
            "exit_code": self.exit_code,
        }
