"""Answering the approval middleware from the app, with the keys a user presses, against the real
demo server's `approvals`, `approvals_per_call` and `parallel` graphs (LangChain's
HumanInTheLoopMiddleware on scripted models)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from chat_tui.client import LangGraphClient
from chat_tui.conversation import RunOutcome
from chat_tui.conversation.interrupts import InterruptKind
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.screens.dialogs import ConfirmScreen, TextPromptScreen
from chat_tui.ui.screens.edit_args import EditArgsScreen
from chat_tui.ui.widgets.interrupt_block import InterruptBlock
from chat_tui.ui.widgets.tool_panel import ToolPanel
from tests.support.pilot import connected, make_app, run_finished, send, wait_until

pytestmark = pytest.mark.server
SIZE = (120, 40)


async def waiting_for_decisions(pilot: Pilot[Any], screen: ChatScreen, calls: int) -> None:
    """The run paused; each gated call's panel shows its decision line."""
    await run_finished(pilot)
    await wait_until(
        pilot,
        lambda: sum(1 for p in screen.view.query(ToolPanel) if p.call.gate is not None) == calls,
        what=f"{calls} gated call(s)",
    )


def focused_call(screen: ChatScreen) -> str | None:
    focused = screen.focused
    return focused.call.name if isinstance(focused, ToolPanel) else None


async def modal(pilot: Pilot[Any], kind: type) -> Any:
    return await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen, what=kind.__name__)


async def tool_messages(client: LangGraphClient, thread_id: str) -> list[dict[str, Any]]:
    return [m for m in (await client.threads.get_state(thread_id)).messages if m["type"] == "tool"]


async def test_two_gated_calls_are_decided_on_their_panels_and_sent_as_one_answer_in_order(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"], assistant="approvals")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "email alice and delete the report")
        await waiting_for_decisions(pilot, screen, 2)
        (block,) = screen.view.query(InterruptBlock)
        assert block.entry.kind is InterruptKind.HITL
        said = str(block.query(Static)[1].render())
        assert "send_email" in said and "delete_file" in said and "(approve · reject)" in said
        assert "action_requests" not in said  # the calls, not the payload

        await pilot.press("tab")  # from the composer: the first call waiting
        await wait_until(pilot, lambda: focused_call(screen) == "send_email", what="send_email focused")
        await pilot.press("a")
        await wait_until(pilot, lambda: focused_call(screen) == "delete_file", what="the next call")
        assert not app.screen.is_modal  # one of two decided: nothing is asked or sent yet
        await pilot.press("e")  # delete_file allows approve and reject only: said, and nothing typed
        assert not isinstance(app.screen, EditArgsScreen)
        assert focused_call(screen) == "delete_file" and screen.composer.text == ""
        await pilot.press("r")
        prompt = await modal(pilot, TextPromptScreen)
        prompt.query_one(Input).value = "keep the report"
        await pilot.press("enter")
        confirm = await modal(pilot, ConfirmScreen)
        question = str(confirm.query_one(Static).render())
        assert "send_email: approve" in question and "delete_file: reject — keep the report" in question
        await pilot.press("y")
        await wait_until(pilot, lambda: not screen.conversation.pending_interrupts, what="the answer")
        run = await run_finished(pilot)
        assert run.outcome is RunOutcome.SUCCESS

        thread_id = screen.conversation.thread_id or ""
        tools = {m["name"]: m for m in await tool_messages(client, thread_id)}
        assert tools["send_email"]["status"] == "success"
        assert tools["delete_file"]["status"] == "error" and "keep the report" in tools["delete_file"]["content"]
        assert "answered" in str(block.query(Static)[0].render())
        assert "✓ reject — keep the report" in str(block.query(Static)[1].render())
        assert (await client.threads.get(thread_id)).status == "idle"


async def test_edit_is_checked_before_it_is_accepted_and_respond_answers_for_the_tool(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"], assistant="approvals")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "email bob")
        await waiting_for_decisions(pilot, screen, 1)
        await pilot.press("tab")
        await wait_until(pilot, lambda: focused_call(screen) == "send_email", what="send_email focused")
        await pilot.press("e")
        editor = await modal(pilot, EditArgsScreen)
        area = editor.query_one(TextArea)
        area.text = '{"to": "carol@example.com", "subject": "Edited"'  # not JSON yet
        await pilot.press("ctrl+s")
        error = editor.query_one("#edit-args-error", Static)
        await wait_until(pilot, lambda: "not valid JSON" in str(error.render()), what="the JSON error")
        assert app.screen is editor  # kept open, with what was typed
        area.text = '["carol@example.com"]'
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "JSON object" in str(error.render()), what="the object error")
        area.text = '{"to": "carol@example.com", "subject": "Edited", "body": "Hi Carol."}'
        await pilot.press("ctrl+s")
        await modal(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: not screen.conversation.pending_interrupts, what="the answer")
        assert (await run_finished(pilot)).outcome is RunOutcome.SUCCESS
        (sent,) = await tool_messages(client, screen.conversation.thread_id or "")
        assert "carol@example.com" in sent["content"]

        await send(pilot, "email bob")  # again, and this time answer for the tool
        await waiting_for_decisions(pilot, screen, 1)
        await pilot.press("tab")
        await wait_until(pilot, lambda: focused_call(screen) == "send_email", what="the new call focused")
        await pilot.press("t")
        prompt = await modal(pilot, TextPromptScreen)
        prompt.query_one(Input).value = "bob is away this week"
        await pilot.press("enter")
        await modal(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: not screen.conversation.pending_interrupts, what="the answer")
        assert (await run_finished(pilot)).outcome is RunOutcome.SUCCESS
        responded = (await tool_messages(client, screen.conversation.thread_id or ""))[-1]
        assert responded["content"] == "bob is away this week"


async def test_per_call_interrupts_are_answered_one_by_one_by_id(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"], assistant="approvals_per_call")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "email alice and delete the report")
        await waiting_for_decisions(pilot, screen, 2)
        pending = screen.conversation.pending_interrupts
        assert [e.kind for e in pending] == [InterruptKind.TOOL_APPROVAL] * 2
        first, second = pending
        await pilot.press("tab")
        await wait_until(pilot, lambda: focused_call(screen) == "send_email", what="send_email focused")
        await pilot.press("a")
        await modal(pilot, ConfirmScreen)  # its own interrupt: one decision is a whole answer
        await pilot.press("y")
        await wait_until(pilot, lambda: first.resolved, what="the first answered")
        await run_finished(pilot)
        thread_id = screen.conversation.thread_id or ""
        state = await client.threads.get_state(thread_id)
        assert [i.id for i in state.interrupts] == [second.interrupt_id]  # the other one still waits, by its id
        # the user was deciding: the focus moves on to the call that still waits
        await wait_until(pilot, lambda: focused_call(screen) == "delete_file", what="delete_file focused")
        await pilot.press("a")
        await modal(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: not screen.conversation.pending_interrupts, what="both answered")
        assert (await run_finished(pilot)).outcome is RunOutcome.SUCCESS
        assert (await client.threads.get(thread_id)).status == "idle"


async def test_a_new_message_while_approvals_wait_asks_first_and_keeps_the_text(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"], assistant="approvals")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "delete /tmp/x.log")
        await waiting_for_decisions(pilot, screen, 1)
        thread_id = screen.conversation.thread_id or ""
        runs_before = len(await client.runs.list(thread_id))
        await send(pilot, "never mind, what time is it")
        confirm = await modal(pilot, ConfirmScreen)
        assert "waits for your decision" in str(confirm.query_one(Static).render())
        await pilot.press("n")
        await wait_until(pilot, lambda: screen.composer.text == "never mind, what time is it", what="text kept")
        assert len(await client.runs.list(thread_id)) == runs_before  # nothing was sent
        assert screen.conversation.pending_interrupts


async def test_dismiss_ends_the_pending_request(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = make_app(server_url, user_dirs["data"], assistant="approvals")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "delete /tmp/x.log")
        await waiting_for_decisions(pilot, screen, 1)
        (block,) = screen.view.query(InterruptBlock)
        hint = str(block.query(Static)[-1].render())
        assert "on each call: a approve · r reject." in hint and "edit" not in hint  # only the keys that work
        thread_id = screen.conversation.thread_id or ""
        screen.action_dismiss_interrupt()
        confirm = await modal(pilot, ConfirmScreen)
        assert "Dismiss" in str(confirm.query_one(Static).render())
        await pilot.press("y")
        await wait_until(pilot, lambda: not screen.conversation.pending_interrupts, what="no request")
        thread = await client.threads.get(thread_id)
        assert thread.status == "idle" and not thread.interrupts
        assert not (await client.threads.get_state(thread_id)).interrupts


async def test_the_inbox_lists_waiting_threads_and_opens_one_at_its_question(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    from chat_tui.ui.screens.inbox import InboxScreen
    from tests.support.runs import run_turn

    _c, older = await run_turn(client, "email bob", assistant_id="approvals")
    _c, newer = await run_turn(client, "delete /tmp/x.log", assistant_id="approvals")
    _c, done = await run_turn(client, "hello there")  # answered in full: waits for nobody
    app = make_app(server_url, user_dirs["data"], assistant="approvals")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: "waiting · F6" in str(screen.status.render()), what="the waiting count")
        await pilot.press("f6")
        inbox = await modal(pilot, InboxScreen)
        ours = {older.thread_id, newer.thread_id}
        await wait_until(pilot, lambda: ours <= {r.thread.thread_id for r in inbox.rows}, what="the rows")
        found = [r.thread.thread_id for r in inbox.rows]
        assert found.index(newer.thread_id) < found.index(older.thread_id)  # newest first
        assert done.thread_id not in found
        row = next(r for r in inbox.rows if r.thread.thread_id == newer.thread_id)
        assert row.preview == "delete_file" and row.kind is InterruptKind.HITL
        inbox.query_one("#inbox-list").highlighted = found.index(newer.thread_id)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.conversation.thread_id == newer.thread_id, what="the thread")
        await wait_until(pilot, lambda: screen.conversation.pending_interrupts, what="its question")
        await wait_until(
            pilot, lambda: any(p.call.gate for p in screen.view.query(ToolPanel)), what="the gated call's panel"
        )
        await pilot.press("tab")
        await wait_until(pilot, lambda: focused_call(screen) == "delete_file", what="the call to decide")


async def test_an_agent_inbox_request_is_decided_on_its_interrupt_block(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    """No tool panel shows an agent-inbox action: the interrupt block takes the keys itself."""
    app = make_app(server_url, user_dirs["data"], assistant="legacy_inbox")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "anything")
        await run_finished(pilot)
        (block,) = await wait_until(pilot, lambda: list(screen.view.query(InterruptBlock)), what="the block")
        assert block.entry.kind is InterruptKind.LEGACY
        assert "post_tweet" in str(block.query(Static)[1].render())
        assert "Here, call by call" in str(block.query(Static)[-1].render())
        await pilot.press("tab")
        await wait_until(pilot, lambda: screen.focused is block, what="the block focused")
        await pilot.press("t")
        prompt = await modal(pilot, TextPromptScreen)
        prompt.query_one(Input).value = "not today"
        await pilot.press("enter")
        await modal(pilot, ConfirmScreen)
        await pilot.press("y")
        await wait_until(pilot, lambda: not screen.conversation.pending_interrupts, what="the answer")
        assert (await run_finished(pilot)).outcome is RunOutcome.SUCCESS
        state = await client.threads.get_state(screen.conversation.thread_id or "")
        assert state.messages[-1]["content"] == "Not posted. You said: “not today”"
        assert "✓ respond — not today" in str(block.query(Static)[1].render())


async def test_a_question_with_a_response_schema_is_answered_with_a_form(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    from textual.widgets import Select, Switch

    from chat_tui.ui.screens.answer_form import AnswerFormScreen

    app = make_app(server_url, user_dirs["data"], assistant="booking")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "book a room")
        await run_finished(pilot)
        (block,) = await wait_until(pilot, lambda: list(screen.view.query(InterruptBlock)), what="the question")
        assert block.entry.kind is InterruptKind.VALUE and block.has_form
        assert "Tab, then f" in str(block.query(Static)[-1].render())
        await pilot.press("tab")
        await wait_until(pilot, lambda: screen.focused is block, what="the question focused")
        await pilot.press("f")
        form = await modal(pilot, AnswerFormScreen)
        assert [f.name for f in form.fields] == ["room", "hours", "projector", "note"]
        await pilot.press("ctrl+s")  # no room chosen: the schema requires one
        error = form.query_one("#answer-error", Static)
        await wait_until(pilot, lambda: "'room' is required" in str(error.render()), what="the problem")
        assert app.screen is form
        form.query_one("#field-0", Select).value = "Borealis"
        form.query_one("#field-1", Input).value = "2"
        form.query_one("#field-2", Switch).value = True
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: not screen.conversation.pending_interrupts, what="the answer")
        assert (await run_finished(pilot)).outcome is RunOutcome.SUCCESS
        state = await client.threads.get_state(screen.conversation.thread_id or "")
        assert state.messages[-1]["content"] == "Booked **Borealis** for 2 h with a projector."
        assert '"room": "Borealis"' in str(block.query(Static)[-1].render())  # what was answered stays
