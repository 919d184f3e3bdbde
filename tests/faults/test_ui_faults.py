"""Faults as a user meets them in the app: visible state, one-line messages, nothing typed lost."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Select

from chat_tui.client import LangGraphClient
from chat_tui.conversation import RunOutcome
from tests.faults.proxy import FaultProxy
from tests.faults.test_drops import REJOIN, RUN_STREAM
from tests.support.pilot import config_form, connected, form_field, make_app, run_finished, send, wait_until
from tests.support.runs import assert_matches_state

pytestmark = pytest.mark.server
SIZE = (120, 40)


async def test_a_dropped_stream_shows_reconnecting_and_ends_complete(
    proxy: FaultProxy, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=3000)
    proxy.add(method="GET", path=REJOIN, action="respond", status=503, body=b"{}")  # the first rejoin fails too
    app = make_app(proxy.url, user_dirs["data"])
    seen: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.service.context = {"delay_ms": 15}  # type: ignore[union-attr]
        await send(pilot, "hello there")
        await wait_until(
            pilot,
            lambda: seen.append(str(screen.status.render())) or "reconnecting" in seen[-1],
            what="the reconnecting state",
        )
        run = await run_finished(pilot, timeout=60)
        assert run.outcome is RunOutcome.SUCCESS
        state = await client.threads.get_state(screen.conversation.thread_id or "")
        assert_matches_state(screen.conversation.run_messages(run.run_id), state)
        assert len(screen.conversation.messages) == len(state.messages)
        assert len(proxy.requests("POST", RUN_STREAM)) == 1


async def test_server_gone_at_send_time_restores_the_text_with_one_line(
    proxy: FaultProxy, user_dirs: dict[str, Path]
) -> None:
    app = make_app(proxy.url, user_dirs["data"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        await proxy.refuse()
        await send(pilot, "typed while the server died")
        await wait_until(pilot, lambda: screen.composer.text == "typed while the server died", what="the text back")
        messages = [str(n.message) for n in app._notifications]
        assert any("cannot reach 127.0.0.1" in m and "refused" in m for m in messages)
        assert all("\n" not in m for m in messages)
        await proxy.accept()  # the server is back: Enter sends the restored text
        await pilot.press("enter")
        run = await run_finished(pilot)
        assert run.outcome is RunOutcome.SUCCESS and screen.composer.text == ""


async def test_an_auth_failure_says_so_and_keeps_the_text(proxy: FaultProxy, user_dirs: dict[str, Path]) -> None:
    proxy.add(
        method="POST",
        path=RUN_STREAM,
        action="respond",
        status=403,
        body=b'{"detail": "Missing authentication headers"}',
    )
    app = make_app(proxy.url, user_dirs["data"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        await send(pilot, "secret plans")
        await wait_until(pilot, lambda: screen.composer.text == "secret plans", what="the text back")
        assert any("authentication failed" in str(n.message) for n in app._notifications)


async def test_a_hostile_schema_neither_breaks_the_config_form_nor_reaches_the_terminal(
    proxy: FaultProxy, user_dirs: dict[str, Path]
) -> None:
    """Property names that are no widget id, escape sequences in names and defaults, markup in
    choices: the real server's schema with those added by the proxy."""
    hostile: dict[str, Any] = {
        "max tokens": {"type": "integer", "default": 5},
        "evil\x1b]0;pwned\x07name": {"type": "string", "default": "\x1b]52;c;ZXZpbA==\x07kept"},
        "mode": {"enum": ["[b]bold[/b] [@click=app.quit]q[/]", "plain"]},
    }
    buffer = [b""]

    def inject(piece: bytes) -> bytes:
        buffer[0] += piece
        try:
            document = json.loads(buffer[0])
        except ValueError:
            return b""  # (the whole body first)
        for key in ("context_schema", "config_schema"):
            if isinstance(document.get(key), dict):
                document[key].setdefault("properties", {}).update(hostile)
        return json.dumps(document).encode()

    proxy.add(method="GET", path=r"/assistants/[^/]+/schemas", transform=inject)
    app = make_app(proxy.url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        form = await config_form(pilot)
        labels = [spec.label for spec in form.fields]
        assert "max tokens" in labels and "evil␛]0;pwned␇name" in labels  # control characters made visible
        mode = form_field(form, "mode")
        assert mode.value is Select.NULL  # no default: nothing chosen (and no crash)
        mode.value = "[b]bold[/b] [@click=app.quit]q[/]"
        mode.scroll_visible(animate=False)

        def shown() -> str:
            return app.export_screenshot().replace("&#160;", " ")

        choice = "[b]bold[/b] [@click=app.quit]q[/]"
        await wait_until(pilot, lambda: choice in shown(), what="the choice shown as text, not markup")
        shot = shown()
        assert "\x1b" not in shot and "\x07" not in shot
        assert "␛]52;c;ZXZpbA==␇kept" in shot  # the default, its control characters made visible
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, what="the form to close")
        assert screen.run_config is not None
        assert screen.run_config.values["max tokens"] == 5
        assert screen.run_config.values["mode"] == "[b]bold[/b] [@click=app.quit]q[/]"
        assert app.is_running


async def test_a_429_on_sending_counts_down_and_sends_again_only_on_enter(
    proxy: FaultProxy, user_dirs: dict[str, Path]
) -> None:
    proxy.add(
        method="POST",
        path=RUN_STREAM,
        action="respond",
        status=429,
        body=b'{"detail": "Too many requests"}',
        headers={"Retry-After": "3", "Content-Type": "application/json"},
    )
    app = make_app(proxy.url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "hello there")
        line = lambda: str(screen.status.render())  # noqa: E731
        await wait_until(pilot, lambda: "send again in" in line(), what="the countdown")
        assert screen.composer.text == "hello there"  # kept, to send again
        first = line()
        await wait_until(pilot, lambda: "send again in" in line() and line() != first, what="it to count down")
        await wait_until(pilot, lambda: "you can send again" in line(), timeout=10, what="the end of the wait")
        assert len(proxy.requests("POST", RUN_STREAM)) == 1  # nothing was sent again by itself
        screen.composer.focus()
        await pilot.press("enter")  # the user says so
        run = await run_finished(pilot)
        assert run.outcome is RunOutcome.SUCCESS and "rate limited" not in line()
        assert len(proxy.requests("POST", RUN_STREAM)) == 2
