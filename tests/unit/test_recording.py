"""Recordings without a server: the file format round-trips any event, no value can add a line,
the recorder writes runs whole and in order, and playback keeps the recorded pace."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat_tui.client.events import Fault, MessageChunk, Metadata, Reconnecting, StreamEnd
from chat_tui.client.playback import RecordedFailure, RecordedStream
from chat_tui.client.recording import (
    RecordedRun,
    Recording,
    RecordingError,
    RecordingWriter,
    RunEnd,
    StreamNote,
    TimedEvent,
    dumps,
    event_lines,
)
from chat_tui.client.recording_reader import loads, read_recording
from chat_tui.client.sse import EventDecoder, RawEvent
from chat_tui.service.recording import Recorder

# What an SSE decoder can deliver: no line ends in a name or an id (nor NUL in an id), data
# without CR (its lines are joined by LF) and never empty, no lone surrogates (decoding makes U+FFFD).
_CHARS = st.characters(blacklist_categories=("Cs",))
names = st.text(_CHARS.filter(lambda c: c not in "\r\n"), min_size=1, max_size=20)
datas = st.text(_CHARS.filter(lambda c: c != "\r"), min_size=1, max_size=60)
ids = st.none() | st.text(_CHARS.filter(lambda c: c not in "\r\n\0"), min_size=1, max_size=20)
raw_events = st.builds(RawEvent, names, datas, ids)
times = st.floats(min_value=0, max_value=10_000, allow_nan=False).map(lambda t: round(t, 3))
strings = st.none() | st.text(_CHARS, max_size=30)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(_CHARS, max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(_CHARS, max_size=8), inner, max_size=3),
    max_leaves=8,
)


@st.composite
def runs(draw: st.DrawFn) -> RecordedRun:
    events = draw(st.lists(st.tuples(times, raw_events), max_size=8))
    end = draw(st.none() | st.builds(RunEnd, strings, st.booleans(), strings))
    detail_keys = st.text(_CHARS, max_size=8).filter(lambda key: key not in ("before", "t", "kind"))
    notes = draw(
        st.lists(
            st.builds(
                StreamNote,
                st.integers(0, len(events)),
                times,
                st.sampled_from(["reconnecting", "warning"]) | st.text(_CHARS, max_size=8),
                st.dictionaries(detail_keys, json_values, max_size=3),
            ),
            max_size=3,
        )
    )
    run = RecordedRun(
        draw(strings),
        draw(strings),
        draw(strings),
        started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        input=draw(st.none() | st.dictionaries(st.text(_CHARS, max_size=8), json_values, max_size=3)),
        events=[TimedEvent(t, raw) for t, raw in sorted(events, key=lambda pair: pair[0])],
        notes=sorted(notes, key=lambda note: note.before),
        end=end,
        state=draw(st.none() | st.dictionaries(st.text(_CHARS, max_size=8), json_values, max_size=3)),
    )
    if draw(st.booleans()):
        run.thread_error, run.thread_error_read = draw(json_values), True
    return run


hosts = st.none() | st.from_regex(r"[a-z0-9.:\[\]-]{1,30}", fullmatch=True)


@settings(max_examples=50, deadline=None)
@given(st.lists(runs(), max_size=3), hosts)
def test_any_recording_reads_back_as_written(written: list[RecordedRun], host: str | None) -> None:
    recording = Recording(host, runs=written)
    data = dumps(recording)
    back = loads(data)
    assert back.runs == written
    if written:
        assert back.host == host
    # the same bytes from the writer that writes as it goes
    handle = io.BytesIO()
    writer = RecordingWriter(handle, host)
    for run in written:
        writer.begin(run)
        for number, event in enumerate(run.events):
            for note in (note for note in run.notes if note.before == number):
                writer.note(note)
            writer.event(event)
        for note in (note for note in run.notes if note.before == len(run.events)):
            writer.note(note)
        writer.end(run)
    assert handle.getvalue() == data


@settings(max_examples=100, deadline=None)
@given(st.lists(raw_events, min_size=1, max_size=10))
def test_events_are_what_an_sse_decoder_reads_and_no_value_adds_a_line(events: list[RawEvent]) -> None:
    text = ""
    previous = None
    for raw in events:
        text += event_lines(raw, None, previous)
        previous = raw.id
    assert EventDecoder().feed(text.encode()) == events
    # one name line, one line per data line, at most one id line and the blank line: nothing else
    expected = sum(1 + raw.data.count("\n") + 1 + 2 for raw in events)
    assert len(text.split("\r\n")) - 1 <= expected


@pytest.mark.parametrize(
    "raw",
    [
        RawEvent("messages\r\ndata: injected", "x"),
        RawEvent("messages", "x", "1\nevent: injected"),
        RawEvent("messages", "a\rb"),
        RawEvent("messages", "x", "a\0b"),
        RawEvent("messages", ""),
    ],
)
def test_what_a_decoder_never_delivers_is_refused(raw: RawEvent) -> None:
    with pytest.raises(ValueError):
        event_lines(raw)


@given(st.text(_CHARS, max_size=40), st.text(_CHARS, max_size=40))
def test_header_and_comments_stay_one_line_whatever_they_hold(assistant: str, text: str) -> None:
    run = RecordedRun("t\r\n: injected", "r", assistant, input={"input": text}, end=RunEnd(text, False, text))
    data = dumps(Recording("host\n:x", runs=[run]))
    lines = data.decode().split("\r\n")
    assert all(line.startswith(":") or not line for line in lines)
    assert data.isascii()  # (every comment is escaped JSON)
    assert loads(data).runs == [run]


def test_a_plain_capture_reads_as_one_run_and_a_cut_event_is_dropped() -> None:
    capture = (
        b': heartbeat\n\nevent: metadata\ndata: {"run_id": "r1"}\nid: 1-0\n\n'
        b'event: values\ndata: {}\nid: 2-0\n\nevent: values\ndata: {"cut'
    )
    recording = loads(capture)
    assert recording.host is None and len(recording.runs) == 1
    run = recording.runs[0]
    assert [e.raw for e in run.events] == [
        RawEvent("metadata", '{"run_id": "r1"}', "1-0"),
        RawEvent("values", "{}", "2-0"),
    ]
    assert run.end is None and run.run_id is None


def test_unreadable_files_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="no such file"):
        read_recording(tmp_path / "missing.sse")
    (tmp_path / "future.sse").write_bytes(b': chat-tui recording 9 {"host": "h"}\r\n')
    with pytest.raises(RecordingError, match="version 9"):
        read_recording(tmp_path / "future.sse")
    (tmp_path / "bad.sse").write_bytes(b': chat-tui recording 1 {}\r\n: run {"thread": \r\n')
    with pytest.raises(RecordingError, match="line 2"):
        read_recording(tmp_path / "bad.sse")


def _message(text: str) -> RawEvent:
    chunk = {"type": "AIMessageChunk", "content": text, "id": "m1"}
    return RawEvent("messages", json.dumps([chunk, {"langgraph_node": "agent"}]), "1-0")


def test_the_recorder_writes_runs_whole_and_in_order() -> None:
    ticks = iter(range(100))
    handle = io.BytesIO()
    recorder = Recorder("example.com", RecordingWriter(handle, "example.com"), keep=5, clock=lambda: next(ticks))
    first = recorder.begin("t1", "r1", "agent", {"input": {"messages": []}})
    second = recorder.begin("t2", "r2", "agent", None)  # streams while the first is being written
    first.event(Metadata("r1", 1, RawEvent("metadata", '{"run_id": "r1"}', "1-0")))
    second.event(Metadata("r2", 1, RawEvent("metadata", '{"run_id": "r2"}', "5-0")))
    second.event(Reconnecting(1, 0.5, "the stream closed\x1b[2J"))
    first.event(StreamEnd("success"))  # (no SSE behind it: not recorded)
    second.finish(StreamEnd("success"), None)
    first.event(Metadata("r1", 1, RawEvent("metadata", '{"run_id": "r1", "n": 2}', "2-0")))
    first.finish(StreamEnd("error"), RecordedFailure("boom"))
    recording = loads(handle.getvalue())
    assert [run.run_id for run in recording.runs] == ["r1", "r2"]
    assert [len(run.events) for run in recording.runs] == [2, 1]
    assert recording.runs[1].notes == [
        StreamNote(1, 3.0, "reconnecting", {"attempt": 1, "delay": 0.5, "reason": "the stream closed\x1b[2J"})
    ]
    assert recording.runs[0].end == RunEnd("error", False, "boom")
    assert recording.runs[0].events[0].t == 2.0 and recording.host == "example.com"  # (the clock ticks once a call)
    assert recorder.recording().runs == [recording.runs[1], recording.runs[0]]  # kept in the order they ended


def test_a_writer_attached_mid_run_gets_the_run_from_its_first_event() -> None:
    recorder = Recorder("h", keep=1)
    tap = recorder.begin("t", "r", "agent", None)
    tap.event(Metadata("r", 1, RawEvent("metadata", "{}", "1-0")))
    handle = io.BytesIO()
    recorder.attach(RecordingWriter(handle, "h"))
    tap.event(Metadata("r", 1, RawEvent("metadata", "[]", "2-0")))
    tap.cut()  # the program stops mid-run
    run = loads(handle.getvalue()).runs[0]
    assert [e.raw.data for e in run.events] == ["{}", "[]"] and run.end is None


async def test_playback_keeps_the_recorded_pace_and_its_end() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(round(seconds, 1))

    run = RecordedRun(
        "t",
        None,
        events=[TimedEvent(0.0, RawEvent("metadata", '{"run_id": "r9"}', "1")), TimedEvent(2.0, _message("hi"))],
        end=RunEnd("success"),
    )
    stream = RecordedStream(run, speed=2, sleep=sleep)
    events = [event async for event in stream]
    assert [type(e) for e in events] == [Metadata, MessageChunk, StreamEnd]
    assert stream.run_id == "r9" and slept and 0.9 <= slept[-1] <= 1.0  # 2 s of recording at speed 2
    assert [type(e) for e in [event async for event in RecordedStream(run)]] == [Metadata, MessageChunk, StreamEnd]
    run.notes = [
        StreamNote(1, 1.0, "reconnecting", {"attempt": 2, "delay": 1, "reason": "x\x1b]0;T\x07"}),
        StreamNote(2, 2.0, "warning", {"reason": "odd\x1b"}),
    ]
    played = [event async for event in RecordedStream(run)]
    assert [type(e) for e in played] == [Metadata, Reconnecting, MessageChunk, Fault, StreamEnd]
    assert played[1] == Reconnecting(2, 1.0, "x␛]0;T␇") and played[3] == Fault("odd␛")
    run.end = RunEnd(None, False, "the stream broke")
    with pytest.raises(RecordedFailure, match="the stream broke"):
        async for _ in RecordedStream(run):
            pass


def test_a_file_that_cannot_be_written_stops_the_recording_never_the_run() -> None:
    class Full(io.BytesIO):
        def write(self, data: object) -> int:
            raise OSError(28, "No space left on device")

    writer = RecordingWriter(Full(), "h", live=True)
    recorder = Recorder("h", writer)
    tap = recorder.begin("t", "r", "agent", None)
    tap.event(Metadata("r", 1, RawEvent("metadata", "{}", "1-0")))
    tap.finish(StreamEnd("success"), None)
    assert writer.error == "No space left on device" and recorder.recording().runs[0].end == RunEnd("success")
