"""The app against the real demo server, driven with Pilot like a user would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.widgets import Markdown, Static

from chat_tui.client import LangGraphClient
from chat_tui.conversation import MessageStatus, RunOutcome, ToolStatus
from chat_tui.ui.widgets.entries import AssistantMessage, ErrorBlock, InterruptBlock, UserMessage
from chat_tui.ui.widgets.tool_panel import ToolPanel
from tests.support.pilot import connected, make_app, run_finished, send, wait_until
from tests.support.runs import run_turn

pytestmark = pytest.mark.server
SIZE = (120, 40)


def assistant_widgets(app: Any) -> list[AssistantMessage]:
    """The answers the pane shows for the screen's current thread (none while it switches)."""
    view = app.chat.view
    if view.conversation is not app.chat.conversation:
        return []
    entries = {id(e) for e in view.conversation.entries}
    return [w for w in view.query(AssistantMessage) if id(w.message) in entries]


async def test_send_and_see_the_streamed_markdown_answer(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        assert screen.focused is screen.composer  # ready to type
        hint = screen.view.query_one(".empty-hint", Static)
        assert hint.display and "Type a message and press Enter" in str(hint.render())
        await send(pilot, "hello, show me markdown")
        run = await run_finished(pilot)
        assert not hint.display  # the conversation has begun
        assert run.outcome is RunOutcome.SUCCESS and run.time_to_first_token is not None
        (user,) = screen.view.query(UserMessage)
        assert user.message.text == "hello, show me markdown"
        (answer,) = assistant_widgets(app)
        markdown = answer.query_one(Markdown)
        assert markdown.source == answer.message.text and "```" in markdown.source
        assert answer.message.status is MessageStatus.COMPLETE
        assert screen.composer.text == ""
        assert screen.conversation.thread_id in {t.thread_id for t in screen.threads.threads}
        assert "success" not in str(screen.status.render())  # idle wording, with figures
        assert "TTFT" in str(screen.status.render())


async def test_typing_fast_then_enter_sends_everything(server_url: str, user_dirs: dict[str, Path]) -> None:
    """A terminal delivers `hi?` + Enter in one read: Enter must not overtake the characters."""
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        driver = app._driver
        assert driver is not None
        for key, char in [
            ("h", "h"),
            ("i", "i"),
            ("question_mark", "?"),
            ("ctrl+j", "\n"),
            ("x", "x"),
            ("enter", "\r"),
        ]:
            event = events.Key(key, char)
            event.set_sender(app)
            driver.send_message(event)
        await run_finished(pilot)
        (user,) = screen.view.query(UserMessage)
        assert user.message.text == "hi?\nx"


async def test_tool_panels_fill_get_results_and_collapse(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        # slow enough that both panels stream for a while: a poll on a loaded machine catches it
        screen.service.context = {"delay_ms": 80}  # type: ignore[union-attr]
        await send(pilot, "compare the weather in paris and tokyo")
        live: list[list[str]] = []

        def both_streaming() -> bool:
            panels = list(screen.view.query(ToolPanel))
            calls = [p.call for p in panels]
            if len(panels) == 2 and all(c.status is ToolStatus.STREAMING and c.args_parts for c in calls):
                live.append([str(p.query_one(".tool-args").render()) for p in panels])
                return True
            return False

        await wait_until(pilot, both_streaming, what="two panels filling at once")
        first, second = live[-1]
        assert "Tokyo" not in first and "Paris" not in second  # each panel fills with its own call's arguments
        await run_finished(pilot)
        panels = list(screen.view.query(ToolPanel))
        assert [p.call.args for p in panels] == [{"city": "Paris"}, {"city": "Tokyo"}]
        assert all(p.call.status is ToolStatus.DONE and not p.expanded for p in panels)
        header = str(panels[0].header_content())
        assert "get_weather" in header and 'city="Paris"' in header and "result" in header
        panels[1].focus()
        await pilot.press("enter")
        assert panels[1].expanded and panels[1].query(".tool-result")
        assert "Tokyo" in str(panels[1].query_one(".tool-result-text").render())


async def test_tool_error_and_model_error_leave_the_app_usable(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        await send(pilot, "this will fail")
        await run_finished(pilot)
        (panel,) = screen.view.query(ToolPanel)
        assert panel.call.status is ToolStatus.ERROR and panel.has_class("-error")
        await send(pilot, "now crash")
        run = await run_finished(pilot)
        assert run.outcome is RunOutcome.ERROR
        (error,) = screen.view.query(ErrorBlock)
        assert "ValueError" in error.copy_text()
        await send(pilot, "hello again")
        run = await run_finished(pilot)
        assert run.outcome is RunOutcome.SUCCESS


async def test_escape_cancels_the_run_on_the_server(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.service.context = {"delay_ms": 100}  # type: ignore[union-attr]
        await send(pilot, "slow please")
        await wait_until(pilot, lambda: any(w.message.text for w in assistant_widgets(app)), what="first tokens")
        await pilot.press("escape")
        run = await run_finished(pilot)
        assert run.outcome is RunOutcome.CANCELLED
        (answer,) = assistant_widgets(app)
        assert answer.message.status is MessageStatus.CANCELLED and answer.message.text
        assert "cancelled" in str(answer.query_one(".label").render())
        server_run = await client.runs.get(screen.conversation.thread_id or "", run.run_id)
        assert server_run.status == "interrupted"


async def test_switching_threads_while_streaming_keeps_the_run(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.service.context = {"delay_ms": 12}  # `slow` x5: ~60 ms a chunk, ~9 s in all  # type: ignore[union-attr]
        await send(pilot, "slow please")
        await wait_until(pilot, lambda: screen.service and screen.service.live, what="the run to start")
        streaming = screen.conversation
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.conversation is not streaming, what="a new thread")
        assert not list(screen.view.query(AssistantMessage))  # the old thread's widgets are gone
        await send(pilot, "hello in another thread")
        await wait_until(pilot, lambda: not screen.service.live, timeout=60, what="both runs")  # type: ignore[union-attr]
        screen.open_thread(streaming.thread_id or "")
        await wait_until(pilot, lambda: screen.conversation.thread_id == streaming.thread_id, what="switch back")
        await wait_until(pilot, lambda: assistant_widgets(app), what="history")
        (answer,) = assistant_widgets(app)
        assert answer.message.text.startswith("This is a deliberately slow answer")
        state = await client.threads.get_state(streaming.thread_id or "")
        assert len(state.messages) == 2


async def test_history_of_an_existing_thread_loads(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    _conversation, result = await run_turn(client, "what's the weather in sf")
    await run_turn(client, "please delete the report", thread_id=result.thread_id)
    app = make_app(server_url, user_dirs["data"], thread=result.thread_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.conversation.thread_id == result.thread_id, what="the thread")
        await wait_until(pilot, lambda: list(screen.view.query(InterruptBlock)), what="widgets")
        await wait_until(pilot, lambda: len(screen.view.query(ToolPanel)) == 2, what="tool panels")
        assert [w.message.text for w in screen.view.query(UserMessage)] == [
            "what's the weather in sf",
            "please delete the report",
        ]
        panels = list(screen.view.query(ToolPanel))
        assert panels[0].call.status is ToolStatus.DONE and panels[0].call.result is not None
        assert panels[1].call.name == "delete_file" and panels[1].call.status is ToolStatus.WAITING
        await wait_until(  # not "idle": how the thread's last run ended, though this app did not see it
            pilot, lambda: "⏸ waiting for you" in str(screen.status.render()), what="status"
        )
        # answering the interrupt from the composer resumes the run
        await send(pilot, "yes")
        run = await run_finished(pilot)
        assert run.outcome is RunOutcome.SUCCESS
        assert "deleted" in assistant_widgets(app)[-1].message.text.lower()


async def test_failed_send_restores_the_draft(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    threads_before = await client.threads.count()
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        assert screen.service is not None
        screen.service.assistant_id = "no-such-graph"  # (gone since connecting): the server refuses the run
        await send(pilot, "my precious words")
        await wait_until(pilot, lambda: screen.composer.text == "my precious words", what="the draft back")
        assert not list(screen.view.query(UserMessage))
        assert any("422" in str(n.message) for n in app._notifications)
    assert await client.threads.count() == threads_before  # no empty thread left behind


async def test_drafts_survive_switching_threads_and_restarts(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    _conversation, result = await run_turn(client, "hello")
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await pilot.press(*"unsent new-thread idea")
        screen.open_thread(result.thread_id or "")
        await wait_until(pilot, lambda: screen.conversation.thread_id == result.thread_id, what="open")
        assert screen.composer.text == ""
        await pilot.press(*"reply draft")
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: screen.conversation.thread_id is None, what="new thread")
        assert screen.composer.text == "unsent new-thread idea"
    again = make_app(server_url, user_dirs["data"], thread=result.thread_id)
    async with again.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.composer.text == "reply draft", what="the draft after a restart")


async def test_thinking_is_open_while_the_model_thinks_and_folds_once_it_answers(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    from chat_tui.ui.widgets.thinking import ThinkingBlock

    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.service.context = {"delay_ms": 25}  # type: ignore[union-attr]
        await send(pilot, "think about it")
        block = await wait_until(pilot, lambda: next(iter(screen.view.query(ThinkingBlock)), None), what="thinking")
        await wait_until(pilot, lambda: block.expanded and block.display, what="the thinking, open while it streams")
        await run_finished(pilot)
        assert not block.expanded and "characters" in str(block.render())  # folded to its header
        message = screen.view.query(AssistantMessage).last()
        message.focus()
        await pilot.press("enter")
        assert block.expanded and message.message.thinking[:20] in str(block.render())
