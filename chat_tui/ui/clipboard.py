"""Copy text: OSC 52 to the terminal, plus a file the user can always find.

OSC 52 silently fails in many setups (macOS Terminal, tmux without ``set-clipboard``,
some SSH paths), and the terminal gives no way to know. So every copy is also written
to ``last-copy.txt`` in the data directory, and the notification names that path.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from textual.app import App

from chat_tui.sanitize import clean
from chat_tui.settings.paths import data_dir

__all__ = ["copy_text", "save_text"]

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def copy_text(app: App[object], text: str) -> Path | None:
    """Copy *text* (cleaned of control characters); returns the fallback file, if written."""
    text = clean(text)
    app.copy_to_clipboard(text)
    return _write(data_dir() / "last-copy.txt", text)


def save_text(folder: str, name: str, text: str) -> Path | None:
    """Keep *text* (cleaned) as a file in the data directory (e.g. a tool result too big to read
    in the pane), named from *name* with anything unsafe in a file name replaced; None if it failed."""
    stem = _UNSAFE.sub("-", name).strip("-.")[:80] or "text"
    return _write(data_dir() / folder / stem, clean(text))


def _write(path: Path, text: str) -> Path | None:
    """Write *text* to *path*, readable by its owner only."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError:
        return None
    return path
