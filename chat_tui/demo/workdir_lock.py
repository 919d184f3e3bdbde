"""One demo server at a time in a working directory: the in-memory server saves its threads there
when it stops, so two at once would overwrite each other. An advisory lock file says who has it
(released by the OS if the holder dies)."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["claim", "release"]

LOCK_NAME = ".chat-tui-demo.lock"


def claim(workdir: Path) -> int | None:
    """A held lock on *workdir* (a file descriptor), or None when another process holds it."""
    try:
        import fcntl
    except ImportError:  # (Windows: no advisory locks here; the directory is simply used)
        return -1
    fd = os.open(workdir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def release(fd: int | None) -> None:
    if fd is not None and fd >= 0:
        os.close(fd)  # (closing drops the lock)
