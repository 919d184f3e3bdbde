"""Start and stop a real `langgraph dev` server running the offline demo graphs.

Imported by the app even without the `demo` extra: nothing here imports langgraph or
langchain (the server runs in a child process of the same Python environment).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import datetime as _dt
import importlib.util
import os
import re
import shutil
import signal
import site
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx

from chat_tui.errors import ChatTuiError  # (no imports of its own: the demo stays light)

HOST = "127.0.0.1"
INSTALL_HINT = "pip install 'chat-tui[demo]'"
DEMO_MODULES = ("langgraph_cli", "langgraph_api", "langgraph_runtime_inmem", "langgraph", "langchain_core")
CONFIG_PATH = Path(__file__).with_name("langgraph.json")
TEMP_PREFIX = "chat-tui-demo-"  # the child removes such a workdir itself, even if we died
BIND_RETRIES = 2
POLL_INTERVAL = 0.1

# Removed from the child's environment: credentials and anything that would make the server
# phone home, trace, export metrics or change how `langgraph dev` behaves.
_DROP_PREFIXES = ("LANGSMITH_", "LANGCHAIN_", "LANGGRAPH_", "LANGSERVE_", "OTEL_", "LSD_", "CUSTOM_LSD_")
_DROP_NAMES = frozenset(
    {
        "MOUNT_PREFIX",
        "N_JOBS_PER_WORKER",
        "DATABASE_URI",
        "REDIS_URI",
        "MIGRATIONS_PATH",
        "POSTGRES_URI",
        "LOG_JSON",
        "DD_API_KEY",
    }
)
# Set in the child's environment: fully offline, quiet, unbuffered logs.
OFFLINE_ENV: dict[str, str] = {
    "LANGSMITH_TRACING": "false",
    "LANGSMITH_TRACING_V2": "false",
    "LANGCHAIN_TRACING_V2": "false",
    "LANGCHAIN_TRACING": "false",
    "LANGGRAPH_CLI_NO_ANALYTICS": "1",  # langgraph-cli: no anonymous usage ping
    "LANGGRAPH_NO_VERSION_CHECK": "true",  # langgraph-api: no PyPI version check
    "OTEL_ENABLED": "false",
    "OTEL_SDK_DISABLED": "true",
    "LANGGRAPH_METRICS_ENABLED": "false",
    "LANGGRAPH_LOGS_ENABLED": "false",
    "LOG_COLOR": "false",
    "PYTHONUNBUFFERED": "1",
    "PYTHONIOENCODING": "utf-8",
}

_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_PORT_SWITCH_RE = re.compile(r"Port (\d+) is already in use, using port (\d+) instead")
_BIND_ERROR_RE = re.compile(r"address already in use|Errno 98|Errno 48|error while attempting to bind", re.I)
_STRUCTLOG_RE = re.compile(r"^\S+Z \[(\w+)\s*\] (.*?)(?:\s+\[[\w.]+\](?:\s.*)?)?$")
_MISSING_MODULE_RE = re.compile(
    r"No module named '?(langgraph\w*|langchain\w*|chat_tui)|langgraph-cli\[inmem\]|Could not import run_server"
)


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


def free_port(host: str = HOST) -> int:
    """A currently free TCP port on `host` (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int, host: str = HOST) -> bool:
    """Can we bind `port` right now (same check as langgraph-api, SO_REUSEADDR included)?"""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def child_env(base: Mapping[str, str], extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The server's environment: `base` without credentials/telemetry, plus offline switches."""
    env = {
        k: v
        for k, v in base.items()
        if not k.upper().startswith(_DROP_PREFIXES)
        and k.upper() not in _DROP_NAMES
        and not k.upper().endswith("_API_KEY")
    }
    env.update(OFFLINE_ENV)
    root = _package_root()
    if root is not None and not _on_site_path(root):
        # chat_tui runs from a checkout that is not installed: let the child import it too.
        parts = [str(root), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
        env["PYTHONPATH"] = os.pathsep.join(dict.fromkeys(parts))
    env.update(extra or {})
    return env


def _package_root() -> Path | None:
    spec = importlib.util.find_spec("chat_tui")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).resolve().parent.parent


def _on_site_path(path: Path) -> bool:
    dirs: list[str] = list(site.getsitepackages()) if hasattr(site, "getsitepackages") else []
    with contextlib.suppress(Exception):
        dirs.append(site.getusersitepackages())
    resolved = {Path(d).resolve() for d in dirs if d}
    return path in resolved


def _clean(line: str) -> str:
    line = _ANSI_RE.sub("", line).strip()
    m = _STRUCTLOG_RE.match(line)
    if m:
        line = f"{m.group(1)}: {m.group(2)}"
    return line[:300]


def last_meaningful_line(lines: Iterable[str]) -> str:
    """The most informative log line: an exception line, else an error, else the last line."""
    cleaned = [
        c for c in (_clean(x) for x in lines) if c and not c.startswith("=== ") and any(ch.isalnum() for ch in c)
    ]
    if not cleaned:
        return ""
    for line in reversed(cleaned):
        if re.match(r"^[\w.]*(Error|Exception|Exit)\b.*:", line) or _BIND_ERROR_RE.search(line):
            return line
    for line in reversed(cleaned):
        if re.search(r"\b(error|critical|failed|traceback)\b", line, re.I):
            return line
    return cleaned[-1]


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
        self._n_jobs = n_jobs
        self._extra_env = dict(env or {})
        self._proc: subprocess.Popen[bytes] | None = None
        self._lifeline: int | None = None
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

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until `GET /ok` answers 200; on failure stop the server and raise."""
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0, trust_env=False) as client:
            while True:
                self._check_process()
                try:
                    if client.get(f"{self.url}/ok").status_code == 200:
                        self._adopt_switched_port()
                        return
                except httpx.HTTPError:
                    pass
                if time.monotonic() >= deadline:
                    self._fail_timeout(timeout)
                time.sleep(POLL_INTERVAL)

    async def await_ready(self, timeout: float = 60.0) -> None:  # noqa: ASYNC109 (public API)
        """Async `wait_ready` (polls with `httpx.AsyncClient`)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        async with httpx.AsyncClient(timeout=1.0, trust_env=False) as client:
            while True:
                self._check_process()
                try:
                    if (await client.get(f"{self.url}/ok")).status_code == 200:
                        self._adopt_switched_port()
                        return
                except httpx.HTTPError:
                    pass
                if loop.time() >= deadline:
                    self._fail_timeout(timeout)
                await asyncio.sleep(POLL_INTERVAL)

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate the server's process group: SIGTERM, then SIGKILL after `timeout`. Idempotent."""
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None:
                _terminate(proc, timeout)
            self._close_lifeline()
            if self._owns_workdir and self._workdir is not None:
                shutil.rmtree(self._workdir, ignore_errors=True)
                self._workdir = None
                self._owns_workdir = False
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
        if self._workdir is None:
            self._workdir = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX))
            self._owns_workdir = True
        else:
            self._workdir.mkdir(parents=True, exist_ok=True)

    def _command(self, port: int, lifeline_fd: int | None, pdeathsig: bool) -> list[str]:
        guard = ["--parent-pid", str(os.getpid())]
        if lifeline_fd is not None:
            guard += ["--lifeline-fd", str(lifeline_fd)]
        if pdeathsig:
            guard.append("--pdeathsig")
        if self._owns_workdir and self._workdir is not None:
            guard += ["--cleanup-dir", str(self._workdir)]
        return [
            sys.executable,
            "-m",
            "chat_tui.demo.serve",
            *guard,
            "--",
            "dev",
            "--no-browser",
            "--no-reload",
            "--host",
            HOST,
            "--port",
            str(port),
            "--config",
            str(CONFIG_PATH),
            "--n-jobs-per-worker",
            str(self._n_jobs),
        ]

    def _spawn(self, port: int, *, truncate: bool) -> None:
        posix = os.name == "posix"
        lifeline_r: int | None = None
        if posix:
            self._close_lifeline()
            lifeline_r, self._lifeline = os.pipe()
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

    def _close_lifeline(self) -> None:
        if self._lifeline is not None:
            with contextlib.suppress(OSError):
                os.close(self._lifeline)
            self._lifeline = None

    def _log_lines(self, max_bytes: int = 65536) -> list[str]:
        try:
            with open(self.log_path, "rb") as fh:
                fh.seek(0, os.SEEK_END)
                size = fh.tell()
                fh.seek(max(0, size - max_bytes))
                data = fh.read()
        except OSError:
            return []
        return data.decode("utf-8", "replace").splitlines()

    def _adopt_switched_port(self) -> None:
        """langgraph-api silently moves to another port when ours got taken: follow it."""
        for line in reversed(self._log_lines()):
            m = _PORT_SWITCH_RE.search(line)
            if m and int(m.group(1)) == self._port:
                self._port = int(m.group(2))
                return

    def _check_process(self) -> None:
        """Raise (or respawn on a lost port race) when the child has exited."""
        if self._proc is None:
            raise DemoServerError("The demo server is not running (call start() first).")
        self._adopt_switched_port()
        code = self._proc.poll()
        if code is None:
            return
        lines = self._log_lines()
        text = "\n".join(lines[-50:])
        if _BIND_ERROR_RE.search(text) and self._retries_left > 0:
            self._retries_left -= 1
            self._spawn(free_port(), truncate=False)
            return
        detail = (last_meaningful_line(lines) or f"exit code {code}").rstrip(" .")
        hint = f" Install it with: {INSTALL_HINT}." if _MISSING_MODULE_RE.search(text) else ""
        self.stop()
        raise DemoServerError(
            f"The demo server exited (code {code}) before it was ready: {detail}.{hint} Log: {self.log_path}"
        )

    def _fail_timeout(self, timeout: float) -> None:
        detail = (last_meaningful_line(self._log_lines()) or "no output").rstrip(" .")
        self.stop()
        raise DemoServerError(
            f"The demo server did not answer /ok within {timeout:g} s (last log line: {detail}). Log: {self.log_path}"
        )


def _terminate(proc: subprocess.Popen[bytes], timeout: float) -> None:
    """SIGTERM the process group, SIGKILL it after `timeout`, and reap the child."""
    posix = os.name == "posix"

    def signal_group(sig: int) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError, OSError):
            if posix:
                os.killpg(proc.pid, sig)
            elif sig == signal.SIGTERM:
                proc.terminate()
            else:
                proc.kill()

    if proc.poll() is not None:
        return  # already exited and reaped: its pid (and group id) may be reused, leave it be
    signal_group(signal.SIGTERM)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        signal_group(getattr(signal, "SIGKILL", signal.SIGTERM))
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=timeout)
