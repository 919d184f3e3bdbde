"""The verdict of each expectation of a turn on what the turn did (:class:`TurnObservation`).

Every turn is checked for its status even when it lists no expectation: a turn passes only when
its run succeeded, or stopped at an interrupt that the next turn answers (or that it expects).
A run that failed is never a pass unless the turn says ``status: error``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from chat_tui.testing.matchers import (
    MISSING,
    args_problem,
    dig,
    name_matches,
    name_text,
    short,
    subset_problem,
    text_problems,
    value_problem,
)
from chat_tui.testing.model import (
    BudgetExpect,
    CountRange,
    Expect,
    InterruptExpect,
    NodesExpect,
    StateCheck,
    StatusExpect,
    ToolCallExpect,
    ToolNotCalled,
)
from chat_tui.testing.observe import TurnObservation
from chat_tui.testing.trajectory import ActualCall, trajectory_problem

__all__ = ["CheckResult", "check_turn", "needs_state"]


@dataclass(slots=True)
class CheckResult:
    kind: str
    passed: bool
    message: str = ""  # why it failed (or a note when it passed)
    severity: str = "fail"
    expected: Any = None
    actual: Any = None
    turn: int = 0

    @property
    def fails(self) -> bool:
        return not self.passed and self.severity == "fail"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def needs_state(expect: Expect | None) -> bool:
    return expect is not None and bool(expect.state)


def _status(expect: Expect | None, seen: TurnObservation, next_answers: bool) -> CheckResult:
    wanted = expect.status if expect is not None else None
    severity = "fail"
    if isinstance(wanted, StatusExpect):
        severity, wanted = wanted.severity, wanted.equals
    if wanted is None:
        asks_interrupt = expect is not None and expect.interrupt is not None
        wanted = "interrupted" if next_answers or asks_interrupt else "success"
    passed = seen.status == wanted
    message = ""
    if not passed:
        message = f"status {seen.status}, expected {wanted}"
        if seen.status == "interrupted" and seen.interrupts:
            message = f"an interrupt was not answered: {short(seen.interrupts[0].get('value'), 200)}"
        elif seen.problem:
            message += f" ({short(seen.problem, 200)})"
    return CheckResult("status", passed, message, severity, wanted, seen.status)


def _count(count: CountRange | int | None, found: int, default_min: int = 1) -> str | None:
    low, high = (count, count) if isinstance(count, int) else (default_min, None)
    if isinstance(count, CountRange):
        low, high = count.min if count.min is not None else 0, count.max
    if found < low:
        return f"{found} found, expected at least {low}"
    if high is not None and found > high:
        return f"{found} found, expected at most {high}"
    return None


def _tool_call(expect: ToolCallExpect, seen: TurnObservation) -> CheckResult:
    named = [c for c in seen.tool_calls if name_matches(expect.name, c.name)]
    matching = [c for c in named if args_problem(expect.args, c.args, expect.args_mode) is None]
    label = name_text(expect.name)
    problem = _count(expect.count, len(matching))
    if problem and named and not matching:
        problem = f"{label}: {args_problem(expect.args, named[0].args, expect.args_mode)}"
    elif problem:
        made = ", ".join(c.name for c in seen.tool_calls) or "none"
        problem = f"{label}: {problem} (calls made: {made})"
    if problem is None and expect.result is not None:
        for call in matching:
            want = expect.result
            text = call.result_text or ""
            if call.result_status is None:
                problem = f"{label}: no result (the call did not run)"
            elif want.status is not None and call.result_status != want.status:
                problem = f"{label}: result status {call.result_status}, expected {want.status}"
            elif want.contains is not None and want.contains not in text:
                problem = f"{label}: result {short(text)} does not contain {short(want.contains)}"
            elif want.regex is not None:
                problem = value_problem({"regex": want.regex}, text, f"{label} result")
            if problem:
                break
    actual = [{"name": c.name, "args": c.args, "result": c.result_status} for c in seen.tool_calls]
    expected = expect.model_dump(exclude_unset=True, by_alias=True, exclude={"severity"})
    return CheckResult("tool_calls", problem is None, problem or "", expect.severity, expected, actual)


def _nodes(expect: NodesExpect, nodes: list[str]) -> CheckResult:
    problem = None
    if expect.in_order is not None:
        position = 0
        for node in nodes:
            if position < len(expect.in_order) and node == expect.in_order[position]:
                position += 1
        if position < len(expect.in_order):
            problem = (
                f"node {expect.in_order[position]!r} did not run in that order (ran: {' → '.join(nodes) or 'none'})"
            )
    for node in expect.includes or ():
        if problem is None and node not in nodes:
            problem = f"node {node!r} did not run (ran: {' → '.join(nodes) or 'none'})"
    for node in expect.excludes or ():
        if problem is None and node in nodes:
            problem = f"node {node!r} ran"
    expected = expect.model_dump(exclude_none=True, exclude={"severity"})
    return CheckResult("nodes", problem is None, problem or "", expect.severity, expected, nodes)


def _interrupt(expect: InterruptExpect, seen: TurnObservation) -> CheckResult:
    pending = seen.interrupts
    problem = _count(expect.count, len(pending)) if expect.count is not None else None
    if problem is not None:
        problem = f"pending interrupts: {problem}"
    elif not pending and expect.count is None:
        problem = "no interrupt is pending"
    if problem is None and "value" in expect.model_fields_set:
        misses = [subset_problem(expect.value, item.get("value"), "interrupt value") for item in pending]
        if all(misses):
            problem = misses[0]
    expected = expect.model_dump(exclude_unset=True, exclude={"severity"})
    return CheckResult("interrupt", problem is None, problem or "", expect.severity, expected, pending)


def _state(check: StateCheck, values: Any) -> CheckResult:
    actual = dig(values, check.path)
    where = f"state.{check.path}"
    problem = None
    fields = check.model_fields_set
    if "exists" in fields and check.exists is not None:
        problem = value_problem({"exists": check.exists}, actual, where)
    if problem is None and "equals" in fields:
        problem = value_problem(check.equals, actual, where)
    if problem is None and check.length is not None:
        if actual is MISSING or not hasattr(actual, "__len__"):
            problem = f"{where} has no length ({short(actual)})"
        elif len(actual) != check.length:
            problem = f"{where} has length {len(actual)}, expected {check.length}"
    if problem is None and check.schema_ is not None:
        problem = value_problem({"schema": check.schema_}, actual, where)
    expected = check.model_dump(exclude_unset=True, by_alias=True, exclude={"severity"})
    shown = None if actual is MISSING else actual
    return CheckResult("state", problem is None, problem or "", check.severity, expected, shown)


def _budget(expect: BudgetExpect, seen: TurnObservation) -> CheckResult:
    figures = {
        "latency_ms": seen.latency_ms,
        "ttft_ms": seen.ttft_ms,
        "total_tokens": seen.usage.get("total_tokens", 0),
        "tool_calls": len(seen.tool_calls),
    }
    problems = []
    for key, actual in figures.items():
        limit = getattr(expect, key)
        if limit is not None and actual is not None and actual > limit:
            problems.append(f"{key} {actual:g} > {limit:g}")
    expected = expect.model_dump(exclude_none=True, exclude={"severity"})
    return CheckResult("budget", not problems, "; ".join(problems), expect.severity, expected, figures)


def check_turn(expect: Expect | None, seen: TurnObservation, *, next_answers: bool) -> list[CheckResult]:
    """Every check of one turn, the status first."""
    results = [_status(expect, seen, next_answers)]
    if expect is not None:
        results.extend(_tool_call(item, seen) for item in expect.tool_calls or ())
        for item in expect.tool_not_called or ():
            name, severity = (item.name, item.severity) if isinstance(item, ToolNotCalled) else (item, "fail")
            called = [c for c in seen.tool_calls if name_matches(name, c.name)]
            message = f"{name_text(name)} was called {len(called)} time(s)" if called else ""
            names = [c.name for c in called]
            results.append(CheckResult("tool_not_called", not called, message, severity, name_text(name), names))
        if expect.trajectory is not None:
            trajectory = expect.trajectory
            actual = [ActualCall(c.name, c.args, c.group) for c in seen.tool_calls]
            problem = trajectory_problem(trajectory.mode, trajectory.calls, actual, trajectory.args_mode)
            expected = trajectory.model_dump(exclude_unset=True, exclude={"severity"})
            made = [{"name": c.name, "args": c.args} for c in actual]
            results.append(
                CheckResult("trajectory", problem is None, problem or "", trajectory.severity, expected, made)
            )
        if expect.final_text is not None:
            text = seen.final_text or ""
            problems = text_problems(expect.final_text, text)
            if seen.final_text is None:
                problems = ["the turn has no AI message", *problems][:1]
            expected = expect.final_text.model_dump(exclude_none=True, exclude={"severity"})
            severity = expect.final_text.severity
            results.append(CheckResult("final_text", not problems, "; ".join(problems), severity, expected, text))
        if expect.nodes is not None:
            results.append(_nodes(expect.nodes, seen.nodes))
        if expect.interrupt is not None:
            results.append(_interrupt(expect.interrupt, seen))
        results.extend(_state(check, seen.state) for check in expect.state or ())
        if expect.budget is not None:
            results.append(_budget(expect.budget, seen))
    for result in results:
        result.turn = seen.index
    return results
