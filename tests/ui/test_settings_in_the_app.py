"""Settings as the app meets them: reported problems, files it must not write, state per thread."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from textual.widgets import Input, OptionList

from chat_tui.client import LangGraphClient
from chat_tui.launch import build_plan
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.model import DisplayOptions
from chat_tui.settings.userdata import UserData
from chat_tui.ui.app import ChatApp
from chat_tui.ui.screens.connect import ConnectScreen
from tests.faults.proxy import FaultProxy
from tests.support.pilot import config_form, connected, form_field, make_app, run_finished, send, wait_until

pytestmark = pytest.mark.server
SIZE = (120, 40)


def _no_flags() -> argparse.Namespace:
    return argparse.Namespace(demo=False, url=None, profile=None, api_key_env=None, assistant=None, thread=None)


def _app(user_dirs: dict[str, Path]) -> tuple[ChatApp, SettingsManager]:
    """`chat-tui` with no arguments, as `run_app` builds it: one settings manager for both."""
    manager = SettingsManager(user_dirs["config"])
    plan = build_plan(_no_flags(), manager)
    return ChatApp(plan, userdata=UserData(user_dirs["data"]), settings=manager), manager


def _messages(app: ChatApp) -> list[str]:
    return [n.message for n in app._notifications]


async def test_a_corrupt_settings_file_is_moved_aside_and_the_launch_says_where(user_dirs: dict[str, Path]) -> None:
    user_dirs["config"].mkdir(parents=True)
    (user_dirs["config"] / "settings.json").write_text("{broken")
    app, _ = _app(user_dirs)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen), what="the connect screen")
        await wait_until(pilot, lambda: any("moved it to" in m for m in _messages(app)), what="the notice")
    aside = list(user_dirs["config"].glob("settings.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_text() == "{broken"
    assert any(str(aside[0]) in m for m in _messages(app))


async def test_a_last_profile_that_cannot_be_used_opens_the_connect_screen_with_the_reason(
    user_dirs: dict[str, Path],
) -> None:
    user_dirs["config"].mkdir(parents=True)
    doc = {
        "schema_version": 2,
        "last_profile": "staging",
        "profiles": {
            "staging": {
                "name": "staging",
                "url": "https://staging.example.com",
                "key_source": "env",
                "key_env": "CHAT_TUI_TEST_UNSET_KEY",
            }
        },
    }
    (user_dirs["config"] / "settings.json").write_text(json.dumps(doc))
    app, _ = _app(user_dirs)
    assert app.plan.connection is None and app.plan.problem
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen), what="the connect screen")
        await wait_until(pilot, lambda: any("CHAT_TUI_TEST_UNSET_KEY" in m for m in _messages(app)), what="the reason")


async def test_a_settings_file_from_a_newer_version_is_used_and_never_written(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    user_dirs["config"].mkdir(parents=True)
    doc = {
        "schema_version": 99,
        "last_profile": "local",
        "profiles": {"local": {"name": "local", "url": server_url, "key_source": "none"}},
        "something_new": {"from": "the future"},
    }
    path = user_dirs["config"] / "settings.json"
    path.write_text(json.dumps(doc))
    before = path.read_bytes()
    app, _ = _app(user_dirs)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        app.choose_connection()  # pick the profile again: "last used" cannot be saved
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen), what="the profiles")
        profiles = app.screen.query_one("#profile-list", OptionList)
        profiles.focus()
        profiles.highlighted = 0
        await pilot.press("enter")
        await connected(pilot)
        app.set_options(DisplayOptions(show_tool_panels=False))
        await wait_until(pilot, lambda: any("settings not saved" in m for m in _messages(app)), what="the notice")
        assert sum("settings not saved" in m for m in _messages(app)) == 1  # said once, not per change
        await send(pilot, "hello there")
        await run_finished(pilot)  # and the app works on
        assert app.is_running and not app.options.show_tool_panels
    assert path.read_bytes() == before


async def test_the_run_configuration_belongs_to_its_thread(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    other = await client.threads.create()
    proxy = await FaultProxy(server_url).start()  # (only to see the requests)
    app = make_app(proxy.url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        form = await config_form(pilot)
        form_field(form, "model_name").value = "openai"
        form.query_one("#target-configurable").value = True  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, what="the form to close")
        await send(pilot, "echo the config")
        await run_finished(pilot)
        mine = screen.conversation.thread_id
        assert mine
        # what the app asked for (the server mirrors configurable and context into each other)
        body = json.loads(proxy.requests("POST", r"/runs/stream$")[-1].body)
        assert body["config"]["configurable"]["model_name"] == "openai"
        assert "model_name" not in (body.get("context") or {})
        screen.open_thread(other.thread_id)
        await wait_until(pilot, lambda: screen.conversation.thread_id == other.thread_id, what="the other thread")
        assert screen.run_config is None  # an existing thread without one does not inherit it
        # (the other thread may still be being drawn: opening this one cancels that, which the
        # app must survive; tests/ui/test_cancelled_swaps.py checks it step by step)
        screen.open_thread(mine)
        await wait_until(pilot, lambda: screen.conversation.thread_id == mine, what="the first thread")
        assert screen.run_config is not None and screen.run_config.values["model_name"] == "openai"
    await proxy.stop()


async def test_prompt_history_reaches_across_threads_and_restarts(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "first question")
        await run_finished(pilot)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.conversation.thread_id is None, what="a new thread")
        screen.composer.focus()
        await pilot.press("up")
        assert screen.composer.text == "first question"
    again = make_app(server_url, user_dirs["data"])
    async with again.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.conversation.thread_id is None, what="a new thread")
        screen.composer.focus()
        await pilot.press("up")
        assert screen.composer.text == "first question"


async def test_editing_a_profile_keeps_the_headers_the_form_does_not_show(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    from chat_tui.settings.model import Profile

    manager = SettingsManager(user_dirs["config"])
    headers = {"X-Tenant": "acme", "X-Trace": "on"}
    manager.save_profile(Profile(name="local", url=server_url), headers=headers)
    manager.use_profile("local")
    app, _ = _app(user_dirs)
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        app.choose_connection()
        await wait_until(pilot, lambda: isinstance(app.screen, ConnectScreen), what="the profiles")
        screen = app.screen
        profiles = screen.query_one("#profile-list", OptionList)
        profiles.focus()
        profiles.highlighted = 0
        await pilot.press("e")
        await wait_until(pilot, lambda: "X-Trace" in str(screen.query_one("#header-note").render()), what="the note")
        screen.query_one("#header-value", Input).value = "globex"
        await pilot.press("ctrl+s")
        await connected(pilot)
    assert SettingsManager(user_dirs["config"]).header_values("local") == {"X-Tenant": "globex", "X-Trace": "on"}


async def test_the_demo_keeps_drafts_and_run_configuration_across_restarts_on_new_ports(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    """The demo's port is random each launch; what the user left must not be keyed by it."""
    from chat_tui.connection import Connection
    from chat_tui.run_config import RunConfig
    from chat_tui.ui.app import LaunchPlan

    def demo_app(url: str) -> ChatApp:
        plan = LaunchPlan(connection=Connection.for_demo(url), assistant="agent")
        return ChatApp(plan, userdata=UserData(user_dirs["data"]), settings=SettingsManager(user_dirs["config"]))

    first = await FaultProxy(server_url).start()  # the same server behind another port each time
    try:
        app = demo_app(first.url)
        async with app.run_test(size=SIZE) as pilot:
            screen = await connected(pilot)
            await send(pilot, "hello")
            await run_finished(pilot)
            thread_id = screen.conversation.thread_id
            assert app.service is not None
            screen.run_config = app.service.set_run_config(thread_id, RunConfig("context", {"persona": "pirate"}))
            screen.composer.insert("half a thought")
            screen.composer.save_draft()
    finally:
        await first.stop()
    second = await FaultProxy(server_url).start()
    try:
        assert second.url != first.url
        again = demo_app(second.url)
        again.plan.thread = thread_id
        async with again.run_test(size=SIZE) as pilot:
            screen = await connected(pilot)
            await wait_until(pilot, lambda: screen.conversation.thread_id == thread_id, what="the thread")
            await wait_until(pilot, lambda: screen.composer.text == "half a thought", what="the draft")
            assert screen.run_config is not None and screen.run_config.values == {"persona": "pirate"}
            assert again.service is not None and "hello" in again.service.prompt_history(screen.conversation)
    finally:
        await second.stop()
