"""The message pane: a window of recent entries, flushed from conversation state.

Why it is built this way (``notes/textual.md`` §2-3): every layout pass costs time per
mounted widget, and a Markdown message costs ~265 KB, so only a window of recent entries
is mounted (about 50, fewer when they are long); older ones are re-created from data when
the user scrolls to the top, and the scroll position is compensated so nothing jumps.
The stream worker never touches widgets: it appends to the :class:`Conversation`, and
:meth:`ConversationView.flush` (driven by a ≤ 30 Hz timer) renders what changed.

The pane follows new output only while the user is at the bottom (Textual's anchor);
after scrolling up it stops following and posts :class:`NewOutputBelow` so the screen can
show a marker.
"""

from __future__ import annotations

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from chat_tui.conversation import Changes, Conversation, Entry
from chat_tui.ui.widgets.entries import AssistantMessage, EntryWidget, widget_for
from chat_tui.ui.widgets.tool_panel import ToolPanel

__all__ = ["ConversationView"]

WINDOW = 50  # entries mounted at most
WINDOW_CHARS = 120_000  # ...and fewer when they hold more text than this
PRUNE_SLACK = 10  # prune in batches, not one widget per new message
HYDRATE = 15  # entries re-created per scroll to the top


def _size(entry: Entry) -> int:
    text = getattr(entry, "text", None)
    return len(text) if isinstance(text, str) else 200


class ConversationView(VerticalScroll, can_focus=True):
    """Renders one :class:`Conversation`; ``show()`` switches to another."""

    BINDINGS = [
        Binding("up,k", "previous", "Prev/next", key_display="↑↓", tooltip="Previous message", id="messages.previous"),
        Binding("down,j", "next", "Next message", show=False, id="messages.next"),
        Binding("c,y", "copy", "Copy", tooltip="Copy the focused message or tool call", id="messages.copy"),
        Binding(
            "home", "top", "Top", show=False, tooltip="Top of the thread (loads older messages)", id="messages.top"
        ),
        Binding("end", "bottom", "Bottom", show=False, tooltip="Bottom, and follow new output", id="messages.bottom"),
    ]

    class NewOutputBelow(Message):
        """New output arrived while the user is scrolled up (``below=True``), or they caught up."""

        def __init__(self, below: bool) -> None:
            super().__init__()
            self.below = below

    class CopyRequested(Message):
        def __init__(self, text: str, what: str) -> None:
            super().__init__()
            self.text = text
            self.what = what

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.conversation: Conversation | None = None
        self._rendered: list[Entry] = []  # entries that render on their own, in order
        self._start = 0  # index in _rendered of the first mounted entry
        self._widgets: dict[int, EntryWidget] = {}
        self._earlier = Static(classes="earlier")
        self._flushing = False
        self._hydrating = False
        self._show_nodes = False
        self._labels_enabled = True  # the user's option; labels show when enabled and >1 node spoke
        self._below = False

    # -- switching conversations -----------------------------------------------------------

    async def show(self, conversation: Conversation) -> None:
        """Render *conversation* from scratch (unmounting the previous one)."""
        self.conversation = conversation
        conversation.take_changes()  # we render everything now
        await self.remove_children()
        self._widgets.clear()
        self._rendered = [e for e in conversation.entries if conversation.renders_alone(e)]
        self._show_nodes = self._labels_enabled and conversation.show_node_labels
        self._start = self._window_start()
        widgets = [self._make(e) for e in self._rendered[self._start :]]
        await self.mount_all([self._earlier, *[w for w in widgets if w is not None]])
        self._update_earlier()
        self.anchor()
        self._set_below(False)

    def _window_start(self) -> int:
        chars = 0
        start = len(self._rendered)
        while start > 0 and len(self._rendered) - start < WINDOW:
            chars += _size(self._rendered[start - 1])
            if chars > WINDOW_CHARS and len(self._rendered) - start >= 3:
                break
            start -= 1
        return start

    def _make(self, entry: Entry) -> EntryWidget | None:
        widget = widget_for(entry, show_node=self._show_nodes)
        if widget is not None:
            self._widgets[entry.seq] = widget
        return widget

    def _update_earlier(self) -> None:
        self._earlier.display = self._start > 0
        if self._start:
            self._earlier.update(
                Content.styled(f"↑ {self._start} earlier — scroll up or press Home to load them", "$text-muted italic")
            )

    # -- flushing ---------------------------------------------------------------------------

    async def flush(self) -> Changes | None:
        """Render what changed in the conversation since the last flush; returns the changes."""
        conversation = self.conversation
        if conversation is None or self._flushing:
            return None
        self._flushing = True
        try:
            changes = conversation.take_changes()
            if not changes:
                return None
            if changes.reset:
                await self.show(conversation)
                return changes
            grew = False
            for entry in changes.added:
                if conversation.renders_alone(entry):
                    grew |= await self._add(entry)
            for entry in changes.updated:
                widget = self._widgets.get(entry.seq)
                if widget is None:
                    continue
                if not conversation.renders_alone(entry):  # a result that found its call
                    self._forget(entry)
                    await widget.remove()
                    continue
                if widget.is_mounted:
                    await widget.sync()
                    grew = True
            if (self._labels_enabled and conversation.show_node_labels) != self._show_nodes:
                self._apply_labels()
            if grew:
                if self.following:
                    await self._prune()
                else:
                    self._set_below(True)
            return changes
        finally:
            self._flushing = False

    async def _add(self, entry: Entry) -> bool:
        conversation = self.conversation
        assert conversation is not None
        position = self._position_for(entry)
        self._rendered.insert(position, entry)
        if position < self._start:
            self._start += 1  # inserted above the window: stays data until scrolled to
            self._update_earlier()
            return False
        widget = self._make(entry)
        if widget is None:
            return False
        following = self._next_mounted(position)
        if following is None:
            await self.mount(widget)
        else:
            await self.mount(widget, before=following)
        return True

    def _position_for(self, entry: Entry) -> int:
        """Where *entry* goes among rendered entries (normally: at the end)."""
        conversation = self.conversation
        assert conversation is not None
        entries = conversation.entries
        if entries and entries[-1] is entry:
            return len(self._rendered)
        order = {id(e): n for n, e in enumerate(entries)}
        mine = order.get(id(entry), len(entries))
        for index in range(len(self._rendered) - 1, -1, -1):
            if order.get(id(self._rendered[index]), -1) < mine:
                return index + 1
        return 0

    def _next_mounted(self, position: int) -> EntryWidget | None:
        for entry in self._rendered[position + 1 :]:
            widget = self._widgets.get(entry.seq)
            if widget is not None and widget.is_mounted:
                return widget
        return None

    def _forget(self, entry: Entry) -> None:
        self._widgets.pop(entry.seq, None)
        if entry in self._rendered:
            index = self._rendered.index(entry)
            self._rendered.pop(index)
            if index < self._start:
                self._start -= 1

    async def _prune(self) -> None:
        """Unmount the oldest entries once the window is over its size (while following)."""
        mounted = len(self._rendered) - self._start
        target = self._window_start()
        if mounted <= WINDOW + PRUNE_SLACK and target <= self._start:
            return
        target = max(target, len(self._rendered) - WINDOW)
        doomed = []
        for entry in self._rendered[self._start : target]:
            widget = self._widgets.pop(entry.seq, None)
            if widget is not None:
                if isinstance(widget, AssistantMessage) and widget.message.status == "streaming":
                    self._widgets[entry.seq] = widget  # never prune the streaming message
                    target = self._rendered.index(entry)
                    break
                doomed.append(widget)
        if doomed:
            await self.remove_children(doomed)
        self._start = target
        self._update_earlier()

    # -- following and scrolling back --------------------------------------------------------

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

    @property
    def following(self) -> bool:
        """True while the pane sticks to the bottom (the user has not scrolled away)."""
        return (self.is_anchored and not self._anchor_released) or self.scroll_y >= self.max_scroll_y - 1

    def _set_below(self, below: bool) -> None:
        if below != self._below:
            self._below = below
            self.post_message(self.NewOutputBelow(below))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._below and new_value >= self.max_scroll_y - 1:
            self._set_below(False)
        if new_value <= 0 and old_value > 0 and self._start > 0 and not self._hydrating:
            self.call_after_refresh(self.hydrate)

    async def hydrate(self, count: int = HYDRATE) -> int:
        """Re-create up to *count* older entries above the window, keeping the view still."""
        if self._start == 0 or self._hydrating:
            return 0
        self._hydrating = True
        try:
            first = next((self._widgets[e.seq] for e in self._rendered[self._start :] if e.seq in self._widgets), None)
            new_start = max(0, self._start - count)
            widgets = [w for w in (self._make(e) for e in self._rendered[new_start : self._start]) if w is not None]
            self._start = new_start
            self._update_earlier()
            if not widgets:
                return 0
            before_height = self.virtual_size.height
            if first is None:
                await self.mount_all(widgets)
            else:
                await self.mount_all(widgets, before=first)

            def keep_position() -> None:
                added = self.virtual_size.height - before_height
                self.scroll_to(y=self.scroll_y + added, animate=False, immediate=True, release_anchor=False)

            self.call_after_refresh(keep_position)
            return len(widgets)
        finally:
            self._hydrating = False

    # -- keyboard -------------------------------------------------------------------------------

    def _entry_widgets(self) -> list[EntryWidget]:
        return [w for w in self.children if isinstance(w, EntryWidget)]

    def _current(self) -> EntryWidget | None:
        focused = self.screen.focused
        while focused is not None and focused is not self:
            if isinstance(focused, EntryWidget):
                return focused
            focused = focused.parent  # type: ignore[assignment]
        return None

    async def action_previous(self) -> None:
        widgets = self._entry_widgets()
        current = self._current()
        if current is None:
            target = widgets[-1] if widgets else None
        else:
            index = widgets.index(current)
            if index == 0 and self._start > 0:
                await self.hydrate()
                widgets = self._entry_widgets()
                index = widgets.index(current)
            target = widgets[index - 1] if index > 0 else current
        if target is not None:
            target.focus()
            target.scroll_visible(animate=False)

    def action_next(self) -> None:
        widgets = self._entry_widgets()
        current = self._current()
        if current is None:
            target = widgets[0] if widgets else None
        else:
            index = widgets.index(current)
            target = widgets[index + 1] if index + 1 < len(widgets) else current
        if target is not None:
            target.focus()
            target.scroll_visible(animate=False)

    async def action_top(self) -> None:
        while self._start > 0:
            await self.hydrate(WINDOW)
        self.scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.scroll_end(animate=False)
        self.anchor()
        self._set_below(False)

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

    @property
    def mounted_entries(self) -> int:
        return len(self._widgets)
