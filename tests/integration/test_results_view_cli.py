"""``chat-tui test --tui`` and ``chat-tui test view`` from the command line: the real command in a
real terminal exits with the suite's verdict after the user quits the results view; a results file
that cannot be read, or no terminal, is one line and exit 2 before anything starts."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from chat_tui.cli import main
from tests.support.pty_read import read_pty

PASSING = """\
version: 1
defaults: {assistant: agent, turn_timeout: 60}
scenarios:
  - id: hello
    turns:
      - user: hello
"""
FAILING = (
    PASSING
    + """\
  - id: names-berlin
    turns:
      - user: "what's the weather in sf"
        expect:
          final_text: {contains: Berlin}
"""
)


def _run_in_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Run chat-tui with *argv* in a pty until the suite is done, quit with Ctrl+Q; its exit code."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "chat_tui", *argv], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 36, 140, 0, 0))
    output = bytearray()
    try:
        assert read_pty(fd, b"done", 120, output), "the suite did not finish in the results view"
        os.write(fd, b"\x11")  # Ctrl+Q
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status), bytes(output)
            read_pty(fd, None, 0.1, output)
        raise AssertionError("the app did not quit")
    finally:
        os.close(fd)


@pytest.mark.server
@pytest.mark.parametrize(("suite", "code"), [(PASSING, 0), (FAILING, 1)])
def test_the_results_view_exits_with_the_suites_verdict(
    server_url: str, user_dirs: dict[str, Path], tmp_path: Path, suite: str, code: int
) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(suite)
    report = tmp_path / "results.jsonl"
    env = {**os.environ, "TERM": "xterm-256color"}
    exit_code, _ = _run_in_terminal(["test", str(path), "--url", server_url, "--tui", "--jsonl", str(report)], env)
    assert exit_code == code
    lines = report.read_text().splitlines()  # the report asked for, written after the full run
    assert sum('"type": "run"' in line for line in lines) == suite.count("- id:")


def test_a_results_file_that_cannot_be_read_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], user_dirs: dict[str, Path]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n{oops\n")
    assert main(["test", "view", str(bad), "--url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith(f"chat-tui: error: {bad}:2: ")
    absent = tmp_path / "absent.jsonl"
    assert main(["test", "view", str(absent), "--url", "http://127.0.0.1:9"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1 and err.startswith(f"chat-tui: error: {absent}: ")


def test_without_a_terminal_the_results_view_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], user_dirs: dict[str, Path]
) -> None:
    path = tmp_path / "suite.yaml"
    path.write_text(PASSING)
    assert main(["test", str(path), "--url", "http://127.0.0.1:9", "--tui"]) == 2  # (pytest's stdin is no TTY)
    assert "the app needs a terminal" in capsys.readouterr().err
