"""Profiles, the connect screen, assistants, run configuration, options, keymap, and secrets."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, RadioButton

from chat_tui.client import LangGraphClient
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.model import Profile
from chat_tui.settings.userdata import UserData
from chat_tui.ui.app import ChatApp, LaunchPlan
from chat_tui.ui.screens.connect import ConnectScreen
from chat_tui.ui.screens.run_config import RunConfigScreen
from chat_tui.ui.widgets.entries import AssistantMessage
from chat_tui.ui.widgets.tool_panel import ToolPanel
from tests.support.pilot import config_form, connected, form_field, make_app, run_finished, send, wait_until

pytestmark = pytest.mark.server
SIZE = (120, 40)
TEST_KEY = "lsv2_sk_connecttest_9f8e7d6c5b4a3210"


def fresh_app(user_dirs: dict[str, Path], plan: LaunchPlan | None = None) -> ChatApp:
    return ChatApp(
        plan or LaunchPlan(),
        userdata=UserData(user_dirs["data"]),
        settings=SettingsManager(user_dirs["config"]),
    )


async def fill(pilot: Any, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector, Input)
    field.value = text
    await pilot.pause()


async def test_first_run_connect_screen_saves_a_profile_and_a_restart_reconnects(
    server_url: str, user_dirs: dict[str, Path], demo_server: Any, capfd: pytest.CaptureFixture[str]
) -> None:
    app = fresh_app(user_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen), what="the connect screen")
        screen = app.screen
        assert screen.focused is screen.query_one("#name")  # the first field, framed like a field
        assert all(screen.query_one(f"#{name}").styles.border_top[0] for name in ("name", "url", "key"))
        await fill(pilot, "#name", "local")
        await fill(pilot, "#url", server_url)
        screen.query_one("#source-stored", RadioButton).value = True
        await pilot.pause()
        await fill(pilot, "#key", TEST_KEY)
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: "answers" in str(screen.query_one("#result").render()), what="the test")
        svg_connect = app.export_screenshot()
        await pilot.press("ctrl+s")
        await connected(pilot)
        assert app.plan.profile == "local" and app.service is not None
        assert app.service.connection.api_key is not None  # sent to this server because the user chose it
    manager = SettingsManager(user_dirs["config"])
    assert manager.load().last_profile == "local"
    again = fresh_app(user_dirs, _plan_from_cli(user_dirs))
    async with again.run_test(size=SIZE) as pilot:
        await connected(pilot)
        assert again.service is not None and again.service.connection.name == "local"
        # the profile screen (opened from the palette) lists it, the key masked
        again.choose_connection()
        await wait_until(pilot, lambda: isinstance(again.screen, ConnectScreen), what="the profiles")
        profiles = again.screen.query_one("#profile-list")
        profiles.focus()
        profiles.highlighted = 0  # type: ignore[attr-defined]
        await pilot.press("e")
        await wait_until(pilot, lambda: "…3210" in str(again.screen.query_one("#key-note").render()), what="mask")
        svg_profile = again.export_screenshot()
    out, err = capfd.readouterr()  # what the app printed, and the log of the server the key was sent to
    _assert_key_nowhere(user_dirs, [svg_connect, svg_profile, out, err], also=(Path(demo_server.log_path),))


def _plan_from_cli(user_dirs: dict[str, Path]) -> LaunchPlan:
    """`chat-tui` with no arguments: the last profile."""
    import argparse

    from chat_tui.launch import build_plan

    args = argparse.Namespace(demo=False, url=None, profile=None, api_key_env=None, assistant=None, thread=None)
    return build_plan(args)


def _assert_key_nowhere(user_dirs: dict[str, Path], captured: list[str], also: tuple[Path, ...] = ()) -> None:
    """Everything chat-tui wrote (but the 0600 secrets file, the key's home) holds at most `…3210`."""
    env = {
        "CHAT_TUI_CONFIG_DIR": str(user_dirs["config"]),
        "CHAT_TUI_DATA_DIR": str(user_dirs["data"]),
        "CHAT_TUI_LOG_DIR": str(user_dirs["log"]),
        "PATH": "/usr/bin:/bin",
    }
    for action in ("show", "path"):
        done = subprocess.run(
            [sys.executable, "-m", "chat_tui", "config", action],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
            check=True,
        )
        captured.append(done.stdout + done.stderr)
    assert "…3210" in captured[-2]  # `config show` names the key by its last four characters
    secrets = user_dirs["config"] / "secrets.json"
    assert TEST_KEY in secrets.read_text() and secrets.stat().st_mode & 0o077 == 0
    captured += [path.read_text(encoding="utf-8", errors="replace") for path in also]
    for directory in user_dirs.values():
        for path in directory.rglob("*"):
            if path.is_file() and path != secrets:
                captured.append(path.read_text(encoding="utf-8", errors="replace"))
    for text in captured:
        assert TEST_KEY not in text
        assert TEST_KEY[:-4] not in text


async def test_switching_assistants_changes_the_next_run(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    echo = (await client.assistants.search(graph_id="echo"))[0]
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        await pilot.press("f2")
        await wait_until(
            pilot,
            lambda: (
                app.screen.query("#assistant-list Option")
                or getattr(app.screen.query_one("#assistant-list"), "option_count", 0) >= 2
            ),
            what="assistants",
        )
        option_list = app.screen.query_one("#assistant-list")
        option_list.highlighted = option_list.get_option_index(echo.assistant_id)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.service.assistant_id == echo.assistant_id, what="the switch")  # type: ignore[union-attr]
        await send(pilot, "hello echo")
        run = await run_finished(pilot)
        server_run = await client.runs.get(screen.conversation.thread_id or "", run.run_id)
        assert server_run.assistant_id == echo.assistant_id
        assert screen.view.query(AssistantMessage).last().message.text.startswith("echo: hello echo")
    again = make_app(server_url, user_dirs["data"])
    again.plan.assistant = None
    async with again.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        assert screen.service.assistant_id == echo.assistant_id  # remembered for this server  # type: ignore[union-attr]


async def test_config_form_values_reach_the_graph(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        form = await config_form(pilot)
        form_field(form, "model_name").value = "openai"
        form_field(form, "persona").value = "pirate"
        form.query_one("#target-configurable", RadioButton).value = True
        form.query_one("#extra-json").text = '{"team": "qa"}'  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, what="the form to close")
        assert "model_name=openai" in str(screen.status.render())
        await send(pilot, "echo the config")
        await run_finished(pilot)
        text = screen.view.query(AssistantMessage).last().message.text
        assert "openai" in text and "pirate" in text and "qa" in text
        # the next thread inherits the configuration
        await pilot.press("ctrl+n")
        await send(pilot, "echo config again")
        await run_finished(pilot)
        assert "openai" in screen.view.query(AssistantMessage).last().message.text


async def test_bad_json_in_the_config_form_is_one_line_and_keeps_the_form(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, RunConfigScreen) and app.screen.fields, what="form")
        app.screen.query_one("#extra-json").text = "{oops"  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, RunConfigScreen)
        assert "not valid JSON" in str(app.screen.query_one("#config-error").render())


async def test_options_hide_tool_panels_and_are_remembered(server_url: str, user_dirs: dict[str, Path]) -> None:
    settings = SettingsManager(user_dirs["config"])
    app = make_app(server_url, user_dirs["data"], settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "what's the weather in sf")
        await run_finished(pilot)
        panel = screen.view.query(ToolPanel).first()
        assert panel.display
        await pilot.press("f4")
        await wait_until(pilot, lambda: app.screen is not screen, what="options")
        await pilot.press("space", "escape")
        await wait_until(pilot, lambda: app.screen is screen, what="options to close")
        assert screen.view.has_class("-hide-tools") and panel.styles.display == "none"
    assert settings.load().options.show_tool_panels is False


async def test_keys_can_be_remapped_from_settings(server_url: str, user_dirs: dict[str, Path]) -> None:
    settings = SettingsManager(user_dirs["config"])
    settings.set_keymap("chat.new-thread", "f11")
    app = make_app(server_url, user_dirs["data"], settings=settings)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "hello")
        await run_finished(pilot)
        assert screen.conversation.thread_id
        await pilot.press("f11")
        await wait_until(pilot, lambda: screen.conversation.thread_id is None, what="a new thread via f11")


async def test_a_profile_key_is_not_sent_when_the_url_is_overridden(user_dirs: dict[str, Path]) -> None:
    import argparse

    from chat_tui.launch import build_plan

    manager = SettingsManager(user_dirs["config"])
    manager.save_profile(Profile(name="prod", url="https://prod.example.com", key_source="stored"), api_key=TEST_KEY)
    manager.use_profile("prod")
    args = argparse.Namespace(
        demo=False, url="https://other.example.com", profile="prod", api_key_env=None, assistant=None, thread=None
    )
    plan = build_plan(args)
    assert plan.connection is not None and plan.connection.url == "https://other.example.com"
    assert plan.connection.api_key is None
