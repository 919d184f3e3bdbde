"""Recordings of runs' event streams: ``.sse`` files that any SSE reader can read.

A recording keeps each event a run delivered, with when it arrived, and what the client learned
when the run ended, so the run can be played back later without a server
(:mod:`chat_tui.client.playback`). The file is a valid ``text/event-stream``: everything that
is not an event is an SSE comment (a line starting with ``:``), which every reader ignores.

Format, version 1 (UTF-8, lines end in CRLF as langgraph-api ends them)::

    : chat-tui recording 1 {"host": "127.0.0.1:2024", "assistant": "agent", "thread": "<id>", …}
    : run {"thread": "<id>", "run": "<id>", "assistant": "agent", "time": "…", "input": {"input": {…}}}
    : t=0.004
    event: metadata
    data: {"run_id":"<id>","attempt":1}
    id: 1796524009198-0

    : t=0.016
    event: messages
    …
    : note {"before": 41, "t": 3.2, "kind": "reconnecting", "attempt": 1, "delay": 0.5, "reason": "…"}
    …
    : end {"status": "success", "cancelled": false, "error": null}
    : state {"messages": […], "interrupts": […], "next": […], "checkpoint_id": "…"}
    : thread-error <JSON>

* The first line says what was recorded (``{"host", "assistant", "thread", "run", "time"}``,
  the time as ``2026-12-06T02:26:47Z``): the server's host (``host[:port]``: never a scheme,
  a path, a query string or credentials), the assistant, thread and run of the first run, and
  the time it began (UTC). No API key or header is ever written.
* ``: run`` opens each run (a recording may hold several, one after another), with what it was
  sent: the ``input`` or the ``command`` of the request (never its config or context, which may
  carry secrets), so a replay can show the user's message.
* ``: t=SECONDS`` precedes each event: the seconds since the server accepted the run (to the
  millisecond). A replay keeps this pace, or any multiple of it.
* Each event is written as the client's decoder delivered it (after the replay filter of a
  rejoin): ``event:``, one ``data:`` line per line of its data, ``id:``, a blank line. That is
  langgraph-api's own framing, so for its streams these are the bytes it sent (an event without
  an id after one with an id gets ``id:`` alone: SSE ids carry over).
  The decoder's fields can hold no CR or LF (they end lines), so no value can add a line.
* ``: note`` is what the client said about the stream between two events, which no SSE event
  carries: a rejoin (``reconnecting``: attempt, delay, reason) or a ``warning``; ``before`` is
  the number of events that came before it in the run.
* ``: end`` is how the stream ended (the run's final status, whether it was cancelled, a
  client error after the server accepted it); ``: state`` is what the thread's stored state
  said after the run (the messages and interrupts the conversation was reconciled with) and
  ``: thread-error`` the thread's error the client read for a failed run, each only when it
  was read. A recording without ``: end`` was cut short (the program stopped mid-run).

Comment values are JSON with every non-ASCII and control character escaped, so they are one
line whatever they hold. Reading is :mod:`chat_tui.client.recording_reader`'s (a plain SSE
capture, ``curl -N …``, reads as one run without ids, timing or end).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, NamedTuple

from chat_tui.client.sse import RawEvent
from chat_tui.errors import ChatTuiError
from chat_tui.sanitize import clean_line

__all__ = [
    "MAGIC",
    "VERSION",
    "RecordedRun",
    "Recording",
    "RecordingError",
    "RecordingWriter",
    "RunEnd",
    "StreamNote",
    "TimedEvent",
    "dumps",
    "event_lines",
]

MAGIC = "chat-tui recording"
VERSION = 1
EOL = "\r\n"


class RecordingError(ChatTuiError):
    """A file that is not a recording this version can read; the message is one line."""


class TimedEvent(NamedTuple):
    """One event of a run, *t* seconds after the server accepted it."""

    t: float
    raw: RawEvent


class StreamNote(NamedTuple):
    """What the client said about the stream after *before* events of the run (no SSE event behind
    it): ``kind`` ``reconnecting`` (``detail``: attempt, delay, reason) or ``warning`` (reason)."""

    before: int
    t: float
    kind: str
    detail: dict[str, Any]


@dataclass(slots=True)
class RunEnd:
    """How a run's stream ended: the run's final status (None: unknown), a cancel, a client error."""

    status: str | None = None
    cancelled: bool = False
    error: str | None = None


@dataclass(slots=True)
class RecordedRun:
    """One run: who ran it, what it was sent, its events, and what was learned at its end."""

    thread_id: str | None = None
    run_id: str | None = None
    assistant_id: str | None = None
    started_at: datetime | None = None
    input: dict[str, Any] | None = None  # {"input": …} or {"command": …}: what the run was created with
    events: list[TimedEvent] = field(default_factory=list)
    notes: list[StreamNote] = field(default_factory=list)  # in order of ``before``
    end: RunEnd | None = None  # None: the recording stops before the run ended
    state: dict[str, Any] | None = None  # the thread's stored state after the run, when it was read
    thread_error: Any = None
    thread_error_read: bool = False  # (the error may be null: this says whether it was read)

    @property
    def duration(self) -> float:
        return self.events[-1].t if self.events else 0.0

    def meta_json(self) -> dict[str, Any]:
        return {
            "thread": self.thread_id,
            "run": self.run_id,
            "assistant": self.assistant_id,
            "time": _utc(self.started_at),
            "input": self.input,
        }


@dataclass(slots=True)
class Recording:
    """A recording file: the server it came from, and its runs in order."""

    host: str | None = None
    version: int = VERSION
    runs: list[RecordedRun] = field(default_factory=list)


# -- writing ----------------------------------------------------------------------------------


def _json(value: Any) -> str:
    """One line, whatever *value* holds: ASCII, every control character escaped."""
    return json.dumps(value, ensure_ascii=True, separators=(", ", ": "), default=str)


def _utc(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def header_line(host: str | None, run: RecordedRun) -> str:
    """The leading comment: host, assistant, thread, run, time. Never a key or a header."""
    fields = {
        "host": clean_line(host, 200) if host else None,
        "assistant": run.assistant_id,
        "thread": run.thread_id,
        "run": run.run_id,
        "time": _utc(run.started_at),
    }
    return f": {MAGIC} {VERSION} {_json(fields)}{EOL}"


def run_line(run: RecordedRun) -> str:
    return f": run {_json(run.meta_json())}{EOL}"


def _check_field(name: str, value: str) -> None:
    if "\r" in value or "\n" in value:
        raise ValueError(f"an SSE {name} cannot hold a line end")


def event_lines(raw: RawEvent, t: float | None = None, previous_id: str | None = None) -> str:
    """One event framed as langgraph-api frames it, after its ``: t=`` comment.

    *previous_id* is the id the reader carries over from the event before (SSE ids are sticky):
    an event without an id after one with an id resets it with ``id:``. Raises ValueError for what
    a decoder can never deliver (a line end in a name or id, a NUL in an id, empty data)."""
    _check_field("event name", raw.event)
    if not raw.event or not raw.data or "\r" in raw.data:
        raise ValueError("an SSE event needs a name and data without CR")
    parts = [f": t={t:.3f}{EOL}"] if t is not None else []
    parts.append(f"event: {raw.event}{EOL}")
    parts.extend(f"data: {line}{EOL}" for line in raw.data.split("\n"))
    if raw.id is not None:
        _check_field("id", raw.id)
        if "\0" in raw.id:
            raise ValueError("an SSE id cannot hold NUL")
        parts.append(f"id: {raw.id}{EOL}")
    elif previous_id is not None:
        parts.append(f"id:{EOL}")  # (reset: ids carry over from one event to the next)
    parts.append(EOL)
    return "".join(parts)


def note_line(note: StreamNote) -> str:
    return f": note {_json({'before': note.before, 't': note.t, 'kind': note.kind, **note.detail})}{EOL}"


def end_lines(run: RecordedRun) -> str:
    """The run's trailer: ``: end``, and ``: state`` / ``: thread-error`` when they were read."""
    lines = []
    if run.end is not None:
        end = {"status": run.end.status, "cancelled": run.end.cancelled, "error": run.end.error}
        lines.append(f": end {_json(end)}{EOL}")
    if run.state is not None:
        lines.append(f": state {_json(run.state)}{EOL}")
    if run.thread_error_read:
        lines.append(f": thread-error {_json(run.thread_error)}{EOL}")
    return "".join(lines)


class RecordingWriter:
    """Writes a recording as it happens: runs one after another, each event as it arrives.

    The header is written with the first run (its ids are known only once the server accepted
    it). Each run is flushed when it ends, and each event too when *live*. A write that fails
    stops the writing (``error`` says why), never the run. The caller owns (and closes) *handle*.
    """

    def __init__(self, handle: IO[bytes], host: str | None, *, live: bool = False) -> None:
        self.handle = handle
        self.host = host
        self.live = live  # each event reaches the file as it comes (a crash loses none)
        self.error: str | None = None  # why writing stopped (the file could not be written)
        self.runs = 0  # runs begun
        self._last_id: str | None = None

    def _write(self, text: str, *, flush: bool = False) -> None:
        if self.error is not None:
            return
        try:
            self.handle.write(text.encode("utf-8"))
            if flush:
                self.handle.flush()
        except OSError as exc:  # (a full disk stops the recording, never the run)
            self.error = exc.strerror or "error"

    def begin(self, run: RecordedRun) -> None:
        if self.runs == 0:
            self._write(header_line(self.host, run))
        self.runs += 1
        self._last_id = None  # (a reader starts each run with a fresh decoder)
        self._write(run_line(run))

    def event(self, event: TimedEvent) -> None:
        self._write(event_lines(event.raw, event.t, self._last_id), flush=self.live)
        self._last_id = event.raw.id

    def note(self, note: StreamNote) -> None:
        self._write(note_line(note))

    def run(self, run: RecordedRun) -> None:
        """A whole run (one that was recorded in memory)."""
        self.begin(run)
        self.body(run)
        self.end(run)

    def body(self, run: RecordedRun) -> None:
        """The events and notes of *run* so far (after :meth:`begin`), in the order they came."""
        notes = iter(run.notes)
        note = next(notes, None)
        for number, event in enumerate(run.events):
            while note is not None and note.before <= number:
                self.note(note)
                note = next(notes, None)
            self.event(event)
        while note is not None:
            self.note(note)
            note = next(notes, None)

    def end(self, run: RecordedRun) -> None:
        self._write(end_lines(run), flush=True)


def dumps(recording: Recording) -> bytes:
    """A whole recording as the bytes of its file."""
    handle = io.BytesIO()
    writer = RecordingWriter(handle, recording.host)
    for run in recording.runs:
        writer.run(run)
    return handle.getvalue()
