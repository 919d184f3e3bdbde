"""More of going back in the app, against the real demo server: a long thread (its timeline pages newest
first; `e` on its first message, `r` on an old answer), three versions of a message (`‹ n/3 ›`, `[` and
`]`), re-running from the state view, a refused edit (the pane shows what the next message continues
from), the run history's pages, and a graph without `messages` driven by JSON input."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList, Static, Tree

from chat_tui.client import LangGraphClient
from chat_tui.ui.screens import runs as runs_screen
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.screens.dialogs import ChoiceScreen
from chat_tui.ui.screens.state_view import StateViewScreen
from chat_tui.ui.screens.timeline import FIRST_PAGE, TimelineScreen
from chat_tui.ui.widgets.entries import AssistantMessage, UserMessage
from tests.support.pilot import connected, make_app, run_finished, send, type_burst, wait_until
from tests.ui.test_time_travel import humans, modal, parent_of_newest_input, widget_for

pytestmark = pytest.mark.server
SIZE = (120, 40)
SLOW = {"delay_ms": 12}  # the `slow` script at 5x: seconds, long enough to be busy


async def echo_turn(client: LangGraphClient, thread_id: str, text: str) -> None:
    body = {"input": {"messages": [{"role": "user", "content": text}]}}
    async with client.runs.stream(thread_id, "echo", stream_mode=["updates"], **body) as stream:
        async for _ in stream:
            pass


async def long_echo_thread(client: LangGraphClient, updates: int = 100) -> str:
    """A real first turn, *updates* checkpoints written with update_state (fast), a real last turn:
    ``updates + 6`` checkpoints."""
    thread = await client.threads.create(metadata={"graph_id": "echo"})
    tid = thread.thread_id
    await echo_turn(client, tid, "hello there")
    for n in range(updates):
        message = {"type": "ai" if n % 2 else "human", "content": f"message {n}", "id": f"m{n}"}
        await client.threads.update_state(tid, {"messages": [message]}, as_node="echo")
    await echo_turn(client, tid, "the last question")
    return tid


def steps(timeline: TimelineScreen) -> list[int | None]:
    return [timeline.timeline.by_id[c].step for c in timeline.rows]


def shown_ids(screen: ChatScreen) -> list[str | None]:
    return [m.id for m in screen.conversation.messages]


async def continues_from(client: LangGraphClient, screen: ChatScreen) -> list[str | None]:
    """The message ids the next message would continue: at the branch head shown, else the newest."""
    thread_id = screen.conversation.thread_id or ""
    head = screen.conversation.branch_head
    state = await (client.threads.get_state_at(thread_id, head) if head else client.threads.get_state(thread_id))
    return [m.get("id") for m in state.messages]


async def test_a_refused_edit_leaves_the_pane_showing_what_the_next_message_continues_from(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "hello there")
        await run_finished(pilot)
        thread_id = screen.conversation.thread_id or ""
        first_input = (await client.threads.get_history(thread_id, limit=100))[-1].checkpoint_id
        other = await client.runs.create(
            thread_id, "agent", input={"messages": [{"role": "user", "content": "slow"}]}, context=SLOW
        )  # another client makes the thread busy: the edit's run is answered 409
        widget_for(screen, UserMessage, "hello there").focus()
        await pilot.press("e")
        screen.composer.replace_text("")
        await type_burst(pilot, "hello again")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the busy question")
        await pilot.press("c")  # not sent
        await wait_until(pilot, lambda: screen.composer.text == "hello again", what="the text back")
        await client.runs.cancel(thread_id, other.run_id, wait=True)
        await wait_until(pilot, lambda: not screen.service or not screen.service.live, what="nothing live")
        assert shown_ids(screen) == await continues_from(client, screen)
        # and it does continue from there: Enter sends the text back in the composer
        await pilot.press("enter")
        await run_finished(pilot)
        _, parent = await parent_of_newest_input(client, thread_id)
        assert parent == first_input
        assert humans(screen) == ["hello again"]
        # a refused regenerate alike: the pane shows the step before the answer, and it is the branch head
        other = await client.runs.create(
            thread_id, "agent", input={"messages": [{"role": "user", "content": "slow"}]}, context=SLOW
        )
        widget_for(screen, AssistantMessage, last=True).focus()
        await pilot.press("r")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the busy question")
        await pilot.press("c")
        await client.runs.cancel(thread_id, other.run_id, wait=True)
        await wait_until(pilot, lambda: app.screen is screen and not screen.service.live, what="back, nothing live")
        assert humans(screen) == ["hello again"] and shown_ids(screen) == await continues_from(client, screen)


async def test_a_long_thread_timeline_pages_newest_first_and_e_and_r_reach_far_back(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    tid = await long_echo_thread(client)
    history = await client.threads.get_history(tid, limit=1000)
    assert len(history) >= 100
    app = make_app(server_url, user_dirs["data"], thread=tid, assistant="echo")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: humans(screen)[-1:] == ["the last question"], what="the thread")
        # F5: one small page, the newest checkpoint first; the rest page in as the cursor goes to the end
        await pilot.press("f5")
        timeline = await modal(pilot, TimelineScreen)
        rows = timeline.query_one(OptionList)
        await wait_until(pilot, lambda: rows.option_count == FIRST_PAGE, what="the first page")
        assert timeline.rows[0] == history[0].checkpoint_id and not timeline.timeline.complete
        assert steps(timeline) == sorted(steps(timeline), reverse=True)
        counts = [rows.option_count]
        while not timeline.timeline.complete:
            await pilot.press("end")
            await wait_until(pilot, lambda: rows.option_count > counts[-1], what="the next page")
            counts.append(rows.option_count)
        assert len(counts) >= 4 and timeline.rows == [s.checkpoint_id for s in history]
        assert steps(timeline) == sorted(steps(timeline), reverse=True)
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="back to the chat")
        # `r` on an old answer (the first of many): a run from the step before it, with no input
        widget_for(screen, UserMessage, last=True).focus()
        await pilot.press("home")  # the first message of the thread
        first_answer = widget_for(screen, AssistantMessage)
        assert first_answer.message.id != screen.conversation.messages[-1].id
        first_answer.focus()
        await pilot.press("r")
        await wait_until(pilot, lambda: humans(screen) == ["hello there"], what="the first turn alone")
        await run_finished(pilot)
        await wait_until(
            pilot, lambda: widget_for(screen, AssistantMessage).message.branch == (2, 2), what="answer 2/2"
        )
        state = await client.threads.get_state(tid)
        assert [m["type"] for m in state.messages] == ["human", "ai"]
        assert state.messages[1]["id"] not in {m.get("id") for m in history[0].messages}  # a new answer
        # `e` on the first message (back on the long version first: `[` on the answer)
        widget_for(screen, AssistantMessage).focus()
        await pilot.press("left_square_bracket")
        await wait_until(pilot, lambda: humans(screen)[-1:] == ["the last question"], what="the long version")
        widget_for(screen, UserMessage, last=True).focus()
        await pilot.press("home")
        widget_for(screen, UserMessage, "hello there").focus()
        await pilot.press("e")
        assert screen.composer.text == "hello there" and screen.composer_mode == "edit"
        screen.composer.replace_text("")
        await type_burst(pilot, "hello again")
        await wait_until(pilot, lambda: humans(screen) == ["hello again"], what="the edited first turn")
        await run_finished(pilot)
        _, parent = await parent_of_newest_input(client, tid)
        assert parent == history[-1].checkpoint_id  # the thread's first checkpoint: turn 1's input
        await wait_until(pilot, lambda: widget_for(screen, UserMessage).message.branch == (2, 2), what="2/2")


async def test_three_versions_brackets_and_rerun_from_the_state_view(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "hello there")
        await run_finished(pilot)
        thread_id = screen.conversation.thread_id or ""
        for version in (2, 3):  # two regenerates: three versions of the answer
            widget_for(screen, AssistantMessage, last=True).focus()
            await pilot.press("r")
            await wait_until(
                pilot,
                lambda v=version: [w.message.branch for w in screen.view.query(AssistantMessage)] == [(v, v)],
                what=f"answer {version}/{version}",
            )
            await run_finished(pilot)
        answer = widget_for(screen, AssistantMessage)
        assert "‹ 3/3 ›" in str(answer._label.render())
        ids = [answer.message.id]
        answer.focus()
        for key, version in (("left_square_bracket", 2), ("left_square_bracket", 1), ("right_square_bracket", 2)):
            await pilot.press(key)
            await wait_until(pilot, lambda v=version: widget_for(screen, AssistantMessage).message.branch == (v, 3))
            ids.append(widget_for(screen, AssistantMessage).message.id)
            assert f"‹ {version}/3 ›" in str(widget_for(screen, AssistantMessage)._label.render())
            widget_for(screen, AssistantMessage).focus()
        assert len(set(ids[:3])) == 3 and ids[3] == ids[1]  # `]` came back to version 2
        # F5, Enter on the checkpoint the answer was written at: its state, what changed; `r` re-runs from it
        history = await client.threads.get_history(thread_id, limit=100)
        head = screen.conversation.branch_head
        written = next(s for s in history if s.checkpoint_id == head)
        await pilot.press("f5")
        timeline = await modal(pilot, TimelineScreen)
        await wait_until(pilot, lambda: len(timeline.rows) == len(history), what="every checkpoint")
        timeline.query_one(OptionList).highlighted = timeline.rows.index(written.checkpoint_id)
        await pilot.press("enter")
        state_view = await modal(pilot, StateViewScreen)
        changed = str(state_view.query_one("#state-changes", Static).render())
        assert changed == "changed: 1 message added"
        runs_before = len(await client.runs.list(thread_id, limit=100))
        await pilot.press("r")
        await wait_until(pilot, lambda: app.screen is screen, what="back to the chat")
        await run_finished(pilot)
        runs = await client.runs.list(thread_id, limit=100)
        assert len(runs) == runs_before + 1 and runs[0].created_with.get("input") is None
        assert runs[0].fork_checkpoint == written.checkpoint_id  # a run with no input from that checkpoint


async def test_the_runs_screen_pages_and_shows_config_and_strategy(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runs_screen, "PAGE", 5)  # (12 runs make three pages)
    monkeypatch.setattr(runs_screen, "NEAR_END", 2)
    thread = await client.threads.create(metadata={"graph_id": "echo"})
    tid = thread.thread_id
    for n in range(11):
        await echo_turn(client, tid, f"turn {n}")
    body = {"input": {"messages": [{"role": "user", "content": "configured"}]}}
    config = {"recursion_limit": 42, "configurable": {"note": "from the test"}}
    async with client.runs.stream(
        tid, "echo", stream_mode=["updates"], config=config, multitask_strategy="enqueue", **body
    ) as stream:
        async for _ in stream:
            pass
    app = make_app(server_url, user_dirs["data"], thread=tid, assistant="echo")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: humans(screen)[-1:] == ["configured"], what="the thread")
        await pilot.press("f8")
        runs = await modal(pilot, runs_screen.RunsScreen)
        options = runs.query_one(OptionList)
        await wait_until(pilot, lambda: options.option_count == 5, what="the first page")
        newest = str(options.get_option_at_index(0).prompt)
        assert "enqueue" in newest and '"recursion_limit": 42' in newest and "from the test" in newest
        assert "configured" in newest and "success" in newest
        counts = [options.option_count]
        while not runs.complete:
            await pilot.press("end")
            await wait_until(pilot, lambda: options.option_count > counts[-1], what="the next page")
            counts.append(options.option_count)
        assert counts == [5, 10, 12]
        assert list(runs.runs) == [r.run_id for r in await client.runs.list(tid, limit=100)]  # newest first


async def test_a_graph_without_messages_runs_from_json_input_and_its_state_shows(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"], assistant="structured")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        assert app.focused is screen.composer
        await pilot.press("f7")  # in the composer (a TextArea's F7 is "select all")
        assert screen.composer_mode == "json"
        screen.composer.replace_text('{"text": "time travel in a terminal"}')
        await pilot.press("enter")
        await run_finished(pilot)
        thread_id = screen.conversation.thread_id or ""
        state = await client.threads.get_state(thread_id)
        summary = "5 words; the longest is 'terminal'"
        assert state.values["summary"] == summary
        await pilot.press("f5")
        timeline = await modal(pilot, TimelineScreen)
        await wait_until(pilot, lambda: timeline.rows, what="the rows")
        assert timeline.rows[0] == state.checkpoint_id
        await pilot.press("enter")  # the newest checkpoint's state: the values the graph produced
        state_view = await modal(pilot, StateViewScreen)
        tree = state_view.query_one(Tree)
        labels = [str(node.label) for node in tree.root.children]
        assert labels == ["text=time travel in a terminal", "words=5", "longest=terminal", f"summary={summary}"]
        assert str(state_view.query_one("#state-changes", Static).render()) == "changed: +summary"
