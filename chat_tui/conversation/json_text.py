"""JSON text for reading: pretty-printed, cleaned, summarised, cut into lines.

Used for what may be big (a tool result of a megabyte, an SSE event holding one): pretty
printing goes through pydantic-core's Rust serializer (three times as fast as ``json.dumps``
with an indent, which runs in Python), the last few results are kept, and a summary and the
first lines can be shown before anyone asks for the rest. Every text returned is cleaned of
terminal control characters.

Pure Python, no Textual, no I/O.
"""

from __future__ import annotations

import gc
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
    value = _parse(text)
    if value is _NOT_JSON:
        return clean(text), False
    return clean(_to_json(value).decode("utf-8", "replace")), True


_NOT_JSON = object()


def _parse(text: str) -> Any:
    """*text*'s value when it is a JSON object or array small enough, else ``_NOT_JSON``.

    With the cycle collector paused: a megabyte parses into tens of thousands of containers at
    once, so collections would come in the middle of it only to walk them (and promote them,
    which brings the next full collection closer), when they are a tree, without a cycle, that
    reference counting frees. 1 MB at the app's streaming thresholds: 5.4 ms instead of 6.1
    (median), 5.7 instead of 7.6 (the slowest of 20)."""
    stripped = text.strip()
    if stripped[:1] in ("{", "[") and len(stripped) < PRETTY_LIMIT:
        import pydantic_core

        enabled = gc.isenabled()
        gc.disable()
        try:
            return pydantic_core.from_json(stripped)
        except (ValueError, RecursionError):
            pass
        finally:
            if enabled:
                gc.enable()
    return _NOT_JSON


def _to_json(value: Any) -> bytes:
    import pydantic_core

    return pydantic_core.to_json(value, indent=2)


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
    more: bool  # the whole (pretty) text has more lines than the head


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

    Shown as a big result arrives, in the middle of a stream, so it does the least it can: one
    parse, for the shape, and a pretty print of only the first values, for the head. The whole
    pretty text is made when someone asks for it (:func:`pretty_json`). For a 1 MB result:
    ~6 ms; 41 pretty-printing all of it in Python, 11 with its line count, which needs all of it
    pretty-printed (the panel's header gives the size instead). ``tests/unit/test_event_log.py``
    checks the head is the whole pretty text's."""
    value = _parse(text)
    if value is not _NOT_JSON:
        head = _to_json(_first_values(value, lines + 1)).decode("utf-8", "replace").split("\n")
        shown = clean("\n".join(head[:lines])).split("\n")
        return JsonPreview(clean_line(_shape(value), 200), shown, len(head) > lines)
    total = text.count("\n") + 1  # (cleaning keeps every line feed)
    head_text = clean(_first_lines(text, lines))
    return JsonPreview(f"text, {total:,} line{'s' if total != 1 else ''}", head_text.split("\n"), total > lines)


def _first_values(value: Any, count: int) -> Any:
    """*value* cut to its first *count* values in document order.

    Pretty-printed, each value starts a line, so the first *count* - 1 lines of the cut value are
    those of the whole: the values they show are all kept; a container cut short closes, and its
    last kept value loses its comma, only below the *count*-th value."""
    left = count

    def cut(node: Any) -> Any:
        nonlocal left
        left -= 1
        if isinstance(node, dict):
            kept: dict[Any, Any] = {}
            for key, item in node.items():
                if left <= 0:
                    break
                kept[key] = cut(item)
            return kept
        if isinstance(node, list):
            items: list[Any] = []
            for item in node:
                if left <= 0:
                    break
                items.append(cut(item))
            return items
        return node

    return cut(value)


def _first_lines(text: str, lines: int) -> str:
    """The first *lines* lines of *text*, without their last line feed."""
    end = -1
    for _ in range(lines):
        end = text.find("\n", end + 1)
        if end < 0:
            return text
    return text[:end]
