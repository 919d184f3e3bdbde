"""JSON text for reading: pretty-printed, cleaned, summarised, cut into lines.

Used for what may be big (a tool result of a megabyte, an SSE event holding one): pretty
printing goes through pydantic-core's Rust serializer (three times as fast as ``json.dumps``
with an indent, which runs in Python), the last few results are kept, and a summary and the
first lines can be shown before anyone asks for the rest. Every text returned is cleaned of
terminal control characters.

Pure Python, no Textual, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from chat_tui.sanitize import clean, clean_line

__all__ = ["JsonPreview", "pretty_json", "preview", "split_lines"]

PRETTY_LIMIT = 16 * 1024 * 1024  # larger texts are shown as they are
PREVIEW_LINES = 6
KEYS_SHOWN = 6


@lru_cache(maxsize=4)
def pretty_json(text: str) -> tuple[str, bool]:
    """(*text* pretty-printed with an indent of 2, True) when it is JSON, else (*text*, False); cleaned."""
    parsed = _pretty(text)
    if parsed is None:
        return clean(text), False
    return clean(parsed[1].decode("utf-8", "replace")), True


def _pretty(text: str) -> tuple[Any, bytes] | None:
    """*text*'s value and its pretty-printed UTF-8, when it is a JSON object or array small enough."""
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and len(stripped) < PRETTY_LIMIT:
        import pydantic_core

        try:
            value = pydantic_core.from_json(stripped)
            return value, pydantic_core.to_json(value, indent=2)
        except (ValueError, RecursionError):
            pass
    return None


def split_lines(text: str, width: int) -> list[str]:
    """*text*'s lines, each longer one cut into pieces of *width* characters (nothing is lost)."""
    width = max(1, width)
    lines = text.split("\n")
    if max(map(len, lines)) <= width:  # (the common case, in C)
        return lines
    out: list[str] = []
    for line in lines:
        if len(line) <= width:
            out.append(line)
        else:
            out.extend(line[i : i + width] for i in range(0, len(line), width))
    return out


@dataclass(frozen=True, slots=True)
class JsonPreview:
    """What a folded big value shows: one line saying what it is, and its first lines."""

    summary: str
    head: list[str]
    lines: int  # lines of the whole (pretty) text


def _shape(value: Any) -> str:
    if isinstance(value, dict):
        keys = [clean_line(str(k), 40) for k in list(value)[:KEYS_SHOWN]]
        more = f", … {len(value) - KEYS_SHOWN} more" if len(value) > KEYS_SHOWN else ""
        described = []
        for key, item in zip(keys, list(value.values())[:KEYS_SHOWN], strict=False):
            described.append(f"{key} ({len(item):,} items)" if isinstance(item, list | dict) else key)
        return f"JSON object, {len(value):,} key{'s' if len(value) != 1 else ''}: {', '.join(described)}{more}"
    if isinstance(value, list):
        return f"JSON array of {len(value):,} item{'s' if len(value) != 1 else ''}"
    return f"JSON {type(value).__name__}"


def preview(text: str, lines: int = PREVIEW_LINES) -> JsonPreview:
    """A summary of *text* (its JSON shape, or its line count) and its first *lines* lines, pretty.

    Shown as a big result arrives, so it does the least it can: one parse (for the shape) and one
    pretty print (for the line count), and only the first lines are decoded and cleaned; the whole
    pretty text is made when someone asks for it (:func:`pretty_json`). For a 1 MB result this
    is 11 ms instead of 41 (``tests/unit/test_event_log.py`` checks it is the same preview)."""
    parsed = _pretty(text)
    if parsed is not None:  # (a newline byte is never inside a UTF-8 sequence: the head decodes alone)
        value, pretty = parsed
        head = _first_lines(pretty, lines).decode("utf-8", "replace")
        return JsonPreview(clean_line(_shape(value), 200), clean(head).split("\n"), pretty.count(b"\n") + 1)
    total = text.count("\n") + 1  # (cleaning keeps every line feed)
    head = clean(_first_lines(text, lines))
    return JsonPreview(f"text, {total:,} line{'s' if total != 1 else ''}", head.split("\n"), total)


def _first_lines(text: Any, lines: int) -> Any:
    """The first *lines* lines of *text* (str or bytes), without their last line feed."""
    newline = "\n" if isinstance(text, str) else b"\n"
    end = -1
    for _ in range(lines):
        end = text.find(newline, end + 1)
        if end < 0:
            return text
    return text[:end]
