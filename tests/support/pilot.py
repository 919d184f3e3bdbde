"""Pilot helpers: build the real app against a server, and poll with a predicate and a timeout."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events
from textual.keys import _character_to_key
from textual.pilot import Pilot

from chat_tui.connection import Connection
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.userdata import UserData
from chat_tui.ui.app import ChatApp, LaunchPlan
from chat_tui.ui.screens.chat import ChatScreen


def make_app(
    url: str,
    data_dir: Path,
    *,
    thread: str | None = None,
    settings: SettingsManager | None = None,
    assistant: str = "agent",
    **kwargs: Any,
) -> ChatApp:
    plan = LaunchPlan(connection=Connection(url), assistant=assistant, thread=thread)
    settings = settings or SettingsManager(data_dir.parent / "config")
    return ChatApp(plan, userdata=UserData(data_dir), settings=settings, **kwargs)


async def wait_until(pilot: Pilot[Any], predicate: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    """Pause the app until *predicate()* is truthy; fail with *what* after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what or predicate}")
        await pilot.pause(0.05)
        await asyncio.sleep(0)


def chat(app: ChatApp) -> ChatScreen:
    return app.chat


async def connected(pilot: Pilot[Any]) -> ChatScreen:
    app = pilot.app
    assert isinstance(app, ChatApp)
    await wait_until(pilot, lambda: app.service is not None and app.chat.started, what="connection")
    return app.chat


async def send(pilot: Pilot[Any], text: str) -> None:
    """Type *text* into the composer and press Enter, in one burst, as a terminal delivers it."""
    chat(pilot.app).composer.focus()  # type: ignore[arg-type]
    await type_burst(pilot, text)


async def type_burst(pilot: Pilot[Any], text: str, *, enter: bool = True) -> None:
    """Type *text* (then Enter) wherever the focus is, in one burst, as a terminal delivers it.

    The keys go through the driver like a real terminal's. (``Pilot.press`` waits for the
    app to go idle after every key, up to 2 s a key while a stream renders, so typing one
    sentence could outlast the run the test wanted to type into.)
    """
    app = pilot.app
    driver = app._driver
    assert driver is not None
    keys = [(char if char.isalnum() else "ctrl+j" if char == "\n" else _character_to_key(char), char) for char in text]
    for key, char in [*keys, *([("enter", "\r")] if enter else [])]:
        event = events.Key(key, char)
        event.set_sender(app)
        driver.send_message(event)
    await pilot.pause()


async def run_finished(pilot: Pilot[Any], timeout: float = 30.0) -> Any:
    screen = chat(pilot.app)  # type: ignore[arg-type]

    def done() -> bool:
        run = screen.conversation.run
        service = pilot.app.service  # type: ignore[attr-defined]
        return bool(run and run.outcome != "running" and service and not service.live)

    await wait_until(pilot, done, timeout, what="the run to finish")
    await pilot.pause(0.1)
    return screen.conversation.run


async def config_form(pilot: Pilot[Any]) -> Any:
    """Open the run-configuration form (F3) and wait for its schema fields; the screen."""
    from chat_tui.ui.screens.run_config import RunConfigScreen

    app = pilot.app
    await pilot.press("f3")
    await wait_until(pilot, lambda: isinstance(app.screen, RunConfigScreen) and app.screen.fields, what="the form")
    return app.screen


def form_field(form: Any, name: str) -> Any:
    """The widget of the schema field called *name* (ids go by position: names may be anything)."""
    return form.query_one(f"#field-{[spec.name for spec in form.fields].index(name)}")
