""" "Accept the actual value": what a failed check's expectation becomes so that what the run did
passes next time (the results view's ``a`` key writes it into the scenario file).

Each kind takes the run's actual value in the expectation's own shape: ``status`` the status;
``tool_calls`` the calls made (names and arguments, ``args_mode: subset``); ``trajectory`` the calls
made in the same mode; ``final_text`` the text (``equals``); ``nodes`` the nodes in order;
``interrupt`` the first pending value and the count; ``budget`` twice each figure measured (runs
vary: a budget equal to one run's figure fails half the next runs). A ``state`` check (a list of
paths) and the other kinds name no single value to take: they are edited by hand.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["BUDGET_HEADROOM", "NotAcceptable", "accepted"]

BUDGET_HEADROOM = 2.0


class NotAcceptable(Exception):
    """The check has no actual value to take (one line: why)."""


def _calls(actual: Any) -> list[dict[str, Any]]:
    calls = []
    for call in actual if isinstance(actual, list) else []:
        if isinstance(call, Mapping) and isinstance(call.get("name"), str):
            item: dict[str, Any] = {"name": call["name"]}
            if call.get("args") not in (None, {}):
                item["args"] = call["args"]
            calls.append(item)
    return calls


def accepted(check: Mapping[str, Any]) -> Any:
    """The value ``expect.<kind>`` takes for *check* (a check line of a results file)."""
    kind, expected, actual = check.get("kind"), check.get("expected"), check.get("actual")
    expected = expected if isinstance(expected, Mapping) else {}
    if kind == "status" and isinstance(actual, str):
        return actual
    if kind == "tool_calls":
        return [{**call, "args_mode": "subset"} if "args" in call else call for call in _calls(actual)]
    if kind == "trajectory":
        value: dict[str, Any] = {"mode": expected.get("mode", "strict"), "calls": _calls(actual)}
        if "args_mode" in expected:
            value["args_mode"] = expected["args_mode"]
        return value
    if kind == "final_text" and isinstance(actual, str):
        return {"equals": actual}
    if kind == "nodes" and isinstance(actual, list):
        return {"in_order": [str(node) for node in actual]}
    if kind == "interrupt" and isinstance(actual, list):
        if not actual:
            raise NotAcceptable("no interrupt was pending: remove the interrupt expectation instead")
        first = actual[0] if isinstance(actual[0], Mapping) else {}
        return {"value": first.get("value"), "count": len(actual)}
    if kind == "budget" and isinstance(actual, Mapping):
        limits = {}
        for key in expected or actual:
            figure = actual.get(key)
            if isinstance(figure, int | float):
                limits[key] = max(1, math.ceil(figure * BUDGET_HEADROOM))
        return limits
    raise NotAcceptable(f"a {kind} check has no single actual value to take: edit the file")
