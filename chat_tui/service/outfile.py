"""Files a command writes for the user (a recording, an export): an existing file is never
overwritten unless the user said so, and a new one is readable by its owner only (it holds a
conversation). Edits of a file the user keeps (a scenario file) are written whole, atomically."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO

from chat_tui.errors import ChatTuiError
from chat_tui.sanitize import clean_line

__all__ = ["OutputRefused", "open_output", "output_problem", "write_atomic"]


class OutputRefused(ChatTuiError):
    """The file cannot be written: it exists (and overwriting was not asked), or its folder is
    missing or not writable. The message is one line."""


def _shown(path: Path) -> str:
    return clean_line(str(path), 200)


def output_problem(path: Path, *, force: bool) -> str | None:
    """Why *path* cannot be written, checked without touching it (None: it can, as far as one can tell)."""
    if path.is_dir():
        return f"{_shown(path)} is a folder"
    if path.exists() and not force:
        return f"{_shown(path)} exists: add --force to overwrite it"
    if not path.parent.is_dir():
        return f"cannot write {_shown(path)}: its folder does not exist"
    return None


def open_output(path: Path, *, force: bool) -> IO[bytes]:
    """Open *path* for writing: created (owner-only), or truncated when *force*. Raises OutputRefused."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if force else os.O_EXCL)
    try:
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise OutputRefused(f"{_shown(path)} exists: add --force to overwrite it") from None
    except OSError as exc:
        raise OutputRefused(f"cannot write {_shown(path)}: {exc.strerror or 'error'}") from None
    return os.fdopen(fd, "wb")


def write_atomic(path: Path, text: str) -> None:
    """Replace (or create) *path* with *text* at once: a temp file beside it, fsync, rename. A reader
    sees the old file or the new one, never half of it, and a failed write leaves the old one as it
    was. An existing file keeps its mode; a new one gets the usual mode (umask): a scenario file is
    meant to be shared and committed, unlike a recording. Raises OSError."""
    try:
        mode: int | None = path.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
