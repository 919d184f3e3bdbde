"""The app's recordings: "record the current and next runs to FILE" (start, then stop) and "save the
last run to FILE", on the :class:`~chat_tui.service.recording.Recorder` the app keeps on its service.

Files are created owner-only and an existing one is replaced only when the caller says so
(:func:`~chat_tui.service.outfile.open_output`); the writer never writes a key or a header.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from chat_tui.client.recording import RecordingWriter, dumps
from chat_tui.errors import ChatTuiError
from chat_tui.service.outfile import OutputRefused, open_output
from chat_tui.service.recording import Recorder

__all__ = ["NothingToSave", "RecordingToFile", "Stopped", "save_last_run"]


class NothingToSave(ChatTuiError):
    """No run has ended since the app connected (the one streaming, if any, is not over yet)."""


@dataclass(slots=True, frozen=True)
class Stopped:
    """A recording that ended: its file (None: nothing ran, so no file was left), how many runs it
    holds, and why writing stopped early (a full disk), if it did."""

    path: Path | None
    runs: int
    error: str | None


class RecordingToFile:
    """Records the runs in progress and the next ones in *path* until :meth:`stop`."""

    def __init__(self, recorder: Recorder, path: Path, *, force: bool = False) -> None:
        """Raises :class:`~chat_tui.service.outfile.OutputRefused` (nothing started)."""
        self.recorder = recorder
        self.path = path
        self._handle = open_output(path, force=force)
        self.writer = RecordingWriter(self._handle, recorder.host, live=True)
        recorder.attach(self.writer)

    @property
    def runs(self) -> int:
        """The runs written so far (begun)."""
        return self.writer.runs

    def stop(self) -> Stopped:
        """Stop writing (a run still streaming is closed in the file as cut short) and close the file;
        a file that holds no run is removed."""
        if self.recorder.writer is self.writer:
            self.recorder.detach()
        with contextlib.suppress(OSError):
            self._handle.close()
        if self.writer.runs == 0:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            return Stopped(None, 0, self.writer.error)
        return Stopped(self.path, self.writer.runs, self.writer.error)


def save_last_run(recorder: Recorder, path: Path, *, force: bool = False) -> int:
    """Write the runs the recorder kept (the last one, for the app's) to *path*; returns how many.
    Raises :class:`NothingToSave`, or ``OutputRefused`` when the file cannot be written."""
    if not recorder.kept:
        raise NothingToSave("no run has ended yet: nothing to save")
    data = dumps(recorder.recording())
    with open_output(path, force=force) as handle:
        try:
            handle.write(data)
        except OSError as exc:
            raise OutputRefused(f"could not write the recording: {exc.strerror or 'error'}") from None
    return len(recorder.kept)
