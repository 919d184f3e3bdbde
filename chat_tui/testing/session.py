"""A suite behind the results view: the scenarios it can run, the board their runs fill, reruns,
and the command line that reproduces one run.

``chat-tui test … --tui`` runs its selection here live; ``chat-tui test view RESULTS.jsonl`` reads a
board back and, to rerun, loads the scenario files the results name (when they are still there).
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from chat_tui.testing.board import Board, RunView
from chat_tui.testing.diff import ScenarioDiff, compare
from chat_tui.testing.loader import InvalidSuite, Selected, load_paths, select
from chat_tui.testing.result_file import ResultFile, ResultFileError, ScenarioRecord, SuiteRecord, read_result_file
from chat_tui.testing.results import RunResult, ScenarioResult, SuiteResult
from chat_tui.testing.runner import Runner

if TYPE_CHECKING:
    from chat_tui.connection import Connection
    from chat_tui.service.chat import ChatService

__all__ = ["SuiteSession", "TestLaunch", "connection_flags", "read_results"]

Key = tuple[str, str]


def read_results(path: Path) -> Board:
    """A board from a ``--jsonl`` results file, read by the one reader of that format (raises
    :class:`~chat_tui.testing.result_file.ResultFileError`: ``FILE:LINE: message``)."""
    results = read_result_file(path)
    if not results.runs:
        raise ResultFileError([f"{path}: no run in it (write one with chat-tui test --jsonl FILE)"])
    board = Board()
    board.load(
        [{"type": "scenario", **s.model_dump(by_alias=True)} for s in results.scenarios]
        + [{"type": "run", **r.model_dump(by_alias=True)} for r in results.runs]
    )
    return board


def connection_flags(connection: Connection | None) -> list[str]:
    """The options that reach *connection* again, never its key (only where the key comes from)."""
    if connection is None:
        return []
    if connection.demo:
        return ["--demo"]
    if connection.name:
        return ["--profile", connection.name]
    flags = ["--url", connection.url]
    source = connection.api_key.source if connection.api_key is not None else ""
    if source.startswith("env:"):
        flags += ["--api-key-env", source.removeprefix("env:")]
    return flags


@dataclass(slots=True)
class TestLaunch:
    """What ``chat-tui test … --tui`` or ``chat-tui test view`` asked the app for."""

    __test__ = False  # (not a pytest test class)

    session: SuiteSession
    source: str  # what the view shows: the files run live, or the results file read
    run_now: bool = True  # run the selection at once (``--tui``) or only show results (``view``)
    concurrency: int = 4
    write_reports: Callable[[SuiteResult], list[str]] | None = None  # after the first full run
    base: ResultFile | None = None  # --compare BASE.jsonl: each scenario's change against it


@dataclass
class SuiteSession:
    """The scenarios a results view can run, and the board their runs fill."""

    selected: list[Selected] = field(default_factory=list)
    board: Board = field(default_factory=Board)
    problem: str | None = None  # why the scenarios cannot be rerun (files gone or changed)
    results: dict[Key, ScenarioResult] = field(default_factory=dict)
    on_change: Callable[[], None] | None = None
    running: bool = False

    @staticmethod
    def key_of(item: Selected) -> Key:
        return (str(item.file.path), item.id)

    def scenario(self, key: Key) -> Selected | None:
        return next((s for s in self.selected if self.key_of(s) == key), None)

    def plan(self, scenarios: Sequence[Selected]) -> None:
        for item in scenarios:
            self.board.plan(str(item.file.path), item.id, item.repeat, item.pass_rate, item.line)

    def _finished(self, run: RunResult) -> None:
        self.board.add(run.to_json())
        if self.on_change is not None:
            self.on_change()

    async def run(
        self, service: ChatService, scenarios: Sequence[Selected] | None = None, concurrency: int = 4
    ) -> None:
        """Run *scenarios* (all by default), their earlier runs replaced as the new ones land."""
        chosen = list(self.selected if scenarios is None else scenarios)
        self.plan(chosen)
        self.running = True
        if self.on_change is not None:
            self.on_change()
        try:
            runner = Runner(service, concurrency=concurrency, on_run=self._finished)
            for result in await runner.run(chosen):
                self.results[self.key_of(result.scenario)] = result
        finally:
            self.running = False
            if self.on_change is not None:
                self.on_change()

    def failures(self) -> list[Selected]:
        """The scenarios whose last runs did not meet their pass rate (in suite order)."""
        failing = {view.key for view in self.board.failing()}
        return [s for s in self.selected if self.key_of(s) in failing]

    def suite_result(self) -> SuiteResult | None:
        """The verdict of the whole selection, once every scenario has run."""
        if not self.selected or any(self.key_of(s) not in self.results for s in self.selected):
            return None
        return SuiteResult([self.results[self.key_of(s)] for s in self.selected])

    def reproduce(self, key: Key, connection: Connection | None) -> str:
        """A command line that runs one run of this scenario again."""
        path, scenario_id = key
        parts = ["chat-tui", "test", path, "-k", scenario_id, "--repeat", "1", *connection_flags(connection)]
        return shlex.join(parts)

    @classmethod
    def from_results(cls, board: Board, *, assistant: str = "agent") -> SuiteSession:
        """A session over a board read back: its scenarios are loaded from the files the results
        name, if they still hold them (else ``problem`` says why reruns are off)."""
        files = sorted({view.file for view in board.scenarios.values() if view.file})
        session = cls(board=board)
        missing = [f for f in files if not Path(f).is_file()]
        if missing:
            session.problem = f"cannot rerun: {missing[0]} is not there any more"
            return session
        try:
            loaded = load_paths(files)
        except InvalidSuite as exc:
            session.problem = f"cannot rerun: {exc.problems[0]}"
            return session
        wanted = set(board.scenarios)
        chosen = select(loaded, fallback_assistant=assistant)
        session.selected = [s for s in chosen if cls.key_of(s) in wanted]
        gone = sorted(wanted - {cls.key_of(s) for s in session.selected})
        if gone:
            session.problem = f"cannot rerun {gone[0][1]}: {gone[0][0]} no longer has it"
        return session

    def reload(self, key: Key) -> None:
        """Read the scenario *key* from its file again (after the file changed: an accepted value)."""
        current = self.scenario(key)
        if current is None:
            return
        try:
            loaded = load_paths([key[0]])
        except InvalidSuite as exc:
            self.problem = f"cannot rerun: {exc.problems[0]}"
            return
        # (the run's settings stay: the command line's --repeat and --pass-rate were applied to them)
        chosen = select(
            loaded, fallback_assistant=current.assistant, repeat=current.repeat, pass_rate=current.pass_rate
        )
        fresh = next((s for s in chosen if s.id == key[1]), None)
        if fresh is not None:
            self.selected = [fresh if self.key_of(s) == key else s for s in self.selected]

    def records(self) -> ResultFile:
        """The board's finished scenarios as the records of a results file (what ``test diff`` reads)."""
        scenarios = []
        for view in self.board.scenarios.values():
            if view.verdict == "running" or not view.runs:
                continue
            suite = str(view.runs[0].data.get("suite") or "")
            scenarios.append(
                ScenarioRecord(
                    suite=suite,
                    file=view.file,
                    line=view.line or 0,
                    scenario=view.id,
                    runs=len(view.runs),
                    passes=view.passes,
                    pass_rate=view.rate,
                    required=view.required,
                    passed=view.verdict == "pass",
                    flaky=view.flaky,
                    p50_ms=view.p50_ms,
                    tokens=sum(run.tokens for run in view.runs),
                )
            )
        return ResultFile(Path("(this run)"), SuiteRecord(), scenarios=scenarios)

    def compared(self, base: ResultFile | None) -> dict[Key, ScenarioDiff]:
        """Each finished scenario's change against *base* (by file name and id, as ``test diff``)."""
        if base is None:
            return {}
        by_name = {(Path(key[0]).name, key[1]): key for key in self.board.scenarios}
        return {by_name[(d.file, d.scenario)]: d for d in compare(base, self.records()) if d.new is not None}

    def run_view(self, key: Key, index: int) -> RunView | None:
        view = self.board.scenarios.get(key)
        return next((r for r in view.runs if r.index == index), None) if view is not None else None
