"""Widgets that render conversation entries, the same for live streams and loaded history.

Each widget holds a reference to its entry and a cursor into it; :meth:`sync` renders what
changed since the last call. Assistant text streams through one ``MarkdownStream`` per
message (created on the first delta, stopped once when the message completes); text is
never re-parsed whole per token. Everything shown came through
:mod:`chat_tui.sanitize` and is rendered as ``Content`` or Markdown, never as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Static

from chat_tui.conversation import (
    ChatMessage,
    ErrorEntry,
    InterruptEntry,
    MessageStatus,
    NoticeEntry,
    SubgraphGroup,
    TextCursor,
)
from chat_tui.conversation.subgraphs import path_label
from chat_tui.ui.widgets.entries_base import EntryWidget, branch_label
from chat_tui.ui.widgets.interrupt_block import InterruptBlock
from chat_tui.ui.widgets.links import links_content, links_in
from chat_tui.ui.widgets.subgraph_block import SubgraphHeader
from chat_tui.ui.widgets.thinking import ThinkingBlock
from chat_tui.ui.widgets.tool_panel import ToolPanel, ToolResultView

if TYPE_CHECKING:  # (imported when the first assistant message is built: markdown-it and Pygments
    # are a tenth of the time to the first frame, which for a new thread shows none)
    from textual.widgets.markdown import MarkdownStream

    from chat_tui.ui.widgets.markdown import ChatMarkdown

__all__ = ["AssistantMessage", "EntryWidget", "ErrorBlock", "InterruptBlock", "ToolResultBlock", "UserMessage"]

_STATUS_NOTES = {
    MessageStatus.CANCELLED: ("cancelled", "$warning"),
    MessageStatus.FAILED: ("failed", "$error"),
    MessageStatus.INCOMPLETE: ("incomplete", "$warning"),
}


BRANCH_BINDINGS = [
    Binding(
        "[", "previous_branch", "‹ Branch", show=False, tooltip="Show the previous version", id="message.branch-prev"
    ),
    Binding("]", "next_branch", "Branch ›", show=False, tooltip="Show the next version", id="message.branch-next"),
]


class UserMessage(EntryWidget):
    BINDINGS = [
        Binding("e", "edit", "Edit", tooltip="Edit this message: Enter sends it as a new branch", id="message.edit"),
        *BRANCH_BINDINGS,
    ]

    def __init__(self, message: ChatMessage) -> None:
        super().__init__(message.seq, "user-message")
        self.message = message
        self._body = Static(Content(message.text), classes="body")
        self._label = Static(classes="label")

    def compose(self) -> ComposeResult:
        yield self._label
        yield self._body

    def on_mount(self) -> None:
        self._render_label()

    def _render_label(self) -> None:
        parts: list[tuple[str, str] | str | Content] = [("you", "bold $text-secondary")]
        if self.message.persisted is False:
            parts.append(("  not saved on the server", "$warning"))
        parts.append(branch_label(self.message))
        self._label.update(Content.assemble(*parts))

    def action_edit(self) -> None:
        self._go("edit")

    async def sync(self) -> None:
        self._body.update(Content(self.message.text))
        self._render_label()

    def copy_text(self) -> str:
        return self.message.text


class AssistantMessage(EntryWidget):
    """Label (node, status), optional thinking, Markdown body, tool panels."""

    BINDINGS = [
        Binding(
            "enter", "toggle_thinking", "Thinking", tooltip="Show or fold the message's thinking", id="message.thinking"
        ),
        Binding("o", "open_link", "Open link", tooltip="Open a link of the message (it asks first)", id="message.link"),
        Binding("r", "regenerate", "Regenerate", tooltip="Answer again from the step before", id="message.regenerate"),
        *BRANCH_BINDINGS,
    ]

    def __init__(self, message: ChatMessage, *, show_node: bool) -> None:
        super().__init__(message.seq, "assistant-message")
        self.message = message
        self.show_node = show_node
        self._label = Static(classes="label")
        self._links = Static(classes="links")  # the message's links, while it has the focus
        self._links.display = False
        self._thinking = ThinkingBlock(message)
        # What is already there is composed in one pass (history); streaming continues in sync().
        from chat_tui.ui.widgets.markdown import ChatMarkdown

        # A message still streaming starts empty and streams from its first token: Textual's
        # Markdown.update() resumes parsing at the document's last *line*, so text appended after a
        # partial update loses the start of a multi-line block (a table's header and rule, seen live).
        streaming = message.status is MessageStatus.STREAMING
        initial = None if streaming else message.text or None
        self._markdown: ChatMarkdown = ChatMarkdown(initial, open_links=False, classes="body")
        self._markdown.display = bool(initial)
        self._text = TextCursor() if streaming else TextCursor.after(message)
        self._panels: dict[int, ToolPanel] = {id(call): ToolPanel(call) for call in message.tool_calls}
        self._tools = Vertical(*self._panels.values(), classes="tool-calls")
        self._stream: MarkdownStream | None = None
        self._finalized = message.status is not MessageStatus.STREAMING
        self._label_key: tuple[object, ...] = ()

    def compose(self) -> ComposeResult:
        yield self._label
        yield self._links
        yield self._thinking
        yield self._markdown
        yield self._tools

    def on_mount(self) -> None:
        self._render_label()

    def _render_label(self) -> None:
        message = self.message
        key = (self.show_node, message.node, message.namespace, message.status, message.persisted, message.branch)
        if key == self._label_key:
            return
        self._label_key = key
        parts: list[tuple[str, str] | str | Content] = [("assistant", "bold $text-primary")]
        self.set_class(bool(message.namespace), "-nested")
        if message.namespace:  # inside a subgraph: its node path, always
            parts.append((f" · {path_label(message.namespace, message.node)}", "$accent"))
        elif self.show_node and message.node:
            parts.append((f" · {message.node}", "$accent"))
        note = _STATUS_NOTES.get(message.status)
        if note is not None:
            parts.append((f"  [{note[0]}]", note[1]))
        if message.persisted is False and message.status is MessageStatus.COMPLETE:
            parts.append(("  not saved on the server", "$warning"))
        parts.append(branch_label(message))
        self._label.update(Content.assemble(*parts))

    def action_regenerate(self) -> None:
        self._go("regenerate")

    async def sync(self) -> None:
        message = self.message
        self._render_label()
        self._thinking.render_thinking()
        await self._sync_text()
        await self._sync_tools()
        if message.status is not MessageStatus.STREAMING and not self._finalized:
            self._finalized = True
            if self._stream is not None:
                await self._stream.stop()  # flushes what is pending: the message is final
                self._stream = None

    async def _sync_text(self) -> None:
        message = self.message
        first = self._text.parts == 0
        new, replaced = self._text.take(message)
        if replaced:  # reconciled with the server
            if self._stream is not None:
                await self._stream.stop()
                self._stream = None
            self._markdown.display = bool(new)
            await self._markdown.update(new)
            return
        if not new:
            return
        self._markdown.display = True
        if message.status is MessageStatus.STREAMING:
            if self._stream is None:
                self._stream = self._markdown.get_stream(self._markdown)
            await self._stream.write(new)
        elif first and self._stream is None:
            await self._markdown.update(message.text)  # loaded whole: one parse
        elif self._stream is not None:
            await self._stream.write(new)
        else:  # (more text for a finished message: parse it whole, for the reason given in __init__)
            await self._markdown.update(message.text)

    async def _sync_tools(self) -> None:
        new_panels = []
        for call in self.message.tool_calls:
            panel = self._panels.get(id(call))
            if panel is None:
                panel = ToolPanel(call)
                self._panels[id(call)] = panel
                new_panels.append(panel)
            elif panel.is_mounted:
                panel.sync()
        if new_panels:
            await self._tools.mount_all(new_panels)

    def blocks(self) -> list[Widget]:
        """The Markdown body's blocks."""
        return list(self._markdown.children)

    @property
    def settled(self) -> bool:
        """The message is final and all of its text is in the Markdown (no stream pending)."""
        return self._finalized and self._stream is None and self._text.caught_up(self.message)

    def action_toggle_thinking(self) -> None:
        self._thinking.toggle()

    def on_focus(self) -> None:
        links = links_in(self.message.text)
        self._links.display = bool(links)
        if links:
            self._links.update(links_content(links))

    def on_blur(self) -> None:
        self._links.display = False

    def action_open_link(self) -> None:
        """Open a link (the screen asks before it opens anything); with several, ask which first."""
        links = links_in(self.message.text)
        clicked = type(self._markdown).LinkClicked
        if len(links) == 1:
            self.post_message(clicked(self._markdown, links[0]))
        elif links:
            from chat_tui.ui.screens.dialogs import ChoiceScreen

            choices = [(str(n), url, str(n)) for n, url in enumerate(links, start=1)]

            def chosen(number: str | None) -> None:
                if number and number.isdigit() and 0 < int(number) <= len(links):
                    self.post_message(clicked(self._markdown, links[int(number) - 1]))

            self.app.push_screen(ChoiceScreen("Which link?", choices), chosen)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_thinking":
            return bool(self.message.thinking_parts)  # (no thinking: no key, none in the footer)
        if action == "open_link":
            return bool(links_in(self.message.text))
        return True

    def set_show_node(self, show: bool) -> None:
        if show != self.show_node:
            self.show_node = show
            self._render_label()

    def copy_text(self) -> str:
        parts = [self.message.text] if self.message.text else []
        parts += [panel.copy_text() for panel in self._panels.values()]
        return "\n\n".join(parts)

    async def on_unmount(self) -> None:
        if self._stream is not None:
            await self._stream.stop()
            self._stream = None


class ToolResultBlock(EntryWidget):
    """A tool result whose call this view does not hold (shown on its own)."""

    def __init__(self, message: ChatMessage) -> None:
        super().__init__(message.seq, "tool-message")
        self.message = message

    def compose(self) -> ComposeResult:
        name = self.message.name or "tool"
        yield Static(Content.assemble(("tool result", "bold"), (f" · {name}", "$text-muted")), classes="label")
        yield ToolResultView(self.message)

    def copy_text(self) -> str:
        return self.message.text


class ErrorBlock(EntryWidget):
    def __init__(self, entry: ErrorEntry) -> None:
        super().__init__(entry.seq, "error-block")
        self.entry = entry

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble(("✗ run failed", "bold $error"), (f" · {self.entry.error}", "$error")), classes="label"
        )
        yield Static(Content(self.entry.message or "the run failed without a message"), classes="body")

    def copy_text(self) -> str:
        return f"{self.entry.error}: {self.entry.message}"


class NoticeBlock(EntryWidget):
    """One muted line about the run (it was cancelled before it answered)."""

    def __init__(self, entry: NoticeEntry) -> None:
        super().__init__(entry.seq, "notice-block")
        self.entry = entry

    def compose(self) -> ComposeResult:
        yield Static(Content.styled(f"run {self.entry.text}", "italic $text-muted"), classes="label")

    def copy_text(self) -> str:
        return self.entry.text


def widget_for(entry: object, *, show_node: bool) -> EntryWidget | None:
    """The widget that renders *entry*, or None when it is rendered elsewhere."""
    if isinstance(entry, ChatMessage):
        if entry.role == "human":
            return UserMessage(entry)
        if entry.role == "tool":
            return ToolResultBlock(entry)
        return AssistantMessage(entry, show_node=show_node)
    if isinstance(entry, ErrorEntry):
        return ErrorBlock(entry)
    if isinstance(entry, InterruptEntry):
        return InterruptBlock(entry)
    if isinstance(entry, NoticeEntry):
        return NoticeBlock(entry)
    if isinstance(entry, SubgraphGroup):
        return SubgraphHeader(entry)
    return None
