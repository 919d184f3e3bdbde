"""While the message pane follows a stream, what is far above the view is out of layout, and
back, with the view kept still, as soon as the user scrolls away (``chat_tui/ui/widgets/dormancy.py``)."""

from __future__ import annotations

import json
from typing import Any

from textual.pilot import Pilot
from textual.widget import Widget

from chat_tui.client.events import parse_event
from chat_tui.client.sse import RawEvent
from chat_tui.conversation import Conversation
from chat_tui.ui.widgets.conversation_view import ConversationView
from chat_tui.ui.widgets.entries import AssistantMessage, EntryWidget
from tests.ui.test_window_pane import SIZE, Host, filled, long_conversation

META = {"langgraph_node": "agent", "langgraph_step": 1, "langgraph_checkpoint_ns": "agent:1", "run_id": "r1"}
SECTION = "## Part {n}\n\nA paragraph about part {n}, long enough to wrap once or twice in a narrow pane.\n\n"


def piece(text: str, n: int) -> Any:
    chunk = {"type": "AIMessageChunk", "id": "lc_run--a", "content": text, "tool_call_chunks": []}
    return parse_event(RawEvent("messages", json.dumps([chunk, META]), f"{n}-0"))


async def stream(pilot: Pilot[Any], conversation: Conversation, view: ConversationView, sections: range) -> None:
    for n in sections:
        conversation.apply(piece(SECTION.format(n=n), n))
        await view.flush()
        await pilot.pause(0.02)  # (a frame: what dozes is what the last layout put above the view)


def asleep(view: ConversationView) -> tuple[list[Widget], list[Widget]]:
    entries: list[Widget] = [w for w in view.query(EntryWidget) if not w.display]
    answer = view.query(AssistantMessage).last()
    return entries, [b for b in answer.blocks() if not b.display]


async def streaming_app(pilot: Pilot[Any], app: Host) -> AssistantMessage:
    await filled(pilot, app.view)
    app.conversation.add_human("write a long answer")
    await app.view.flush()
    await stream(pilot, app.conversation, app.view, range(40))
    await pilot.pause(0.1)
    return app.view.query(AssistantMessage).last()


async def test_following_a_long_stream_leaves_only_the_view_and_a_screen_above_it_in_layout() -> None:
    app = Host(long_conversation(30))
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        answer = await streaming_app(pilot, app)
        entries, blocks = asleep(view)
        assert entries and blocks  # the stored messages, then the first parts of the answer itself
        assert all(e.virtual_region.height == 0 for e in entries)
        assert answer.blocks()[-1].display  # never the block being written
        shown = [w for w in [*view.query(EntryWidget), *answer.blocks()] if w.display and w.region]
        above = min(w.region.y for w in shown)
        assert view.region.y - above <= 2 * view.size.height  # a screen above the view, and what straddles it
        assert view.following and view.scroll_y == view.max_scroll_y
        assert "Part 39" in str(answer.blocks()[-2].render())  # the newest heading, on screen


async def test_scrolling_up_wakes_everything_and_keeps_what_is_read_in_place() -> None:
    app = Host(long_conversation(30))
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        answer = await streaming_app(pilot, app)
        top = view.region.y
        read = next(b for b in answer.blocks() if b.display and b.region.y >= top)
        read_at = read.region.y
        view.scroll_to(y=view.scroll_y - 3, animate=False, immediate=True)  # (as the wheel or Page Up does)
        await pilot.pause(0.3)
        assert asleep(view) == ([], [])
        assert read.region.y == read_at + 3 and not view.following
        await stream(pilot, app.conversation, view, range(40, 45))  # more output while the user reads
        await pilot.pause(0.1)
        assert read.region.y == read_at + 3 and asleep(view) == ([], [])


async def test_moving_through_the_messages_with_the_keyboard_wakes_them() -> None:
    app = Host(long_conversation(30))
    async with app.run_test(size=SIZE) as pilot:
        view = app.view
        await streaming_app(pilot, app)
        assert asleep(view)[0]
        view.focus()
        await pilot.press("up")
        await pilot.pause(0.1)
        assert asleep(view) == ([], [])
        assert isinstance(app.focused, AssistantMessage)
