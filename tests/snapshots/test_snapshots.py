"""A few deterministic snapshots: the real widgets and stylesheets, fixed data, pinned sizes.

Update with ``pytest tests/snapshots --snapshot-update`` and review snapshot_report.html.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from textual.app import App, ComposeResult

from chat_tui.client.events import parse_event
from chat_tui.client.models import Thread
from chat_tui.client.sse import EventDecoder
from chat_tui.conversation import Conversation
from chat_tui.ui.screens.help import HelpScreen
from chat_tui.ui.styles import stylesheets
from chat_tui.ui.widgets.conversation_view import ConversationView
from chat_tui.ui.widgets.thread_list import ThreadList
from chat_tui.ui.widgets.tool_panel import ToolPanel
from tests.support.sse import transcript_files


def conversation_from(name: str) -> Conversation:
    path = next(p for p in transcript_files() if p.name == name)
    conversation = Conversation()
    conversation.add_human("what's the weather in sf", "h1")
    decoder = EventDecoder()
    for raw in decoder.feed(path.read_bytes()):
        conversation.apply(parse_event(raw))
    return conversation


class Host(App[None]):
    """The real stylesheets around one widget."""

    CSS_PATH = stylesheets()

    def __init__(self, widget: Any, conversation: Conversation | None = None) -> None:
        super().__init__()
        self.widget = widget
        self.conversation = conversation

    def compose(self) -> ComposeResult:
        yield self.widget

    async def on_mount(self) -> None:
        self.theme = "textual-dark"
        if isinstance(self.widget, ConversationView) and self.conversation is not None:
            await self.widget.show(self.conversation)


def test_weather_conversation(snap_compare: Any) -> None:
    """You should see the seed's weather exchange: a tool panel with its result, then the answer."""
    view = ConversationView()
    assert snap_compare(Host(view, conversation_from("weather_tool_call.sse")), terminal_size=(100, 24))


def test_tool_panel_expanded_with_thinking_and_blocks(snap_compare: Any) -> None:
    """You should see the thinking folded to one line (its size, and Enter to show it), the text, and an expanded
    tool panel with highlighted JSON."""
    view = ConversationView()

    async def expand(pilot: Any) -> None:
        await pilot.pause()
        panel = pilot.app.query(ToolPanel).first()
        panel.focus()
        await pilot.press("enter")

    conversation = conversation_from("content_blocks.sse")
    assert snap_compare(Host(view, conversation), terminal_size=(100, 30), run_before=expand)


def test_thread_list(snap_compare: Any) -> None:
    """You should see five threads with status badges (waiting, stopped, busy, error); the current one
    marked; one title with [/] literal."""
    old = datetime(2024, 1, 2, tzinfo=UTC)
    pending = {"task": [{"id": "i1", "value": "Allow?"}]}
    threads = [
        Thread(
            thread_id=f"00000000-0000-0000-0000-00000000000{n}",
            status=status,
            updated_at=old,
            metadata={"title": title},
            interrupts=interrupts,  # type: ignore[arg-type]
        )
        for n, (title, status, interrupts) in enumerate(
            [
                ("Release notes", "idle", {}),
                ("SSE bug [/] triage", "busy", {}),
                ("Approve deletion", "interrupted", pending),
                ("Cancelled answer", "interrupted", {}),
                ("Crashed run", "error", {}),
            ]
        )
    ]
    widget = ThreadList()

    async def fill(pilot: Any) -> None:
        widget.set_threads(threads, more=False)
        widget.set_current(threads[1].thread_id)
        await pilot.pause()

    assert snap_compare(Host(widget), terminal_size=(36, 12), run_before=fill)


def test_help_screen(snap_compare: Any) -> None:
    """You should see the help screen: every key, grouped by where it applies."""

    class HelpHost(App[None]):
        CSS_PATH = stylesheets()

        def on_mount(self) -> None:
            self.theme = "textual-dark"
            self.push_screen(HelpScreen())

    assert snap_compare(HelpHost(), terminal_size=(100, 40))
