"""Saving a thread as a test from the app (Ctrl+L), with the keys a user presses, against the real demo
server: a thread with a gated tool call and its interrupt is saved, with the expectations chosen in the
dialog, into a hand-written file whose comments stay; `chat-tui test` then passes on it, and fails,
naming the wrong expectation, once the file is edited to expect another tool; in the results view, Enter on
the failing run opens its thread at the failing turn."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Select

from chat_tui.connection import Connection
from chat_tui.conversation import RunOutcome
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.userdata import UserData
from chat_tui.testing.loader import load_file, load_paths, select
from chat_tui.testing.session import SuiteSession, TestLaunch
from chat_tui.ui.app import ChatApp, LaunchPlan
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.screens.dialogs import ConfirmScreen
from chat_tui.ui.screens.save_test import SaveTestScreen
from chat_tui.ui.screens.test_results import TestResultsScreen
from chat_tui.ui.widgets.tool_panel import ToolPanel
from tests.support.cli import cli
from tests.support.pilot import connected, make_app, run_finished, send, wait_until

pytestmark = pytest.mark.server
SIZE = (120, 45)

HAND_WRITTEN = """\
# Our agent's regression tests: this comment, the blank lines and the quotes must stay.
version: 1
defaults:
  turn_timeout: 60   # seconds

scenarios:
  - id: "hello"
    turns:
      - user: hello   # the Markdown answer
"""


async def modal(pilot: Pilot[Any], kind: type) -> Any:
    return await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen, what=kind.__name__)


async def press(pilot: Pilot[Any], dialog: Any, button: str) -> None:
    widget = dialog.query_one(f"#{button}", Button)
    widget.focus()
    await wait_until(pilot, lambda: not widget.has_class("-active") and dialog.focused is widget, what=button)
    await pilot.press("enter")


def said(dialog: SaveTestScreen) -> str:
    return str(dialog.problem.render())


def shown(dialog: SaveTestScreen) -> str:
    return str(dialog.preview.render())


async def approved_email(pilot: Pilot[Any], screen: ChatScreen) -> None:
    """`email bob` on the approvals graph: a gated call waits; `a` approves it, `y` sends the answer."""
    await send(pilot, "email bob")
    await run_finished(pilot)
    await wait_until(pilot, lambda: any(p.call.gate is not None for p in screen.view.query(ToolPanel)), what="gate")
    await pilot.press("tab")
    await pilot.press("a")
    await modal(pilot, ConfirmScreen)
    await pilot.press("y")
    await wait_until(pilot, lambda: not screen.conversation.pending_interrupts, what="the answer")
    assert (await run_finished(pilot)).outcome is RunOutcome.SUCCESS


async def test_save_a_thread_as_a_test_run_it_and_make_it_fail(
    server_url: str, user_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    suite = tmp_path / "regressions.yaml"
    suite.write_text(HAND_WRITTEN)
    app = make_app(server_url, user_dirs["data"], assistant="approvals")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await approved_email(pilot, screen)

        await pilot.press("ctrl+l")
        dialog: SaveTestScreen = await modal(pilot, SaveTestScreen)
        assert dialog.path_input.value == "tests/agent/approvals.yaml"  # the default: per graph, from the cwd
        assert dialog.id_input.value == "email-bob"  # from the first message
        assert "- user: email bob" in shown(dialog) and "status: interrupted" in shown(dialog)
        assert "nodes:" not in shown(dialog) and "args_mode" not in shown(dialog)

        dialog.path_input.value = str(suite)
        dialog.repeat_input.value = "0"
        await wait_until(pilot, lambda: "repeat is a whole number from 1 to 1000" in said(dialog), what="the problem")
        await press(pilot, dialog, "save")
        assert app.screen is dialog and suite.read_text() == HAND_WRITTEN  # nothing written, nothing lost
        assert dialog.repeat_input.value == "0" and dialog.path_input.value == str(suite)

        dialog.repeat_input.value = "2"
        dialog.query_one("#keep-nodes", Checkbox).value = True
        dialog.query_one("#keep-status", Checkbox).value = False
        dialog.query_one("#args-mode", Select).value = "exact"
        await wait_until(pilot, lambda: "args_mode: exact" in shown(dialog), what="the preview to follow")
        preview = shown(dialog)
        assert "repeat: 2" in preview and "in_order: [model" in preview and "status:" not in preview
        assert said(dialog) == ""
        dialog.id_input.focus()
        await pilot.press("enter")  # Enter saves
        await wait_until(pilot, lambda: isinstance(app.screen, ChatScreen), what="the dialog to close")

        text = suite.read_text()
        assert text.startswith(HAND_WRITTEN + "\n  - id: email-bob\n")  # every byte kept, then the scenario
        line = text.splitlines().index("  - id: email-bob") + 1
        note = f"saved scenario email-bob to {suite}:{line}"
        await wait_until(pilot, lambda: any(note == str(n.message) for n in app._notifications), what=note)
        assert load_file(suite).scenario_lines == [7, line]

        await pilot.press("ctrl+l")  # again: the same file and choices are offered; the id is taken now
        dialog = await modal(pilot, SaveTestScreen)
        assert dialog.path_input.value == str(suite) and dialog.query_one("#keep-nodes", Checkbox).value
        await press(pilot, dialog, "save")
        await wait_until(pilot, lambda: "already has a scenario 'email-bob'" in said(dialog), what="the refusal")
        assert suite.read_text() == text
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, ChatScreen), what="the dialog to close")

    code, out, err = await cli("test", str(suite), "--url", server_url, "-k", "email-bob")
    assert code == 0, out + err
    assert "1 scenario(s), 2 run(s)" in out

    suite.write_text(text.replace("- name: send_email", "- name: send_mail"))  # a wrong expectation
    code, out, err = await cli("test", str(suite), "--url", server_url, "-k", "email-bob")
    assert code == 1, out + err
    assert "turn 1 tool_calls: send_mail" in out

    # ... and from the results view (`chat-tui test FILE --tui`), Enter lands on the failing turn
    selected = [s for s in select(load_paths([suite]), fallback_assistant="agent") if s.id == "email-bob"]
    launch = TestLaunch(SuiteSession(selected), source=str(suite))
    plan = LaunchPlan(connection=Connection(server_url), tests=launch)
    app = ChatApp(plan, userdata=UserData(user_dirs["data"]), settings=SettingsManager(user_dirs["config"]))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: launch.session.suite_result() is not None, 120, what="the suite")
        view = app.screen
        assert isinstance(view, TestResultsScreen) and view.selected_scenario().verdict == "fail"
        run = view.selected_run()
        assert run is not None and "send_mail" in run.reason
        await pilot.press("enter", "enter")  # the scenario, then its run
        await wait_until(pilot, lambda: isinstance(app.screen, ChatScreen), what="the chat screen")
        await wait_until(pilot, lambda: app.chat.conversation.thread_id == run.thread_id, 30, "the run's thread")
        await wait_until(
            pilot, lambda: getattr(getattr(app.focused, "message", None), "text", None) == "email bob", 20, "turn 1"
        )
