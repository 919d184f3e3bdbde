"""Which events of a rejoined stream were already delivered.

Measured on the dev server (langgraph-api 0.16.7, in-memory): a rejoin with
``Last-Event-ID`` replays the stored events after that id, then, while it switches to live
events, sends a span of them *again*: one id inversion and 3-9 exact duplicates per rejoin.
Ids are ``<unix ms>-0``, so several events share one, and two identical tokens in one
millisecond are identical events. The rules that follow from that:

* The resume point is the previous *distinct* id, so that events sharing the last id are
  replayed (resuming from the last id would lose the ones not yet received).
* At a reconnect, as many copies of each event as were delivered are swallowed (two
  identical tokens delivered are two copies).
* After that, an event is dropped when it is a copy of one already delivered *and* it comes
  after a larger id: that is the server's repeated span. A span that shares the newest id shows
  no such inversion: the last event arrives twice in a row (about 1 rejoin in 25), or, under
  load and long after the rejoin, the last few events that share a millisecond arrive again
  (seen twice in about 900 rejoined runs). So a copy of an event of the newest millisecond is
  held back while what follows matches the end of what was delivered: when that end has come
  again whole, the held events are dropped; when something else comes, or the body ends
  normally, they were new and are delivered, in order. If the connection breaks meanwhile they
  are left to the rejoin's replay. (A run of events in one millisecond that really repeats
  itself at once, ``| |`` or ``a b a b``, looks the same after a reconnect and loses its copy
  until the run ends and the conversation is reconciled with the server's state; a doubled
  span after such a repeat was the worse choice.) Anything new is kept, even late.

Other servers give every event an id of its own (Aegra: ``<run id>_event_<n>``), and a rejoin
there replays the stored events after ``Last-Event-ID`` and then, switching to live events,
sends part of them again (measured with aegra-api 0.6.0: 210 tokens shown of 200). Ids that are
not of the ``<ms>-<seq>`` shape and were all distinct up to the first reconnect are taken as
unique: from then on an event whose id was already delivered is dropped, whatever its data.

Events are told apart by a fingerprint: their id, the length of their data and its first
128 characters (where a messages event carries its token). The stream hands the filter each
read's events (:meth:`ReplayFilter.select`). Before any reconnect the bookkeeping is one append
per event, to the last 1,024 fingerprints only: a rejoin resumes
from the previous distinct id, so the server only ever replays or repeats events from the
end of what was delivered (and memory does not grow with the stream). The counting starts
at the first reconnect.
"""

from __future__ import annotations

from collections import Counter, deque

from chat_tui.client.sse import RawEvent

__all__ = ["ReplayFilter", "event_id_key"]

Fingerprint = tuple[str, int, str]
HISTORY = 1024  # fingerprints kept before the first reconnect


def event_id_key(event_id: str) -> tuple[int, int] | None:
    """Order key of an ``<ms>-<seq>`` id (dev server and Redis streams); None otherwise."""
    head, sep, tail = event_id.partition("-")
    if not sep or not head.isdigit() or not tail.isdigit():
        return None
    return int(head), int(tail)


def fingerprint(raw: RawEvent) -> Fingerprint:
    data = raw.data
    return (raw.id or "", len(data), data[:128])


class ReplayFilter:
    def __init__(self) -> None:
        self.last_id: str | None = None
        self.previous_id: str | None = None  # the distinct id before last_id
        self.delivered_without_id = False  # an event without an id was delivered: a rejoin cannot replay
        # The delivered events, in order: the last HISTORY of them until the first reconnect.
        self._order: deque[Fingerprint] | list[Fingerprint] = deque(maxlen=HISTORY)
        self._counts: Counter[Fingerprint] | None = None  # built at the first reconnect
        self._swallow: Counter[Fingerprint] = Counter()
        self._max_key: tuple[int, int] | None = None
        self._repeat: list[int] | None = None  # where a repeated span may continue in _order
        self._ids: set[str] | None = None  # the delivered ids, once they are known to be unique
        # Events held back while they may be the server sending the end of the delivered order
        # again (with the newest id, so without an inversion), and where in _order that end starts.
        self._held: list[RawEvent] = []
        self._held_starts: list[int] = []

    def resume_from(self) -> str | None:
        """The ``Last-Event-ID`` for a rejoin (None: nothing to resume from); filtering starts."""
        if self._counts is None:
            self._order = list(self._order)
            self._counts = Counter(self._order)
            ids = {mark[0] for mark in self._order}
            if len(ids) == len(self._order) and self.last_id is not None and event_id_key(self.last_id) is None:
                self._ids = ids
        self._swallow = Counter(self._counts)
        self._repeat = None
        self._held, self._held_starts = [], []  # the rejoin replays them if they were new
        if self.last_id is None:
            return None
        self._max_key = event_id_key(self.last_id)
        if self._max_key is None:  # opaque ids: assume they are unique
            return self.last_id
        return self.previous_id if self.previous_id is not None else "-"

    def select(self, raws: list[RawEvent]) -> list[RawEvent]:
        """The events of one read that are new and should be delivered (they are then recorded),
        in order; events held back by an earlier read may come first."""
        if self._counts is None:  # no reconnect yet: every event is new (inlined: this runs per read)
            order = self._order
            last = self.last_id
            for raw in raws:
                event_id = raw.id
                if event_id is None:
                    self.delivered_without_id = True
                    continue
                data = raw.data
                order.append((event_id, len(data), data[:128]))
                if event_id != last:
                    self.previous_id = last
                    last = event_id
            self.last_id = last
            return raws
        out: list[RawEvent] = []
        for raw in raws:
            self._judge(raw, out)
        return out

    def finish(self) -> list[RawEvent]:
        """The stream's body ended normally: events still held back were new after all (the
        server sends a repeated span whole before anything else)."""
        out: list[RawEvent] = []
        self._release(out)
        return out

    def _judge(self, raw: RawEvent, out: list[RawEvent]) -> None:
        event_id = raw.id
        if event_id is None:
            self._release(out)
            self.delivered_without_id = True
            out.append(raw)
            return
        ids = self._ids
        if ids is not None:  # unique ids: one already delivered is a replay or a repeat
            if event_id not in ids:
                ids.add(event_id)
                self._advance(event_id)
                out.append(raw)
            return
        mark = fingerprint(raw)
        if self._held and self._follow_held(raw, mark):
            return
        if self._held:
            self._release(out)  # they were new; this event is judged on its own
        counts = self._counts
        assert counts is not None
        if self._swallow[mark] > 0:  # the replay of what was delivered before the reconnect
            self._swallow[mark] -= 1
            return
        if self._repeat is not None and self._continues_repeat(mark):
            return
        key = event_id_key(event_id)
        if counts[mark] > 0:
            if key is not None and self._max_key is not None and key < self._max_key:
                # a copy of a delivered event after a larger id: the server repeats a span from here
                order = self._order
                self._repeat = [i + 1 for i, m in enumerate(order) if m == mark and i + 1 < len(order)] or None
                return
            if self._hold(raw, mark):
                return
        self._accept(raw, mark, key)
        out.append(raw)

    def _hold(self, raw: RawEvent, mark: Fingerprint) -> bool:
        """Hold *raw* back when it may begin the server sending the end of the delivered order
        again: that end all shares *raw*'s id (an older id would be an inversion), and *raw* is
        a copy of one of its events. A copy of the very last event is a repeat of one at once."""
        order = self._order
        starts: list[int] = []
        position = len(order) - 1
        while position >= 0 and order[position][0] == mark[0]:
            if order[position] == mark:
                if position == len(order) - 1:
                    return True  # the server repeating only the event it sent last: dropped
                starts.append(position)
            position -= 1
        if not starts:
            return False
        self._held, self._held_starts = [raw], starts
        return True

    def _follow_held(self, raw: RawEvent, mark: Fingerprint) -> bool:
        """True when *raw* continues a held possible repeat (and it is then held or dropped)."""
        order = self._order
        offset = len(self._held)
        starts = [p for p in self._held_starts if order[p + offset] == mark]
        if not starts:
            return False
        if any(p + offset == len(order) - 1 for p in starts):
            self._held, self._held_starts = [], []  # the whole end came again: the server's repeat
            return True
        self._held.append(raw)
        self._held_starts = starts
        return True

    def _release(self, out: list[RawEvent]) -> None:
        held, self._held, self._held_starts = self._held, [], []
        for raw in held:
            self._accept(raw, fingerprint(raw), event_id_key(raw.id or ""))
            out.append(raw)

    def _accept(self, raw: RawEvent, mark: Fingerprint, key: tuple[int, int] | None) -> None:
        counts = self._counts
        assert counts is not None
        counts[mark] += 1
        self._order.append(mark)
        if key is not None and (self._max_key is None or key > self._max_key):
            self._max_key = key
        self._advance(raw.id or "")

    def _continues_repeat(self, mark: Fingerprint) -> bool:
        """Follow a repeated span against the delivered order (each candidate start at once)."""
        order = self._order
        candidates = [p + 1 for p in self._repeat or () if order[p] == mark]
        if not candidates:
            self._repeat = None  # the span is over: this event is judged on its own
            return False
        self._repeat = [p for p in candidates if p < len(order)] or None
        return True

    def _advance(self, event_id: str) -> None:
        if event_id != self.last_id:
            self.previous_id = self.last_id
            self.last_id = event_id
