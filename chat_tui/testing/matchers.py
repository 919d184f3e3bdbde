"""The comparisons behind the expectations: dotted paths, value matchers, arguments, text.

Pure functions; each returns None when the actual value fits, else one line saying why not.

* A **value** in an expectation is compared with ``==``, unless it is a mapping whose only key
  is one of :data:`MATCHER_KEYS` (``{regex: "^sf$"}``, ``{in: [a, b]}``, ``{exists: true}``,
  ``{eq: {...}}`` for a literal mapping, ``{schema: {...}}``).
* **Arguments** (``args_mode``), read from the test's side: ``subset`` (the default) = every
  listed path matches and other arguments are ignored; ``exact`` = every listed path matches, and
  the call's top-level arguments are exactly the ones the listed paths start with (``{a.b: 1}``
  fits ``{a: {b: 1, c: 2}}``: list ``a`` itself to pin all of it); ``superset`` = every argument
  the call has is listed and matches (listed ones may be missing); ``ignore``. (agentevals names
  the first two the other way round: its ``tool_args_match_mode="superset"`` is our ``subset``.)
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from chat_tui.conversation.schema_check import schema_problem
from chat_tui.testing.model import NameRegex, TextExpect

__all__ = [
    "MATCHER_KEYS",
    "MISSING",
    "args_problem",
    "dig",
    "name_matches",
    "short",
    "subset_problem",
    "text_problems",
    "value_problem",
]

MATCHER_KEYS = frozenset({"regex", "eq", "in", "exists", "schema"})
SHORT = 120


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


def short(value: Any, limit: int = SHORT) -> str:
    """A value on one line for a failure message."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def dig(value: Any, path: str) -> Any:
    """*value* at a dotted *path* (``a.b.0.c``; list items by index, negative from the end); MISSING."""
    current = value
    if path in ("", "."):
        return current
    for part in path.split("."):
        if isinstance(current, Mapping):
            if part not in current:
                return MISSING
            current = current[part]
        elif isinstance(current, list) and re.fullmatch(r"-?\d+", part):
            index = int(part)
            if not -len(current) <= index < len(current):
                return MISSING
            current = current[index]
        else:
            return MISSING
    return current


def is_matcher(expected: Any) -> bool:
    return isinstance(expected, Mapping) and len(expected) == 1 and next(iter(expected)) in MATCHER_KEYS


def value_problem(expected: Any, actual: Any, where: str = "the value") -> str | None:
    """Why *actual* does not fit *expected* (a value or a matcher); None when it does."""
    if not is_matcher(expected):
        if actual is MISSING:
            return f"{where} is missing (expected {short(expected)})"
        return None if actual == expected else f"{where} is {short(actual)}, expected {short(expected)}"
    ((kind, operand),) = expected.items()
    if kind == "exists":
        present = actual is not MISSING
        if present == bool(operand):
            return None
        return f"{where} is missing" if operand else f"{where} exists ({short(actual)}), expected it absent"
    if actual is MISSING:
        return f"{where} is missing"
    if kind == "eq":
        return None if actual == operand else f"{where} is {short(actual)}, expected {short(operand)}"
    if kind == "in":
        options = operand if isinstance(operand, list) else [operand]
        return None if actual in options else f"{where} is {short(actual)}, expected one of {short(options)}"
    if kind == "regex":
        text = actual if isinstance(actual, str) else json.dumps(actual, ensure_ascii=False, default=str)
        try:
            found = re.search(str(operand), text)
        except re.error as exc:
            return f"{where}: the regex {short(operand)} is invalid ({exc})"
        return None if found else f"{where} is {short(actual)}, which does not match /{operand}/"
    problem = schema_problem(operand if isinstance(operand, Mapping) else {}, actual, where)
    return problem


def subset_problem(expected: Any, actual: Any, where: str = "the value") -> str | None:
    """*expected* found in *actual*: mappings by their listed keys (recursively), lists item by item
    from the start, matchers and other values as in :func:`value_problem`."""
    if is_matcher(expected):
        return value_problem(expected, actual, where)
    if isinstance(expected, Mapping):
        if not isinstance(actual, Mapping):
            return f"{where} is {short(actual)}, expected a mapping with {short(expected)}"
        for key, item in expected.items():
            problem = subset_problem(item, actual.get(key, MISSING), f"{where}.{key}")
            if problem:
                return problem
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        if len(actual) < len(expected):
            return f"{where} has {len(actual)} item(s), expected at least {len(expected)}"
        for n, item in enumerate(expected):
            problem = subset_problem(item, actual[n], f"{where}.{n}")
            if problem:
                return problem
        return None
    return value_problem(expected, actual, where)


def _argument(actual: Mapping[str, Any], path: str) -> Any:
    """An argument named *path* (even with dots in its name), else the dotted path into the arguments."""
    return actual[path] if path in actual else dig(actual, path)


def _top(actual: Mapping[str, Any], path: str) -> str:
    """The top-level argument *path* is read from (as :func:`_argument` reads it)."""
    return path if path in actual else path.split(".", 1)[0]


def args_problem(expected: Mapping[str, Any] | None, actual: Any, mode: str) -> str | None:
    """Why a call's arguments *actual* do not fit *expected* under *mode*; None when they do."""
    if expected is None or mode == "ignore":
        return None
    if not isinstance(actual, Mapping):
        return f"the arguments are {short(actual)}, not an object"
    if mode == "exact":
        extra = sorted(set(actual) - {_top(actual, path) for path in expected})
        missing = sorted(path for path in expected if _top(actual, path) not in actual)
        if extra or missing:
            said = [
                f"unexpected {', '.join(extra)}" if extra else "",
                f"missing {', '.join(missing)}" if missing else "",
            ]
            return f"arguments {short(actual)}: {'; '.join(s for s in said if s)}"
    if mode == "superset":
        unlisted = sorted(k for k in actual if k not in expected and not any(p.startswith(f"{k}.") for p in expected))
        if unlisted:
            return f"argument(s) {', '.join(unlisted)} are not listed (args_mode: superset)"
        for path, item in expected.items():
            value = _argument(actual, path)
            if value is not MISSING:
                problem = value_problem(item, value, f"args.{path}")
                if problem:
                    return problem
        return None
    for path, item in expected.items():
        problem = value_problem(item, _argument(actual, path), f"args.{path}")
        if problem:
            return problem
    return None


def name_matches(expected: str | NameRegex, name: str) -> bool:
    if isinstance(expected, NameRegex):
        try:
            return re.search(expected.regex, name) is not None
        except re.error:
            return False
    return expected == name


def name_text(expected: str | NameRegex) -> str:
    return f"/{expected.regex}/" if isinstance(expected, NameRegex) else expected


def text_problems(expect: TextExpect, text: str) -> list[str]:
    """Every way *text* breaks *expect* (a turn's final text)."""
    problems: list[str] = []
    shown = short(text)
    folded = text.casefold()
    checks: Sequence[tuple[str | None, bool, str]] = (
        (expect.equals, text == (expect.equals or ""), "is {text}, expected exactly {op}"),
        (expect.contains, (expect.contains or "") in text, "{text} does not contain {op}"),
        (
            expect.icontains,
            (expect.icontains or "").casefold() in folded,
            "{text} does not contain {op} (any case)",
        ),
        (expect.not_equals, text != expect.not_equals, "is exactly {op}"),
        (expect.not_contains, (expect.not_contains or "") not in text, "{text} contains {op}"),
        (
            expect.not_icontains,
            (expect.not_icontains or "").casefold() not in folded,
            "{text} contains {op} (any case)",
        ),
    )
    for operand, ok, message in checks:
        if operand is not None and not ok:
            problems.append("final text " + message.format(text=shown, op=short(operand)))
    for pattern, wanted in ((expect.regex, True), (expect.not_regex, False)):
        if pattern is None:
            continue
        try:
            found = re.search(pattern, text) is not None
        except re.error as exc:
            problems.append(f"the regex /{pattern}/ is invalid ({exc})")
            continue
        if found != wanted:
            verb = "does not match" if wanted else "matches"
            problems.append(f"final text {shown} {verb} /{pattern}/")
    if expect.min_length is not None and len(text) < expect.min_length:
        problems.append(f"final text has {len(text)} characters, expected at least {expect.min_length}")
    if expect.max_length is not None and len(text) > expect.max_length:
        problems.append(f"final text has {len(text)} characters, expected at most {expect.max_length}")
    return problems
