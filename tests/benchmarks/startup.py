"""Start-up: process start to the app's first frame (in a real pseudo-terminal), ``--version``,
and how long ``--demo`` takes until its server answers ``/ok``.

Processes run as an installed app does: with compiled bytecode. ``PYTHONDONTWRITEBYTECODE``
(set in some environments) would make every start recompile the package's modules, so the
children write their bytecode to a private cache (``PYTHONPYCACHEPREFIX``), filled by one
untimed start before the timed ones.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.benchmarks.measure import Figure, Results, median, ratio_figure, spread

CHAT_TUI = Path(sys.executable).with_name("chat-tui")


def _command() -> list[str]:
    if CHAT_TUI.exists():
        return [str(CHAT_TUI)]
    found = shutil.which("chat-tui")
    return [found] if found else [sys.executable, "-m", "chat_tui"]


def _env(home: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(home / "pycache")
    return env


def version_time(home: Path) -> float:
    start = time.perf_counter()
    subprocess.run([*_command(), "--version"], check=True, capture_output=True, env=_env(home))
    return time.perf_counter() - start


# The smallest Textual app that draws the same word: what any Textual app pays to start here
# (interpreter, Textual's imports, the driver, one frame), measured beside ours.
MINIMAL_APP = (
    "from textual.app import App\n"
    "from textual.widgets import Static\n"
    "class Minimal(App):\n"
    "    def compose(self):\n"
    "        yield Static('Threads')\n"
    "Minimal().run()\n"
)


def first_frame_time(
    url: str, home: Path, marker: bytes = b"Threads", timeout: float = 30.0, command: list[str] | None = None
) -> float:
    """Spawn ``chat-tui --url URL`` (or *command*) on a 120x40 pty; seconds until its first frame shows *marker*."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {
        **_env(home.parent),
        "TERM": "xterm-256color",
        "COLUMNS": "120",
        "LINES": "40",
        "CHAT_TUI_CONFIG_DIR": str(home / "config"),
        "CHAT_TUI_DATA_DIR": str(home / "data"),
        "CHAT_TUI_LOG_DIR": str(home / "log"),
    }
    start = time.perf_counter()
    proc = subprocess.Popen(
        command or [*_command(), "--url", url],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    seen = b""
    shown: float | None = None
    try:
        while time.perf_counter() - start < timeout:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            seen += data
            if marker in seen:
                shown = time.perf_counter() - start
                break
        if shown is None:
            raise RuntimeError(f"no frame with {marker!r} within {timeout} s: {seen[-300:]!r}")
        os.write(master, b"\x11")  # ctrl+q
        try:
            deadline = time.perf_counter() + 5
            while proc.poll() is None and time.perf_counter() < deadline:
                if select.select([master], [], [], 0.05)[0]:
                    try:
                        os.read(master, 65536)
                    except OSError:
                        break
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(5)
        return shown
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)


def demo_ready_time() -> tuple[float, object]:
    """Start the demo server as ``--demo`` does; seconds until it answers ``/ok``. Returns the server too."""
    from chat_tui.demo.launcher import DemoServer

    server = DemoServer(env={"CHAT_TUI_DEMO_DELAY_MS": "0"})
    start = time.perf_counter()
    server.start()
    server.wait_ready(timeout=120)
    return time.perf_counter() - start, server


def run(results: Results, url: str, home: Path, quick: bool) -> None:
    repetitions = 2 if quick else 7
    home.mkdir(parents=True, exist_ok=True)
    version_time(home)  # fill the bytecode cache (untimed)
    first_frame_time(url, home / "warm")
    versions = [version_time(home) for _ in range(repetitions)]
    results.add(
        Figure(
            "startup.version", median(versions), "s", ("<=", 0.2), spread(versions), "chat-tui --version", repetitions
        )
    )
    minimal_command = [sys.executable, "-c", MINIMAL_APP]
    first_frame_time(url, home / "warm-minimal", command=minimal_command)
    frames, minimal = [], []
    for n in range(repetitions):  # interleaved: the machine's speed drifts
        frames.append(first_frame_time(url, home / f"s{n}"))
        minimal.append(first_frame_time(url, home / f"m{n}", command=minimal_command))
    results.add(
        Figure(
            "startup.first_frame",
            median(frames),
            "s",
            ("<=", 0.6),
            spread(frames),
            "process start to the first frame, in a pty",
            repetitions,
        )
    )
    results.add(
        Figure(
            "startup.first_frame_minimal_textual",
            median(minimal),
            "s",
            spread=spread(minimal),
            note="the smallest Textual app drawing one word, same pty, interleaved",
            reps=repetitions,
        )
    )
    results.add(
        ratio_figure(
            "startup.first_frame_vs_minimal_textual", frames, minimal, None, "chat-tui / the smallest Textual app"
        )
    )
