"""Faults as a user meets them in the app: visible state, one-line messages, nothing typed lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.conversation import RunOutcome
from tests.faults.proxy import FaultProxy
from tests.faults.test_drops import REJOIN, RUN_STREAM
from tests.support.pilot import connected, make_app, run_finished, send, wait_until
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
        screen.session.context = {"delay_ms": 15}  # type: ignore[union-attr]
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
