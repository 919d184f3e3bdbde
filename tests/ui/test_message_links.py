"""A message's links, by keyboard: listed while the message has the focus, opened with `o` (after asking)."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult

from chat_tui.conversation import ChatMessage
from chat_tui.sanitize import clean
from chat_tui.ui.screens.dialogs import ChoiceScreen
from chat_tui.ui.styles import stylesheets
from chat_tui.ui.widgets.entries import AssistantMessage
from chat_tui.ui.widgets.links import links_in
from tests.support.pilot import wait_until

TEXT = (
    "See [the docs](https://docs.example.com/a_(b)) and https://example.org/x. "
    "Not [this](javascript:alert(1)) nor [relative](/path); again https://example.org/x"
)


def test_links_are_the_messages_http_links_each_once() -> None:
    assert links_in(TEXT) == ["https://docs.example.com/a_(b", "https://example.org/x"]
    assert links_in("no links here") == []
    hostile = clean("\x1b]8;;https://evil\x07link\x1b]8;;\x07 [x](https://ok.example)")  # (as every message is)
    assert links_in(hostile) == ["https://evil", "https://ok.example"]


class Host(App[None]):
    CSS_PATH = stylesheets()

    def __init__(self, message: ChatMessage) -> None:
        super().__init__()
        self.widget = AssistantMessage(message, show_node=False)
        self.opened: list[str] = []

    def compose(self) -> ComposeResult:
        yield self.widget

    def on_markdown_link_clicked(self, event: Any) -> None:
        self.opened.append(event.href)


async def test_o_lists_and_opens_a_link_of_the_focused_message() -> None:
    host = Host(ChatMessage(1, "ai", text_parts=[TEXT]))
    async with host.run_test(size=(100, 20)) as pilot:
        links = host.widget.query_one(".links")
        host.widget.blur()
        await pilot.pause()
        assert not links.display
        host.widget.focus()
        await pilot.pause()
        assert links.display and "https://example.org/x" in str(links.render())
        await pilot.press("o")
        await wait_until(pilot, lambda: isinstance(host.screen, ChoiceScreen), what="which link")
        await pilot.press("2")
        await wait_until(pilot, lambda: host.opened, what="the link")
        assert host.opened == ["https://example.org/x"]  # (the chat screen then asks before it opens it)
        host.widget.blur()
        await pilot.pause()
        assert not links.display
