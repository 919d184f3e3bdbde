"""Server-Sent Events decoding on httpx-sse, hardened against what breaks in practice.

The fields of an event are interpreted by httpx-sse's decoder (the event-stream
interpretation of the HTML standard, §9.2.6). Around it this module fixes what breaks on a
real LangGraph stream (faults of httpx-sse 0.4.3, each with a test in
``tests/unit/test_sse.py``):

* bytes are decoded as UTF-8 whatever ``charset=`` says (the SSE spec), invalid
  sequences become U+FFFD, and a multi-byte character split across reads is kept whole;
* lines end at CR, LF or CRLF only (never U+2028, NEL...), also when a CRLF is split
  across two reads;
* one leading BOM is stripped (httpx-sse drops the first event's type otherwise);
* events with empty data are not dispatched: after an ``id:`` line httpx-sse turns every
  ``: heartbeat`` comment into a phantom ``message`` event with ``data=""``;
* one event is capped (16 MiB by default) so a hostile or broken server cannot exhaust
  memory; exceeding it raises :class:`~chat_tui.client.errors.EventTooLarge`;
* comment lines are counted, because heartbeats are proof that the connection is alive;
* at end of stream an unterminated event is discarded, as the spec says.

It works a read at a time on bytes: lines are split here (in one C call per read), not by
httpx-sse's text line decoder. And a read that is exactly one event framed as langgraph-api
frames it (``event:``, ``data:``, ``id:``, CRLF; nearly every read of a live stream) is
decoded by a few searches instead (:meth:`EventDecoder._one_event`): the client's cost per
event is then a fifth of the per-line path's (``BENCHMARKS.md``, ingest). Property tests
check that both paths give the same events for any split of any stream
(``tests/unit/test_sse.py``).

httpx-sse's decoder lives in its private ``_decoders`` module; the dependency is pinned
below 0.5 and ``tests/unit/test_sse.py`` exercises it through this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from chat_tui.client.errors import EventTooLarge

if TYPE_CHECKING:
    from httpx_sse._decoders import SSEDecoder

__all__ = ["DEFAULT_MAX_EVENT_SIZE", "EventDecoder", "RawEvent"]

DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024
_BOM_BYTES = b"\xef\xbb\xbf"


class RawEvent(NamedTuple):
    """One dispatched SSE event: its name, its data (lines joined by LF) and the last id.

    (Immutable; a named tuple because a stream makes one per event and a frozen dataclass
    costs three times as much to create.)
    """

    event: str
    data: str
    id: str | None = None


_NAMES = {name.encode(): name for name in ("messages", "metadata", "updates", "values", "custom", "error")}
_raw_event = tuple.__new__  # RawEvent(...) without the named tuple's Python-level __new__


class EventDecoder:
    """Incremental bytes → :class:`RawEvent` decoder. Feed it what the socket delivers."""

    def __init__(self, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        self.max_event_size = max_event_size
        self.comments = 0  # heartbeat comments seen
        self.last_event_id: str | None = None
        self._head = b""  # the first bytes, until it is known whether they are a BOM
        self._started = False
        self._trailing_cr = False  # the last read ended in CR: a leading LF of the next one is not a line
        self._partial: list[bytes] = []  # pieces of the current, unterminated line
        self._partial_size = 0
        # httpx-sse: the event being read, and the last event id. (Imported here: importing
        # httpx_sse imports httpx, which the app does not need before its first frame.)
        from httpx_sse._decoders import SSEDecoder

        self._fields: SSEDecoder = SSEDecoder()
        self._id = ""  # the last event id; the field decoder learns it when it next decodes
        self._fields_id = ""  # ...and this is the last id it was told
        self._event_size = 0  # bytes in complete lines of the current event

    def feed(self, chunk: bytes) -> list[RawEvent]:
        """Decode one read from the socket; returns the events it completed."""
        if not self._started:
            chunk = self._strip_bom(chunk)
        if not chunk:
            return []
        if not (self._partial or self._trailing_cr or self._event_size):
            events = self._one_event(chunk)
            if events is not None:
                return events
        if self._trailing_cr:
            self._trailing_cr = False
            if chunk[0] == 0x0A:  # the LF of a CRLF split across reads
                chunk = chunk[1:]
                if not chunk:
                    return []
        last = chunk[-1]
        if last == 0x0A or last == 0x0D:
            self._trailing_cr = last == 0x0D
            complete, rest = chunk, b""
        else:
            end = max(chunk.rfind(b"\n"), chunk.rfind(b"\r"))
            if end < 0:  # no line ends here: keep the piece (never join a huge line piece by piece)
                self._partial.append(chunk)
                self._partial_size += len(chunk)
                self._check_size()
                return []
            complete, rest = chunk[: end + 1], chunk[end + 1 :]
        if self._partial:
            self._partial.append(complete)
            complete = b"".join(self._partial)
            self._partial = []
        if rest:
            self._partial.append(rest)
        self._partial_size = len(rest)
        # bytes.splitlines() splits at CR, LF and CRLF only (str.splitlines() would also
        # split at U+2028, NEL, FF...); CR and LF never occur inside a UTF-8 sequence.
        events = self._lines(complete.splitlines())
        self._check_size()
        return events

    def _one_event(self, chunk: bytes) -> list[RawEvent] | None:
        """The common case, quickly: a read that is exactly one event framed as langgraph-api
        frames it (``event:``, ``data:``, optionally ``id:``, CRLF, a blank line), decoded
        with a few searches instead of the line loop. None for anything else (the line loop
        then decodes it, with the same result)."""
        if not chunk.startswith(b"event: ") or not chunk.endswith(b"\r\n\r\n") or len(chunk) > self.max_event_size:
            return None
        n1 = chunk.find(b"\n")
        n2 = chunk.find(b"\n", n1 + 1)
        # Each line ends in CRLF, and holds no other CR (a bare CR would end the line there).
        if chunk.find(b"\r") != n1 - 1 or chunk.find(b"\r", n1) != n2 - 1 or not chunk.startswith(b"data: ", n1 + 1):
            return None
        blank = len(chunk) - 2
        event_id = self._id
        if n2 + 1 != blank:
            n3 = chunk.find(b"\n", n2 + 1)
            if n3 + 1 != blank or chunk.find(b"\r", n2) != n3 - 1 or not chunk.startswith(b"id: ", n2 + 1):
                return None
            value = chunk[n2 + 5 : n3 - 1]
            if b"\0" not in value:
                event_id = value.decode("utf-8", "replace")
        self._id = event_id
        if event_id:
            self.last_event_id = event_id
        data = chunk[n1 + 7 : n2 - 1]
        if not data:
            return []
        name = _NAMES.get(chunk[7 : n1 - 1]) or chunk[7 : n1 - 1].decode("utf-8", "replace") or "message"
        return [_raw_event(RawEvent, (name, data.decode("utf-8", "replace"), event_id or None))]

    def close(self) -> list[RawEvent]:
        """End of stream: an unterminated event is discarded, as the spec says.

        (Every line a read completed was decoded by that read, so nothing is left to dispatch.)
        """
        return []

    def _strip_bom(self, chunk: bytes) -> bytes:
        head = self._head + chunk
        if len(head) < 3 and _BOM_BYTES.startswith(head):
            self._head = head  # wait: this may still become a BOM
            return b""
        self._started = True
        self._head = b""
        return head[3:] if head.startswith(_BOM_BYTES) else head

    def _lines(self, lines: list[bytes]) -> list[RawEvent]:
        """Interpret complete lines: comments are counted, fields go to httpx-sse's decoder."""
        events: list[RawEvent] = []
        fields = self._fields
        if self._fields_id != self._id:  # ids the fast path saw since the field decoder last ran
            fields.decode("id: " + self._id)
            self._fields_id = self._id
        size = self._event_size
        limit = self.max_event_size
        try:
            for line in lines:
                if not line:  # dispatch
                    size = 0
                    sse = fields.decode("")
                    if sse is None:
                        continue
                    self._id = self._fields_id = sse.id
                    if sse.id:
                        self.last_event_id = sse.id
                    if sse.data:  # no phantom events: no data, no event
                        events.append(RawEvent(sse.event or "message", sse.data, sse.id or None))
                    continue
                if line[0] == 0x3A:  # ":" comment: a heartbeat
                    self.comments += 1
                    continue
                size += len(line)
                if size > limit:
                    raise EventTooLarge(limit)
                fields.decode(line.decode("utf-8", "replace"))
        finally:
            self._event_size = size
        return events

    def _check_size(self) -> None:
        if self._event_size + self._partial_size > self.max_event_size:
            raise EventTooLarge(self.max_event_size)
