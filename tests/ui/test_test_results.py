"""The test results view (``chat-tui test --tui`` / ``test view``) under Pilot against the real demo
server: a suite fills it live, a failed check shows expected against actual, Enter opens the run's
thread in the chat screen at the failing turn, Ctrl+R comes back, y copies a command that reruns
the scenario, and a file read back shows the same runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import DataTable

from chat_tui.connection import Connection
from chat_tui.conversation.entries import ChatMessage
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.userdata import UserData
from chat_tui.testing.loader import load_paths, select
from chat_tui.testing.result_file import read_result_file
from chat_tui.testing.session import SuiteSession, TestLaunch, read_results
from chat_tui.ui.app import ChatApp, LaunchPlan
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.screens.test_results import TestResultsScreen
from chat_tui.ui.widgets.entries_base import EntryWidget
from tests.integration.test_test_insight import COIN  # (the same flaky scenario as the console's test)
from tests.support.pilot import wait_until
from tests.support.screen_text import screen_lines

pytestmark = pytest.mark.server
SIZE = (160, 45)

SUITE = """\
# A suite for the results view.
version: 1
suite: results-view
defaults: {assistant: agent, turn_timeout: 60}
scenarios:
  - id: passes
    turns:
      - user: hello
  - id: fails-at-second-turn
    turns:
      - user: hello
      - user: "what's the weather in sf"
        expect:
          tool_calls: [{name: get_weather, args: {city: Paris}}]
"""


def make_results_app(url: str, dirs: dict[str, Path], launch: TestLaunch) -> ChatApp:
    plan = LaunchPlan(connection=Connection(url), tests=launch)
    return ChatApp(plan, userdata=UserData(dirs["data"]), settings=SettingsManager(dirs["config"]))


def launch_for(path: Path) -> TestLaunch:
    selected = select(load_paths([path]), fallback_assistant="agent")
    return TestLaunch(SuiteSession(selected), source=str(path), concurrency=2)


def screen(app: ChatApp) -> str:
    return "\n".join(screen_lines(app)).replace("\xa0", " ")


def results(app: ChatApp) -> TestResultsScreen:
    screen = app.screen
    assert isinstance(screen, TestResultsScreen), type(screen)
    return screen


async def test_a_suite_fills_the_view_and_enter_opens_the_failing_turn(
    server_url: str, user_dirs: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(SUITE)
    launch = launch_for(path)
    app = make_results_app(server_url, user_dirs, launch)
    async with app.run_test(size=SIZE) as pilot:
        session = launch.session
        await wait_until(
            pilot, lambda: session.suite_result() is not None and not session.running, 120, "the suite to end"
        )
        view = results(app)
        await pilot.pause()
        text = screen(app)
        assert "2/2 runs · 1 passed · 1 failed" in text
        assert "✓ pass" in text and "✗ fail" in text
        # the failing scenario: its run, its failed check, and expected against actual
        await pilot.press("down")
        await wait_until(pilot, lambda: getattr(view.selected_scenario(), "id", None) == "fails-at-second-turn")
        await pilot.pause()
        text = screen(app)
        assert "✗ tool_calls" in text
        assert "~ city: Paris → San Francisco" in text
        assert "▶ turn 2" in text  # the failing turn is marked
        run = view.selected_run()
        assert run is not None and run.thread_id is not None
        assert launch.session.suite_result() is not None and launch.session.suite_result().exit_code == 1

        # y: a command that reruns this scenario once, against this server (no key in it)
        await pilot.press("y")
        await wait_until(pilot, lambda: "copied:" in screen(app))
        copied = (user_dirs["data"] / "last-copy.txt").read_text()
        assert copied == f"chat-tui test {path} -k fails-at-second-turn --repeat 1 --url {server_url}"

        # Enter (scenarios → runs → open): the chat screen, the thread open, its second question in focus
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.focused is view.query_one("#runs", DataTable))
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ChatScreen), what="the chat screen")
        chat = app.chat
        await wait_until(pilot, lambda: chat.conversation.thread_id == run.thread_id, 30, "the thread to open")

        def focused_message() -> ChatMessage | None:
            widget = app.focused
            message = getattr(widget, "message", None) if isinstance(widget, EntryWidget) else None
            return message if isinstance(message, ChatMessage) else None

        await wait_until(pilot, focused_message, 20, "a message in focus")
        message = focused_message()
        assert message is not None and message.role == "human" and message.text == "what's the weather in sf"

        # Ctrl+R: back to the results, as they were
        await pilot.press("ctrl+r")
        await wait_until(pilot, lambda: isinstance(app.screen, TestResultsScreen))
        assert results(app).selected_scenario().id == "fails-at-second-turn"

        # a: the actual calls become the expectation (the file's comment kept); r: the rerun passes
        await pilot.press("a")
        await wait_until(pilot, lambda: "accepted: tool_calls of turn 2" in screen(app))
        text = path.read_text()
        assert text.startswith("# A suite for the results view.\n") and "Paris" not in text
        assert "San Francisco" in text
        await pilot.press("r")
        await wait_until(pilot, lambda: session.running, 10, "the rerun to start")
        await wait_until(pilot, lambda: not session.running, 120, "the rerun to end")
        assert results(app).selected_scenario().verdict == "pass"
        assert "2/2 runs · 2 passed" in screen(app)


async def test_a_results_file_read_back_shows_the_same_runs(
    server_url: str, user_dirs: dict[str, Path], tmp_path: Path
) -> None:
    from chat_tui.testing.reports import write_jsonl

    path = tmp_path / "suite.yaml"
    path.write_text(SUITE)
    launch = launch_for(path)
    app = make_results_app(server_url, user_dirs, launch)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: launch.session.suite_result() is not None, 120, "the suite to end")
        suite = launch.session.suite_result()
        assert suite is not None
        live_text = screen(app)
    jsonl = tmp_path / "results.jsonl"
    write_jsonl(suite, jsonl, {"server": "x"})
    board = read_results(jsonl)
    session = SuiteSession.from_results(board)
    assert session.problem is None and [s.id for s in session.selected] == ["passes", "fails-at-second-turn"]
    # the base: the same results, but with the failing scenario passing there (it regressed since)
    base_lines = []
    for line in jsonl.read_text().splitlines():
        data = json.loads(line)
        if data.get("type") == "scenario" and data["scenario"] == "fails-at-second-turn":
            data.update(passes=1, pass_rate=1.0, passed=True)
        base_lines.append(json.dumps(data))
    base_path = tmp_path / "base.jsonl"
    base_path.write_text("\n".join(base_lines) + "\n")
    launch = TestLaunch(session, source=str(jsonl), run_now=False, base=read_result_file(base_path))
    app = make_results_app(server_url, user_dirs, launch)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, TestResultsScreen))
        await pilot.pause()
        text = screen(app)
        assert "2/2 runs · 1 passed · 1 failed" in text
        for row in ("passes", "fails-at-second-turn"):
            assert row in text and row in live_text
        assert "vs base.jsonl: 1 regressed" in text
        table = results(app).query_one("#scenarios", DataTable)
        assert [str(row.value).split("\0")[1] for row in table.rows] == ["fails-at-second-turn", "passes"]
        assert "▼ 100%→0%" in text  # the regression first, with its pass rates
    assert json.loads(jsonl.read_text().splitlines()[0])["type"] in ("header", "run", "suite", "scenario")


async def test_a_flaky_scenario_shows_its_runs_grouped_by_path(
    server_url: str, user_dirs: dict[str, Path], tmp_path: Path
) -> None:
    """The demo's `coin` searches once or twice at random: 20 runs take both paths (all but certainly:
    2^-19), and each path either always passes or always fails."""
    path = tmp_path / "coin.yaml"
    path.write_text(COIN)
    launch = launch_for(path)
    launch.concurrency = 8
    app = make_results_app(server_url, user_dirs, launch)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: launch.session.suite_result() is not None, 180, "the suite to end")
        await pilot.pause()
        text = screen(app)
        assert "flaky" in text and "flaky: its runs by the path they took" in text
        two = "agent → search → tools → agent → search → tools → agent: {} fail"
        view = results(app).selected_scenario()
        assert view is not None and view.flaky
        passes = view.passes
        assert f"runs): agent → search → tools → agent: {passes} pass" in text
        assert two.format(20 - passes) in text
