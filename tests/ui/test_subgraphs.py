"""Subgraphs in the app, against the real demo server, with subgraph streaming on: a subgraph's work
nested under its header and labelled with its node path, folded and unfolded; an interrupt raised
inside a subgraph shown once and answered once; the state view showing the waiting subgraph's own
state; and a reopened thread showing the same nesting."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Tree

from chat_tui.client import LangGraphClient
from chat_tui.demo.nested import PUBLISHED, QUESTION
from chat_tui.settings.manager import SettingsManager
from chat_tui.ui.app import ChatApp
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.screens.state_view import StateViewScreen
from chat_tui.ui.screens.timeline import TimelineScreen
from chat_tui.ui.widgets.entries import AssistantMessage
from chat_tui.ui.widgets.interrupt_block import InterruptBlock
from chat_tui.ui.widgets.subgraph_block import SubgraphHeader
from tests.support.pilot import connected, make_app, run_finished, send, wait_until
from tests.support.screen_text import region_text

pytestmark = pytest.mark.server
SIZE = (140, 90)  # tall: a whole turn's pane is on screen


def subgraph_app(server_url: str, user_dirs: dict[str, Path], assistant: str = "agent") -> ChatApp:
    settings = SettingsManager(user_dirs["config"])
    settings.set_option("stream_subgraphs", True)
    return make_app(server_url, user_dirs["data"], settings=settings, assistant=assistant)


def pane(app: ChatApp, screen: ChatScreen) -> list[str]:
    return [line.replace("\xa0", " ") for line in region_text(app, screen.view.region) if line.strip()]


def pane_text(app: ChatApp, screen: ChatScreen) -> str:
    return "\n".join(pane(app, screen))


async def settled(pilot: Pilot[ChatApp], screen: ChatScreen) -> list[str]:
    """The pane once it stops changing (three looks in a row the same)."""
    looks: list[list[str]] = []

    def steady() -> bool:
        looks.append(pane(pilot.app, screen))
        return not screen.view.busy and len(looks) >= 3 and looks[-1] == looks[-2] == looks[-3]

    await wait_until(pilot, steady, timeout=20, what="the pane to settle")
    return looks[-1]


async def test_the_research_subgraph_nests_under_its_header_labelled_and_folds(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    app = subgraph_app(server_url, user_dirs)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.sidebar_visible = False
        await send(pilot, "research quantum tea")
        await run_finished(pilot)
        await settled(pilot, screen)
        (header,) = screen.view.query(SubgraphHeader)
        nested = [w for w in screen.view.query(AssistantMessage) if w.message.namespace]
        assert len(nested) == 2 and all(w.has_class("-nested") and w.display for w in nested)
        text = pane_text(app, screen)
        assert "subgraph researcher  2 messages · 1 tool call" in text
        assert text.count("assistant · researcher › research_llm") == 2
        assert "Research findings" in text and "(folded" not in text
        # Enter on the header folds the subgraph's work to the one line
        header.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: not any(w.display for w in nested), what="the nested messages to hide")
        await settled(pilot, screen)
        text = pane_text(app, screen)
        assert "▸ subgraph researcher  2 messages · 1 tool call  (folded: Enter shows it)" in text
        assert "researcher › research_llm" not in text and "Research findings" not in text
        # ↓ skips what is folded away (unfolded, it goes to the first nested message)
        await pilot.press("down")
        await pilot.pause()
        assert screen.focused is header
        await pilot.press("enter")
        await wait_until(pilot, lambda: all(w.display for w in nested), what="the nested messages to show again")
        await settled(pilot, screen)
        text = pane_text(app, screen)
        assert "▾ subgraph researcher" in text and text.count("researcher › research_llm") == 2


async def test_an_interrupt_inside_a_subgraph_is_shown_once_answered_once_and_its_state_viewed(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    app = subgraph_app(server_url, user_dirs, assistant="nested_approval")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.sidebar_visible = False
        await send(pilot, "go")
        run = await run_finished(pilot)
        assert run.outcome == "interrupted"
        thread_id = screen.conversation.thread_id
        assert thread_id is not None
        await settled(pilot, screen)
        (block,) = screen.view.query(InterruptBlock)  # streamed twice (subgraph and root), shown once
        assert block.has_class("-nested") and len(screen.conversation.pending_interrupts) == 1
        text = pane_text(app, screen)
        assert text.count(QUESTION) == 1 and "⏸ waiting for your answer  · in researcher" in text
        assert "1 interrupt (waiting)" in text
        # The state view of the newest checkpoint: the waiting subgraph's own state, as a section
        await pilot.press("f5")
        timeline = await wait_until(pilot, lambda: isinstance(app.screen, TimelineScreen) and app.screen)
        await wait_until(pilot, lambda: timeline.rows, what="the checkpoints")
        await pilot.press("enter")  # the newest (highlighted first)
        state = await wait_until(pilot, lambda: isinstance(app.screen, StateViewScreen) and app.screen)
        tree = state.query_one(Tree)
        sections = [n for n in tree.root.children if str(n.label).startswith("⤷ subgraph")]
        assert [str(n.label) for n in sections] == [f"⤷ subgraph researcher  next: review  ⏸ waiting: {QUESTION}"]
        inner = [str(n.label) for n in sections[0].children]
        assert inner == ["[] messages  (4)"]  # its own messages: the input, the search, its result, the report
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, TimelineScreen), what="back to the timeline")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, what="back to the chat")
        # The answer: one resume, keyed by the interrupt's id; the run goes on to the parent's report
        interrupt_id = screen.conversation.pending_interrupts[0].interrupt_id
        await send(pilot, "yes")
        run = await run_finished(pilot)
        assert run.outcome == "success"
        await settled(pilot, screen)
        text = pane_text(app, screen)
        assert PUBLISHED in text and text.count(QUESTION) == 1 and len(screen.view.query(InterruptBlock)) == 1
        runs = await client.runs.list(thread_id)
        resumes = [r.resume[1] for r in runs if r.resume[0]]
        assert resumes == [{interrupt_id: "yes"}]  # the one resume, keyed by the interrupt's id
        assert len(runs) == 2
        live = await settled(pilot, screen)
    # A restart, subgraphs still streamed: the thread reopens with the same nesting and labels
    again = subgraph_app(server_url, user_dirs, assistant="nested_approval")
    async with again.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.sidebar_visible = False
        screen.open_thread(thread_id)
        await wait_until(pilot, lambda: screen.conversation.thread_id == thread_id, what="the thread to open")
        await wait_until(
            pilot,
            lambda: "researcher › research_llm" in pane_text(again, screen),
            what="the recalled nesting",
        )
        assert await settled(pilot, screen) == live


async def test_a_thread_waiting_inside_a_subgraph_reopens_with_its_subgraph_s_messages(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    app = subgraph_app(server_url, user_dirs, assistant="nested_approval")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.sidebar_visible = False
        await send(pilot, "go")
        await run_finished(pilot)
        thread_id = screen.conversation.thread_id
        live = await settled(pilot, screen)
    assert any("Research findings" in line for line in live)  # (the parent's state holds none of it yet)
    again = subgraph_app(server_url, user_dirs, assistant="nested_approval")
    async with again.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.sidebar_visible = False
        screen.open_thread(thread_id or "")
        await wait_until(pilot, lambda: screen.conversation.thread_id == thread_id, what="the thread to open")
        await wait_until(
            pilot, lambda: "researcher › research_llm" in pane_text(again, screen), what="the recalled labels"
        )
        assert await settled(pilot, screen) == live
        assert len(screen.view.query(InterruptBlock)) == 1
