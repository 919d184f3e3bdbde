"""`chat-tui replay FILE` refuses before the app starts: a file that cannot be read as a recording is
one line and exit 2, one without a run exit 5, and what would connect somewhere is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.cli import main
from tests.support.sse import transcript_files


def one_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1, err
    return err


def test_unreadable_files_are_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(tmp_path / "missing.sse")]) == 2
    assert "no such file" in one_line(capsys)
    newer = tmp_path / "newer.sse"
    newer.write_bytes(b": chat-tui recording 99 {}\r\n")
    assert main(["replay", str(newer)]) == 2
    assert "version 99" in one_line(capsys)
    broken = tmp_path / "broken.sse"
    broken.write_bytes(b": chat-tui recording 1 {not json\r\n")
    assert main(["replay", str(broken)]) == 2
    assert "not valid JSON" in one_line(capsys)


def test_a_recording_without_a_run_is_exit_5(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty.sse"
    empty.write_bytes(b": just a comment\r\n")
    assert main(["replay", str(empty)]) == 5
    assert "holds no run" in one_line(capsys)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--url", "http://127.0.0.1:9", "replay"], "drop --url"),
        (["--demo", "--thread", "t", "replay"], "drop --demo, --thread"),
    ],
)
def test_a_replay_connects_nowhere(args: list[str], needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*args, str(transcript_files()[0])]) == 2
    assert needle in one_line(capsys)


def test_speed_or_instant_not_both(capsys: pytest.CaptureFixture[str]) -> None:
    for extra in (["--speed", "2", "--instant"], ["--speed", "0"]):
        with pytest.raises(SystemExit) as exited:
            main(["replay", "x.sse", *extra])
        assert exited.value.code == 2
    assert "error" in capsys.readouterr().err


def test_a_good_recording_still_needs_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["replay", str(transcript_files()[0]), "--instant"]) == 2  # (pytest's stdin is no terminal)
    assert "needs a terminal" in one_line(capsys)
