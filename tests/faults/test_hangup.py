"""The terminal closing (SIGHUP) or a ``kill`` (SIGTERM) ends the real app in a pty at every phase.

Reported by a user: one app of six whose tmux session was killed kept running with no terminal
for 26 minutes. Here the app runs in a real pseudo-terminal; the test closes the terminal (the
kernel sends SIGHUP to the app) while it starts, while it connects (the proxy holds ``GET /ok``),
while an answer streams and when idle, and the app must be gone within a few seconds. While an
answer streams, the text typed in the composer is kept as the thread's draft, and the run goes
on on the server.
"""

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
from tests.faults.proxy import FaultProxy
from tests.support.pty_read import read_pty

pytestmark = pytest.mark.server

GONE_WITHIN = 5.0  # seconds from the hangup to the process being reaped


def _reaped_within(pid: int, timeout: float) -> int | None:
    """The child's wait status once it has exited, or None if it still runs after *timeout*."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        time.sleep(0.02)
    return None


def _spawn(url: str, env: dict[str, str]) -> tuple[int, int]:
    pid, fd = pty.fork()
    if pid == 0:  # the child: the real command line, in a real terminal
        argv = [sys.executable, "-m", "chat_tui", "--url", url, "--assistant", "agent"]
        os.execve(sys.executable, argv, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 110, 0, 0))
    return pid, fd


def _hang_up(url: str, env: dict[str, str], phase: str, how: str) -> tuple[int | None, bytes]:
    """Drive the app to *phase*, then close its terminal (or SIGTERM it); return its wait status."""
    pid, fd = _spawn(url, env)
    output = bytearray()
    status: int | None = None
    try:
        if phase == "starting":
            read_pty(fd, None, 0.3, output)  # Python is still importing, or Textual setting up
        else:
            assert read_pty(fd, b"Threads", 30, output), "the app did not start"
        if phase == "connecting":
            assert read_pty(fd, b"connecting", 10, output), "the app did not say it was connecting"
        elif phase in ("streaming", "idle"):
            assert read_pty(fd, b"idle", 20, output), "the app did not connect"
            os.write(fd, b"slow please")
            read_pty(fd, None, 0.3, output)
            sent = len(output)
            os.write(fd, b"\r")
            done = b"Once upon" if phase == "streaming" else b"answer ends here"
            assert read_pty(fd, done, 30, output, sent), f"no {done!r} in the answer"
            if phase == "streaming":
                os.write(fd, b"half a thought")  # typed while the answer streams: the draft
                assert read_pty(fd, b"thought", 10, output), "the typed text did not show"
            else:
                assert read_pty(fd, b"done", 20, output, sent), "the run did not end"
        if how == "SIGTERM":  # the terminal stays: the app must give it back as it was
            os.kill(pid, signal.SIGTERM)
            read_pty(fd, None, GONE_WITHIN, output)  # until the app closes its side (EOF)
            status = _reaped_within(pid, GONE_WITHIN)
            return status, bytes(output)
        os.close(fd)  # the terminal goes away: the kernel sends SIGHUP to the app
        fd = -1
        status = _reaped_within(pid, GONE_WITHIN)
        return status, bytes(output)
    finally:
        if fd >= 0:
            os.close(fd)
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


@pytest.mark.parametrize(
    ("phase", "how"),
    [
        ("starting", "hangup"),
        ("connecting", "hangup"),
        ("streaming", "hangup"),
        ("idle", "hangup"),
        ("streaming", "SIGTERM"),
        ("connecting", "SIGTERM"),
    ],
)
async def test_closing_the_terminal_ends_the_app_and_keeps_the_run(
    proxy: FaultProxy, client: LangGraphClient, tmp_path: Path, phase: str, how: str
) -> None:
    if phase == "connecting":
        proxy.add(method="GET", path="^/ok$", action="stall", times=100)  # connecting until the end
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "CHAT_TUI_CONFIG_DIR": str(tmp_path / "config"),
        "CHAT_TUI_DATA_DIR": str(tmp_path / "data"),
        "CHAT_TUI_LOG_DIR": str(tmp_path / "log"),
        "TEXTUAL_ANIMATIONS": "none",
    }
    started = time.time()
    status, output = await asyncio.to_thread(_hang_up, proxy.url, env, phase, how)
    assert status is not None, f"the app still ran {GONE_WITHIN} s after {how} while {phase}"
    if phase == "streaming":
        threads = await client.threads.search(limit=5)
        thread = next(t for t in threads if t.created_at and t.created_at.timestamp() >= started - 1)
        runs = await client.runs.list(thread.thread_id, limit=5)
        assert len(runs) == 1
        deadline = time.monotonic() + 30
        while (run := await client.runs.get(thread.thread_id, runs[0].run_id)).status in ("pending", "running"):
            assert time.monotonic() < deadline, "the run did not end on the server"
            await asyncio.sleep(0.1)
        assert run.status == "success", run.status  # it went on to its end: not cancelled by the hangup
        stored = "".join(path.read_text() for path in (tmp_path / "data").rglob("*.json"))
        assert "half a thought" in stored, "the draft was not saved"
    if how == "SIGTERM":
        tail = output[output.rfind(b"\x1b[?1049h") :]
        assert b"\x1b[?1049l" in tail, "the terminal was left in the alternate screen"
