"""The results view of ``chat-tui test … --tui`` and ``chat-tui test view RESULTS.jsonl``.

Scenarios (verdict, pass rate, flaky mark) on the left; the selected scenario's runs and the
selected run's turns and checks (expected against actual under a failed one) on the right. It
fills as runs finish. Enter on a run opens its thread in the chat screen at the failing turn
(Ctrl+R comes back); ``r`` reruns the scenario, ``R`` the failures, ``y`` copies a command that
reproduces one run, ``a`` writes the actual value of the run's first failed check into the file.

The screen maps the session's state to widgets; what a rerun or an accept means lives in
:mod:`chat_tui.testing`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from chat_tui.sanitize import clean_line
from chat_tui.testing.accept import NotAcceptable, accepted
from chat_tui.testing.board import RunView, ScenarioView, turn_anchor
from chat_tui.ui.clipboard import copy_text
from chat_tui.ui.textual_compat import PacedFrames
from chat_tui.ui.widgets.test_detail import (
    change_cell,
    comparison_summary,
    diff_order,
    run_cells,
    run_detail,
    scenario_cells,
)

if TYPE_CHECKING:
    from chat_tui.testing.session import SuiteSession, TestLaunch
    from chat_tui.ui.app import ChatApp

__all__ = ["RESULTS_SCREEN", "TestResultsScreen"]

RESULTS_SCREEN = "test-results"  # the name it is installed under: it lives on while a thread is open
Key = tuple[str, str]


class TestResultsScreen(PacedFrames, Screen[None]):
    __test__ = False  # (not a pytest test class)
    DEFAULT_CSS = """
    TestResultsScreen { layout: vertical; }
    TestResultsScreen #results-title { height: 1; padding: 0 1; background: $panel; }
    TestResultsScreen #results-main { height: 1fr; }
    TestResultsScreen #scenarios { width: 45%; min-width: 30; border-right: vkey $foreground 20%; }
    TestResultsScreen.-compare #scenarios { width: 55%; }
    TestResultsScreen #results-side { width: 1fr; }
    TestResultsScreen #runs { height: 2fr; min-height: 4; border-bottom: hkey $foreground 20%; }
    TestResultsScreen #run-detail { height: 3fr; padding: 0 1; }
    TestResultsScreen #results-status { height: 1; padding: 0 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("r", "rerun", "Rerun", id="results.rerun"),
        Binding("R", "rerun_failures", "Rerun failed", id="results.rerun-failures"),
        Binding("y", "copy_command", "Copy cmd", id="results.copy-command"),
        Binding("a", "accept", "Accept actual", id="results.accept"),
        Binding("escape", "back", "Chat", id="results.back"),
    ]

    def __init__(self, launch: TestLaunch) -> None:
        super().__init__()
        self.launch = launch
        self.session: SuiteSession = launch.session
        self.session.on_change = self._changed
        self._shown: tuple[int, bool] | None = None  # what the view shows: (board version, running)
        self._reports_written = False
        self._reselect: str | None = None  # the scenario to select again once the rows are re-ordered

    @property
    def chat_app(self) -> ChatApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Static(id="results-title")
        with Horizontal(id="results-main"):
            yield DataTable(id="scenarios", cursor_type="row", zebra_stripes=True)
            with Vertical(id="results-side"):
                yield DataTable(id="runs", cursor_type="row")
                with VerticalScroll(id="run-detail"):
                    yield Static(id="detail")
        yield Static(id="results-status")
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        scenarios = self.query_one("#scenarios", DataTable)
        # (fixed widths: a column sized by its first rows would cut the ids of rows that come later)
        for label, width in (("", 6), ("scenario", 26), ("runs", 5), ("passed", 10), ("p50", 5)):
            scenarios.add_column(label, width=width)
        if self.launch.base is not None:
            scenarios.add_column("vs base", width=11)
            self.add_class("-compare")
        runs = self.query_one("#runs", DataTable)
        for label, width in (("run", 5), ("time", 5), ("tokens", 6), ("thread", 8), ("why", 44)):
            runs.add_column(label, width=width)
        self.redraw()
        scenarios.focus()
        if self.launch.run_now:
            self.run_suite(None)
        elif self.session.problem:
            self.say(self.session.problem)

    # -- what is shown ------------------------------------------------------------------------------

    def _changed(self) -> None:
        self.call_later(self.redraw)  # (a burst of finished runs is drawn once)

    def say(self, line: str) -> None:
        self.query_one("#results-status", Static).update(Content(clean_line(line, 300)))

    def redraw(self) -> None:
        board = self.session.board
        shown = (board.version, self.session.running)
        if shown == self._shown:
            return
        self._shown = shown
        running = " · running…" if self.session.running else ""
        compared = self.session.compared(self.launch.base)
        title = Content.assemble(
            ("Test results ", "bold $accent"),
            (clean_line(self.launch.source, 60), "$text-muted"),
            "  ",
            board.summary() + running,
            comparison_summary(compared, self.launch.base),
        )
        self.query_one("#results-title", Static).update(title)
        table = self.query_one("#scenarios", DataTable)
        views = list(board.scenarios.values())
        if compared and not self.session.running:  # regressions first, as `chat-tui test diff` lists them
            views.sort(key=lambda v: diff_order(compared.get(v.key)))
        keys = [f"{view.file}\0{view.id}" for view in views]
        if [row.value for row in table.rows] != keys[: table.row_count]:  # (the order changed: rows again)
            selected = self.selected_scenario()
            table.clear()
            if selected is not None:
                self._reselect = f"{selected.file}\0{selected.id}"
        for key, view in zip(keys, views, strict=True):
            cells = scenario_cells(view)
            if self.launch.base is not None:
                cells.append(change_cell(compared.get(view.key)))
            if key in table.rows:
                for column, cell in zip(table.columns, cells, strict=False):
                    table.update_cell(key, column, cell)
            else:
                table.add_row(*cells, key=key)
        if self._reselect is not None and self._reselect in table.rows:
            table.move_cursor(row=table.get_row_index(self._reselect))
            self._reselect = None
        self._show_runs()

    def selected_scenario(self) -> ScenarioView | None:
        table = self.query_one("#scenarios", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        file, _, scenario_id = key.partition("\0")
        return self.session.board.scenarios.get((file, scenario_id))

    def selected_run(self) -> RunView | None:
        scenario = self.selected_scenario()
        table = self.query_one("#runs", DataTable)
        if scenario is None or not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value or ""
        return next((r for r in scenario.runs if str(r.index) == key), None)

    def _show_runs(self) -> None:
        scenario = self.selected_scenario()
        table = self.query_one("#runs", DataTable)
        row = table.cursor_row
        table.clear()
        for run in scenario.sorted_runs() if scenario is not None else []:
            table.add_row(*run_cells(run), key=str(run.index))
        if table.row_count:
            table.move_cursor(row=min(row, table.row_count - 1))
        self._show_detail()

    def _show_detail(self) -> None:
        scenario, run = self.selected_scenario(), self.selected_run()
        detail = self.query_one("#detail", Static)
        if scenario is None or run is None:
            waiting = "no run has finished yet" if scenario is not None else "no scenario"
            detail.update(Content.styled(waiting, "$text-muted"))
            return
        detail.update(run_detail(scenario, run))

    @on(DataTable.RowHighlighted, "#scenarios")
    def _scenario_moved(self) -> None:
        self.query_one("#runs", DataTable).move_cursor(row=0)
        self._show_runs()

    @on(DataTable.RowHighlighted, "#runs")
    def _run_moved(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected, "#scenarios")
    def _scenario_chosen(self) -> None:
        self.query_one("#runs", DataTable).focus()

    @on(DataTable.RowSelected, "#runs")
    def _run_chosen(self) -> None:
        self.open_run()

    # -- keys --------------------------------------------------------------------------------------

    def open_run(self) -> None:
        """The run's thread in the chat screen, at the turn that failed (its last turn if it passed)."""
        run = self.selected_run()
        if run is None or run.thread_id is None:
            self.say("this run made no thread to open")
            return
        if self.chat_app.service is None:
            self.say("not connected yet: the thread opens once the server answers")
            return
        self.chat_app.open_test_thread(run.thread_id, turn_anchor(run))

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_rerun(self) -> None:
        view = self.selected_scenario()
        scenario = self.session.scenario(view.key) if view is not None else None
        if scenario is None:
            self.say(self.session.problem or "this scenario cannot be rerun")
            return
        self.run_suite([view.key] if view is not None else None)

    def action_rerun_failures(self) -> None:
        failing = self.session.failures()
        if not failing:
            self.say(self.session.problem or "no scenario failed: nothing to rerun")
            return
        self.run_suite([self.session.key_of(s) for s in failing])

    def action_copy_command(self) -> None:
        view = self.selected_scenario()
        if view is None:
            return
        service = self.chat_app.service
        command = self.session.reproduce(view.key, service.connection if service is not None else None)
        where = copy_text(self.app, command)
        self.say(f"copied: {command}" + (f" (also in {where})" if where is not None else ""))

    def action_accept(self) -> None:
        view, run = self.selected_scenario(), self.selected_run()
        failure = run.first_failure if run is not None else None
        if view is None or run is None or failure is None:
            self.say("this run has no failed check to accept")
            return
        try:
            value = accepted(failure)
        except NotAcceptable as exc:
            self.say(str(exc))
            return
        self.accept_value(view, int(failure.get("turn") or 0), str(failure.get("kind")), value)

    def accept_value(self, view: ScenarioView, turn: int, kind: str, value: Any) -> None:
        """Write *value* as the turn's ``expect.<kind>`` in the scenario file (comments kept)."""
        from chat_tui.testing.yaml_edit import ScenarioFileError, replace_expectation

        try:
            line = replace_expectation(Path(view.file), view.id, turn, kind, value)
        except (ScenarioFileError, ValueError, OSError) as exc:
            self.say(f"not accepted: {exc}")
            return
        self.session.reload(view.key)
        self.say(f"accepted: {kind} of turn {turn + 1} written to {view.file}:{line} · r reruns it")

    # -- running ------------------------------------------------------------------------------------

    @work(group="suite", exclusive=False, exit_on_error=False)
    async def run_suite(self, keys: list[Key] | None) -> None:
        if self.session.running:
            self.say("a run is going: wait for it to end")
            return
        service = await self.chat_app.wait_for_service()
        chosen = None if keys is None else [s for s in self.session.selected if self.session.key_of(s) in keys]
        self.say("running…")
        await self.session.run(self.chat_app.test_service(service), chosen, self.launch.concurrency)
        self.redraw()
        result = self.session.suite_result()
        self.say(self.session.board.summary() + " · done")
        if result is not None and not self._reports_written and self.launch.write_reports is not None:
            self._reports_written = True
            written = self.launch.write_reports(result)
            if written:
                self.say(f"{self.session.board.summary()} · done · wrote {', '.join(written)}")
