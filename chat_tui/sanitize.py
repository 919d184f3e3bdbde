"""Neutralise untrusted text before it can reach a terminal.

Textual and Rich strip only BEL, BS, VT, FF and CR; ESC, the other C0 controls, DEL and
the C1 range (0x80-0x9F, which includes the 8-bit CSI/OSC introducers) are written to the
terminal verbatim. A model, a tool result or a thread title could therefore rewrite the
clipboard (OSC 52), the window title (OSC 0) or the screen. Every string that comes from
a server goes through :func:`clean` (or :func:`clean_line` for one-line identifiers)
before it is stored in conversation state or shown.

The mapping works character by character, so it is safe at any split point: an escape
sequence cut across two streamed chunks loses its ESC in whichever chunk holds it, and
no sequence can form again when the pieces are joined. Control characters are replaced
by visible Unicode "control pictures" (ESC becomes ``␛``) rather than deleted, so the
user can see that something odd was there.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["clean", "clean_line", "clean_obj", "truncate"]

_REPLACEMENT = "\ufffd"

_TABLE: dict[int, str | None] = {c: chr(0x2400 + c) for c in range(0x20) if c not in (0x09, 0x0A)}
# CR: removed, so CRLF becomes LF even when the pair is split across chunks.
_TABLE[0x0D] = None
_TABLE[0x7F] = "\u2421"  # ␡
for _c in range(0x80, 0xA0):  # C1 controls: 8-bit CSI, OSC, DCS, ST ...
    _TABLE[_c] = _REPLACEMENT
# Bidirectional overrides and isolates ("Trojan Source"): they make text display
# differently from what it is, which matters for tool names, URLs and commands.
for _c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)):
    _TABLE[_c] = _REPLACEMENT

_NEEDS_CLEANING = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

_LINE_TABLE = dict(_TABLE)
_LINE_TABLE[0x0A] = " "
_LINE_TABLE[0x09] = " "
_NEEDS_LINE_CLEANING = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# What _NEEDS_CLEANING matches below 0x80. A long ASCII text (a tool result of a megabyte) is
# checked for each of these bytes with memchr instead: 0.4 ms a megabyte, the regex 4.7 ms, in
# one step of the loop as the result arrives. (Short texts, the streamed tokens, take the regex.)
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0B, 0x20), 0x7F])
_LONG = 4096


def clean(text: str) -> str:
    """Return *text* with every terminal control character neutralised (tab and LF kept)."""
    if len(text) > _LONG and text.isascii():
        data = text.encode("ascii")
        if not any(byte in data for byte in _CONTROL_BYTES):
            return text
    elif _NEEDS_CLEANING.search(text) is None:  # the common case costs one regex scan
        return text
    return text.translate(_TABLE)


def clean_line(text: str, limit: int | None = None) -> str:
    """Like :func:`clean` but for one-line identifiers: newlines and tabs become spaces."""
    if _NEEDS_LINE_CLEANING.search(text) is not None:
        text = text.translate(_LINE_TABLE)
    return truncate(text, limit) if limit is not None else text


def truncate(text: str, limit: int) -> str:
    """Cut *text* to at most *limit* characters, marking the cut with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[: max(0, limit - 1)] + "…"


def clean_obj(value: Any, *, depth: int = 0, max_depth: int = 64) -> Any:
    """Recursively clean every string (keys included) in a JSON-like value.

    Parsed JSON can carry control characters that were escaped on the wire (``\\u001b``),
    so tool-call arguments and tool results are cleaned after parsing as well. Nesting
    deeper than *max_depth* is cut off rather than recursed into.
    """
    if isinstance(value, str):
        return clean(value)
    if depth >= max_depth:
        return "…"
    if isinstance(value, dict):
        return {
            (clean(k) if isinstance(k, str) else k): clean_obj(v, depth=depth + 1, max_depth=max_depth)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [clean_obj(v, depth=depth + 1, max_depth=max_depth) for v in value]
    return value
