"""Which of a conversation's entries the message pane mounts: the window, decided without Textual.

Every mounted widget costs layout time on every frame that changes the pane, and a Markdown
message costs about 265 KB, so the pane mounts only a *window* of the entries that render
on their own (about 50, fewer when they hold much text); the others stay data. This module
makes every decision about that window: where a new window starts, how it fills in after
its first paint, where a new entry goes, which entries to re-create when the user scrolls
past an edge, and which to drop. :class:`~chat_tui.ui.widgets.conversation_view.ConversationView`
carries the decisions out (mount, remove, scroll) and nothing else.

A :class:`WindowPlan` holds the ordered entries and the window ``[start, end)``; each
operation moves the window and returns a :class:`Step`: the entries to mount at one edge
and the entries to unmount at an edge. The window is always contiguous: a step mounts next
to it and drops from its ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Generic, TypeVar

from chat_tui.conversation import ChatMessage, Entry, TextCursor

__all__ = ["LIMITS", "Limits", "Placement", "Step", "TextSizes", "WindowPlan"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Limits:
    """The window's sizes."""

    entries: int = 50  # entries in a full window at most...
    chars: int = 120_000  # ...and fewer when they hold more text than this,
    min_entries: int = 3  # ...but never fewer than this many, however long they are
    prune_slack: int = 10  # drop in batches, not one entry per new message
    step: int = 15  # entries re-created per scroll past an edge of the window
    first_paint: int = 8  # entries mounted before a new window's first frame (about a screenful)
    fill_batch: int = 6  # entries mounted per step while the rest of a new window fills in


LIMITS = Limits()


class Placement(Enum):
    """Where :meth:`WindowPlan.add` put a new entry."""

    MOUNT = "mount"  # inside the window: mount it
    ABOVE = "above"  # above the window: it stays data until scrolled to
    BELOW = "below"  # below a window the user scrolled away from: data, and there is new output below


@dataclass(frozen=True, slots=True)
class Step(Generic[T]):
    """What to do to the mounted widgets after the window moved.

    ``mount`` goes above the window when ``above`` (else below it); ``drop`` is unmounted
    from the other end. Both are in conversation order.
    """

    mount: tuple[T, ...] = ()
    drop: tuple[T, ...] = ()
    above: bool = False

    def __bool__(self) -> bool:
        return bool(self.mount or self.drop)


class WindowPlan(Generic[T]):
    """The entries that render on their own, in order, and the window ``items[start:end]`` that is mounted."""

    def __init__(self, size: Callable[[T], int], limits: Limits = LIMITS) -> None:
        self._size = size
        self.limits = limits
        self._items: list[T] = []
        self._start = 0
        self._end = 0

    # -- what the window is -------------------------------------------------------------------

    @property
    def items(self) -> Sequence[T]:
        return self._items

    @property
    def start(self) -> int:
        return self._start

    @property
    def end(self) -> int:
        return self._end

    @property
    def mounted(self) -> Sequence[T]:
        return self._items[self._start : self._end]

    @property
    def at_end(self) -> bool:
        """The window holds the last entry (a pane that shows it can follow new output)."""
        return self._end == len(self._items)

    @property
    def earlier(self) -> int:
        """Entries above the window."""
        return self._start

    @property
    def later(self) -> int:
        """Entries below the window."""
        return len(self._items) - self._end

    def full_start(self, end: int) -> int:
        """Where a full window that ends at *end* starts."""
        limits = self.limits
        chars = 0
        start = end
        while start > 0 and end - start < limits.entries:
            chars += self._size(self._items[start - 1])
            if chars > limits.chars and end - start >= limits.min_entries:
                break
            start -= 1
        return start

    def full_end(self, start: int) -> int:
        """Where a full window that starts at *start* ends."""
        limits = self.limits
        chars = 0
        end = start
        while end < len(self._items) and end - start < limits.entries:
            chars += self._size(self._items[end])
            if chars > limits.chars and end - start >= limits.min_entries:
                break
            end += 1
        return end

    @property
    def incomplete(self) -> bool:
        """The window is shorter than a full one from the edge it is anchored at (it should fill in)."""
        if self.at_end:  # anchored at the end: fills upwards
            return self._start > self.full_start(self._end)
        return self._end < self.full_end(self._start)

    # -- new windows --------------------------------------------------------------------------

    def reset(self, items: Iterable[T]) -> None:
        """A new conversation: these entries, none of them mounted."""
        self._items = list(items)
        self._start = self._end = len(self._items)

    def open(self, *, at_end: bool) -> Step[T]:
        """A new window at the very end (or the very beginning): the entries of its first paint.

        The caller has unmounted the previous window. The rest of a full window comes from
        :meth:`fill`, after a frame has painted.
        """
        total = len(self._items)
        if at_end:
            self._start, self._end = max(self.full_start(total), total - self.limits.first_paint), total
        else:
            self._start, self._end = 0, min(self.full_end(0), self.limits.first_paint)
        return Step(mount=tuple(self.mounted))

    def fill(self) -> Step[T]:
        """The next few entries toward a full window (above a window at the end, else below); empty when full."""
        batch = self.limits.fill_batch
        if not self.incomplete:
            return Step()
        if self.at_end:
            return self.hydrate(min(batch, self._start - self.full_start(self._end)), prune=False)
        return self.extend(min(batch, self.full_end(self._start) - self._end), prune=False)

    # -- entries that come and go -------------------------------------------------------------

    def add(self, item: T, order: Sequence[T]) -> Placement:
        """Place a new *item*, given every entry of the conversation in *order* (normally it is the last)."""
        position = _insertion_index(self._items, item, order)
        was_at_end = self.at_end
        self._items.insert(position, item)
        if position < self._start:
            self._start += 1
            self._end += 1
            return Placement.ABOVE
        if position >= self._end and not was_at_end:
            return Placement.BELOW
        self._end += 1
        return Placement.MOUNT

    def remove(self, item: T) -> bool:
        """Forget *item* (e.g. a tool result that found its call); True when it was among the items."""
        try:
            index = next(n for n, existing in enumerate(self._items) if existing is item)
        except StopIteration:
            return False
        del self._items[index]
        if index < self._start:
            self._start -= 1
        if index < self._end:
            self._end -= 1
        return True

    # -- moving the window --------------------------------------------------------------------

    def prune(self, keep: Callable[[T], bool]) -> Step[T]:
        """While following: drop the oldest entries once the window is over its size.

        Nothing is dropped from a *keep* entry (the streaming message) on: that entry and
        what follows stay mounted.
        """
        limits = self.limits
        target = self.full_start(self._end)
        if self._end - self._start <= limits.entries + limits.prune_slack and target <= self._start:
            return Step()
        dropped: list[T] = []
        for index in range(self._start, target):
            item = self._items[index]
            if keep(item):
                target = index
                break
            dropped.append(item)
        self._start = target
        return Step(drop=tuple(dropped))

    def hydrate(self, count: int | None = None, *, prune: bool = True) -> Step[T]:
        """Re-create up to *count* older entries above the window (the user scrolled past its top).

        With *prune*, a window grown over its size drops its newest entries, but never the
        first screenful the user was reading when they scrolled up.
        """
        limits = self.limits
        if self._start == 0:
            return Step(above=True)
        old_start, old_end = self._start, self._end
        self._start = max(0, old_start - (limits.step if count is None else count))
        mount = tuple(self._items[self._start : old_start])
        drop: tuple[T, ...] = ()
        if prune and old_end - self._start > limits.entries + limits.prune_slack:
            reading = min(old_end, old_start + limits.first_paint)
            self._end = min(old_end, max(self.full_end(self._start), reading))
            drop = tuple(self._items[self._end : old_end])
        return Step(mount=mount, drop=drop, above=True)

    def extend(self, count: int | None = None, *, prune: bool = True) -> Step[T]:
        """Re-create up to *count* newer entries below the window (the user scrolled past its bottom).

        With *prune*, a window grown over its size drops its oldest entries, but never the
        last screenful the user was reading.
        """
        limits = self.limits
        if self.at_end:
            return Step()
        old_start, old_end = self._start, self._end
        self._end = min(len(self._items), old_end + (limits.step if count is None else count))
        mount = tuple(self._items[old_end : self._end])
        drop: tuple[T, ...] = ()
        if prune and self._end - old_start > limits.entries + limits.prune_slack:
            reading = max(old_start, old_end - limits.first_paint)
            self._start = max(old_start, min(self.full_start(self._end), reading))
            drop = tuple(self._items[old_start : self._start])
        return Step(mount=mount, drop=drop)


def _insertion_index(items: Sequence[T], item: T, order: Sequence[T]) -> int:
    """Where *item* goes among *items*: after the last of them that comes before it in *order*."""
    if order and order[-1] is item:
        return len(items)
    rank = {id(e): n for n, e in enumerate(order)}
    mine = rank.get(id(item), len(order))
    for index in range(len(items) - 1, -1, -1):
        if rank.get(id(items[index]), -1) < mine:
            return index + 1
    return 0


class TextSizes:
    """Characters per entry, for the window's text budget, counted as parts arrive.

    Joining a streaming message's text to measure it would cost its whole length on every
    flush; this adds only the parts that arrived since it last looked.
    """

    OTHER = 200  # what an entry that is not a message counts for

    def __init__(self) -> None:
        self._known: dict[int, tuple[TextCursor, int]] = {}  # seq -> (read cursor, chars); per conversation

    def __call__(self, entry: Entry) -> int:
        if not isinstance(entry, ChatMessage):
            return self.OTHER
        return self._chars(entry)

    def _chars(self, message: ChatMessage) -> int:
        """The message's length, reading only the text added since the last call."""
        cursor, chars = self._known.get(message.seq) or (TextCursor(), 0)
        new, replaced = cursor.take(message)
        chars = len(new) if replaced else chars + len(new)
        self._known[message.seq] = (cursor, chars)
        return chars

    def clear(self) -> None:
        self._known.clear()
