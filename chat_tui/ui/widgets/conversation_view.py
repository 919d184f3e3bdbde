"""The message pane: a window of entries, flushed from conversation state.

Every layout pass costs time per mounted widget, and a Markdown message costs about
265 KB, so only a window of entries is mounted (about 50, fewer when they are long); the
rest stay data. :class:`~chat_tui.ui.widgets.window_pane.WindowPane` carries the window
(re-creating entries when the user scrolls past an edge, Home / End, filling in after the
first paint), as :mod:`chat_tui.ui.window_plan` decides it; this widget feeds it from a
:class:`Conversation` and adds the keys that move between messages.

The stream worker never touches widgets: it appends to the :class:`Conversation`, and
:meth:`ConversationView.flush` (driven by a ≤ 30 Hz timer) renders what changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual import events, on
from textual.binding import Binding
from textual.message import Message

from chat_tui.conversation import Changes, ChatMessage, Entry, MessageStatus
from chat_tui.ui.widgets.entries import AssistantMessage, EntryWidget, widget_for
from chat_tui.ui.widgets.focus import OwnFocusStyles
from chat_tui.ui.widgets.removal import remove_children
from chat_tui.ui.widgets.rows import RowsAlike
from chat_tui.ui.widgets.subgraph_block import SubgraphHeader, hidden_by_fold
from chat_tui.ui.widgets.tool_panel import ToolPanel
from chat_tui.ui.widgets.window_pane import WindowPane
from chat_tui.ui.window_plan import LIMITS, Placement

if TYPE_CHECKING:
    from chat_tui.conversation import Conversation

__all__ = ["WINDOW", "ConversationView"]

WINDOW = LIMITS.entries  # entries in a full window at most


def _streaming(entry: Entry) -> bool:
    """Never dropped from the window: the message being streamed into."""
    return isinstance(entry, ChatMessage) and entry.status is MessageStatus.STREAMING


class ConversationView(WindowPane, OwnFocusStyles, RowsAlike, can_focus=True):
    """Renders one :class:`Conversation`; ``show()`` switches to another."""

    BINDINGS = [
        Binding(
            "up,k",
            "previous",
            "Prev/next",
            key_display="↑↓",
            show=False,
            tooltip="Previous message",
            id="messages.previous",
        ),
        Binding("down,j", "next", "Next message", show=False, id="messages.next"),
        Binding("c,y", "copy", "Copy", tooltip="Copy the focused message or tool call", id="messages.copy"),
        Binding("tab", "screen.focus_composer", "Write", tooltip="Back to the composer", id="messages.compose"),
        Binding(
            "p",
            "tools",
            "Tool panels",
            show=False,
            tooltip="The message's tool calls, one after another",
            id="messages.tools",
        ),
        Binding("home", "top", "Top", show=False, tooltip="The first message of the thread", id="messages.top"),
        Binding(
            "end",
            "bottom",
            "Bottom",
            show=False,
            tooltip="The last message, and follow new output",
            id="messages.bottom",
        ),
    ]

    class CopyRequested(Message):
        def __init__(self, text: str, what: str) -> None:
            super().__init__()
            self.text = text
            self.what = what

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.conversation: Conversation | None = None
        self._show_nodes = False
        self._labels_enabled = True  # the user's option; labels show when enabled and >1 node spoke
        # The screen's: a character typed in the pane that is none of its keys goes to the composer.
        self.typed_away: Callable[[str], None] | None = None

    def make_widget(self, entry: Entry) -> EntryWidget | None:
        widget = widget_for(entry, show_node=self._show_nodes)
        conversation = self.conversation
        if widget is not None and conversation is not None:
            group = conversation.group_of(entry)
            if group is not None:
                widget.add_class("-nested")
                widget.display = not hidden_by_fold(entry, group)
        return widget

    @on(SubgraphHeader.Folded)
    def _folded(self, event: SubgraphHeader.Folded) -> None:
        """Hide or show the mounted members of a folded or unfolded subgraph group."""
        event.stop()
        conversation = self.conversation
        if conversation is None:
            return
        for entry in event.group.members:
            widget = self._widgets.get(entry.seq)
            if widget is not None:
                widget.display = not hidden_by_fold(entry, event.group)

    # -- switching conversations -------------------------------------------------------------

    async def show(self, conversation: Conversation) -> None:
        """Render *conversation* from scratch (unmounting the previous one), at its end."""
        async with self._lock:
            await self._show(conversation)

    async def _show(self, conversation: Conversation) -> None:
        self.conversation = conversation
        conversation.take_changes()  # we render everything now
        self._show_nodes = self._labels_enabled and conversation.show_node_labels
        await self._start_over([e for e in conversation.entries if conversation.renders_alone(e)])

    # -- flushing ---------------------------------------------------------------------------

    async def flush(self) -> Changes | None:
        """Render what changed in the conversation since the last flush; returns the changes."""
        conversation = self.conversation
        if conversation is None or self._lock.locked():
            return None  # the next tick renders it
        async with self._lock:
            changes = conversation.take_changes()
            if not changes:
                return None
            if changes.reset:
                await self._show(conversation)
                return changes
            grew = False
            for entry in changes.added:
                if conversation.renders_alone(entry):
                    grew |= await self._add(entry, conversation)
            for entry in changes.updated:
                widget = self._widgets.get(entry.seq)
                if widget is None:
                    continue
                if not conversation.renders_alone(entry):  # a result that found its call
                    self._widgets.pop(entry.seq, None)
                    self._plan.remove(entry)
                    await remove_children(self, [widget])
                    continue
                if widget.is_mounted:
                    await widget.sync()
                    grew = True
            if (self._labels_enabled and conversation.show_node_labels) != self._show_nodes:
                self._apply_labels()
            if grew:
                if not self.following:
                    self._set_below(True)
                elif not self.filling and (step := self._plan.prune(keep=_streaming)):  # (a filling window is not full)
                    await self._carry_out(step)
                self.doze()
            return changes

    async def _add(self, entry: Entry, conversation: Conversation) -> bool:
        """Place a new entry; True when it was mounted (False: it stays data, off the window)."""
        placement = self._plan.add(entry, conversation.entries)
        if placement is not Placement.MOUNT:
            self._update_markers()
            if placement is Placement.BELOW:  # below a window the user scrolled away from
                self._set_below(True)
            return False
        widget = self._make(entry)
        if widget is None:
            return False
        await self.mount(widget, before=self._next_mounted(entry) or self._later)
        if self._hint.display:  # the first entry of a new conversation
            self._update_markers()
        return True

    def _next_mounted(self, entry: Entry) -> EntryWidget | None:
        """The widget of the first mounted entry after *entry* in the window (None: it is the last)."""
        found = None
        for other in reversed(self._plan.mounted):
            if other is entry:
                break
            widget = self._widgets.get(other.seq)
            if widget is not None and widget.is_mounted:
                found = widget
        return found

    # -- node labels ---------------------------------------------------------------------------

    def set_node_labels(self, enabled: bool) -> None:
        """The user's option: label assistant messages with their node (when several nodes speak)."""
        self._labels_enabled = enabled
        self._apply_labels()

    def _apply_labels(self) -> None:
        conversation = self.conversation
        self._show_nodes = self._labels_enabled and bool(conversation and conversation.show_node_labels)
        for widget in self._widgets.values():
            if isinstance(widget, AssistantMessage):
                widget.set_show_node(self._show_nodes)

    # -- keyboard -------------------------------------------------------------------------------

    def _entry_widgets(self) -> list[EntryWidget]:
        return [w for w in self.children if isinstance(w, EntryWidget) and w.display]

    def _current(self) -> EntryWidget | None:
        focused = self.screen.focused
        while focused is not None and focused is not self:
            if isinstance(focused, EntryWidget):
                return focused
            focused = focused.parent  # type: ignore[assignment]
        return None

    async def action_previous(self) -> None:
        self.wake()
        widgets = self._entry_widgets()
        current = self._current()
        if current is None:
            target = widgets[-1] if widgets else None
        else:
            index = widgets.index(current)
            if index == 0 and self._plan.earlier > 0:
                await self.hydrate()
                widgets = self._entry_widgets()
                index = widgets.index(current)
            target = widgets[index - 1] if index > 0 else current
        if target is not None:
            target.focus()
            target.scroll_visible(animate=False)

    async def action_next(self) -> None:
        self.wake()
        widgets = self._entry_widgets()
        current = self._current()
        if current is None:
            target = widgets[0] if widgets else None
        else:
            index = widgets.index(current)
            if index == len(widgets) - 1 and not self.at_end:
                await self.extend()
                widgets = self._entry_widgets()
                index = widgets.index(current)
            target = widgets[index + 1] if index + 1 < len(widgets) else current
        if target is not None:
            target.focus()
            target.scroll_visible(animate=False)

    async def action_top(self) -> None:
        """The first message: a fresh window at the top (never the whole thread mounted)."""
        await self.jump(to_end=False)

    async def action_bottom(self) -> None:
        """The last message, following new output again."""
        await self.jump(to_end=True)

    def action_tools(self) -> None:
        """Focus the next tool panel of the current message (from the message, its first)."""
        self.wake()
        focused = self.screen.focused
        current = self._current()
        if current is None:
            return
        panels = list(current.query(ToolPanel))
        if not panels:
            self.notify("this message made no tool calls", markup=False)
            return
        index = panels.index(focused) + 1 if isinstance(focused, ToolPanel) and focused in panels else 0
        target = panels[index % len(panels)]
        target.focus()
        target.scroll_visible(animate=False)

    def on_key(self, event: events.Key) -> None:
        """A character typed here that is no key of the pane goes to the composer, with the focus:
        the user meant to type (only the keys the footer and help show are commands here)."""
        if not event.is_printable or not event.character:
            return
        binding = self.app.active_bindings.get(event.key)
        if binding is not None and binding.enabled:
            return
        event.stop()
        event.prevent_default()
        if self.typed_away is not None:
            # At once, not by a message: the rest of a fast burst of keys is already queued, and
            # must find the composer focused (else the pane's space, p and Enter would take them).
            self.typed_away(event.character)

    def action_copy(self) -> None:
        focused = self.screen.focused
        if isinstance(focused, ToolPanel):
            self.post_message(self.CopyRequested(focused.copy_text(), "tool call"))
            return
        current = self._current()
        if current is None:
            widgets = self._entry_widgets()
            current = widgets[-1] if widgets else None
        if current is not None:
            self.post_message(self.CopyRequested(current.copy_text(), "message"))
