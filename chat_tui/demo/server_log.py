"""What the demo server's log says: why it stopped, whether it moved port or lost a bind race.

The child writes its stdout and stderr to one log file; the launcher reads the tail of it
to explain a failed start in one line and to follow langgraph-api when it changes port.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

__all__ = ["last_meaningful_line", "lost_bind_race", "missing_install", "switched_port", "tail_lines"]

_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_PORT_SWITCH_RE = re.compile(r"Port (\d+) is already in use, using port (\d+) instead")
_BIND_ERROR_RE = re.compile(r"address already in use|Errno 98|Errno 48|error while attempting to bind", re.I)
_STRUCTLOG_RE = re.compile(r"^\S+Z \[(\w+)\s*\] (.*?)(?:\s+\[[\w.]+\](?:\s.*)?)?$")
_MISSING_MODULE_RE = re.compile(
    r"No module named '?(langgraph\w*|langchain\w*|chat_tui)|langgraph-cli\[inmem\]|Could not import run_server"
)


def tail_lines(path: Path, max_bytes: int = 65536) -> list[str]:
    """The lines of the last *max_bytes* of the log (none when it cannot be read)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(0, size - max_bytes))
            data = fh.read()
    except OSError:
        return []
    return data.decode("utf-8", "replace").splitlines()


def switched_port(lines: list[str], port: int | None) -> int | None:
    """The port langgraph-api moved to because *port* was taken (it does so silently), if it did."""
    for line in reversed(lines):
        m = _PORT_SWITCH_RE.search(line)
        if m and int(m.group(1)) == port:
            return int(m.group(2))
    return None


def lost_bind_race(text: str) -> bool:
    """Did the server exit because its port was taken between our check and its bind?"""
    return bool(_BIND_ERROR_RE.search(text))


def missing_install(text: str) -> bool:
    """Did the server exit because the `demo` extra (or chat_tui itself) could not be imported?"""
    return bool(_MISSING_MODULE_RE.search(text))


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
