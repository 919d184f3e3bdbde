"""A results file of ``chat-tui test --jsonl`` read back into typed records (pure: no I/O but the read).

The one reader of that format: ``chat-tui test diff`` uses it, and so can a results view. A live
suite gives the same records: ``RunRecord.from_json(run_result.to_json())``.

The file holds, in this order (:func:`chat_tui.testing.reports.write_jsonl`): one ``{"type": "run"}``
line per run, one ``{"type": "scenario"}`` line per scenario, one ``{"type": "coverage"}`` line per
assistant the suite ran, and one ``{"type": "suite"}`` line (with the server and the versions).
Lines of a type this version does not know are skipped (a newer writer may add some); keys it
does not know are ignored. Anything else wrong raises :class:`ResultFileError`, whose
``problems`` are ``FILE:LINE: message`` lines (never a traceback).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chat_tui.sanitize import clean_line

__all__ = [
    "CheckRecord",
    "CoverageRecord",
    "EdgeRecord",
    "PathGroup",
    "ResultFile",
    "ResultFileError",
    "RunRecord",
    "ScenarioRecord",
    "SuiteRecord",
    "ToolCallRecord",
    "TurnRecord",
    "parse_lines",
    "read_result_file",
]

Outcome = Literal["pass", "fail", "error"]
MAX_BYTES = 512 * 1024 * 1024  # a results file is text written by us; past this it is something else


class ResultFileError(Exception):
    """A results file that cannot be read; ``problems`` are ``FILE:LINE: message`` lines."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(problems[0] if problems else "cannot read the results file")


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        """From a dict as ``to_json()`` gives it or a file line holds it (raises ``ValidationError``)."""
        return cls.model_validate(data)


class CheckRecord(_Record):
    kind: str
    passed: bool
    message: str = ""
    severity: str = "fail"
    expected: Any = None
    actual: Any = None
    turn: int = 0  # 0-based

    @property
    def fails(self) -> bool:
        return not self.passed and self.severity == "fail"


class ToolCallRecord(_Record):
    name: str
    args: Any = None
    id: str | None = None
    node: str | None = None
    group: int = 0  # the AI message that made it
    result_status: str | None = None
    result_text: str | None = None


class TurnRecord(_Record):
    index: int
    kind: str
    sent: str = ""
    request: dict[str, Any] | None = None
    status: str = "error"
    thread_id: str | None = None
    run_id: str | None = None
    latency_ms: float = 0.0
    ttft_ms: float | None = None
    usage: dict[str, int] = Field(default_factory=dict)
    nodes: list[str] = Field(default_factory=list)
    node_calls: list[list[str]] | None = None  # beside each node, its tool calls (None: an older file)
    tool_calls: list[ToolCallRecord] = Field(default_factory=list)
    interrupts: list[Any] = Field(default_factory=list)
    final_text: str | None = None
    state: Any = None
    problem: str | None = None
    checks: list[CheckRecord] = Field(default_factory=list)


class RunRecord(_Record):
    suite: str
    file: str
    scenario: str
    index: int = Field(alias="run")  # the run's number within its scenario (0-based)
    status: Outcome
    assistant: str | None = None  # None: an older file
    thread_id: str | None = None
    run_ids: list[str] = Field(default_factory=list)
    duration_ms: float = 0.0
    error: str | None = None
    infrastructure: bool = False
    first_failure: str | None = None  # why it did not pass, on one line
    turns: list[TurnRecord] = Field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        """The scenario it belongs to: (its file's name, its id)."""
        return Path(self.file).name, self.scenario

    @property
    def checks(self) -> list[CheckRecord]:
        return [check for turn in self.turns for check in turn.checks]

    @property
    def failed_check(self) -> CheckRecord | None:
        return next((c for c in self.checks if c.fails), None)

    @property
    def total_tokens(self) -> int:
        return sum(turn.usage.get("total_tokens", 0) for turn in self.turns)


class PathGroup(_Record):
    """The runs of a scenario that took one path (:mod:`.paths` computes them)."""

    signature: tuple[str, ...]
    passes: int = Field(0, alias="pass")
    fails: int = Field(0, alias="fail")
    errors: int = Field(0, alias="error")
    runs: tuple[int, ...] = ()  # 0-based run indexes

    @property
    def size(self) -> int:
        return len(self.runs)

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class ScenarioRecord(_Record):
    suite: str
    file: str
    line: int = 0
    scenario: str
    runs: int
    passes: int
    errors: int = 0
    pass_rate: float | None = None  # None: no run counted
    required: float = 1.0
    passed: bool
    flaky: bool = False
    p50_ms: float | None = None
    p95_ms: float | None = None
    tokens: int = 0
    first_failure: str | None = None
    first_failure_thread: str | None = None
    paths: list[PathGroup] = Field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return Path(self.file).name, self.scenario

    @property
    def tokens_per_run(self) -> float | None:
        return self.tokens / self.runs if self.runs else None


class EdgeRecord(_Record):
    source: str
    target: str
    conditional: bool = False

    @property
    def pair(self) -> tuple[str, str]:
        return self.source, self.target

    def label(self) -> str:
        return f"{clean_line(self.source, 80)} → {clean_line(self.target, 80)}"


class CoverageRecord(_Record):
    """Which of an assistant's graph nodes and edges the suite's runs exercised (:mod:`.coverage`).

    ``nodes`` leaves out ``__start__`` and ``__end__`` (every run starts; ``edges`` keep them).
    ``error`` says why there is no graph (the server has none to give, or refused): then the rest is empty.
    """

    assistant: str
    runs: int = 0
    nodes: list[str] = Field(default_factory=list)
    edges: list[EdgeRecord] = Field(default_factory=list)
    never_ran: list[str] = Field(default_factory=list)
    never_taken: list[EdgeRecord] = Field(default_factory=list)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"type": "coverage", **self.model_dump(mode="json")}


class SuiteRecord(_Record):
    scenarios: int = 0
    passed: int = 0
    failed: int = 0
    runs: int = 0
    infrastructure_errors: int = 0
    duration_ms: float = 0.0
    exit_code: int | None = None
    server: str | None = None
    server_version: str | None = None
    chat_tui_version: str | None = None


@dataclass(slots=True)
class ResultFile:
    """Every record of one results file, in file order."""

    path: Path
    suite: SuiteRecord
    scenarios: list[ScenarioRecord] = field(default_factory=list)
    runs: list[RunRecord] = field(default_factory=list)
    coverage: list[CoverageRecord] = field(default_factory=list)

    def runs_of(self, key: tuple[str, str]) -> list[RunRecord]:
        """The runs of one scenario (by :attr:`ScenarioRecord.key`), by run index."""
        return sorted((r for r in self.runs if r.key == key), key=lambda r: r.index)

    def scenario(self, key: tuple[str, str]) -> ScenarioRecord | None:
        return next((s for s in self.scenarios if s.key == key), None)


def _problem(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else str(first["msg"])


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ResultFileError([f"{path}: larger than {MAX_BYTES // 1024 // 1024} MB: not a results file"])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ResultFileError([f"{path}: not UTF-8 text: not a results file"]) from None
    except OSError as exc:
        raise ResultFileError([f"{path}: cannot read it: {clean_line(exc.strerror or str(exc), 120)}"]) from None
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            yield number, line


def parse_lines(path: Path, lines: Iterable[tuple[int, str]]) -> ResultFile:
    """Records from numbered JSON lines (*path* only names them in problems)."""
    runs: list[RunRecord] = []
    scenarios: list[ScenarioRecord] = []
    coverage: list[CoverageRecord] = []
    suite: SuiteRecord | None = None
    last = 0
    for number, line in lines:
        last = number
        where = f"{path}:{number}"
        try:
            data = json.loads(line)
        except ValueError as exc:
            raise ResultFileError([f"{where}: not a JSON line ({clean_line(str(exc), 100)})"]) from None
        kind = data.get("type") if isinstance(data, dict) else None
        if not isinstance(kind, str):
            raise ResultFileError([f'{where}: not a results line (a JSON object with a "type")'])
        try:
            if kind == "run":
                runs.append(RunRecord.from_json(data))
            elif kind == "scenario":
                scenarios.append(ScenarioRecord.from_json(data))
            elif kind == "coverage":
                coverage.append(CoverageRecord.from_json(data))
            elif kind == "suite":
                suite = SuiteRecord.from_json(data)
        except ValidationError as exc:
            problem = f"{where}: a {clean_line(kind, 20)} line: {clean_line(_problem(exc), 200)}"
            raise ResultFileError([problem]) from None
    if suite is None:
        what = "empty" if not last else 'no {"type": "suite"} line: not a complete chat-tui test --jsonl file'
        raise ResultFileError([f"{path}:{max(last, 1)}: {what}"])
    return ResultFile(path, suite, scenarios, runs, coverage)


def read_result_file(path: str | Path) -> ResultFile:
    """Read a results file written by ``chat-tui test --jsonl`` (raises :class:`ResultFileError`)."""
    path = Path(path)
    return parse_lines(path, _lines(path))
