"""chat-tui's own log file, ``<log dir>/chat-tui.log``: what failed unexpectedly, with its traceback.

Nothing is set up at start-up: ``logging`` is imported and the file opened on the first
record (start-up time is measured, and most sessions never write here). A record holds the
traceback without frame locals, and the values of the secrets the caller names are masked
in it. The file is created readable by its owner only, and rotates at about 1 MB.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from chat_tui.settings.paths import log_dir

if TYPE_CHECKING:
    import io
    import logging

__all__ = ["LOG_FILE_NAME", "log_failure", "log_path"]

LOG_FILE_NAME = "chat-tui.log"
MASK = "**********"
_MAX_BYTES = 1_000_000
_BACKUPS = 2
_LOGGER_NAME = "chat_tui"


def log_path() -> Path:
    return log_dir() / LOG_FILE_NAME


def log_failure(what: str, error: BaseException, *, secrets: Iterable[str] = ()) -> Path | None:
    """Append "*what* failed" and *error*'s traceback to the log file.

    Returns the file's path, or None when it cannot be written (the caller still tells the
    user; a log that cannot be written is not worth a second message).
    """
    import traceback

    text = "".join(traceback.format_exception(error)).rstrip()
    for secret in secrets:
        if secret:
            text = text.replace(secret, MASK)
    path = log_path()
    logger = _logger(path)
    if logger is None:
        return None
    logger.error("%s failed\n%s", what, text)
    return path


def _logger(path: Path) -> logging.Logger | None:
    """The module's logger, writing to *path* (the log directory can change: tests move it)."""
    import logging
    import logging.handlers

    logger = logging.getLogger(_LOGGER_NAME)
    current = next((h for h in logger.handlers if isinstance(h, logging.FileHandler)), None)
    if current is not None and Path(current.baseFilename) == path.absolute():
        return logger

    class Handler(logging.handlers.RotatingFileHandler):
        def _open(self) -> io.TextIOWrapper:  # (also after a rollover) owner-only, whatever the umask
            fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            return open(fd, "a", encoding=self.encoding, errors=self.errors)

        def handleError(self, record: logging.LogRecord) -> None:
            pass  # never print to stderr: it is the terminal the app draws on

    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handler = Handler(path, maxBytes=_MAX_BYTES, backupCount=_BACKUPS, encoding="utf-8")
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    if current is not None:
        logger.removeHandler(current)
        current.close()
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False  # (a library's root handler must not copy it to the terminal)
    return logger
