"""Runs started elsewhere or before a restart are followed live; a busy thread asks what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.conversation import RunOutcome
from chat_tui.ui.screens.dialogs import ChoiceScreen
from chat_tui.ui.widgets.entries import AssistantMessage, UserMessage
from tests.support.pilot import connected, make_app, run_finished, send, wait_until
from tests.support.runs import assert_matches_state

pytestmark = pytest.mark.server
SIZE = (120, 40)
SLOW = {"delay_ms": 12}  # the `slow` script runs at 5x: about 9 s


async def start_background_run(client: LangGraphClient, text: str = "slow please") -> tuple[str, str]:
    thread = await client.threads.create()
    run = await client.runs.create(
        thread.thread_id, "agent", input={"messages": [{"role": "user", "content": text}]}, context=SLOW
    )
    return thread.thread_id, run.run_id


async def test_opening_a_busy_thread_follows_its_run_live(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    thread_id, run_id = await start_background_run(client)
    app = make_app(server_url, user_dirs["data"], thread=thread_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.service and thread_id in screen.service.live, what="attach")
        await wait_until(
            pilot, lambda: any(w.message.text for w in screen.view.query(AssistantMessage)), what="live tokens"
        )
        run = await run_finished(pilot, timeout=60)
        assert run.outcome is RunOutcome.SUCCESS and run.run_id == run_id
    state = await client.threads.get_state(thread_id)
    assert_matches_state(screen.conversation.run_messages(), state)
    assert len(screen.conversation.messages) == len(state.messages)  # the human message is not repeated


async def test_a_restart_mid_run_resumes_it(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.service.context = SLOW  # type: ignore[union-attr]
        await send(pilot, "slow please")
        await wait_until(
            pilot, lambda: any(w.message.text for w in screen.view.query(AssistantMessage)), what="the first tokens"
        )
        thread_id = screen.conversation.thread_id
    # the app quit mid-run; the run went on on the server
    assert (await client.threads.get(thread_id or "")).status == "busy"
    again = make_app(server_url, user_dirs["data"])
    async with again.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.conversation.thread_id == thread_id, what="the thread reopened")
        run = await run_finished(pilot, timeout=60)
        assert run.outcome is RunOutcome.SUCCESS
        (answer,) = screen.view.query(AssistantMessage)
        assert answer.message.text.startswith("This is a deliberately slow answer")
        assert [w.message.text for w in screen.view.query(UserMessage)] == ["slow please"]


async def test_sending_into_our_own_running_thread_can_interrupt_it(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.service.context = SLOW  # type: ignore[union-attr]
        await send(pilot, "slow please")
        await wait_until(pilot, lambda: screen.service and screen.service.live, what="the run")
        first_run = screen.conversation.run.run_id  # type: ignore[union-attr]
        screen.service.context = None  # type: ignore[union-attr]
        await send(pilot, "hello again")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the busy question")
        await pilot.press("i")
        await wait_until(
            pilot,
            lambda: screen.conversation.run and screen.conversation.run.run_id != first_run,
            what="the second run",
        )
        run = await run_finished(pilot, timeout=60)
        assert run.outcome is RunOutcome.SUCCESS
    thread_id = screen.conversation.thread_id or ""
    assert (await client.runs.get(thread_id, first_run)).status == "interrupted"


async def test_rolling_back_our_own_running_run_erases_it_and_sends(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "hello")
        await run_finished(pilot)
        thread_id = screen.conversation.thread_id or ""
        screen.service.context = SLOW  # type: ignore[union-attr]
        await send(pilot, "slow please")
        await wait_until(pilot, lambda: screen.conversation.run and screen.conversation.run.run_id, what="the run")
        await wait_until(pilot, lambda: screen.service and screen.service.live, what="it streaming")
        doomed = screen.conversation.run.run_id  # type: ignore[union-attr]
        screen.service.context = None  # type: ignore[union-attr]
        await send(pilot, "what's the weather in sf")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the busy question")
        await pilot.press("r")
        await wait_until(
            pilot, lambda: screen.conversation.run and screen.conversation.run.run_id != doomed, what="the new run"
        )
        run = await run_finished(pilot, timeout=60)
        assert run.outcome is RunOutcome.SUCCESS
        shown = [w.message.text for w in screen.view.query(UserMessage)]
        kept = "".join(path.read_text() for path in user_dirs["data"].rglob("*.json"))
    state = await client.threads.get_state(thread_id)
    said = [m["content"] for m in state.messages if m["type"] == "human"]
    assert shown == said and state.messages[-1]["type"] == "ai"  # the view shows what the server has
    runs = [r.run_id for r in await client.runs.list(thread_id, limit=10)]
    if doomed in runs or "slow please" in said:
        # langgraph-api 0.16.7 (in memory) does not always erase a rolled-back streaming run: seen
        # here both kept "interrupted", and deleted with its input left in the thread's state.
        # The view must then show what the server kept, which the first assert checked.
        return
    assert said == ["hello", "what's the weather in sf"] and len(runs) == 2  # the turn is gone, here and there
    history = await client.threads.get_history(thread_id, limit=100)
    assert not [s for s in history if (s.metadata or {}).get("run_id") == doomed]  # its checkpoints too
    assert doomed not in kept  # nor is its partial answer kept to show when the thread reopens


async def test_a_thread_busy_elsewhere_answers_409_and_can_queue(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "hello")
        await run_finished(pilot)
        thread_id = screen.conversation.thread_id or ""
        other = await client.runs.create(
            thread_id, "agent", input={"messages": [{"role": "user", "content": "slow"}]}, context=SLOW
        )  # another client starts a run
        await send(pilot, "and now this")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the busy question")
        await pilot.press("q")
        await wait_until(
            pilot,
            lambda: (
                screen.conversation.run
                and screen.conversation.run.outcome == "success"
                and "and now this" in [m.text for m in screen.conversation.messages]
            ),
            timeout=60,
            what="the queued run",
        )
        await run_finished(pilot, timeout=60)
    assert (await client.runs.get(thread_id, other.run_id)).status == "success"
    runs = await client.runs.list(thread_id)
    assert runs[0].multitask_strategy == "enqueue"  # newest first: ours was queued


async def test_cancelling_the_busy_question_keeps_the_text(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.service.context = SLOW  # type: ignore[union-attr]
        await send(pilot, "slow please")
        await wait_until(pilot, lambda: screen.service and screen.service.live, what="the run")
        await send(pilot, "keep me")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the busy question")
        await pilot.press("c")
        await wait_until(pilot, lambda: screen.composer.text == "keep me", what="the text back")
        await pilot.press("escape")  # and cancel the slow run
        await run_finished(pilot, timeout=30)
