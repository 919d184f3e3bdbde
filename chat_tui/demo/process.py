"""The demo server's child process: its environment, command line, port, lifeline and end.

Nothing here imports langgraph or langchain: the child (``chat_tui.demo.serve``) does.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import site
import socket
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

__all__ = [
    "CONFIG_PATH",
    "HOST",
    "OFFLINE_ENV",
    "Lifeline",
    "child_env",
    "free_port",
    "port_is_free",
    "server_command",
    "terminate",
]

HOST = "127.0.0.1"
CONFIG_PATH = Path(__file__).with_name("langgraph.json")

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


def server_command(
    port: int, *, n_jobs: int, lifeline_fd: int | None, pdeathsig: bool, cleanup_dir: Path | None
) -> list[str]:
    """`langgraph dev` on *port* behind ``chat_tui.demo.serve``'s guards: it dies with this
    process (the lifeline's read end, the parent-death signal) and removes *cleanup_dir*."""
    guard = ["--parent-pid", str(os.getpid())]
    if lifeline_fd is not None:
        guard += ["--lifeline-fd", str(lifeline_fd)]
    if pdeathsig:
        guard.append("--pdeathsig")
    if cleanup_dir is not None:
        guard += ["--cleanup-dir", str(cleanup_dir)]
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
        str(n_jobs),
    ]


class Lifeline:
    """A pipe whose write end this process holds while the server runs: the child watches the
    read end and ends itself when it sees EOF, i.e. when we closed it or died (even ``kill -9``)."""

    def __init__(self) -> None:
        self._write_end: int | None = None

    def renew(self) -> int:
        """A new pipe (the old one closed): its read end, for the child; close it once passed."""
        self.close()
        read_end, self._write_end = os.pipe()
        return read_end

    def close(self) -> None:
        if self._write_end is not None:
            with contextlib.suppress(OSError):
                os.close(self._write_end)
            self._write_end = None


def terminate(proc: subprocess.Popen[bytes], timeout: float) -> None:
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
