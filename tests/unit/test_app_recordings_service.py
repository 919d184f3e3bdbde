"""The service half of the app's recordings and replay: a Playback stops at once (even in a long wait
between two events) and leaves what it played, unsettled; a recording to a file that saw no run
leaves no file; an existing file is refused unless the caller says so; nothing to save says so."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from chat_tui.client.recording_reader import read_recording
from chat_tui.conversation.state import Conversation
from chat_tui.service.outfile import OutputRefused
from chat_tui.service.recording import Recorder
from chat_tui.service.recording_files import NothingToSave, RecordingToFile, save_last_run
from chat_tui.service.replay import Playback
from tests.support.sse import transcript_files


async def test_a_stopped_playback_ends_at_once_and_keeps_what_it_played() -> None:
    path = next(p for p in transcript_files() if p.stem == "weather_tool_call")
    recording = read_recording(path)
    recording.runs[0].events = [e._replace(t=i * 100.0) for i, e in enumerate(recording.runs[0].events)]
    conversation = Conversation()
    seen = asyncio.Event()
    playback = Playback(conversation, recording, speed=1.0, on_event=lambda _e: seen.set())
    task = asyncio.create_task(playback.play())
    await asyncio.wait_for(seen.wait(), 5)
    assert playback.position == (1, 1)
    playback.stop()
    played = await asyncio.wait_for(task, 2)  # (not 100 s: the wait between events ends too)
    assert playback.stopped and len(played) == 1
    assert conversation.run is not None and conversation.run.outcome == "cancelled"
    assert played[0].outcome.problem is None  # (not settled with the whole run's recorded state)


def test_a_recording_that_saw_no_run_leaves_no_file(tmp_path: Path) -> None:
    recorder = Recorder("127.0.0.1:2024", keep=1)
    path = tmp_path / "nothing.sse"
    recording = RecordingToFile(recorder, path)
    assert path.exists() and recorder.writer is recording.writer
    stopped = recording.stop()
    assert stopped.path is None and stopped.runs == 0 and not path.exists() and recorder.writer is None


def test_existing_files_and_nothing_to_save(tmp_path: Path) -> None:
    recorder = Recorder("127.0.0.1:2024", keep=1)
    mine = tmp_path / "mine.sse"
    mine.write_text("mine")
    with pytest.raises(OutputRefused):
        RecordingToFile(recorder, mine)
    assert recorder.writer is None and mine.read_text() == "mine"
    with pytest.raises(NothingToSave):
        save_last_run(recorder, tmp_path / "last.sse")
    assert not (tmp_path / "last.sse").exists()
