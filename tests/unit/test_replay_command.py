"""`chat-tui stream --replay` with no server: usage errors are one line (exit 2), a recording without
a run is exit 5, and plain SSE captures (the transcripts in tests/fixtures) play back through the
same fold as a live stream."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from chat_tui.cli import main
from chat_tui.client.events import parse_event
from chat_tui.client.recording_reader import read_recording
from chat_tui.conversation.state import Conversation
from chat_tui.headless_record import replay_stream
from tests.support.sse import transcript_files


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["stream", "--replay", "x.sse", "hello"], "drop MESSAGE"),
        (["stream", "--replay", "x.sse", "--url", "http://127.0.0.1:9"], "drop --url"),
        (["--demo", "stream", "--replay", "x.sse"], "drop --demo"),
        (["stream", "--replay", "x.sse", "--thread", "t", "--decide", "approve"], "drop --decide, --thread"),
        (["stream", "--replay", "x.sse", "--force"], "drop --force"),
        (["stream", "--url", "http://127.0.0.1:9", "--speed", "2", "hi"], "--speed is the pace of a --replay"),
        (["stream", "--url", "http://127.0.0.1:9", "--force", "hi"], "add --record FILE"),
        (["export", "--url", "http://127.0.0.1:9", "--thread", "t", "--force"], "add -o FILE"),
    ],
)
def test_what_a_replay_cannot_take_is_one_line_and_exit_2(
    args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert needle in err and len(err.strip().splitlines()) == 1


def test_bad_speeds_and_both_record_and_replay_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (["--speed", "0"], ["--speed", "fast"], ["--record", "a.sse"]):
        with pytest.raises(SystemExit) as exited:
            main(["stream", "--replay", "x.sse", *args])
        assert exited.value.code == 2
    assert "error" in capsys.readouterr().err


async def test_unreadable_and_empty_recordings(tmp_path: Path) -> None:
    err = io.StringIO()
    assert await replay_stream(tmp_path / "missing.sse", "json", err=err) == 2
    assert "no such file" in err.getvalue()
    empty = tmp_path / "empty.sse"
    empty.write_bytes(b": just a comment\r\n")
    err = io.StringIO()
    assert await replay_stream(empty, "json", out=io.StringIO(), err=err) == 5
    assert "nothing ran" in err.getvalue()


@pytest.mark.parametrize("path", transcript_files(), ids=lambda p: p.stem)
async def test_plain_captures_play_back_through_the_live_fold(path: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    code = await replay_stream(path, "json", out=out, err=err)
    document = json.loads(out.getvalue())
    # the same events folded straight into a conversation, as a live stream folds them
    direct = Conversation()
    direct.begin_run()
    for event in read_recording(path).runs[0].events:
        direct.apply(parse_event(event.raw))
    assert [m["id"] for m in document["messages"]] == [m.id for m in direct.run_messages(document["run_id"])]
    # no end recorded: the outcome is unknown (1), unless the run stopped at an interrupt (3) or failed
    assert code == {"interrupted": 3}.get(document["status"], 1)
    assert document["status"] in ("unknown", "interrupted", "error")
