"""The message pane's window, mounted alone: the real widget and stylesheets, a conversation made by hand.

No server: a :class:`Conversation` is loaded from stored messages and grown with
``add_human``, and the pane is flushed directly (the screen's timer does it in the app).
"""

from __future__ import annotations

from typing import Any

import pytest
from textual import on
from textual.app import App, ComposeResult
from textual.pilot import Pilot

from chat_tui.client.models import ThreadState
from chat_tui.conversation import Conversation
from chat_tui.ui.styles import stylesheets
from chat_tui.ui.widgets.conversation_view import WINDOW, ConversationView
from chat_tui.ui.widgets.entries import EntryWidget, UserMessage
from chat_tui.ui.window_plan import LIMITS
from tests.support.pilot import wait_until
from tests.support.threads import synthetic_messages

SIZE = (100, 30)


def long_conversation(exchanges: int) -> Conversation:
    conversation = Conversation()
    conversation.load(ThreadState(values={"messages": synthetic_messages(exchanges)}))
    return conversation


class Host(App[None]):
    """The app's stylesheets around one message pane."""

    CSS_PATH = stylesheets()

    def __init__(self, conversation: Conversation) -> None:
        super().__init__()
        self.conversation = conversation
        self.view = ConversationView(id="conversation")
        self.below: list[bool] = []

    def compose(self) -> ComposeResult:
        yield self.view

    async def on_mount(self) -> None:
        await self.view.show(self.conversation)

    @on(ConversationView.NewOutputBelow)
    def _below(self, event: ConversationView.NewOutputBelow) -> None:
        self.below.append(event.below)


def texts(view: ConversationView) -> list[str]:
    return [w.copy_text() for w in view.query(EntryWidget)]


async def filled(pilot: Pilot[Any], view: ConversationView) -> None:
    await wait_until(pilot, lambda: view.mounted_entries and not view.filling and not view.moving, what="the window")
    await pilot.pause(0.2)


async def test_a_long_conversation_shows_its_end_at_once_then_fills_a_window_above() -> None:
    app = Host(long_conversation(150))  # 350 entries
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        assert view.filling and view.mounted_entries == LIMITS.first_paint  # the first frame: the newest few
        await filled(pilot, view)
        assert view.mounted_entries == WINDOW and view.window.at_end
        assert texts(view)[-1].startswith("## Answer 149")
        earlier = view.query_one(".earlier")
        assert earlier.display and f"{view.window.earlier} earlier" in str(earlier.render())
        assert not view.query_one(".later").display
        assert view.following and view.scroll_y == view.max_scroll_y


async def test_scrolling_past_the_top_brings_older_entries_without_moving_what_is_read() -> None:
    app = Host(long_conversation(150))
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        await filled(pilot, view)
        first = view.query(EntryWidget).first()
        start = view.window.start
        view.scroll_to(y=1, animate=False, immediate=True)
        await pilot.pause(0.1)
        read_at = first.region.y
        assert first.region.height and not view.following
        view.scroll_home(animate=False, immediate=True)  # one line up: it moves down by one, and no more
        await wait_until(pilot, lambda: view.window.start < start, what="older entries")
        await filled(pilot, view)
        await pilot.pause(0.3)  # (their Markdown lays out over a few frames)
        assert view.window.start == start - LIMITS.step
        assert view.query(EntryWidget).first() is not first and first.region.y == read_at + 1
        assert view.mounted_entries <= WINDOW + LIMITS.prune_slack
        assert not view.window.at_end and not view.following  # the newest were dropped: nothing to follow


async def test_home_and_end_show_fresh_windows_at_either_end() -> None:
    app = Host(long_conversation(150))
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        await filled(pilot, view)
        view.focus()
        await pilot.press("home")
        await filled(pilot, view)
        assert view.window.start == 0 and view.mounted_entries == WINDOW
        assert view.query(UserMessage).first().message.text == "question 0" and view.scroll_y == 0
        later = view.query_one(".later")
        assert later.display and f"{view.window.later} later" in str(later.render())
        await pilot.press("end")
        await filled(pilot, view)
        assert view.window.at_end and texts(view)[-1].startswith("## Answer 149") and view.following
        assert not later.display


async def test_scrolling_past_the_bottom_of_an_older_window_brings_newer_entries_and_drops_old_ones() -> None:
    app = Host(long_conversation(150))
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        await filled(pilot, view)
        view.focus()
        await pilot.press("home")
        await filled(pilot, view)
        last = view.query(EntryWidget).last()
        view.scroll_to(y=view.max_scroll_y - 3, animate=False, immediate=True)  # (the last line is the edge)
        await pilot.pause(0.1)
        read_at = last.region.y
        assert view.window.end == WINDOW
        view.scroll_end(animate=False, immediate=True)  # three lines down: it moves up by three, and no more
        await wait_until(pilot, lambda: view.window.end > WINDOW, what="newer entries")
        await filled(pilot, view)
        assert view.window.end == WINDOW + LIMITS.step and view.window.start > 0  # the oldest were dropped
        assert last.region.y == read_at - 3
        assert not view.window.at_end and not view.following


async def test_new_output_while_following_is_mounted_and_the_oldest_are_dropped() -> None:
    conversation = long_conversation(30)
    app = Host(conversation)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        await filled(pilot, view)
        for n in range(LIMITS.prune_slack + 5):
            conversation.add_human(f"more {n}")
            await view.flush()
        await pilot.pause(0.2)
        assert texts(view)[-1] == f"more {LIMITS.prune_slack + 4}" and view.window.at_end
        assert view.mounted_entries <= WINDOW + LIMITS.prune_slack
        assert view.following and view.scroll_y == view.max_scroll_y and app.below == []


async def test_new_output_while_scrolled_up_leaves_the_view_still_and_says_so() -> None:
    conversation = long_conversation(30)
    app = Host(conversation)
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        await filled(pilot, view)
        view.scroll_to(y=view.max_scroll_y // 2, animate=False, immediate=True)
        await pilot.pause(0.1)
        position = view.scroll_y
        conversation.add_human("while you read")
        await view.flush()
        await pilot.pause(0.2)
        assert view.scroll_y == position and not view.following
        assert texts(view)[-1] == "while you read"  # (the window holds the end: mounted, out of view)
        assert app.below == [True]
        view.focus()
        await pilot.press("end")
        await pilot.pause(0.1)
        assert app.below == [True, False] and view.following


@pytest.mark.parametrize("key", ["up", "down"])
async def test_moving_past_either_edge_of_the_window_with_the_keyboard_brings_the_next_message(key: str) -> None:
    app = Host(long_conversation(150))
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        await filled(pilot, view)
        if key == "down":
            view.focus()
            await pilot.press("home")
            await filled(pilot, view)
        edge = view.query(EntryWidget).first() if key == "up" else view.query(EntryWidget).last()
        edge.focus(scroll_visible=False)  # (scrolled to, the bottom edge would bring the next entries itself)
        await pilot.pause()
        before = texts(view)
        await pilot.press(key)
        await filled(pilot, view)
        focused = app.focused
        assert isinstance(focused, EntryWidget) and focused is not edge
        assert focused.copy_text() not in before  # re-created from data, past the old edge
