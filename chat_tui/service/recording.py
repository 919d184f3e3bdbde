"""Recording runs as they stream: what ``chat-tui stream --record`` writes, and what the app keeps
to save (the file format is :mod:`chat_tui.client.recording`'s).

A :class:`Recorder` is given to the turns whose runs it records (``ChatService.recorder``, or a
turn's ``recorder``). Each run it sees becomes a :class:`~chat_tui.client.recording.RecordedRun`:
the events the conversation was given, timed from the moment the server accepted the run, then
how the stream ended and the state the run was settled with.

* With a :class:`~chat_tui.client.recording.RecordingWriter` attached, runs are written as they
  happen (a run cut short, by a crash or Ctrl-C, keeps what came). Runs are written one after
  another: a run that begins while another is being written is written whole when it ends.
* Finished runs are also kept in memory, the last ``keep`` of them, so a front end can save
  the last run afterwards (:meth:`Recorder.recording`), or attach a writer mid-run
  (:meth:`Recorder.attach`): the runs in progress are written from their first event.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chat_tui.client.events import Fault, Reconnecting
from chat_tui.client.playback import state_to_json
from chat_tui.client.recording import RecordedRun, Recording, RecordingWriter, RunEnd, StreamNote, TimedEvent

if TYPE_CHECKING:
    from chat_tui.client.errors import ClientError
    from chat_tui.client.events import StreamEnd, StreamEvent
    from chat_tui.client.models import ThreadState

__all__ = ["Recorder", "RunTap"]


class RunTap:
    """One run being recorded (made by :meth:`Recorder.begin`)."""

    def __init__(self, recorder: Recorder, run: RecordedRun) -> None:
        self.recorder = recorder
        self.run = run
        self.done = False
        self._started = recorder.clock()

    def event(self, event: StreamEvent) -> None:
        """An event the conversation was given: its SSE event, or a note for a rejoin or a warning
        (the end of the stream is recorded by :meth:`finish`)."""
        raw = getattr(event, "raw", None)
        t = round(self.recorder.clock() - self._started, 3)
        writer = self.recorder.writer if self.recorder.writing is self else None
        if raw is not None:
            timed = TimedEvent(t, raw)
            self.run.events.append(timed)
            if writer is not None:
                writer.event(timed)
            return
        if isinstance(event, Reconnecting):
            detail: dict[str, Any] = {"attempt": event.attempt, "delay": round(event.delay, 3), "reason": event.reason}
            note = StreamNote(len(self.run.events), t, "reconnecting", detail)
        elif isinstance(event, Fault):
            note = StreamNote(len(self.run.events), t, "warning", {"reason": event.reason})
        else:
            return
        self.run.notes.append(note)
        if writer is not None:
            writer.note(note)

    def finish(
        self,
        end: StreamEnd | None,
        error: ClientError | None,
        *,
        cancelled: bool = False,
        state: ThreadState | None = None,
        thread_error: tuple[Any] | None = None,
    ) -> None:
        """The run is over and settled: how its stream ended, and what was read after it."""
        run = self.run
        run.end = RunEnd(
            end.run_status if end is not None else None,
            end.cancelled if end is not None else cancelled,
            str(error) if error is not None else None,
        )
        run.state = state_to_json(state) if state is not None else None
        if thread_error is not None:
            run.thread_error, run.thread_error_read = thread_error[0], True
        self.recorder.finished(self)

    def cut(self) -> None:
        """The run stopped being followed before its end (the program is stopping)."""
        self.recorder.finished(self)


class Recorder:
    """Records the runs of the turns it is given (see the module's docstring)."""

    def __init__(
        self,
        host: str | None,
        writer: RecordingWriter | None = None,
        *,
        keep: int = 1,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.host = host
        self.writer = writer
        self.clock = clock
        self.now = now
        self.kept: deque[RecordedRun] = deque(maxlen=max(0, keep))
        self.open: list[RunTap] = []  # runs in progress, oldest first
        self.writing: RunTap | None = None  # the run the writer is writing now
        self.pending: list[RunTap] = []  # runs that ended while another was being written

    def begin(
        self, thread_id: str | None, run_id: str | None, assistant_id: str | None, sent: dict[str, Any] | None
    ) -> RunTap:
        """A run the server accepted starts streaming."""
        started = self.now().replace(microsecond=0)  # (as the file keeps it)
        run = RecordedRun(thread_id, run_id, assistant_id, started_at=started, input=sent)
        tap = RunTap(self, run)
        self.open.append(tap)
        self._advance()
        return tap

    def _start_writing(self, tap: RunTap) -> None:
        assert self.writer is not None
        self.writing = tap
        self.writer.begin(tap.run)
        self.writer.body(tap.run)

    def finished(self, tap: RunTap) -> None:
        if tap.done:
            return
        tap.done = True
        if tap in self.open:
            self.open.remove(tap)
        self.kept.append(tap.run)
        if self.writer is None:
            return
        if self.writing is tap:
            self.writer.end(tap.run)
            self.writing = None
        else:
            self.pending.append(tap)
        self._advance()

    def _advance(self) -> None:
        """The writer is free: the runs that ended meanwhile, whole, then the next run in progress."""
        writer = self.writer
        while writer is not None and self.writing is None:
            if self.pending:
                writer.run(self.pending.pop(0).run)
            elif self.open:
                self._start_writing(self.open[0])
            else:
                break

    def attach(self, writer: RecordingWriter) -> None:
        """Write from now on (the runs in progress from their first event)."""
        self.writer = writer
        self._advance()

    def detach(self) -> RecordingWriter | None:
        """Stop writing: the run being written is closed in the file as cut short, then the runs
        that ended meanwhile are written whole. Returns the writer (its file is the caller's)."""
        writer, self.writer = self.writer, None
        if writer is not None and self.writing is not None:
            writer.end(self.writing.run)
        self.writing = None
        while writer is not None and self.pending:
            writer.run(self.pending.pop(0).run)
        self.pending.clear()
        return writer

    def recording(self, runs: list[RecordedRun] | None = None) -> Recording:
        """A recording of *runs* (default: the runs kept in memory), to save with ``dumps``."""
        return Recording(self.host, runs=list(self.kept) if runs is None else runs)
