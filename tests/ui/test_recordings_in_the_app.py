"""Recordings and exports from the app, with the keys a user presses, against the real demo server:
F10 records the current and next runs to a file (● REC until stopped) or saves the last run; an
existing file is replaced only when the user says so; Ctrl+S exports the thread as `chat-tui export`
does; Ctrl+G copies it as Markdown (through the clipboard file too)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Input

from chat_tui.client.recording_reader import read_recording
from chat_tui.connection import Connection, resolve_api_key
from chat_tui.export_command import run_export
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.userdata import UserData
from chat_tui.ui.app import ChatApp, LaunchPlan
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.screens.dialogs import ConfirmScreen
from chat_tui.ui.screens.file_dialogs import ExportScreen, RecordScreen
from tests.support.pilot import connected, make_app, run_finished, send, wait_until

pytestmark = pytest.mark.server
SIZE = (120, 40)
KEY = "sk-test-NEVER-IN-AN-APP-RECORDING-0123456789"
HEADER = "header-value-NEVER-IN-A-RECORDING"


async def modal(pilot: Pilot[Any], kind: type) -> Any:
    return await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen, what=kind.__name__)


async def choose(pilot: Pilot[Any], dialog: Any, path: Path | str, button: str) -> None:
    """Put *path* in the dialog's field, then press *button* (Tab to it and Enter)."""
    dialog.query_one("#file-path", Input).value = str(path)
    await press(pilot, dialog, button)


async def press(pilot: Pilot[Any], dialog: Any, button: str) -> None:
    """Focus *button* and press Enter (once its last press stopped showing: Textual ignores a press then)."""
    widget = dialog.query_one(f"#{button}", Button)
    widget.focus()
    await wait_until(pilot, lambda: not widget.has_class("-active") and dialog.focused is widget, what=button)
    await pilot.press("enter")


def status_text(screen: ChatScreen) -> str:
    return str(screen.status.render())


async def test_f10_records_the_current_and_next_runs_and_the_file_holds_no_key_or_header(
    server_url: str, user_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CHAT_TUI_TEST_APP_KEY", KEY)
    key = resolve_api_key(server_url, api_key_env="CHAT_TUI_TEST_APP_KEY", env={"CHAT_TUI_TEST_APP_KEY": KEY})
    connection = Connection(server_url, api_key=key, headers={"x-team": HEADER})
    plan = LaunchPlan(connection=connection, assistant="agent")
    app = ChatApp(plan, userdata=UserData(user_dirs["data"]), settings=SettingsManager(user_dirs["config"]))
    path = tmp_path / "two-runs.sse"
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await pilot.press("f10")
        dialog = await modal(pilot, RecordScreen)
        assert dialog.query_one("#save", Button).disabled  # (no run has ended yet)
        await choose(pilot, dialog, path, "record")
        await wait_until(pilot, lambda: screen.recording_file is not None, what="the recording to start")
        assert "● REC" in status_text(screen) and path.exists()
        await send(pilot, "what's the weather in sf")
        await run_finished(pilot)
        await send(pilot, "hello")
        await run_finished(pilot)
        await pilot.press("f10")
        dialog = await modal(pilot, RecordScreen)
        await press(pilot, dialog, "stop")
        await wait_until(pilot, lambda: screen.recording_file is None, what="the recording to stop")
        assert "● REC" not in status_text(screen)
        thread_id = screen.conversation.thread_id
    data = path.read_bytes()
    assert KEY.encode() not in data and HEADER.encode() not in data and b"x-api-key" not in data.lower()
    assert b"x-team" not in data and oct(path.stat().st_mode & 0o777) == "0o600"
    recording = read_recording(path)
    assert [run.thread_id for run in recording.runs] == [thread_id, thread_id]
    assert all(run.end is not None and run.end.status == "success" for run in recording.runs)
    sent = recording.runs[0].input or {}
    assert [(m["role"], m["content"]) for m in sent["input"]["messages"]] == [("user", "what's the weather in sf")]


async def test_save_the_last_run_asks_before_replacing_a_file_and_keeps_the_typed_path(
    server_url: str, user_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    existing = tmp_path / "mine.sse"
    existing.write_text("mine")
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "what's the weather in sf")
        await run_finished(pilot)
        await pilot.press("f10")
        dialog = await modal(pilot, RecordScreen)
        await choose(pilot, dialog, tmp_path / "no-such-folder" / "x.sse", "save")
        await wait_until(pilot, lambda: "folder does not exist" in str(dialog.problem.render()), what="the problem")
        assert app.screen is dialog
        await choose(pilot, dialog, existing, "save")
        await modal(pilot, ConfirmScreen)
        await pilot.press("n")  # keep it
        await wait_until(pilot, lambda: app.screen is dialog and "was kept" in str(dialog.problem.render()))
        assert existing.read_text() == "mine" and dialog.path_input.value == str(existing)
        await press(pilot, dialog, "save")
        await modal(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ChatScreen), what="the dialog to close")
        await wait_until(pilot, lambda: existing.read_bytes().startswith(b": chat-tui recording"), what="the file")
        assert screen.record_path == str(existing)  # offered again next time
    recording = read_recording(existing)
    assert len(recording.runs) == 1 and recording.runs[0].thread_id == screen.conversation.thread_id


async def headless_export(server_url: str, thread_id: str, fmt: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    assert await run_export(Connection(server_url), thread_id, fmt, out=out, err=err) == 0, err.getvalue()
    return out.getvalue()


async def test_export_and_copy_thread_write_what_the_headless_export_writes(
    server_url: str, user_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # (the default path is ./<thread-id>.md: never the checkout)
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "what's the weather in sf")
        await run_finished(pilot)
        thread_id = screen.conversation.thread_id
        assert thread_id is not None
        await pilot.press("ctrl+s")
        dialog = await modal(pilot, ExportScreen)
        assert dialog.path_input.value == f"./{thread_id}.md"
        await pilot.click("#format-json")
        await wait_until(pilot, lambda: dialog.path_input.value == f"./{thread_id}.json", what="the json name")
        await choose(pilot, dialog, tmp_path / "thread.json", "export")
        await wait_until(pilot, lambda: (tmp_path / "thread.json").exists(), what="the JSON export")
        await pilot.press("ctrl+s")
        dialog = await modal(pilot, ExportScreen)
        assert dialog.format == "json"  # (the last format chosen)
        await pilot.click("#format-md")
        await choose(pilot, dialog, tmp_path / "thread.md", "export")
        await wait_until(pilot, lambda: (tmp_path / "thread.md").exists(), what="the Markdown export")
        await pilot.press("ctrl+g")
        copied = user_dirs["data"] / "last-copy.txt"
        await wait_until(pilot, copied.exists, what="the copy")
    assert json.loads((tmp_path / "thread.json").read_text()) == json.loads(
        await headless_export(server_url, thread_id, "json")
    )
    markdown = await headless_export(server_url, thread_id, "md")
    assert (tmp_path / "thread.md").read_text() == markdown
    assert copied.read_text() == markdown and "get_weather" in markdown
