"""What Aegra (aegra-api 0.6.0) does differently on the wire, reproduced on the real dev server
through the fault proxy, so each behaviour has a test wherever the suite runs.

* Its event ids are unique per run (``<run id>_event_<n>``), where the dev server's are
  ``<unix ms>-0`` and repeat within a millisecond: :class:`AegraIds` renumbers the events of
  one run across its responses (the same event keeps its number when it is sent again) and
  maps a ``Last-Event-ID`` back to what the dev server understands.
* A rejoin replays the stored events after ``Last-Event-ID``, then, switching to live events,
  sends part of them again: ``AegraIds.response(rejoin=True, repeat=N)`` sends the first N new
  events of a rejoin twice. (The dev server repeats a span of its own on a rejoin, after an id
  inversion, or its last event twice in a row, or, under load, the last few events that share the
  newest id: ``chat_tui/client/replay.py``. Those are taken out here, so that the events keep their
  numbers and only Aegra's repeat is left; a genuine copy of a token in the same millisecond goes
  with them, the one loss the filter allows too, ``tests/support/repairs.py``.)
* It sends no heartbeats: :func:`without_heartbeats`.
* After a cancel it sends ``error`` "Run was interrupted", then ``end``: :data:`CANCEL_EPILOGUE`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tests.faults.proxy import Request

HEARTBEAT = b": heartbeat\r\n\r\n"
CANCEL_EPILOGUE = (
    b'event: error\r\ndata: {"error":"Error","message":"Run was interrupted"}\r\nid: aegra_event_end_1\r\n\r\n'
    b'event: end\r\ndata: {"status":"error"}\r\nid: aegra_event_end_2\r\n\r\n'
)
_ID_LINE = re.compile(rb"(?m)^id: ([^\r\n]*)\r\n")


def without_heartbeats(piece: bytes) -> bytes:
    """The body without its ``: heartbeat`` comments (the dev server sends one every 5 s)."""
    return piece.replace(HEARTBEAT, b"")


class AegraIds:
    """Unique, opaque event ids for one run's responses, as Aegra numbers them."""

    def __init__(self, prefix: str = "0199aegra-run") -> None:
        self.prefix = prefix
        self.numbers: dict[tuple[bytes, bytes, int], int] = {}  # (dev id, event, occurrence) -> n
        self.dev_ids: list[bytes] = []  # the dev server's id of event n (index n - 1)
        self.message_events: set[int] = set()  # numbers of the `messages` events (tokens)
        self.repeated = 0  # events a rejoin sent twice

    def response(self, *, rejoin: bool = False, repeat: int = 0) -> Callable[[bytes], bytes]:
        """A body transform for one response (the POST, or one rejoin)."""
        pending = [b""]
        occurrences: Counter[tuple[bytes, bytes]] = Counter()
        fresh: list[bytes] = []  # the first *repeat* new events of this response, renumbered
        sent: set[tuple[bytes, bytes]] = set()
        state: dict[str, Any] = {"max": None, "last": None, "repeating": False}

        def dev_repeat(dev_id: bytes, body: bytes) -> bool:
            """The dev server's own repeat on a rejoin (see the module's docstring)."""
            event = (dev_id, body)
            key = tuple(int(part) for part in dev_id.split(b"-"))
            if state["repeating"] and event in sent:
                return True
            state["repeating"] = state["max"] is not None and key < state["max"] and event in sent
            if state["repeating"] or event == state["last"]:
                return True
            if key == state["max"] and event in sent:  # the end of what it sent, again, under the newest id
                return True
            state["max"] = key if state["max"] is None else max(state["max"], key)
            state["last"] = event
            sent.add(event)
            return False

        def transform(piece: bytes) -> bytes:
            data = pending[0] + piece
            complete, sep, rest = data.rpartition(b"\r\n\r\n")
            pending[0] = rest
            if not sep:
                return b""
            out: list[bytes] = []
            for block in (complete + sep).split(b"\r\n\r\n")[:-1]:
                block += b"\r\n\r\n"
                found = _ID_LINE.search(block)
                if found is None:  # a heartbeat, or an event without an id
                    out.append(block)
                    continue
                dev_id = found.group(1)
                body = _ID_LINE.sub(b"", block)
                if rejoin and dev_repeat(dev_id, body):
                    continue
                occurrences[(dev_id, body)] += 1
                key = (dev_id, body, occurrences[(dev_id, body)])
                new = key not in self.numbers
                if new:
                    self.dev_ids.append(dev_id)
                    self.numbers[key] = len(self.dev_ids)
                    if body.startswith(b"event: messages\r\n"):
                        self.message_events.add(len(self.dev_ids))
                number = self.numbers[key]
                renumbered = _ID_LINE.sub(f"id: {self.prefix}_event_{number}\r\n".encode(), block)
                out.append(renumbered)
                if new and len(fresh) < repeat:
                    fresh.append(renumbered)
                    if len(fresh) == repeat:  # the switch to live events: the span again
                        out.extend(fresh)
                        self.repeated += len(fresh)
            return b"".join(out)

        return transform

    def request(self, request: Request) -> Request:
        """A rejoin's ``Last-Event-ID`` (one of ours) as the dev server understands it: the
        distinct id before that event's, so the events sharing its millisecond are replayed."""
        last = request.last_event_id
        if not last or not last.startswith(f"{self.prefix}_event_"):
            return request
        number = int(last.rsplit("_", 1)[1])
        dev_id = self.dev_ids[number - 1]
        earlier = [d for d in self.dev_ids[: number - 1] if d != dev_id]
        headers = dict(request.headers)
        headers["last-event-id"] = earlier[-1].decode() if earlier else "-"
        return replace(request, headers=headers)
