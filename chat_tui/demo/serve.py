"""Entry point of the demo server's child process: guards against orphaning, then `langgraph dev`.

Run as ``python -m chat_tui.demo.serve [--parent-pid N] [--lifeline-fd FD] [--pdeathsig]
[--cleanup-dir DIR] -- dev --port ...``. Everything after ``--`` goes to the `langgraph` CLI
unchanged; DIR (the launcher's temporary working directory) is removed when the server exits.

Two independent guards make the server die with the app, even after ``kill -9``:

* a *lifeline* pipe: the parent holds the write end; when the parent dies the read end sees
  EOF and a watchdog thread terminates this process (works on every POSIX system and does
  not care which parent thread spawned us);
* on Linux, ``prctl(PR_SET_PDEATHSIG, SIGTERM)`` (only requested when the parent spawned us
  from its main thread: the kernel fires it when the *spawning thread* exits).

Imports nothing from langgraph until the guards are in place, and no Textual at all.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import threading
import time
from pathlib import Path

PR_SET_PDEATHSIG = 1
GRACE_SECONDS = 5.0
TEMP_PREFIX = "chat-tui-demo-"
"""Only directories with this name prefix are ever removed by `--cleanup-dir`."""

_cleanup_dir: str | None = None


def cleanup() -> None:
    """Remove the launcher's temporary working directory (also when the app died first)."""
    if _cleanup_dir and os.path.basename(os.path.normpath(_cleanup_dir)).startswith(TEMP_PREFIX):
        shutil.rmtree(_cleanup_dir, ignore_errors=True)


def set_parent_death_signal(sig: int = signal.SIGTERM) -> bool:
    """Ask the Linux kernel to send `sig` to this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return bool(libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0)
    except (OSError, AttributeError):
        return False


def _exit_on_sigterm(signum: int, frame: object) -> None:
    """Turn SIGTERM into SystemExit so `finally` blocks (the workdir cleanup) run.

    uvicorn handles SIGTERM while serving, then restores this handler and re-raises the
    signal once it has shut down; without a Python handler the process would die on the spot.
    """
    raise SystemExit(128 + signum)


def _terminate_self() -> None:
    """SIGTERM ourselves (uvicorn shuts down cleanly), then hard-exit after a grace period."""
    try:
        os.kill(os.getpid(), signal.SIGTERM)
    except OSError:
        pass
    time.sleep(GRACE_SECONDS)
    cleanup()
    os._exit(1)


def _watch_lifeline(fd: int) -> None:
    """Block until the parent's end of the pipe closes (parent exited or stopped us)."""
    try:
        while True:
            try:
                data = os.read(fd, 64)
            except InterruptedError:
                continue
            if not data:
                break
    except OSError:
        pass
    _terminate_self()


def install_guards(parent_pid: int | None, lifeline_fd: int | None, pdeathsig: bool) -> None:
    if pdeathsig:
        set_parent_death_signal()
    # The parent may have died before the guards were set up.
    if parent_pid is not None and os.getppid() != parent_pid:
        cleanup()
        os._exit(1)
    if lifeline_fd is not None:
        threading.Thread(target=_watch_lifeline, args=(lifeline_fd,), name="lifeline", daemon=True).start()


def with_store_index(args: list[str]) -> list[str]:
    """The `langgraph` arguments with ``--config`` pointing at a copy of the demo's config whose store
    has an index (``chat_tui.demo.embeddings``, offline). The server loads an embeddings function
    only from a file path, relative to its working directory (the demo's workdir, which varies),
    so the copy names the file by its absolute path; it is written beside the server's data."""
    if "--config" not in args:
        return args
    at = args.index("--config") + 1
    source = Path(args[at])
    config = json.loads(source.read_text(encoding="utf-8"))
    from chat_tui.demo.embeddings import DIMS

    embeddings = Path(__file__).with_name("embeddings.py")
    config["store"] = {"index": {"embed": f"{embeddings}:aembed_texts", "dims": DIMS, "fields": ["text"]}}
    target = Path.cwd() / "langgraph.demo.json"
    target.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return [*args[:at], str(target), *args[at + 1 :]]


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--" in args:
        split = args.index("--")
        own, rest = args[:split], args[split + 1 :]
    else:
        own, rest = args, []
    parser = argparse.ArgumentParser(prog="python -m chat_tui.demo.serve")
    parser.add_argument("--parent-pid", type=int, default=None)
    parser.add_argument("--lifeline-fd", type=int, default=None)
    parser.add_argument("--pdeathsig", action="store_true")
    parser.add_argument("--cleanup-dir", default=None)
    opts = parser.parse_args(own)
    global _cleanup_dir
    _cleanup_dir = opts.cleanup_dir
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    install_guards(opts.parent_pid, opts.lifeline_fd, opts.pdeathsig)

    from langgraph_cli.cli import cli

    try:
        cli.main(args=with_store_index(rest) or ["dev"], prog_name="langgraph")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
