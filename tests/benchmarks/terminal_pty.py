"""A process on a pseudo-terminal, watched from the outside: every read of its output is
timestamped (``time.monotonic()``, CLOCK_MONOTONIC, the clock the replay server logs its
sends with), marker words are noted when they first appear, and its CPU time is read from
the kernel's per-process CPU clock (nanoseconds, all threads)."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import signal
import struct
import subprocess
import termios
import time
from pathlib import Path

from tests.benchmarks.corpus import MARKER

COLUMNS, LINES = 120, 40
_MARKER_BYTES = re.compile(MARKER.pattern.encode())


def pty_env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        TERM="xterm-256color",
        COLUMNS=str(COLUMNS),
        LINES=str(LINES),
        PYTHONPYCACHEPREFIX=str(home.parent / "pycache"),
        CHAT_TUI_CONFIG_DIR=str(home / "config"),
        CHAT_TUI_DATA_DIR=str(home / "data"),
        CHAT_TUI_LOG_DIR=str(home / "log"),
        TEXTUAL_ANIMATIONS="none",
    )
    return env


class Terminal:
    """*command* on a 120x40 pty; read with :meth:`pump`, type with :meth:`type`."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.proc = subprocess.Popen(
            command, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=cwd, start_new_session=True, close_fds=True
        )
        os.close(slave)
        self.fd = master
        self.seen: dict[str, float] = {}  # marker -> when it first appeared in the output
        self.total = 0
        self.reads = 0
        self._tail = b""  # the last bytes of the previous read: a marker may straddle two reads
        self._window = bytearray()  # what arrived since the last :meth:`type` or :meth:`mark`
        self._clock = ((~self.proc.pid) << 3) | 2  # the process's CPU clock (CPUCLOCK_SCHED)

    def cpu(self) -> float:
        """CPU seconds the process has used so far (user + system, every thread)."""
        return time.clock_gettime(self._clock)

    def pump(self, timeout: float) -> tuple[bytes, float] | None:
        """One read (waiting up to *timeout*): the bytes and when they were read, or None."""
        ready, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not ready:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the process exited ({self.proc.returncode}): {self._window[-500:]!r}")
            return None
        try:
            data = os.read(self.fd, 1 << 16)
        except OSError as error:
            raise RuntimeError(f"the terminal closed: {self._window[-500:]!r}") from error
        now = time.monotonic()
        self.total += len(data)
        self.reads += 1
        scan = self._tail + data
        for match in _MARKER_BYTES.finditer(scan):
            self.seen.setdefault(match.group(0).decode(), now)
        self._tail = scan[-8:]
        self._window += data
        return data, now

    def mark(self) -> None:
        """Start a new window: :meth:`arrived` looks only at bytes read from now on."""
        self._window = bytearray()

    def screen(self) -> str:
        """The text of the output since the last :meth:`mark`, escape sequences dropped (for errors)."""
        text = re.sub(rb"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]", b"", bytes(self._window[-20000:]))
        return " ".join(text.decode(errors="replace").split())[-1500:]

    def arrived(self, needle: bytes) -> bool:
        return needle in self._window

    def wait_for(self, needle: bytes, timeout: float) -> float:
        """Read until *needle* is in the output since the last :meth:`mark`; when it came."""
        deadline = time.monotonic() + timeout
        while not self.arrived(needle):
            if time.monotonic() > deadline:
                raise RuntimeError(f"no {needle!r} on the terminal within {timeout} s: {bytes(self._window[-500:])!r}")
            self.pump(deadline - time.monotonic())
        return time.monotonic()

    def drain(self, seconds: float) -> None:
        """Keep reading for *seconds* (the app must never block on a full pty)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            self.pump(left)

    def type(self, data: bytes) -> float:
        self.mark()
        os.write(self.fd, data)
        return time.monotonic()

    def close(self) -> None:
        try:
            if self.proc.poll() is None:
                os.write(self.fd, b"\x11")  # ctrl+q
                deadline = time.monotonic() + 5
                while self.proc.poll() is None and time.monotonic() < deadline:
                    try:
                        self.pump(0.05)
                    except RuntimeError:
                        break
        finally:
            if self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            os.close(self.fd)
