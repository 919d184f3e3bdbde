"""A scrolling pane that mounts only a window of a long list of entries, and follows new output.

Which entries are mounted, and when, is decided by a :class:`~chat_tui.ui.window_plan.WindowPlan`
(no Textual there); this widget carries its steps out: it mounts and unmounts entry widgets,
keeps the scroll position still while content changes above it, and shows how many entries
are above and below the window. Scrolling past the top of the window re-creates older
entries (and drops the newest), scrolling past its bottom does the reverse.

A new window mounts the entries of its first paint, lets that frame paint, then fills in
the rest in small batches (``filling``), so a long list shows at once.

The pane follows new output only while the user is at the bottom of the list (Textual's
anchor, which is dropped while the window does not hold the end, so reaching the bottom of
an older window never starts following); otherwise it posts :class:`NewOutputBelow`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Static

from chat_tui.conversation import Entry
from chat_tui.ui.textual_compat import anchor_released
from chat_tui.ui.widgets.dormancy import Dormancy, y_in
from chat_tui.ui.widgets.entries import EntryWidget
from chat_tui.ui.widgets.removal import remove_children
from chat_tui.ui.window_plan import Step, TextSizes, WindowPlan

__all__ = ["WindowPane"]


class WindowPane(VerticalScroll):
    """The window machinery of the message pane; subclasses say how an entry becomes a widget."""

    class NewOutputBelow(Message):
        """New output arrived while the user is scrolled up (``below=True``), or they caught up."""

        def __init__(self, below: bool) -> None:
            super().__init__()
            self.below = below

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._sizes = TextSizes()
        self._plan: WindowPlan[Entry] = WindowPlan(self._sizes)
        self._widgets: dict[int, EntryWidget] = {}  # seq -> the widget of a mounted entry
        self._earlier = Static(classes="earlier")
        self._later = Static(classes="later")
        self._hint = Static(classes="empty-hint")  # shown while the list is empty
        # Every change to the mounted window (a new list, a flush, scrolling past an edge, the
        # fill, Home/End) runs under this lock: each awaits mounts and removals, and one must
        # never position widgets relative to ones another is removing.
        self._lock = asyncio.Lock()
        self._edge_pending = False  # a scroll past an edge has scheduled a hydrate/extend
        self._generation = 0  # bumped whenever a new window is mounted (a running fill stops)
        self.filling = False  # the rest of a new window is being mounted in the background
        self._below = False
        # An entry (or a block of one) kept in place on screen while content above it changes:
        self._held: Widget | None = None
        self._held_y = 0  # its position in the content...
        self._held_offset = 0  # ...and below the top of the view
        self._adjusting = False  # the view is scrolling to keep the held entry in place
        self._dormancy = Dormancy(self)  # out of layout while following: what is far above the view

    def make_widget(self, entry: Entry) -> EntryWidget | None:
        """The widget that renders *entry* (None: it is shown elsewhere)."""
        raise NotImplementedError

    @property
    def window(self) -> WindowPlan[Entry]:
        """The window: which entries are mounted (read it; only the pane moves it)."""
        return self._plan

    @property
    def busy(self) -> bool:
        """The window is being changed (a flush now would be skipped)."""
        return self._lock.locked()

    @property
    def moving(self) -> bool:
        """A scroll past an edge of the window is bringing entries in (or is about to)."""
        return self._edge_pending or self._lock.locked()

    @property
    def at_end(self) -> bool:
        """The window holds the last entry."""
        return self._plan.at_end

    @property
    def mounted_entries(self) -> int:
        return len(self._widgets)

    @property
    def _pinned(self) -> bool:
        """The anchor keeps the bottom in view (nothing else may scroll: in Textual 8.2
        ``scroll_to(release_anchor=False)`` releases the anchor anyway, the flag is not passed on)."""
        return self.is_anchored and not anchor_released(self)

    @property
    def following(self) -> bool:
        """True while the pane sticks to the list's end (the user has not scrolled away)."""
        if not self.at_end:
            return False
        return self._pinned or self.scroll_y >= self.max_scroll_y - 1

    def set_hint(self, hint: Content) -> None:
        """What an empty list shows (how to start, and what to try)."""
        self._hint.update(hint)

    # -- new windows (call these holding the lock) -------------------------------------------

    async def _start_over(self, entries: Iterable[Entry]) -> None:
        """A new list: unmount everything, then show a window at its end, following."""
        self._stop_fill()
        self._dormancy.forget()
        self._sizes.clear()
        await remove_children(self, list(self.children))
        self._widgets.clear()
        self._plan.reset(entries)
        await self.mount_all([self._hint, self._earlier, self._later])
        await self._open(at_end=True)
        self.anchor()
        self._set_below(False)

    async def _rewindow(self, *, at_end: bool) -> None:
        """Replace the mounted window with one at the very end (or the very beginning)."""
        self._stop_fill()
        self._dormancy.forget()
        had_focus = self.screen.focused is not None and self in self.screen.focused.ancestors_with_self
        doomed = list(self._widgets.values())
        self._widgets.clear()
        if doomed:
            await remove_children(self, doomed)
        self.anchor(at_end)  # follow only a window that holds the end
        await self._open(at_end=at_end)
        if had_focus and self.screen.focused is None:
            self.focus()

    async def _open(self, *, at_end: bool) -> None:
        """Mount the first few entries of a window now; the rest fill in after a frame."""
        step = self._plan.open(at_end=at_end)
        self._held = None
        self.filling = self._plan.incomplete
        await self._carry_out(step)
        if self.filling:
            self.call_after_refresh(self._start_fill, self._generation)

    def _start_fill(self, generation: int) -> None:
        if generation == self._generation:
            self.run_worker(self._fill(generation), group="fill", exclusive=True, exit_on_error=False)

    async def _fill(self, generation: int) -> None:
        try:
            while True:
                async with self._lock:
                    step = self._plan.fill() if generation == self._generation else None
                    if not step:
                        break
                    await self._carry_out(step)
                await asyncio.sleep(1 / 60)  # let a frame paint between batches
        finally:
            if generation == self._generation:
                self.filling = False

    def _stop_fill(self) -> None:
        self._generation += 1
        self.filling = False
        self.workers.cancel_group(self, "fill")

    # -- carrying out the plan ---------------------------------------------------------------

    def _make(self, entry: Entry) -> EntryWidget | None:
        widget = self.make_widget(entry)
        if widget is not None:
            self._widgets[entry.seq] = widget
        return widget

    async def _carry_out(self, step: Step[Entry]) -> int:
        """Mount and unmount what *step* says; returns how many widgets were mounted.

        What changes above the entry at the top of the view would move it: it is held in
        place (see :meth:`_hold`).
        """
        widgets = [w for w in map(self._make, step.mount) if w is not None]
        doomed = [w for w in (self._widgets.pop(e.seq, None) for e in step.drop) if w is not None]
        if ((widgets and step.above) or (doomed and not step.above)) and not self._pinned:
            self._hold()
        if widgets and step.above:
            first = next((w for w in self.children if isinstance(w, EntryWidget)), self._later)
            await self.mount_all(widgets, before=first)
        elif widgets:
            await self.mount_all(widgets, before=self._later)
        if doomed:
            await remove_children(self, doomed)
        self._update_markers()
        return len(widgets)

    def _hold(self) -> None:
        """Keep the entry at the top of the view where it is on screen, for a while.

        Entries mounted above it take their height over several frames (a Markdown message
        parses after it mounts, later still on a loaded machine), so after each change of the
        content's height the view is scrolled to where the held entry is now. The hold lasts
        until the entry leaves the window or a new window opens; scrolling (the user, or moving
        the focus) holds the entry then at the top instead. (A hold for a fixed time let the
        view jump by the height of everything mounted above when layout took longer.)
        """
        self._keep_held()  # (a change not caught up with yet)
        self._hold_top()

    def _hold_top(self) -> None:
        self._hold_widget(self._top_entry())

    def _hold_widget(self, held: Widget | None) -> None:
        """Hold *held* where it is now: its place in the content and below the top of the view."""
        self._held = held
        if held is not None:
            self._held_y = y_in(self, held)
            self._held_offset = self._held_y - round(self.scroll_y)

    def _top_entry(self) -> EntryWidget | None:
        """The first laid-out entry widget whose bottom is below the top of the view."""
        top = self.scroll_y
        for widget in self.children:
            if isinstance(widget, EntryWidget):
                region = widget.virtual_region
                if region.height and region.bottom > top:
                    return widget
        return None

    def _holding(self) -> bool:
        held = self._held
        if held is not None and not held.is_mounted:
            self._held = held = None
        return held is not None

    def watch_virtual_size(self) -> None:
        if self._holding():
            self.call_later(self._keep_held)

    def _keep_held(self) -> None:
        """The content's height changed: scroll to where the held entry is now."""
        if not self._holding():
            return
        assert self._held is not None
        self._held_y = y_in(self, self._held)
        target = self._held_y - self._held_offset
        if target != round(self.scroll_y) and not self._pinned:
            self._adjusting = True
            try:
                self.scroll_to(y=max(0, target), animate=False, immediate=True)
            finally:
                self._adjusting = False

    def _update_markers(self) -> None:
        plan = self._plan
        self._hint.display = not plan.items
        self._earlier.display = plan.earlier > 0
        if plan.earlier:
            text = f"↑ {plan.earlier} earlier — scroll up, or press Home for the first"
            self._earlier.update(Content.styled(text, "$text-muted italic"))
        self._later.display = plan.later > 0
        if plan.later:
            text = f"↓ {plan.later} later — scroll down, or press End for the last"
            self._later.update(Content.styled(text, "$text-muted italic"))

    # -- out of layout while following ------------------------------------------------------

    def _entries(self) -> list[EntryWidget]:
        return [w for w in self.children if isinstance(w, EntryWidget)]

    def doze(self) -> None:
        """While the pane is pinned to the end, take what is far above the view out of layout."""
        if self._pinned and not self.filling:
            self._dormancy.doze(self._entries())

    def wake(self) -> None:
        """All of it back in layout, what is on screen kept in place (see :meth:`_hold`)."""
        if not self._dormancy:
            return
        if not self._pinned and (held := self._dormancy.top_shown(self._entries())) is not None:
            self._hold_widget(held)
        self._dormancy.wake()

    # -- following and scrolling past an edge ------------------------------------------------

    def _set_below(self, below: bool) -> None:
        if below != self._below:
            self._below = below
            self.post_message(self.NewOutputBelow(below))

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        bottom = new_value >= self.max_scroll_y - 1
        if bottom and self.at_end:
            if not self.is_anchored:  # back at the end: follow again
                self.anchor()
            if self._below:
                self._set_below(False)
        if self._adjusting:  # (the view keeps an entry in place: not a scroll by the user)
            return
        if self._holding() and old_value <= self.max_scroll_y:  # (else: content shrank under the view)
            self._hold_top()  # the user scrolled: hold what is on top now
        if self._dormancy and (new_value < old_value or not self._pinned):
            self.wake()  # the user scrolls away from the end: all of it back in layout
        if self._edge_pending or self._lock.locked():
            return
        if new_value <= 0 and old_value > 0 and self._plan.earlier > 0:
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

    async def hydrate(self, count: int | None = None) -> int:
        """Re-create up to *count* older entries above the window, keeping the view still."""
        async with self._lock:
            self.wake()
            step = self._plan.hydrate(count)
            mounted = await self._carry_out(step)
            if step.drop:
                self.anchor(False)  # the end is no longer mounted: nothing to follow here
            return mounted

    async def extend(self, count: int | None = None) -> int:
        """Re-create up to *count* newer entries below the window (after scrolling back down)."""
        async with self._lock:
            self.wake()
            return await self._carry_out(self._plan.extend(count))

    async def reveal(self, seq: int) -> EntryWidget | None:
        """Mount the window back to the entry *seq* (older entries hydrated as needed), focus it
        and scroll it to the top of the pane; None when the list has no such entry."""
        items = self._plan.items
        if not any(getattr(item, "seq", None) == seq for item in items):
            return None
        self.wake()
        for _ in range(len(items)):  # (each hydrate mounts a batch; bounded by the list)
            widget = self._widgets.get(seq)
            if widget is not None or self._plan.earlier == 0 or not await self.hydrate():
                break
        widget = self._widgets.get(seq)
        if widget is not None:
            self.anchor(False)
            widget.focus()
            widget.scroll_visible(top=True, animate=False, immediate=True)
        return widget

    async def jump(self, *, to_end: bool) -> None:
        """A fresh window at the very end (following new output again) or the very beginning."""
        async with self._lock:
            if to_end and not self.at_end:
                await self._rewindow(at_end=True)
            elif not to_end and self._plan.earlier > 0:
                await self._rewindow(at_end=False)
            elif not to_end:
                self.wake()
        if to_end:
            self.anchor()  # follow from now on (this also clears a release of the anchor)
            self._set_below(False)
        else:
            self.scroll_home(animate=False, immediate=True)  # (a deferred one could land after a quick End)
