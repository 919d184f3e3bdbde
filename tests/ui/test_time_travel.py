"""Going back in a thread from the app, with the keys a user presses, against the real demo server:
`e` edits a human message (a branch from its turn's input checkpoint), `r` regenerates an AI message,
`[`/`]` switch versions and the next message continues the version shown, F5 the timeline (state view,
fork), F8 the runs (re-run), F7 the JSON input mode. What the server stored is checked through its API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Tree

from chat_tui.client import LangGraphClient
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.screens.runs import RunsScreen
from chat_tui.ui.screens.state_view import StateViewScreen
from chat_tui.ui.screens.timeline import TimelineScreen
from chat_tui.ui.widgets.entries import AssistantMessage, UserMessage
from tests.support.pilot import connected, make_app, run_finished, send, type_burst, wait_until

pytestmark = pytest.mark.server
SIZE = (120, 40)
TURNS = ["hello there", "what's the weather in sf", "make a plan"]


async def three_turns(pilot: Pilot[Any]) -> ChatScreen:
    screen = await connected(pilot)
    for text in TURNS:
        await send(pilot, text)
        await run_finished(pilot)
    return screen


def humans(screen: ChatScreen) -> list[str]:
    return [m.text for m in screen.conversation.messages if m.role == "human"]


def widget_for(screen: ChatScreen, kind: type, text: str | None = None, last: bool = False) -> Any:
    widgets = [w for w in screen.view.query(kind) if text is None or w.message.text == text]
    return widgets[-1] if last else widgets[0]


async def modal(pilot: Pilot[Any], kind: type) -> Any:
    return await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen, what=kind.__name__)


async def parent_of_newest_input(client: LangGraphClient, thread_id: str) -> tuple[str | None, str | None]:
    """(the newest input checkpoint, its parent)."""
    history = await client.threads.get_history(thread_id, limit=100)
    newest_input = next(s for s in history if (s.metadata or {}).get("source") == "input")
    return newest_input.checkpoint_id, newest_input.parent_checkpoint_id


async def test_edit_the_first_of_three_turns_then_switch_back_and_continue_the_older_branch(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await three_turns(pilot)
        thread_id = screen.conversation.thread_id
        assert thread_id is not None
        history = await client.threads.get_history(thread_id, limit=100)
        first_input = history[-1].checkpoint_id  # the thread's first checkpoint: turn 1's input
        old_head = history[0].checkpoint_id
        screen.composer.replace_text("my draft")
        widget_for(screen, UserMessage, TURNS[0]).focus()
        await pilot.press("e")
        assert screen.composer.text == TURNS[0] and screen.composer_mode == "edit"
        assert "editing a message" in str(screen.composer.border_title)
        await pilot.press("escape")  # gives up: the draft is back
        assert screen.composer.text == "my draft" and screen.composer_mode == "message"
        widget_for(screen, UserMessage, TURNS[0]).focus()
        await pilot.press("e")
        screen.composer.replace_text("")
        await type_burst(pilot, "what's the weather in sf")
        await wait_until(pilot, lambda: humans(screen) == ["what's the weather in sf"], what="the edited turn alone")
        await run_finished(pilot)
        await wait_until(pilot, lambda: screen.composer.text == "my draft", what="the draft back")
        # the new turn is a branch from the first turn's input checkpoint
        _, parent = await parent_of_newest_input(client, thread_id)
        assert parent == first_input
        edited = await wait_until(pilot, lambda: widget_for(screen, UserMessage).message.branch, what="a mark")
        assert edited == (2, 2)
        assert "‹ 2/2 ›" in str(widget_for(screen, UserMessage)._label.render())
        # `[`: the first version, all three turns again
        widget_for(screen, UserMessage).focus()
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: humans(screen) == TURNS, what="the first version")
        assert screen.conversation.branch_head == old_head
        # a message now continues the version shown: its run starts from that branch's head
        screen.composer.replace_text("")
        await send(pilot, "thanks")
        await run_finished(pilot)
        newest_input, parent = await parent_of_newest_input(client, thread_id)
        assert parent == old_head and newest_input is not None
        assert humans(screen) == [*TURNS, "thanks"] and screen.conversation.branch_head is None
        state = await client.threads.get_state(thread_id)
        assert [m["content"] for m in state.messages if m["type"] == "human"] == [*TURNS, "thanks"]


async def test_regenerate_an_answer_and_the_json_input_mode(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "hello there")
        await run_finished(pilot)
        thread_id = screen.conversation.thread_id
        assert thread_id is not None
        answer = widget_for(screen, AssistantMessage, last=True)
        answer.focus()
        await pilot.press("r")
        # the regenerated answer is the second of two siblings; the run can be over before a poll sees it live
        await wait_until(
            pilot,
            lambda: [w.message.branch for w in screen.view.query(AssistantMessage)] == [(2, 2)],
            what="the regenerated answer as branch 2/2",
        )
        await run_finished(pilot)
        state = await client.threads.get_state(thread_id)
        assert [m["type"] for m in state.messages] == ["human", "ai"]  # the answer again, not a second one
        history = await client.threads.get_history(thread_id, limit=100)
        assert any((s.metadata or {}).get("source") == "fork" for s in history)
        # F7: the composer sends a JSON object as the run's input; bad JSON is one line and kept
        await pilot.press("f7")
        assert screen.composer_mode == "json"
        await type_burst(pilot, "{not json")
        assert screen.composer.text == "{not json"
        screen.composer.replace_text('{"messages": [{"role": "user", "content": "what is the weather in sf"}]}')
        await pilot.press("enter")
        await run_finished(pilot)
        assert screen.composer.text == ""
        runs = await client.runs.list(thread_id, limit=1)
        assert runs[0].created_with["input"] == {"messages": [{"role": "user", "content": "what is the weather in sf"}]}


async def test_the_timeline_shows_the_state_and_forks_and_the_runs_rerun(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        for text in TURNS[:2]:
            await send(pilot, text)
            await run_finished(pilot)
        thread_id = screen.conversation.thread_id
        assert thread_id is not None
        history = await client.threads.get_history(thread_id, limit=100)
        await pilot.press("f5")
        timeline = await modal(pilot, TimelineScreen)
        rows = timeline.query_one(OptionList)
        await wait_until(pilot, lambda: rows.option_count == len(history), what="every checkpoint")
        # newest first; Enter on the turn-2 input checkpoint shows its state and what it changed
        turn_two = next(s for s in history if (s.metadata or {}).get("source") == "input" and s.messages)
        rows.highlighted = next(n for n, s in enumerate(history) if s.checkpoint_id == turn_two.checkpoint_id)
        await pilot.press("enter")
        state = await modal(pilot, StateViewScreen)
        tree = state.query_one(Tree)
        assert [str(node.label).split("  (")[0] for node in tree.root.children] == ["[] messages"]
        await pilot.press("f")  # fork: the next message runs from here
        await wait_until(pilot, lambda: pilot.app.screen is screen, what="back to the chat")
        await wait_until(pilot, lambda: screen.conversation.branch_head == turn_two.checkpoint_id)
        assert humans(screen) == TURNS[:1]
        await send(pilot, "make a plan")
        await run_finished(pilot)
        _, parent = await parent_of_newest_input(client, thread_id)
        assert parent == turn_two.checkpoint_id
        # F8: the runs; Enter re-runs the newest from its input checkpoint
        await pilot.press("f8")
        runs = await modal(pilot, RunsScreen)
        await wait_until(pilot, lambda: runs.query_one(OptionList).option_count == 3, what="three runs")
        await pilot.press("enter")
        await wait_until(pilot, lambda: pilot.app.screen is screen, what="back to the chat")
        await run_finished(pilot)
        listed = await client.runs.list(thread_id, limit=10)
        assert len(listed) == 4 and listed[0].created_with.get("input") is None  # a re-run sends no input
        assert humans(screen) == [TURNS[0], "make a plan"]
