"""What broke on Aegra (issue 20), each reproduced on the real dev server through the fault proxy:
no ``/ok``, no heartbeats, unique event ids repeated on a rejoin, ``error`` then ``end`` after a
cancel, a cancel action it refuses (422); and the ``on_disconnect`` every run is created with."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.client.errors import Unprocessable
from chat_tui.client.events import MessageChunk, MessageComplete, Other, Reconnecting
from chat_tui.conversation import Conversation, ErrorEntry, RunOutcome
from chat_tui.service.turn import Turn, TurnRequest
from chat_tui.ui.screens.dialogs import ChoiceScreen
from tests.faults.aegra_like import CANCEL_EPILOGUE, AegraIds, without_heartbeats
from tests.faults.proxy import FaultProxy
from tests.faults.test_drops import REJOIN, RUN_STREAM, check_against_state, streamed_turn
from tests.support.pilot import connected, make_app, run_finished, send, wait_until

pytestmark = pytest.mark.server
SIZE = (120, 40)
CANCEL = r"/runs/[0-9a-f-]+/cancel"
SLOW = {"delay_ms": 12}  # the `slow` script runs at 5x: about 9 s


# -- no GET /ok ----------------------------------------------------------------------------------


async def test_a_server_without_ok_is_checked_with_info_then_assistants(proxy: FaultProxy) -> None:
    proxy.add(method="GET", path=r"^/ok", action="respond", status=404, body=b'{"detail":"Not Found"}', times=9)
    async with LangGraphClient(proxy.url) as client:
        assert await client.ok() is True
        assert await client.ok() is True  # the 404 is remembered: /info straight away
    assert [r.path for r in proxy.log] == ["/ok", "/info", "/info"]
    proxy.add(method="GET", path=r"^/info", action="respond", status=404, body=b"{}", times=9)
    async with LangGraphClient(proxy.url) as client:
        assert await client.ok() is True
    assert [(r.method, r.path) for r in proxy.log[3:]] == [
        ("GET", "/ok"),
        ("GET", "/info"),
        ("POST", "/assistants/search"),
    ]


async def test_the_app_connects_to_a_server_without_ok_and_says_nothing_alarming(
    proxy: FaultProxy, user_dirs: dict[str, Path]
) -> None:
    proxy.add(method="GET", path=r"^/ok", action="respond", status=404, body=b'{"detail":"Not Found"}', times=99)
    app = make_app(proxy.url, user_dirs["data"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        await send(pilot, "hi")
        run = await run_finished(pilot)
        assert run.outcome is RunOutcome.SUCCESS
        assert screen.connection_note == ""
        assert [str(n.message) for n in app._notifications] == []
    assert len(proxy.requests("GET", r"^/ok")) == 1  # asked once, never retried


# -- heartbeats ----------------------------------------------------------------------------------


async def test_without_heartbeats_a_silent_node_is_not_taken_for_a_stall(
    proxy: FaultProxy, client: LangGraphClient
) -> None:
    """The stream goes silent for four times the stall timeout (a node thinking; the issue's was
    22 s against 16) on a server that sends no heartbeats: nothing is rejoined, the run is whole."""
    proxy.add(method="POST", path=RUN_STREAM, action="pause", after=1500, seconds=2.0, transform=without_heartbeats)
    conversation, result, events = await streamed_turn(proxy.url, "hi", idle_timeout=0.5)
    await check_against_state(client, conversation, result)
    assert [e for e in events if isinstance(e, Reconnecting)] == []
    assert result.reconnects == 0 and proxy.requests("GET", REJOIN) == []


async def test_a_server_known_to_send_heartbeats_has_stalls_detected_from_its_next_streams_start(
    proxy: FaultProxy, client: LangGraphClient
) -> None:
    """Heartbeats seen on one stream arm the stall timer of the next from its first byte."""
    async with LangGraphClient(proxy.url) as lg:
        first = Turn(lg, Conversation(), TurnRequest("agent", text="hello there", context={"delay_ms": 20}))
        await first.run()
        assert lg.http.sends_heartbeats  # (the run lasted past the server's first heartbeat, at 5 s)
        proxy.add(method="POST", path=RUN_STREAM, action="stall", after=1500)
        events: list[Any] = []
        conversation = Conversation()
        turn = Turn(lg, conversation, TurnRequest("agent", text="hi"), on_event=events.append, idle_timeout=1.0)
        result = await turn.run()
    await check_against_state(client, conversation, result)
    assert any(isinstance(e, Reconnecting) and "silent" in e.reason for e in events)


# -- on_disconnect -------------------------------------------------------------------------------


async def test_every_run_is_created_with_on_disconnect_continue(proxy: FaultProxy, client: LangGraphClient) -> None:
    """langgraph-api's default, sent explicitly: Aegra's default is to cancel the run at the first
    dropped connection, and then a cut stream could not be rejoined (here it is)."""
    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=3000)
    conversation, result, _ = await streamed_turn(proxy.url, "hello there")
    await check_against_state(client, conversation, result)
    async with LangGraphClient(proxy.url) as lg:
        thread = await lg.threads.create()
        await lg.runs.create(thread.thread_id, "echo", input={"messages": [{"role": "user", "content": "x"}]})
    created = proxy.requests("POST", r"/runs(/stream)?$")
    assert len(created) == 2
    assert [json.loads(r.body)["on_disconnect"] for r in created] == ["continue", "continue"]


# -- unique event ids, repeated on a rejoin ------------------------------------------------------


async def test_events_a_rejoin_sends_again_under_the_same_id_are_shown_once(
    proxy: FaultProxy, client: LangGraphClient
) -> None:
    """Aegra-shaped ids (unique, opaque) and a rejoin that sends ten events twice: every token
    is shown once (the issue saw 210 of 200), and the text already matched the server's."""
    ids = AegraIds()
    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=6000, transform=ids.response())
    proxy.add(method="GET", path=REJOIN, transform=ids.response(rejoin=True, repeat=10), rewrite_request=ids.request)
    conversation, result, events = await streamed_turn(proxy.url, "hello there", context={"delay_ms": 5})
    await check_against_state(client, conversation, result)
    assert result.reconnects == 1 and ids.repeated == 10
    (rejoin,) = proxy.requests("GET", REJOIN)
    assert (rejoin.last_event_id or "").startswith(f"{ids.prefix}_event_")  # resumed from our id
    shown = [e for e in events if isinstance(e, MessageChunk | MessageComplete)]
    assert len(shown) == len(ids.message_events)  # each token once: none lost, none twice


# -- error then end after a cancel ---------------------------------------------------------------


async def cancelled_turn(url: str, *, cancel: bool) -> tuple[Conversation, Any, list[Any]]:
    events: list[Any] = []
    conversation = Conversation()
    tasks: list[asyncio.Task[None]] = []
    async with LangGraphClient(url) as lg:
        text = "slow please" if cancel else "hi"
        turn = Turn(lg, conversation, TurnRequest("agent", text=text, context=SLOW if cancel else None))

        def on_event(event: Any) -> None:
            events.append(event)
            if cancel and isinstance(event, MessageChunk) and not tasks:
                tasks.append(asyncio.create_task(turn.cancel()))

        turn.on_event = on_event
        result = await turn.run()
        await asyncio.gather(*tasks)
    return conversation, result, events


async def test_an_error_event_after_the_users_own_cancel_means_cancelled(proxy: FaultProxy) -> None:
    proxy.add(method="POST", path=RUN_STREAM, append=CANCEL_EPILOGUE)
    conversation, result, events = await cancelled_turn(proxy.url, cancel=True)
    assert result.outcome is RunOutcome.CANCELLED
    assert [e for e in conversation.entries if isinstance(e, ErrorEntry)] == []
    assert any(isinstance(e, Other) and e.name == "error" for e in events)  # seen, not taken for a failure
    assert len(proxy.requests("POST", CANCEL)) == 1


async def test_the_same_error_event_without_a_cancel_is_a_failure(proxy: FaultProxy) -> None:
    proxy.add(method="POST", path=RUN_STREAM, append=CANCEL_EPILOGUE)
    conversation, result, _ = await cancelled_turn(proxy.url, cancel=False)
    assert result.outcome is RunOutcome.ERROR
    (error,) = [e for e in conversation.entries if isinstance(e, ErrorEntry)]
    assert "Run was interrupted" in error.message


# -- a refused cancel ----------------------------------------------------------------------------


async def test_a_refused_cancel_leaves_the_run_going_and_followed(proxy: FaultProxy, client: LangGraphClient) -> None:
    proxy.add(method="POST", path=CANCEL, action="respond", status=422, body=b'{"detail":"unsupported action"}')
    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=6000)  # and a drop after it: still rejoined
    async with LangGraphClient(proxy.url) as lg:
        conversation = Conversation()
        turn = Turn(lg, conversation, TurnRequest("agent", text="hello there", context={"delay_ms": 5}))
        refused: list[BaseException] = []

        async def cancel_once(event: Any) -> None:
            try:
                await turn.cancel("rollback")
            except Unprocessable as exc:
                refused.append(exc)

        tasks: list[asyncio.Task[None]] = []
        turn.on_event = lambda e: tasks or tasks.append(asyncio.create_task(cancel_once(e)))  # type: ignore[func-returns-value]
        result = await turn.run()
        await asyncio.gather(*tasks)
    assert len(refused) == 1 and "422" in str(refused[0])
    assert result.reconnects == 1
    await check_against_state(client, conversation, result)  # SUCCESS, not cancelled


async def test_a_refused_rollback_keeps_the_second_message_in_the_composer_and_says_why(
    proxy: FaultProxy, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    proxy.add(
        method="POST",
        path=CANCEL + r"\?action=rollback",
        action="respond",
        status=422,
        body=b'{"detail":"String should match pattern \'^(cancel|interrupt)$\'"}',
    )
    app = make_app(proxy.url, user_dirs["data"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        screen.service.context = SLOW  # type: ignore[union-attr]
        await send(pilot, "slow please")
        await wait_until(pilot, lambda: screen.service and screen.service.live, what="the run")
        first_run = screen.conversation.run.run_id  # type: ignore[union-attr]
        await send(pilot, "the second message")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the busy question")
        await pilot.press("r")
        await wait_until(pilot, lambda: screen.composer.text == "the second message", what="the text back")
        messages = [str(n.message) for n in app._notifications]
        refused = [m for m in messages if "could not roll back the running run" in m]
        assert len(refused) == 1 and "422" in refused[0] and "\n" not in refused[0], messages
        live = screen.service.live[screen.conversation.thread_id or ""]  # type: ignore[union-attr]
        assert not live.turn.stream.cancel_requested  # type: ignore[union-attr]  # still followed as running
        assert "the second message" not in [m.text for m in screen.conversation.messages]
        await pilot.press("escape")  # an interrupt, which this server does accept
        run = await run_finished(pilot, timeout=30)
        assert run.outcome is RunOutcome.CANCELLED and run.run_id == first_run
    assert len(proxy.requests("POST", r"/runs/stream$")) == 1  # the second message was never sent
