"""A thread continues with the assistant that made it; switching one is an explicit choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.ui.screens.dialogs import ChoiceScreen
from chat_tui.ui.widgets.entries import AssistantMessage
from tests.support.pilot import connected, make_app, run_finished, send, wait_until
from tests.support.runs import run_turn

pytestmark = pytest.mark.server
SIZE = (120, 36)


async def echo_thread(client: LangGraphClient) -> str:
    _conversation, result = await run_turn(client, "first", assistant_id="echo")
    return result.thread_id or ""


async def pick(pilot: object, assistant_id: str) -> None:
    app = pilot.app  # type: ignore[attr-defined]
    await pilot.press("f2")  # type: ignore[attr-defined]
    await wait_until(
        pilot,  # type: ignore[arg-type]
        lambda: getattr(next(iter(app.screen.query("#assistant-list")), None), "option_count", 0) >= 2,
        what="the assistants",
    )
    option_list = app.screen.query_one("#assistant-list")
    option_list.highlighted = option_list.get_option_index(assistant_id)
    await pilot.press("enter")  # type: ignore[attr-defined]


async def test_a_thread_made_by_another_graph_keeps_it(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    thread_id = await echo_thread(client)
    app = make_app(server_url, user_dirs["data"], thread=thread_id)  # the app's assistant is `agent`
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.conversation.thread_id == thread_id, what="the thread")
        await wait_until(pilot, lambda: "echo" in str(screen.status.render()), what="its assistant in the status")
        await send(pilot, "second")
        run = await run_finished(pilot)
        assert screen.view.query(AssistantMessage).last().message.text.startswith("echo: second")
        await pilot.press("ctrl+n")  # a new thread uses the app's assistant
        await wait_until(pilot, lambda: "agent" in str(screen.status.render()), what="the new thread's assistant")
    runs = await client.runs.list(thread_id, limit=5)
    assert {r.assistant_id for r in runs} == {runs[-1].assistant_id}  # both runs: echo's
    assert run.run_id == runs[0].run_id


async def test_switching_the_open_thread_is_asked_and_said(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    thread_id = await echo_thread(client)
    agent = (await client.assistants.search(graph_id="agent"))[0]
    app = make_app(server_url, user_dirs["data"], thread=thread_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.conversation.thread_id == thread_id, what="the thread")
        await pick(pilot, agent.assistant_id)
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the question")
        await pilot.press("s")  # switch this thread too
        await wait_until(pilot, lambda: "agent" in str(screen.status.render()), what="the switch")
        await send(pilot, "hello")
        await run_finished(pilot)
        assert not screen.view.query(AssistantMessage).last().message.text.startswith("echo:")
    assert (await client.runs.list(thread_id, limit=1))[0].assistant_id == agent.assistant_id


async def test_an_unknown_assistant_is_said_at_once_with_the_ones_there_are(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    app = make_app(server_url, user_dirs["data"])
    app.plan.assistant = "nosuchgraph"
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        await wait_until(
            pilot,
            lambda: any("no assistant 'nosuchgraph'" in n.message for n in app._notifications),
            what="the notice",
        )
        notice = next(n.message for n in app._notifications if "nosuchgraph" in n.message)
        assert "agent" in notice and "echo" in notice
        await wait_until(
            pilot,
            lambda: getattr(next(iter(app.screen.query("#assistant-list")), None), "option_count", 0) >= 2,
            what="the picker, offered",
        )
        assert app.service is not None and app.service.assistant_id == "agent"  # usable meanwhile


async def test_rows_name_their_graph_and_the_thread_id_can_be_seen_and_copied(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    from chat_tui.ui.screens.help import HelpScreen

    thread_id = await echo_thread(client)  # the demo has two graphs: rows say which one each thread uses
    app = make_app(server_url, user_dirs["data"], thread=thread_id)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.threads.find(thread_id), what="the row")
        await wait_until(pilot, lambda: screen.conversation.thread_id == thread_id, what="the thread, open")
        row = str(screen.threads.get_option_at_index(screen.threads.get_option_index(thread_id)).prompt)
        assert "echo" in row
        await pilot.press("f1")
        help_screen = await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen, what="help")
        assert any(thread_id in str(s.render()) for s in help_screen.query("Static"))
        await pilot.press("escape")
        await pilot.press("ctrl+p")
        await pilot.press(*"Copy thread id")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.clipboard == thread_id, what="the id on the clipboard")
