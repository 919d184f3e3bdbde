"""``chat-tui stream --record FILE`` and ``chat-tui stream --replay FILE``.

* ``--record FILE`` runs the command as usual and records its run in FILE as it streams (the
  format is :mod:`chat_tui.client.recording`'s). An existing FILE is refused unless ``--force``:
  one line, exit 2, before anything is sent. When nothing ran (the server could not be reached,
  the answer was refused), no file is left behind.
* ``--replay FILE`` needs no server: the recorded runs are played through the same turn and
  conversation code as a live run (:mod:`chat_tui.service.replay`) and printed by the same
  printers, so ``--json`` prints the document the live run printed, and ``--raw`` the events it
  printed. At once, or at the recorded pace times ``--speed N``. Exit codes are the live
  command's, for the last run played: 0 success, 1 failed or cancelled, 3 waiting at an
  interrupt; 2 for a file that cannot be read, 5 when it holds no run.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import TextIO

from chat_tui.client.recording import RecordingError, RecordingWriter
from chat_tui.client.recording_reader import read_recording
from chat_tui.connection import Connection
from chat_tui.headless import EXIT_CODES, StreamCommand, printers, report, run_stream
from chat_tui.sanitize import clean_line
from chat_tui.service.outfile import OutputRefused, open_output, output_problem
from chat_tui.service.recording import Recorder
from chat_tui.service.replay import replay

__all__ = ["output_problem", "record_stream", "replay_stream"]


async def record_stream(
    connection: Connection,
    options: StreamCommand,
    path: Path,
    *,
    force: bool = False,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """``stream --record``: the command's run, recorded in *path*."""
    try:
        handle = open_output(path, force=force)
    except OutputRefused as exc:
        err.write(f"error: {exc}; nothing was sent\n")
        return EXIT_CODES["usage"]
    writer = RecordingWriter(handle, connection.host, live=True)
    recorder = Recorder(connection.host, writer, keep=0)
    try:
        return await run_stream(connection, options, out=out, err=err, recorder=recorder)
    finally:
        recorder.detach()  # (a run still open, on Ctrl-C, is closed as cut short)
        with contextlib.suppress(OSError):
            handle.close()
        if writer.runs == 0:  # nothing ran: no empty recording
            with contextlib.suppress(OSError):
                os.unlink(path)
        elif writer.error is not None:
            err.write(f"warning: the recording in {clean_line(str(path), 200)} stopped: {writer.error}\n")


async def replay_stream(
    path: Path,
    output: str,
    *,
    speed: float | None = None,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """``stream --replay``: the recorded runs, printed as *output* (human, raw or json)."""
    try:
        recording = read_recording(path)
    except RecordingError as exc:
        err.write(f"error: {exc}\n")
        return EXIT_CODES["usage"]
    if not recording.runs:
        err.write("error: the recording holds no run: nothing ran\n")
        return EXIT_CODES["nothing"]
    from chat_tui.conversation.state import Conversation

    conversation = Conversation(recording.runs[0].thread_id)
    printer, on_event = printers(output, conversation, out, err)
    played = await replay(conversation, recording, speed=speed, on_event=on_event)
    return report(played[-1].outcome, conversation, output, printer, out, err)
