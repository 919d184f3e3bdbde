"""The event inspector's rows: the events of an :class:`EventLog` that pass a filter, in order.

:class:`EventView` keeps its rows in step with the log incrementally: :meth:`EventView.sync`
looks only at the events that arrived since it last looked, and forgets rows whose events
the log dropped, so the inspector's refresh costs what arrived, not what is kept. A new
filter rebuilds the rows once (O(kept events)).

A filter is typed as one line (:meth:`EventFilter.parse`): ``mode:updates node:tools
ns:researcher`` (each may list several values, ``mode:updates,values``; ``ns:-`` is the root
graph), and whatever else is typed is a search (:meth:`EventView.find`): it moves between the
events whose JSON holds the text (case-insensitive) and does not hide the others.

Pure Python, no Textual, no I/O.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from chat_tui.conversation.event_log import EventLog, LoggedEvent
from chat_tui.sanitize import clean_line

__all__ = ["EventFilter", "EventView"]

ROOT_NAMESPACE = "-"
_KEYS = {"mode": "modes", "modes": "modes", "node": "nodes", "nodes": "nodes", "ns": "namespaces"}


@dataclass(frozen=True, slots=True)
class EventFilter:
    """Which events are rows: by mode, node and namespace (each empty: any). ``search`` hides nothing."""

    modes: frozenset[str] = frozenset()
    nodes: frozenset[str] = frozenset()
    namespaces: frozenset[str] = frozenset()
    search: str = ""

    @classmethod
    def parse(cls, query: str) -> EventFilter:
        values: dict[str, set[str]] = {"modes": set(), "nodes": set(), "namespaces": set()}
        words = []
        for word in query.split():
            key, sep, rest = word.partition(":")
            field = _KEYS.get(key.lower()) if sep else None
            if field is None or not rest:
                words.append(word)
                continue
            values[field].update(v for v in rest.split(",") if v)
        return cls(
            frozenset(values["modes"]), frozenset(values["nodes"]), frozenset(values["namespaces"]), " ".join(words)
        )

    @property
    def hides(self) -> bool:
        """True when some events may not be rows."""
        return bool(self.modes or self.nodes or self.namespaces)

    def admits(self, event: LoggedEvent) -> bool:
        if not self.hides:
            return True
        summary = event.summary()
        if self.modes and summary.mode not in self.modes and summary.mode.split("/")[0] not in self.modes:
            return False
        if self.nodes and not (summary.node and self.nodes.intersection(summary.node.split(", "))):
            return False
        if self.namespaces:
            if not summary.namespace:
                return ROOT_NAMESPACE in self.namespaces
            parts = [part.split(":")[0] for part in summary.namespace] + list(summary.namespace)
            return any(ns in parts for ns in self.namespaces)
        return True

    def describe(self) -> str:
        """The filter on one line (cleaned), for the inspector's title."""
        said = [
            f"{label}:{','.join(sorted(values))}"
            for label, values in (("mode", self.modes), ("node", self.nodes), ("ns", self.namespaces))
            if values
        ]
        if self.search:
            said.append(f"search {self.search!r}")
        return clean_line(" ".join(said), 120)


def holds(event: LoggedEvent, text: str) -> bool:
    """Whether the event's name or JSON holds *text* (already lower-case), ignoring case."""
    data = event.raw.data
    if text in data or text in event.raw.event:
        return True
    return text in data.lower() or text in event.raw.event.lower()


class EventView:
    """The rows (events passing the filter) of one log, oldest first."""

    def __init__(self, log: EventLog, event_filter: EventFilter | None = None) -> None:
        self.log = log
        self.filter = event_filter or EventFilter()
        self._rows: list[int] = []  # seqs
        self._head = 0  # _rows[:_head] were dropped by the log
        self._scanned = log.first_seq  # the next seq to look at
        self.sync()

    def set_filter(self, event_filter: EventFilter) -> None:
        """A new filter: the rows are rebuilt (O(kept events)) when it hides something else."""
        hid = (self.filter.modes, self.filter.nodes, self.filter.namespaces)
        self.filter = event_filter
        if hid != (event_filter.modes, event_filter.nodes, event_filter.namespaces):
            self._rows, self._head, self._scanned = [], 0, self.log.first_seq
            self.sync()

    def set_log(self, log: EventLog) -> None:
        self.log = log
        self._rows, self._head, self._scanned = [], 0, log.first_seq
        self.sync()

    def sync(self) -> int:
        """Take in what arrived and forget what was dropped since the last call; the rows added."""
        log = self.log
        first = log.first_seq
        rows = self._rows
        head = self._head
        while head < len(rows) and rows[head] < first:
            head += 1
        if head > 1024 and head * 2 > len(rows):
            del rows[:head]
            head = 0
        self._head = head
        before = len(rows)
        if self._scanned < log.appended:
            admits = self.filter.admits
            if self.filter.hides:
                rows.extend(e.seq for e in log.since(self._scanned) if admits(e))
            else:
                rows.extend(range(max(self._scanned, first), log.appended))
            self._scanned = log.appended
        return len(rows) - before

    def __len__(self) -> int:
        return len(self._rows) - self._head

    def __getitem__(self, row: int) -> LoggedEvent:
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        event = self.log.get(self._rows[self._head + row])
        if event is None:  # (dropped since the last sync)
            raise IndexError(row)
        return event

    def row_of(self, seq: int) -> int | None:
        """The row showing event *seq*, or None when it is not a row."""
        index = bisect_left(self._rows, seq, self._head)
        if index < len(self._rows) and self._rows[index] == seq:
            return index - self._head
        return None

    def nearest_row(self, seq: int) -> int:
        """The row of event *seq*, or of the first row after it (the last row when none is after)."""
        index = bisect_left(self._rows, seq, self._head) - self._head
        return max(0, min(index, len(self) - 1))

    def find(self, text: str, start: int, *, forward: bool = True) -> int | None:
        """The next row after *start* (before it, backwards) whose event holds *text*; wraps around."""
        needle = text.lower()
        count = len(self)
        if not needle or not count:
            return None
        step = 1 if forward else -1
        for offset in range(1, count + 1):
            row = (start + step * offset) % count
            event = self.log.get(self._rows[self._head + row])
            if event is not None and holds(event, needle):
                return row
        return None
