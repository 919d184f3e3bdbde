"""Files a command writes for the user (a recording, an export): an existing file is never
overwritten unless the user said so, and a new one is readable by its owner only (it holds a
conversation)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from chat_tui.errors import ChatTuiError
from chat_tui.sanitize import clean_line

__all__ = ["OutputRefused", "open_output", "output_problem"]


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
