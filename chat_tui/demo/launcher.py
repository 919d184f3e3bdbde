"""Start and stop a real `langgraph dev` server running the offline demo graphs.

Imported by the app even without the `demo` extra: nothing here imports langgraph or
langchain (the server runs in a child process of the same Python environment). The child
process's details are in :mod:`.process`; what its log says is read by :mod:`.server_log`.
"""

from __future__ import annotations

import asyncio
import atexit
import datetime as _dt
import importlib.util
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from chat_tui.demo.process import HOST, Lifeline, child_env, free_port, port_is_free, server_command, terminate
from chat_tui.demo.server_log import last_meaningful_line, lost_bind_race, missing_install, switched_port, tail_lines
from chat_tui.demo.workdir_lock import claim, release
from chat_tui.errors import ChatTuiError  # (no imports of its own: the demo stays light)

__all__ = ["INSTALL_HINT", "DemoServer", "DemoServerError", "default_log_path", "demo_available"]

INSTALL_HINT = "pip install 'chat-tui[demo]'"
DEMO_MODULES = ("langgraph_cli", "langgraph_api", "langgraph_runtime_inmem", "langgraph", "langchain_core", "langchain")
TEMP_PREFIX = "chat-tui-demo-"  # the child removes such a workdir itself, even if we died
BIND_RETRIES = 2
POLL_INTERVAL = 0.1


class DemoServerError(ChatTuiError):
    """The demo server could not be started; the message is one human-readable line."""


def demo_available() -> bool:
    """Is the `demo` extra installed (checked without importing anything heavy)?"""
    try:
        return all(importlib.util.find_spec(name) is not None for name in DEMO_MODULES)
    except (ImportError, ValueError):
        return False


def default_log_path() -> Path:
    """`demo-server.log` in chat-tui's log directory, `CHAT_TUI_LOG_DIR` included (resolved when
    needed, never at import; `chat_tui.settings.paths` is the one place that says where logs go)."""
    from chat_tui.settings.paths import demo_server_log

    return demo_server_log()


class DemoServer:
    """A `langgraph dev` child process serving `chat_tui/demo/langgraph.json`.

    `start()` spawns it (non-blocking), `wait_ready()` / `await_ready()` block until `GET /ok`
    answers, `stop()` terminates its whole process group. Also a context manager.
    """

    def __init__(
        self,
        *,
        port: int | None = None,
        log_path: Path | None = None,
        workdir: Path | None = None,
        n_jobs: int = 10,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self._requested_port = port
        self._log_path = Path(log_path) if log_path is not None else None
        self._workdir = Path(workdir) if workdir is not None else None
        self._owns_workdir = False
        self._workdir_lock: int | None = None  # held while a server runs in a given workdir
        self.shared_with: Path | None = None  # the given workdir, when another server had it
        self._n_jobs = n_jobs
        self._extra_env = dict(env or {})
        self._proc: subprocess.Popen[bytes] | None = None
        self._lifeline = Lifeline()
        self._port: int | None = None
        self._retries_left = BIND_RETRIES
        self._started_at: float | None = None
        self._lock = threading.Lock()
        self._atexit_registered = False

    # --- public properties ------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the server, e.g. ``http://127.0.0.1:53123`` (valid after `start()`)."""
        if self._port is None:
            raise DemoServerError("The demo server has not been started.")
        return f"http://{HOST}:{self._port}"

    @property
    def log_path(self) -> Path:
        if self._log_path is None:
            self._log_path = default_log_path()
        return self._log_path

    @property
    def workdir(self) -> Path | None:
        """Where the server runs (it writes `.langgraph_api/` there); None before `start()`."""
        return self._workdir

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    # --- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        """Spawn the server and return at once (see `wait_ready`)."""
        with self._lock:
            if self.is_running():
                return
            if not demo_available():
                raise DemoServerError(f"The demo server needs the 'demo' extra (langgraph-cli[inmem]): {INSTALL_HINT}")
            self._prepare_workdir()
            self._retries_left = BIND_RETRIES
            self._started_at = time.monotonic()
            # A busy requested port would make langgraph-api move elsewhere while /ok on the old
            # port might answer from someone else's server: pick a free port up front instead.
            port = self._requested_port
            if port is None or not port_is_free(port):
                port = free_port()
            self._spawn(port, truncate=True)
            if not self._atexit_registered:
                atexit.register(self._stop_at_exit)
                self._atexit_registered = True

    # The two waits differ only in how they poll and sleep; what each poll means is shared
    # (`_ok_url` before it, `_still_waiting` after it), so they cannot drift apart.

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until `GET /ok` answers 200; on failure stop the server and raise."""
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            while True:
                answered = _answers(client, self._ok_url())
                if not self._still_waiting(answered, time.monotonic() >= deadline, timeout):
                    return
                time.sleep(POLL_INTERVAL)

    async def await_ready(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109 (public API)
        """Async `wait_ready` (polls with `httpx.AsyncClient`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(timeout=1.0, trust_env=False) as client:
            while True:
                answered = await _answers_async(client, self._ok_url())
                if not self._still_waiting(answered, loop.time() >= deadline, timeout):
                    return
                await asyncio.sleep(POLL_INTERVAL)

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the server's process group: SIGTERM, then SIGKILL after `timeout`. Idempotent."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None:
                terminate(proc, timeout)
            self._lifeline.close()
            if self._owns_workdir and self._workdir is not None:
                shutil.rmtree(self._workdir, ignore_errors=True)
                self._workdir = None
                self._owns_workdir = False
            release(self._workdir_lock)
            self._workdir_lock = None
            if self._atexit_registered:
                atexit.unregister(self._stop_at_exit)
                self._atexit_registered = False

    def __enter__(self) -> DemoServer:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- internals --------------------------------------------------------------------------

    def _stop_at_exit(self) -> None:
        self.stop(timeout=2.0)

    def _prepare_workdir(self) -> None:
        if self._workdir is not None:
            self._workdir.mkdir(parents=True, exist_ok=True)
            self._workdir_lock = claim(self._workdir)
            if self._workdir_lock is not None:
                return
            # Another chat-tui's demo server runs on these threads: two would overwrite each
            # other's saved state, so this one starts empty, in a directory of its own.
            self.shared_with = self._workdir
        self._workdir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
        self._owns_workdir = True

    def _command(self, port: int, lifeline_fd: int | None, pdeathsig: bool) -> list[str]:
        cleanup_dir = self._workdir if self._owns_workdir else None
        return server_command(
            port, n_jobs=self._n_jobs, lifeline_fd=lifeline_fd, pdeathsig=pdeathsig, cleanup_dir=cleanup_dir
        )

    def _spawn(self, port: int, *, truncate: bool) -> None:
        posix = os.name == "posix"
        lifeline_r = self._lifeline.renew() if posix else None
        # PR_SET_PDEATHSIG fires when the spawning *thread* exits, so only from the main thread.
        pdeathsig = threading.current_thread() is threading.main_thread()
        cmd = self._command(port, lifeline_r, pdeathsig)
        try:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            log: IO[bytes] = open(self.log_path, "wb" if truncate else "ab")  # noqa: SIM115
        except OSError as exc:
            raise DemoServerError(f"Cannot write the demo server log {self.log_path}: {exc}") from exc
        try:
            stamp = _dt.datetime.now().isoformat(timespec="seconds")
            log.write(f"=== {stamp} chat-tui demo server on port {port}: {' '.join(cmd)}\n".encode())
            log.flush()
            self._proc = subprocess.Popen(
                cmd,
                cwd=self._workdir,
                env=child_env(os.environ, self._extra_env),
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=posix,
                pass_fds=(lifeline_r,) if lifeline_r is not None else (),
            )
        except OSError as exc:
            raise DemoServerError(f"Could not start the demo server ({exc}); log: {self.log_path}") from exc
        finally:
            log.close()
            if lifeline_r is not None:
                os.close(lifeline_r)
        self._port = port

    def _adopt_switched_port(self) -> None:
        """langgraph-api silently moves to another port when ours got taken: follow it."""
        port = switched_port(tail_lines(self.log_path), self._port)
        if port is not None:
            self._port = port

    def _ok_url(self) -> str:
        """Where to poll next; first raises (or respawns on a lost port race) when the child has exited."""
        if self._proc is None:
            raise DemoServerError("The demo server is not running (call start() first).")
        self._adopt_switched_port()
        code = self._proc.poll()
        if code is not None:
            self._exited(code)
        return f"{self.url}/ok"

    def _exited(self, code: int) -> None:
        """The child exited (with *code*) before it was ready: respawn it if it lost a race for
        its port, else stop and say why in one line."""
        lines = tail_lines(self.log_path)
        text = "\n".join(lines[-50:])
        if lost_bind_race(text) and self._retries_left > 0:
            self._retries_left -= 1
            self._spawn(free_port(), truncate=False)
            return
        detail = (last_meaningful_line(lines) or f"exit code {code}").rstrip(" .")
        hint = f" Install it with: {INSTALL_HINT}." if missing_install(text) else ""
        self.stop()
        raise DemoServerError(
            f"The demo server exited (code {code}) before it was ready: {detail}.{hint} Log: {self.log_path}"
        )

    def _still_waiting(self, answered: bool, overdue: bool, timeout: float) -> bool:
        """After one poll: False when the server *answered* (ready); raises when it is *overdue*."""
        if answered:
            self._adopt_switched_port()
            return False
        if overdue:
            detail = (last_meaningful_line(tail_lines(self.log_path)) or "no output").rstrip(" .")
            self.stop()
            raise DemoServerError(
                f"The demo server did not answer /ok within {timeout:g} s (last log line: {detail}). "
                f"Log: {self.log_path}"
            )
        return True


def _answers(client: httpx.Client, url: str) -> bool:
    try:
        return client.get(url).status_code == 200
    except httpx.HTTPError:
        return False


async def _answers_async(client: httpx.AsyncClient, url: str) -> bool:
    try:
        return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False
