"""The real app in a pseudo-terminal: hostile content never writes an escape sequence, keys never show."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pty
import signal
import struct
import sys
import termios
import time
from pathlib import Path

import pytest

from chat_tui.client import LangGraphClient
from tests.support.pty_read import read_pty

pytestmark = pytest.mark.server

TEST_KEY = "lsv2_sk_ptytest_00112233445566778899"
PAYLOADS = [
    b"\x1b]52;c;UFdORUQ",  # clipboard write
    b"\x1b]0;PWNED",  # window title
    b"\x1b]0;TOOL-TITLE",
    b"\x1b]0;SIDEBAR-PTY",
    b"\x1b]8;;https://evil",  # hyperlink
    b"\xc2\x9b2J",  # 8-bit CSI (UTF-8 encoded C1)
    b"\xc2\x9d0;C1",  # 8-bit OSC
    b"\x1b[2J clear",
    b"\x1bPq#0;DCS-PWN",  # device control string
    b"\x1b_APC-PWN",  # application program command
]


def _drive(server_url: str, env: dict[str, str]) -> bytearray:
    """Run the app in a pty, use it like a person would, and return every byte it wrote."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command line, in a real terminal
        os.execve(
            sys.executable,
            [
                sys.executable,
                "-m",
                "chat_tui",
                "--url",
                server_url,
                "--api-key-env",
                "CHAT_TUI_PTY_KEY",
                "--assistant",
                "agent",
            ],
            env,
        )
    output = bytearray()
    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        assert read_pty(fd, b"Threads", 30, output), "the app did not start"
        read_pty(fd, None, 2, output)
        os.write(fd, b"hostile")
        time.sleep(0.3)
        os.write(fd, b"\r")
        assert read_pty(fd, b"self-test", 30, output), "the hostile answer did not arrive"
        read_pty(fd, None, 8, output)  # the tool call, its result and the summary
        os.write(fd, b"\x0f")  # ctrl+o: the message pane
        read_pty(fd, None, 1, output)
        for _ in range(6):  # walk up through the messages and open what can be opened
            os.write(fd, b"\x1b[A")
            read_pty(fd, None, 0.3, output)
            os.write(fd, b"\r")
            read_pty(fd, None, 0.5, output)
        os.write(fd, b"\x14")  # ctrl+t: the sidebar with the hostile title
        read_pty(fd, None, 2, output)
        os.write(fd, b"\x11")  # ctrl+q
        read_pty(fd, None, 5, output)
    finally:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        os.waitpid(pid, 0)
        os.close(fd)
    return output


async def test_hostile_output_in_a_real_terminal(server_url: str, tmp_path: Path, client: LangGraphClient) -> None:
    await client.threads.create(metadata={"title": "pty title \x1b]0;SIDEBAR-PTY\x07 [/] end"})
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "40",
        "CHAT_TUI_CONFIG_DIR": str(tmp_path / "config"),
        "CHAT_TUI_DATA_DIR": str(tmp_path / "data"),
        "CHAT_TUI_LOG_DIR": str(tmp_path / "log"),
        "CHAT_TUI_PTY_KEY": TEST_KEY,
        "TEXTUAL_ANIMATIONS": "none",
    }
    output = await asyncio.to_thread(_drive, server_url, env)
    assert b"self-test" in output and b"pty title" in output
    for payload in PAYLOADS:
        assert payload not in output, f"{payload!r} reached the terminal"
    assert TEST_KEY.encode() not in output and TEST_KEY[:-4].encode() not in output
    _assert_key_in_no_file(tmp_path)


def _assert_key_in_no_file(directory: Path) -> None:
    written = [path for path in directory.rglob("*") if path.is_file()]  # settings, data, logs
    assert written, "the app wrote nothing: the check below would prove nothing"
    for path in written:
        assert TEST_KEY[:-4].encode() not in path.read_bytes(), f"the key is in {path}"
