"""Trajectory matching: the tool calls of a turn against an expected list.

The first four modes follow agentevals' trajectory match (``create_trajectory_match_evaluator``),
applied to the calls only, greedily and in order as it does:

* ``superset``: every expected call is matched by a different actual call (more calls allowed);
* ``subset``: every actual call is matched by a different expected call (no call beyond the list);
* ``unordered``: both (the same calls, any order);
* ``strict``: the same calls in the same order; calls the model made together in one message
  (parallel calls) may be in any order among themselves, as agentevals compares them per message;
* ``in_order`` (not in agentevals): the expected calls appear in this order, others may come between.

A call matches when its name matches (exact or ``{regex}``) and its arguments fit under ``args_mode``
(:func:`~chat_tui.testing.matchers.args_problem`; a call listed without ``args`` matches any).
``tests/unit/test_trajectory_oracle.py`` checks the verdicts against agentevals itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from chat_tui.testing.matchers import args_problem, name_matches, name_text, short
from chat_tui.testing.model import TrajectoryCall

__all__ = ["ActualCall", "trajectory_problem"]


@dataclass(frozen=True, slots=True)
class ActualCall:
    name: str
    args: Any
    group: int = 0  # calls made in one AI message share a group


def _fits(expected: TrajectoryCall, actual: ActualCall, args_mode: str) -> bool:
    return name_matches(expected.name, actual.name) and args_problem(expected.args, actual.args, args_mode) is None


def _show(call: TrajectoryCall | ActualCall) -> str:
    name = name_text(call.name) if isinstance(call, TrajectoryCall) else call.name
    return f"{name}({short(call.args, 60)})" if call.args is not None else name


def _covers(expected: Sequence[TrajectoryCall], actual: Sequence[ActualCall], args_mode: str) -> TrajectoryCall | None:
    """The first expected call no unused actual call matches (None: all are matched)."""
    used: set[int] = set()
    for want in expected:
        hit = next((i for i, got in enumerate(actual) if i not in used and _fits(want, got, args_mode)), None)
        if hit is None:
            return want
        used.add(hit)
    return None


def _covered(expected: Sequence[TrajectoryCall], actual: Sequence[ActualCall], args_mode: str) -> ActualCall | None:
    """The first actual call no unused expected call matches (None: all are matched)."""
    used: set[int] = set()
    for got in actual:
        hit = next((i for i, want in enumerate(expected) if i not in used and _fits(want, got, args_mode)), None)
        if hit is None:
            return got
        used.add(hit)
    return None


def _strict(expected: Sequence[TrajectoryCall], actual: Sequence[ActualCall], args_mode: str) -> str | None:
    if len(expected) != len(actual):
        return f"{len(actual)} call(s) made, {len(expected)} expected (strict)"
    start = 0
    while start < len(actual):
        end = start
        while end < len(actual) and actual[end].group == actual[start].group:
            end += 1
        extra = _covered(expected[start:end], actual[start:end], args_mode)
        if extra is not None:
            wanted = ", ".join(_show(c) for c in expected[start:end])
            return f"call {start + 1}: the agent called {_show(extra)}, expected {wanted} (strict)"
        start = end
    return None


def _in_order(expected: Sequence[TrajectoryCall], actual: Sequence[ActualCall], args_mode: str) -> str | None:
    position = 0
    for got in actual:
        if position < len(expected) and _fits(expected[position], got, args_mode):
            position += 1
    if position == len(expected):
        return None
    return f"{_show(expected[position])} (expected call {position + 1}) was not called after the ones before it"


def trajectory_problem(
    mode: str, expected: Sequence[TrajectoryCall], actual: Sequence[ActualCall], args_mode: str = "subset"
) -> str | None:
    """Why the calls *actual* do not fit *expected* under *mode*; None when they do."""
    if mode == "strict":
        return _strict(expected, actual, args_mode)
    if mode == "in_order":
        return _in_order(expected, actual, args_mode)
    if mode in ("superset", "unordered"):
        missing = _covers(expected, actual, args_mode)
        if missing is not None:
            return f"no call matches {_show(missing)} ({mode})"
    if mode in ("subset", "unordered"):
        extra = _covered(expected, actual, args_mode)
        if extra is not None:
            return f"the call {_show(extra)} is not in the list ({mode})"
    return None
