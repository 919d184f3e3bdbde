"""The message pane: a window of entries, flushed from conversation state.

Why it is built this way (``notes/textual.md`` §2-3): every layout pass costs time per
mounted widget, and a Markdown message costs ~265 KB, so only a window of entries is
mounted (about 50, fewer when they are long); the rest stay data. The window slides both
ways: scrolling to its top re-creates older entries above (the scroll position is kept, so
nothing jumps) and drops the newest ones below, scrolling to its bottom does the reverse,
and Home / End jump to the very first / last entry by mounting a fresh window there.

Opening a thread mounts the last few entries, lets that frame paint, then fills the rest of
the window above in small batches (``filling``), so a long thread shows at once.

The stream worker never touches widgets: it appends to the :class:`Conversation`, and
:meth:`ConversationView.flush` (driven by a ≤ 30 Hz timer) renders what changed.

The pane follows new output only while the user is at the bottom of the conversation
(Textual's anchor, which is dropped while the window does not hold the end, so reaching the
bottom of an older window never starts following); after scrolling up it stops following
and posts :class:`NewOutputBelow` so the screen can show a marker.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from chat_tui.conversation import Changes, ChatMessage, Entry
from chat_tui.ui.widgets.entries import AssistantMessage, EntryWidget, widget_for
from chat_tui.ui.widgets.focus import OwnFocusStyles
from chat_tui.ui.widgets.removal import remove_children
from chat_tui.ui.widgets.tool_panel import ToolPanel

if TYPE_CHECKING:
    from chat_tui.conversation import Conversation

__all__ = ["ConversationView"]

WINDOW = 50  # entries mounted at most
WINDOW_CHARS = 120_000  # ...and fewer when they hold more text than this
PRUNE_SLACK = 10  # prune in batches, not one widget per new message
HYDRATE = 15  # entries re-created per scroll past an edge of the window
FIRST_PAINT = 8  # entries mounted before the first frame of a newly shown window
FILL_BATCH = 6  # entries mounted per step while the rest of the window fills in


class _Sizes:
    """Characters per entry, for the window's text budget, counted as parts arrive.

    Joining a streaming message's text to measure it would cost its whole length on every
    flush; this adds only the parts that arrived since it last looked.
    """

    def __init__(self) -> None:
        self._known: dict[int, tuple[int, int, int]] = {}  # seq -> (epoch, parts, chars); per conversation

    def __call__(self, entry: Entry) -> int:
        if not isinstance(entry, ChatMessage):
            return 200
        parts = entry.text_parts
        epoch, seen, chars = self._known.get(entry.seq, (entry.text_epoch, 0, 0))
        if epoch != entry.text_epoch or seen > len(parts):
            seen, chars = 0, 0
        if seen < len(parts):
            chars += sum(map(len, parts[seen:]))
            self._known[entry.seq] = (entry.text_epoch, len(parts), chars)
        return chars

    def clear(self) -> None:
        self._known.clear()


class ConversationView(VerticalScroll, OwnFocusStyles, can_focus=True):
    """Renders one :class:`Conversation`; ``show()`` switches to another."""

    BINDINGS = [
        Binding("up,k", "previous", "Prev/next", key_display="↑↓", tooltip="Previous message", id="messages.previous"),
        Binding("down,j", "next", "Next message", show=False, id="messages.next"),
        Binding("c,y", "copy", "Copy", tooltip="Copy the focused message or tool call", id="messages.copy"),
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
        self._start = 0  # the window: _rendered[_start:_end] is mounted
        self._end = 0
        self._widgets: dict[int, EntryWidget] = {}
        self._sizes = _Sizes()
        self._earlier = Static(classes="earlier")
        self._later = Static(classes="later")
        self._hint = Static(classes="empty-hint")  # shown while the conversation is empty
        # Every change to the mounted window (show, flush, scrolling past an edge, the fill,
        # Home/End) runs under this lock: each awaits mounts and removals, and one must never
        # position widgets relative to ones another is removing.
        self._lock = asyncio.Lock()
        self._edge_pending = False  # a scroll past an edge has scheduled a hydrate/extend
        self._generation = 0  # bumped whenever a new window is mounted (a running fill stops)
        self.filling = False  # the rest of a new window is being mounted in the background
        self._show_nodes = False
        self._labels_enabled = True  # the user's option; labels show when enabled and >1 node spoke
        self._below = False

    # -- switching conversations and windows -----------------------------------------------

    async def show(self, conversation: Conversation) -> None:
        """Render *conversation* from scratch (unmounting the previous one), at its end."""
        async with self._lock:
            await self._show(conversation)

    async def _show(self, conversation: Conversation) -> None:
        self._stop_fill()
        self.conversation = conversation
        self._sizes.clear()
        conversation.take_changes()  # we render everything now
        await remove_children(self, list(self.children))
        self._widgets.clear()
        self._rendered = [e for e in conversation.entries if conversation.renders_alone(e)]
        self._show_nodes = self._labels_enabled and conversation.show_node_labels
        self._start = self._end = len(self._rendered)
        await self.mount_all([self._hint, self._earlier, self._later])
        await self._mount_window(at_end=True)
        self.anchor()
        self._set_below(False)

    async def _rewindow(self, *, at_end: bool) -> None:
        """Replace the mounted window with one at the very end (or the very beginning)."""
        self._stop_fill()
        had_focus = self.screen.focused is not None and self in self.screen.focused.ancestors_with_self
        doomed = list(self._widgets.values())
        self._widgets.clear()
        if doomed:
            await remove_children(self, doomed)
        self.anchor(at_end)  # follow only a window that holds the end
        await self._mount_window(at_end=at_end)
        if had_focus and self.screen.focused is None:
            self.focus()

    async def _mount_window(self, *, at_end: bool) -> None:
        """Mount the first few entries of a window now; the rest fill in after a frame."""
        total = len(self._rendered)
        if at_end:
            self._start, self._end = max(self._window_start(total), total - FIRST_PAINT), total
        else:
            self._start, self._end = 0, min(self._window_end(0), FIRST_PAINT)
        incomplete = self._window_incomplete()
        self.filling = incomplete
        widgets = self._make_all(self._start, self._end)
        if widgets:
            await self.mount_all(widgets, before=self._later)
        self._update_markers()
        if incomplete:
            self.call_after_refresh(self._start_fill, self._generation)

    def _window_start(self, end: int) -> int:
        """Where a full window that ends at *end* starts."""
        chars = 0
        start = end
        while start > 0 and end - start < WINDOW:
            chars += self._sizes(self._rendered[start - 1])
            if chars > WINDOW_CHARS and end - start >= 3:
                break
            start -= 1
        return start

    def _window_end(self, start: int) -> int:
        """Where a full window that starts at *start* ends."""
        chars = 0
        end = start
        total = len(self._rendered)
        while end < total and end - start < WINDOW:
            chars += self._sizes(self._rendered[end])
            if chars > WINDOW_CHARS and end - start >= 3:
                break
            end += 1
        return end

    def _window_incomplete(self) -> bool:
        if self._end == len(self._rendered):  # anchored at the end: fill upwards
            return self._start > self._window_start(self._end)
        return self._end < self._window_end(self._start)

    def _start_fill(self, generation: int) -> None:
        if generation == self._generation:
            self.run_worker(self._fill(generation), group="fill", exclusive=True, exit_on_error=False)

    async def _fill(self, generation: int) -> None:
        try:
            while True:
                async with self._lock:
                    if generation != self._generation or not self._window_incomplete():
                        break
                    if self.at_end:
                        await self._hydrate(min(FILL_BATCH, self._start - self._window_start(self._end)), prune=False)
                    else:
                        await self._extend(min(FILL_BATCH, self._window_end(self._start) - self._end), prune=False)
                await asyncio.sleep(1 / 60)  # let a frame paint between batches
        finally:
            if generation == self._generation:
                self.filling = False

    def _stop_fill(self) -> None:
        self._generation += 1
        self.filling = False
        self.workers.cancel_group(self, "fill")

    def _make(self, entry: Entry) -> EntryWidget | None:
        widget = widget_for(entry, show_node=self._show_nodes)
        if widget is not None:
            self._widgets[entry.seq] = widget
        return widget

    def _make_all(self, start: int, end: int) -> list[EntryWidget]:
        return [w for w in (self._make(e) for e in self._rendered[start:end]) if w is not None]

    def set_hint(self, hint: Content) -> None:
        """What an empty conversation shows (how to start, and what to try)."""
        self._hint.update(hint)

    def _update_markers(self) -> None:
        self._hint.display = not self._rendered
        earlier = self._start
        later = len(self._rendered) - self._end
        self._earlier.display = earlier > 0
        if earlier:
            self._earlier.update(
                Content.styled(f"↑ {earlier} earlier — scroll up, or press Home for the first", "$text-muted italic")
            )
        self._later.display = later > 0
        if later:
            self._later.update(
                Content.styled(f"↓ {later} later — scroll down, or press End for the last", "$text-muted italic")
            )

    @property
    def busy(self) -> bool:
        """The window is being changed (a flush now would be skipped)."""
        return self._lock.locked()

    @property
    def at_end(self) -> bool:
        """The window holds the conversation's last entry."""
        return self._end == len(self._rendered)

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
                    grew |= await self._add(entry)
            for entry in changes.updated:
                widget = self._widgets.get(entry.seq)
                if widget is None:
                    continue
                if not conversation.renders_alone(entry):  # a result that found its call
                    self._forget(entry)
                    await remove_children(self, [widget])
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

    async def _add(self, entry: Entry) -> bool:
        """Place a new entry; True when it was mounted (False: it stays data, off the window)."""
        position = self._position_for(entry)
        was_at_end = self.at_end
        self._rendered.insert(position, entry)
        if position < self._start:  # above the window: stays data until scrolled to
            self._start += 1
            self._end += 1
            self._update_markers()
            return False
        if position >= self._end and not was_at_end:  # below a window the user scrolled away from
            self._update_markers()
            self._set_below(True)
            return False
        self._end += 1
        widget = self._make(entry)
        if widget is None:
            return False
        await self.mount(widget, before=self._next_mounted(position) or self._later)
        if self._hint.display:  # the first entry of a new conversation
            self._update_markers()
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
        for entry in self._rendered[position + 1 : self._end]:
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
            if index < self._end:
                self._end -= 1

    async def _prune(self) -> None:
        """Unmount the oldest entries once the window is over its size (while following)."""
        mounted = self._end - self._start
        target = self._window_start(self._end)
        if self.filling or (mounted <= WINDOW + PRUNE_SLACK and target <= self._start):
            return
        target = max(target, self._end - WINDOW)
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
            await remove_children(self, doomed)
        self._start = target
        self._update_markers()

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
        """True while the pane sticks to the conversation's end (the user has not scrolled away)."""
        if not self.at_end:
            return False
        return (self.is_anchored and not self._anchor_released) or self.scroll_y >= self.max_scroll_y - 1

    def _set_below(self, below: bool) -> None:
        if below != self._below:
            self._below = below
            self.post_message(self.NewOutputBelow(below))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        bottom = new_value >= self.max_scroll_y - 1
        if bottom and self.at_end:
            if not self.is_anchored:  # back at the conversation's end: follow again
                self.anchor()
            if self._below:
                self._set_below(False)
        if self._edge_pending or self._lock.locked():
            return
        if new_value <= 0 and old_value > 0 and self._start > 0:
            self._edge_pending = True
            self.call_after_refresh(self._edge, up=True)
        elif bottom and new_value > old_value and not self.at_end:
            self._edge_pending = True
            self.call_after_refresh(self._edge, up=False)

    async def _edge(self, up: bool) -> None:
        try:
            await (self.hydrate() if up else self.extend())
        finally:
            self._edge_pending = False

    def _mounted_widgets(self, start: int, end: int) -> list[EntryWidget]:
        return [w for w in (self._widgets.get(e.seq) for e in self._rendered[start:end]) if w is not None]

    async def hydrate(self, count: int = HYDRATE) -> int:
        """Re-create up to *count* older entries above the window, keeping the view still."""
        async with self._lock:
            return await self._hydrate(count)

    async def extend(self, count: int = HYDRATE) -> int:
        """Re-create up to *count* newer entries below the window (after scrolling back down)."""
        async with self._lock:
            return await self._extend(count)

    async def _hydrate(self, count: int, *, prune: bool = True) -> int:
        if self._start == 0:
            return 0
        first = next(iter(self._mounted_widgets(self._start, self._end)), None)
        new_start = max(0, self._start - count)
        widgets = self._make_all(new_start, self._start)
        self._start = new_start
        if widgets:
            before_height = self.virtual_size.height
            await self.mount_all(widgets, before=first or self._later)

            def keep_position() -> None:
                self._scroll_by(self.virtual_size.height - before_height)

            self.call_after_refresh(keep_position)
        if prune and self._end - self._start > WINDOW + PRUNE_SLACK:
            await self._drop(self._window_end(self._start), self._end)
            self.anchor(False)  # the end is no longer mounted: nothing to follow here
        self._update_markers()
        return len(widgets)

    async def _extend(self, count: int, *, prune: bool = True) -> int:
        if self.at_end:
            return 0
        new_end = min(len(self._rendered), self._end + count)
        widgets = self._make_all(self._end, new_end)
        self._end = new_end
        if widgets:
            await self.mount_all(widgets, before=self._later)
        if prune and self._end - self._start > WINDOW + PRUNE_SLACK:
            await self._drop(self._start, self._window_start(self._end), keep_position=True)
        self._update_markers()
        return len(widgets)

    async def _drop(self, start: int, end: int, *, keep_position: bool = False) -> None:
        """Unmount the entries in ``[start, end)``, at one edge of the window."""
        if end <= start:
            return
        doomed = self._mounted_widgets(start, end)
        for widget in doomed:
            self._widgets.pop(widget.seq, None)
        height = sum(w.outer_size.height for w in doomed)
        if start == self._start:
            self._start = end
        else:
            self._end = start
        if doomed:
            await remove_children(self, doomed)
            if keep_position:  # content above the viewport went away: move up by its height
                self._scroll_by(-height)

    def _scroll_by(self, lines: int) -> None:
        """Keep what the user reads in place after content changed above it.

        Not while following: the anchor keeps the bottom in view by itself, and in Textual
        8.2 ``scroll_to(release_anchor=False)`` releases the anchor anyway (the flag is not
        passed on), which would stop the pane following.
        """
        if lines and not (self.is_anchored and not self._anchor_released):
            self.scroll_to(y=max(0, self.scroll_y + lines), animate=False, immediate=True)

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

    async def action_next(self) -> None:
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
        async with self._lock:
            if self._start > 0:
                await self._rewindow(at_end=False)
        self.scroll_home(animate=False, immediate=True)  # (a deferred one could land after a quick End)

    async def action_bottom(self) -> None:
        """The last message, following new output again."""
        async with self._lock:
            if not self.at_end:
                await self._rewindow(at_end=True)
        self.anchor()  # follow from now on (this also clears a release of the anchor)
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
