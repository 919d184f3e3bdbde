"""Reading recordings: the format is :mod:`chat_tui.client.recording`'s.

Events are read by the client's own SSE decoder (:class:`~chat_tui.client.sse.EventDecoder`, a
fresh one for each run), so a recording reads back as the events the live stream delivered;
the comments around them are read here. A file that is not a recording reads as a plain SSE
capture: one run, without ids, timing or end. An event cut short by the end of the file is
dropped, as SSE says.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from chat_tui.client.recording import (
    MAGIC,
    VERSION,
    RecordedRun,
    Recording,
    RecordingError,
    RunEnd,
    StreamNote,
    TimedEvent,
)
from chat_tui.client.sse import EventDecoder
from chat_tui.sanitize import clean_line

__all__ = ["loads", "read_recording"]

_TIME = re.compile(r"t=(\d+(?:\.\d+)?)")


def _comment_json(keyword: str, text: str, line_number: int) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise RecordingError(f"line {line_number}: the `{keyword}` comment is not valid JSON") from None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _run_from(meta: Any) -> RecordedRun:
    meta = meta if isinstance(meta, dict) else {}
    sent = meta.get("input")
    return RecordedRun(
        thread_id=_text(meta.get("thread")),
        run_id=_text(meta.get("run")),
        assistant_id=_text(meta.get("assistant")),
        started_at=_when(meta.get("time")),
        input=sent if isinstance(sent, dict) else None,
    )


class _Reader:
    def __init__(self) -> None:
        self.recording = Recording()
        self.run: RecordedRun | None = None
        self.decoder = EventDecoder()
        self.t = 0.0

    def _current(self) -> RecordedRun:
        if self.run is None:  # events before any `: run` (a plain capture): one run without ids
            self._begin(RecordedRun())
        assert self.run is not None
        return self.run

    def _begin(self, run: RecordedRun) -> None:
        self.run = run
        self.recording.runs.append(run)
        self.decoder = EventDecoder()
        self.t = 0.0

    def comment(self, text: str, number: int) -> None:
        keyword, _, rest = text.partition(" ")
        if keyword == "run":
            self._begin(_run_from(_comment_json("run", rest, number)))
        elif keyword == "end":
            end = _comment_json("end", rest, number)
            end = end if isinstance(end, dict) else {}
            self._current().end = RunEnd(
                _text(end.get("status")), end.get("cancelled") is True, _text(end.get("error"))
            )
        elif keyword == "note":
            note = _comment_json("note", rest, number)
            note = note if isinstance(note, dict) else {}
            kind, t = note.pop("kind", None), note.pop("t", None)
            note.pop("before", None)  # (where it is in the file says it)
            run = self._current()
            when = float(t) if isinstance(t, int | float) and not isinstance(t, bool) else self.t
            run.notes.append(StreamNote(len(run.events), when, str(kind), note))
        elif keyword == "state":
            state = _comment_json("state", rest, number)
            self._current().state = state if isinstance(state, dict) else None
        elif keyword == "thread-error":
            run = self._current()
            run.thread_error = _comment_json("thread-error", rest, number)
            run.thread_error_read = True
        elif (match := _TIME.fullmatch(text)) is not None:
            self.t = float(match.group(1))
        # anything else (a heartbeat of a plain capture) is a comment like any other

    def line(self, line: bytes) -> None:
        for raw in self.decoder.feed(line + b"\n"):
            self._current().events.append(TimedEvent(self.t, raw))


def loads(data: bytes) -> Recording:
    """Read a recording (or a plain SSE capture). Raises :class:`RecordingError`."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    reader = _Reader()
    lines = data.splitlines()  # at CR, LF and CRLF only, as the SSE decoder splits
    for number, line in enumerate(lines, start=1):
        if not line.startswith(b":"):
            reader.line(line)
            continue
        text = line[1:].decode("utf-8", "replace").removeprefix(" ")
        if number == 1 and text.startswith(MAGIC):
            _, _, rest = text.partition(MAGIC)
            version, _, fields = rest.strip().partition(" ")
            if version != str(VERSION):
                raise RecordingError(f"a recording of version {clean_line(version, 20)}; this chat-tui reads {VERSION}")
            header = _comment_json("header", fields, number)
            reader.recording.host = _text(header.get("host")) if isinstance(header, dict) else None
            continue
        reader.comment(text, number)
    return reader.recording


def read_recording(path: Any) -> Recording:
    """Read the recording at *path* (a str or a Path); one-line errors."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise RecordingError(f"no such file: {clean_line(str(path), 200)}") from None
    except OSError as exc:
        raise RecordingError(f"cannot read {clean_line(str(path), 200)}: {exc.strerror or 'error'}") from None
    return loads(data)
