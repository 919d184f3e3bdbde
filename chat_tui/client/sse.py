"""Server-Sent Events decoding on httpx-sse, hardened against its known faults.

httpx-sse 0.4.3 supplies the line splitter (CR, LF and CRLF only, never U+2028/NEL) and
the field parser. Around them this module fixes what breaks on a real LangGraph stream
(measured in ``notes/reliability-security.md`` §1.3):

* bytes are decoded as UTF-8 whatever ``charset=`` says (the SSE spec), invalid
  sequences become U+FFFD, and a multi-byte character split across reads is kept whole;
* one leading BOM is stripped (httpx-sse drops the first event's type otherwise);
* events with empty data are not dispatched: after an ``id:`` line httpx-sse turns every
  ``: heartbeat`` comment into a phantom ``message`` event with ``data=""``;
* one event is capped (16 MiB by default) so a hostile or broken server cannot exhaust
  memory; exceeding it raises :class:`~chat_tui.client.errors.EventTooLarge`;
* comment lines are counted, because heartbeats are proof that the connection is alive;
* at end of stream an unterminated event is discarded, as the spec says.

httpx-sse's decoder classes live in its private ``_decoders`` module; the dependency is
pinned below 0.5 and ``tests/unit/test_sse.py`` exercises them directly.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

from httpx_sse._decoders import SSEDecoder as _FieldDecoder
from httpx_sse._decoders import SSELineDecoder as _LineDecoder

from chat_tui.client.errors import EventTooLarge

__all__ = ["DEFAULT_MAX_EVENT_SIZE", "EventDecoder", "RawEvent"]

DEFAULT_MAX_EVENT_SIZE = 16 * 1024 * 1024
_BOM = "\ufeff"


@dataclass(frozen=True, slots=True)
class RawEvent:
    """One dispatched SSE event: its name, its data (lines joined by LF) and the last id."""

    event: str
    data: str
    id: str | None = None


class EventDecoder:
    """Incremental bytes → :class:`RawEvent` decoder. Feed it what the socket delivers."""

    def __init__(self, max_event_size: int = DEFAULT_MAX_EVENT_SIZE) -> None:
        self.max_event_size = max_event_size
        self.comments = 0  # heartbeat comments seen
        self.last_event_id: str | None = None
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._lines = _LineDecoder()
        self._fields = _FieldDecoder()
        self._started = False
        self._event_size = 0  # characters in complete lines of the current event
        self._partial_size = 0  # characters of the current, unterminated line

    def feed(self, chunk: bytes) -> list[RawEvent]:
        """Decode one read from the socket; returns the events it completed."""
        text = self._utf8.decode(chunk)
        if not text:
            return []
        if not self._started:
            self._started = True
            if text[0] == _BOM:
                text = text[1:]
                if not text:
                    return []
        return self._decode_text(text)

    def close(self) -> list[RawEvent]:
        """End of stream: returns events completed by the final bytes; an unterminated event is discarded."""
        events: list[RawEvent] = []
        tail = self._utf8.decode(b"", final=True)
        if tail:
            events.extend(self._decode_text(tail))
        if self._lines.trailing_cr:  # a CR deferred in case LF followed: at EOF it ends a line
            events.extend(self._decode_text("\n"))
        return events

    def _decode_text(self, text: str) -> list[RawEvent]:
        lines = self._lines.decode(text)
        if not lines:
            self._partial_size += len(text)
            self._check_size()
            return []
        buffered = self._lines.buffer
        self._partial_size = len(buffered[0]) if buffered else 0
        events: list[RawEvent] = []
        fields = self._fields
        for line in lines:
            if line:
                if line[0] == ":":
                    self.comments += 1
                    continue
                self._event_size += len(line)
                if self._event_size > self.max_event_size:
                    raise EventTooLarge(self.max_event_size)
                fields.decode(line)
                continue
            self._event_size = 0
            sse = fields.decode(line)
            if sse is None:
                continue
            if sse.id:
                self.last_event_id = sse.id
            if not sse.data:  # phantom event after id + heartbeat, or event without data
                continue
            events.append(RawEvent(sse.event or "message", sse.data, sse.id or None))
        self._check_size()
        return events

    def _check_size(self) -> None:
        if self._event_size + self._partial_size > self.max_event_size:
            raise EventTooLarge(self.max_event_size)
