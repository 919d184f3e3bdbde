"""Expected against actual for a failed assertion, as lines a results view (or a console) can show.

Each kind is shown the way it is read best:

* ``trajectory``: the expected and the actual calls as **aligned rows** (a call on both sides, one
  missing, one extra), aligned on the tool names;
* ``tool_calls``: the expected arguments against the arguments of the closest actual call (same
  name) as a **JSON diff** by dotted path;
* ``final_text``: the actual text with the **matched part marked**, or the part that is missing;
* anything else (status, nodes, interrupt, state, budget): a JSON diff of expected and actual.

Pure: a line is a tag (``same``, ``missing``, ``extra``, ``changed``, ``text``, ``note``) and
segments of ``(text, style)`` where the style is ``""``, ``"match"``, ``"unwanted"`` or ``"dim"``.
Values come from a server and a scenario file: the caller cleans them before they reach a terminal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from itertools import pairwise
from typing import Any

__all__ = ["DiffLine", "explain", "json_diff", "marked_text"]

VALUE_LIMIT = 200  # characters of one value on a diff line
TEXT_LIMIT = 2000  # characters of a final text shown around its marks


@dataclass(slots=True)
class DiffLine:
    tag: str
    segments: list[tuple[str, str]] = field(default_factory=list)

    @property
    def plain(self) -> str:
        return "".join(text for text, _ in self.segments)


def _one(value: Any, limit: int = VALUE_LIMIT) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flatten(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Leaves by dotted path (an empty mapping or list is a leaf of its own)."""
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}.{index}" if prefix else str(index))
    else:
        yield prefix or ".", value


def json_diff(expected: Any, actual: Any) -> list[DiffLine]:
    """Leaf by leaf: equal paths once, then changed, missing (expected only) and extra (actual only)."""
    left, right = dict(_flatten(expected)), dict(_flatten(actual))
    lines: list[DiffLine] = []
    for path in list(left) + [p for p in right if p not in left]:
        if path in left and path in right:
            if left[path] == right[path]:
                lines.append(DiffLine("same", [(f"  {path}: {_one(left[path])}", "dim")]))
            else:
                lines.append(
                    DiffLine(
                        "changed",
                        [(f"~ {path}: ", ""), (_one(left[path]), "unwanted"), (" → ", "dim"), (_one(right[path]), "")],
                    )
                )
        elif path in left:
            lines.append(DiffLine("missing", [(f"- {path}: {_one(left[path])}", "unwanted"), ("  (missing)", "dim")]))
        else:
            lines.append(DiffLine("extra", [(f"+ {path}: {_one(right[path])}", "match"), ("  (not expected)", "dim")]))
    return lines


def _name(call: Any) -> str:
    if not isinstance(call, Mapping):
        return _one(call, 60)
    name = call.get("name")
    if isinstance(name, Mapping) and "regex" in name:
        return f"/{name['regex']}/"
    return str(name)


def _call_text(call: Any) -> str:
    if not isinstance(call, Mapping):
        return _one(call, 80)
    args = call.get("args")
    return f"{_name(call)}({_one(args, 60)})" if args not in (None, {}) else _name(call)


def _names_fit(want: str, got: str) -> bool:
    if want.startswith("/") and want.endswith("/") and len(want) > 1:
        try:
            return re.search(want[1:-1], got) is not None
        except re.error:
            return False
    return want == got


def aligned_calls(expected: list[Any], actual: list[Any]) -> list[DiffLine]:
    """Expected and actual calls side by side, aligned on their names."""
    want = [_name(c) for c in expected]
    got = [_name(c) for c in actual]
    # (regex names align with the actual name they match: compare on what they matched)
    keyed = [next((g for g in got if _names_fit(w, g)), w) if w.startswith("/") else w for w in want]
    width = max([len(_call_text(c)) for c in expected] + [8])
    width = min(width, 48)
    lines = [DiffLine("note", [(f"  {'expected':<{width}}   actual", "dim")])]
    for op, a1, a2, b1, b2 in SequenceMatcher(a=keyed, b=got, autojunk=False).get_opcodes():
        left, right = expected[a1:a2], actual[b1:b2]
        for i in range(max(len(left), len(right))):
            exp = _call_text(left[i]) if i < len(left) else ""
            act = _call_text(right[i]) if i < len(right) else ""
            if op == "equal":
                tag, mark = "same", "="
            elif not exp:
                tag, mark = "extra", "+"
            elif not act:
                tag, mark = "missing", "-"
            else:
                tag, mark = "changed", "~"
            style = {"same": "dim", "extra": "match", "missing": "unwanted", "changed": ""}[tag]
            lines.append(DiffLine(tag, [(f"{mark} {exp[:width]:<{width}}   ", style), (act, style)]))
    return lines


def _spans(expect: Mapping[str, Any], text: str) -> tuple[list[tuple[int, int, str]], list[str]]:
    """Where the text matched what was asked (or what it must not hold), and what is missing."""
    spans: list[tuple[int, int, str]] = []
    missing: list[str] = []
    folded = text.casefold()
    for key in ("equals", "contains", "icontains", "not_contains", "not_icontains", "regex", "not_regex"):
        operand = expect.get(key)
        if not isinstance(operand, str):
            continue
        style = "unwanted" if key.startswith("not_") else "match"
        if key in ("regex", "not_regex"):
            try:
                found = re.search(operand, text)
            except re.error:
                found = None
            start, end = (found.start(), found.end()) if found else (-1, -1)
        else:
            haystack, needle = (folded, operand.casefold()) if "icontains" in key else (text, operand)
            start = haystack.find(needle) if key != "equals" else (0 if text == operand else -1)
            end = start + len(operand)
        if start >= 0 and end > start:
            spans.append((start, end, style))
        elif style == "match":
            missing.append(f"{key}: {_one(operand)}")
    return spans, missing


def marked_text(expect: Mapping[str, Any], text: str) -> list[DiffLine]:
    """The actual text, its matched parts marked ``match`` and forbidden parts ``unwanted``; then
    what it should have held and does not."""
    spans, missing = _spans(expect, text)
    shown = text[:TEXT_LIMIT]
    cuts = sorted({0, len(shown), *(p for s, e, _ in spans for p in (min(s, len(shown)), min(e, len(shown))))})
    lines: list[DiffLine] = []
    line = DiffLine("text")
    for start, end in pairwise(cuts):
        style = next((st for s, e, st in spans if s <= start and end <= e), "")
        for index, part in enumerate(shown[start:end].split("\n")):
            if index:
                lines.append(line)
                line = DiffLine("text")
            if part:
                line.segments.append((part, style))
    lines.append(line)
    if len(text) > TEXT_LIMIT:
        lines.append(DiffLine("note", [(f"… {len(text) - TEXT_LIMIT} more characters", "dim")]))
    for item in missing:
        lines.append(DiffLine("missing", [(f"- missing {item}", "unwanted")]))
    for key in ("min_length", "max_length"):
        if key in expect:
            lines.append(DiffLine("note", [(f"{key} {expect[key]}, the text has {len(text)} characters", "dim")]))
    return lines


def _closest_call(expected: Mapping[str, Any], actual: list[Any]) -> Any:
    want = _name(expected)
    return next((c for c in actual if isinstance(c, Mapping) and _names_fit(want, str(c.get("name")))), None)


def explain(check: Mapping[str, Any]) -> list[DiffLine]:
    """The lines that show why *check* (a check as the JSONL writes it) failed."""
    kind, expected, actual = check.get("kind"), check.get("expected"), check.get("actual")
    if kind == "trajectory" and isinstance(expected, Mapping) and isinstance(actual, list):
        mode = expected.get("mode", "?")
        head = DiffLine("note", [(f"mode {mode}, args {expected.get('args_mode', 'subset')}", "dim")])
        return [head, *aligned_calls(list(expected.get("calls") or []), actual)]
    if kind == "tool_calls" and isinstance(expected, Mapping) and isinstance(actual, list):
        call = _closest_call(expected, actual)
        if call is None:
            made = ", ".join(_call_text(c) for c in actual) or "none"
            return [
                DiffLine("missing", [(f"- no call named {_name(expected)}", "unwanted")]),
                DiffLine("note", [(f"calls made: {made}", "dim")]),
            ]
        head = DiffLine("note", [(f"{_name(expected)}: args {expected.get('args_mode', 'subset')}", "dim")])
        return [head, *json_diff(expected.get("args") or {}, call.get("args"))]
    if kind == "final_text" and isinstance(expected, Mapping):
        return marked_text(expected, actual if isinstance(actual, str) else "")
    if kind == "budget" and isinstance(expected, Mapping) and isinstance(actual, Mapping):
        return json_diff(expected, {key: actual.get(key) for key in expected})  # (only the limits set)
    return json_diff(expected, actual)
