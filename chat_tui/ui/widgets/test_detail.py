"""What the results view's cells and its run detail show, as ``Content`` (never markup): every
value came from a server or a scenario file, and is cleaned on its way in."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError
from textual.content import Content

from chat_tui.sanitize import clean, clean_line
from chat_tui.testing.board import RunView, ScenarioView, failing_turn
from chat_tui.testing.diff import ORDER, ScenarioDiff
from chat_tui.testing.explain import DiffLine, explain
from chat_tui.testing.paths import group_paths, path_lines
from chat_tui.testing.result_file import ResultFile, RunRecord

__all__ = ["change_cell", "comparison_summary", "diff_order", "run_cells", "run_detail", "scenario_cells"]

_VERDICT = {
    "pass": ("✓ pass", "$success"),
    "fail": ("✗ fail", "$error"),
    "error": ("E err", "$warning"),
    "running": ("… run", "dim"),
}
_OUTCOME = {"pass": ("✓", "$success"), "fail": ("✗", "$error"), "error": ("E", "$warning")}
_STYLE = {"": "", "match": "$success", "unwanted": "$error", "dim": "$text-muted"}


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.1f}s" if value >= 1000 else f"{value:.0f}ms"


def scenario_cells(view: ScenarioView) -> list[Content]:
    text, style = _VERDICT[view.verdict]
    rate = view.rate
    shown = "-" if rate is None else f"{view.passes}/{len(view.counted)}"
    flaky = Content.styled(" flaky", "$warning") if view.flaky else Content("")
    return [
        Content.styled(text, style),
        Content(clean_line(view.id, 60)) + flaky,
        Content(f"{len(view.runs)}/{max(view.expected_runs, len(view.runs))}"),
        Content(f"{shown} ≥{view.required:.0%}"),
        Content(_ms(view.p50_ms)),
    ]


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def change_cell(diff: ScenarioDiff | None) -> Content:
    """A scenario against the base results: regressed, fixed, new or the same."""
    if diff is None:
        return Content.styled("…", "dim")
    before = diff.base.pass_rate if diff.base is not None else None
    after = diff.new.pass_rate if diff.new is not None else None
    if diff.status == "regressed":
        return Content.styled(f"▼ {_rate(before)}→{_rate(after)}", "$error")
    if diff.status == "fixed":
        return Content.styled(f"▲ {_rate(before)}→{_rate(after)}", "$success")
    if diff.status == "new":
        return Content.styled("new", "$accent")
    ratio = diff.p50_ratio
    return Content.styled(f"= p50 ×{ratio:.2f}" if ratio is not None else "=", "dim")


def diff_order(diff: ScenarioDiff | None) -> tuple[int, float]:
    """Regressions first (the largest drop first), then fixed, new, the same; running ones last."""
    if diff is None:
        return len(ORDER), 0.0
    return ORDER[diff.status], diff.rate_change if diff.status == "regressed" else 0.0


def comparison_summary(compared: dict[Any, ScenarioDiff], base: ResultFile | None) -> Content:
    if base is None:
        return Content("")
    counts = {status: sum(1 for d in compared.values() if d.status == status) for status in ORDER}
    parts = ", ".join(f"{n} {status}" for status, n in counts.items() if n) or "nothing finished yet"
    style = "$error" if counts["regressed"] else "$text-muted"
    return Content.styled(f"  · vs {clean_line(base.path.name, 40)}: {parts}", style)


def run_cells(run: RunView) -> list[Content]:
    mark, style = _OUTCOME.get(run.outcome, ("?", "$text-muted"))
    thread = run.thread_id[:8] if run.thread_id else "-"
    return [
        Content.styled(f"#{run.index + 1} {mark}", style),
        Content(_ms(run.duration_ms)),
        Content(str(run.tokens)),
        Content.styled(thread, "dim"),
        Content(clean_line(run.reason, 160)),
    ]


def _diff(line: DiffLine) -> Content:
    parts = [(clean_line(text, 400), _STYLE.get(style, "")) for text, style in line.segments]
    return Content.assemble("      ", *parts)


def _check_lines(check: dict[str, Any]) -> list[Content]:
    passed, severity = bool(check.get("passed")), check.get("severity", "fail")
    mark, style = ("✓", "$success") if passed else (("!", "$warning") if severity == "warn" else ("✗", "$error"))
    kind = clean_line(str(check.get("kind")), 40)
    message = clean_line(str(check.get("message") or ""), 300)
    head = Content.assemble("    ", (mark, style), " ", (kind, "bold"), "  " if message else "", message)
    lines = [head]
    if not passed:  # expected against actual, under the check
        lines.extend(_diff(line) for line in explain(check))
    return lines


def path_groups(scenario: ScenarioView) -> list[Content]:
    """A flaky scenario's runs grouped by the path they took (why did it flake?)."""
    if not scenario.flaky:
        return []
    records = []
    for run in scenario.runs:
        try:
            records.append(RunRecord.from_json(run.data))
        except ValidationError:  # (a run line this version cannot read: left out of the groups)
            continue
    lines = [Content.styled("flaky: its runs by the path they took", "bold $warning")]
    groups = group_paths(records)
    for index, text in enumerate(path_lines(groups)):
        group = groups[index] if index < len(groups) else None  # (a last line may count the rest)
        style = ""
        if group is not None and not group.passes:
            style = "$error"
        elif group is not None and not group.fails and not group.errors:
            style = "$success"
        lines.append(Content.styled(clean_line(text, 300), style))
    return [*lines, Content("")]


def run_detail(scenario: ScenarioView, run: RunView) -> Content:
    """The run's turns, each with what it sent, its status and its checks; under the first
    failed check, expected against actual. A flaky scenario's path groups come first."""
    mark, style = _OUTCOME.get(run.outcome, ("?", "$text-muted"))
    head = Content.assemble(
        (f"{clean_line(scenario.id, 60)} #{run.index + 1} ", "bold"),
        (f"{mark} {run.outcome}", style),
        (f" · {_ms(run.duration_ms)} · {run.tokens} tokens · thread {run.thread_id or '-'}", "$text-muted"),
    )
    lines: list[Content] = [*path_groups(scenario), head]
    error = run.data.get("error")
    if error:
        lines.append(Content.styled(f"  error: {clean_line(str(error), 300)}", "$warning"))
    failing = failing_turn(run)
    for turn in run.turns:
        index = int(turn.get("index") or 0)
        where = "  ▶ " if index == failing else "    "
        sent = clean_line(str(turn.get("sent") or ""), 120)
        status = clean_line(str(turn.get("status") or "?"), 20)
        latency = _ms(turn.get("latency_ms") if isinstance(turn.get("latency_ms"), int | float) else None)
        lines.append(
            Content.assemble(
                (where, "$accent"),
                (f"turn {index + 1}", "bold"),
                f"  {sent}",
                (f"  → {status} ({latency})", "$text-muted"),
            )
        )
        problem = turn.get("problem")
        if problem:
            lines.append(Content.styled(f"      {clean_line(str(problem), 300)}", "$warning"))
        for check in turn.get("checks") or []:
            if isinstance(check, dict):
                lines.extend(_check_lines(check))
        final = turn.get("final_text")
        if isinstance(final, str) and final:
            lines.append(Content.styled(f"      answer: {clean_line(final, 100)}", "$text-muted"))
    if run.outcome != "pass":
        lines.append(Content(""))
        hint = "Enter opens the thread at turn ▶ · a accepts the actual value · r reruns · y copies a command"
        lines.append(Content.styled(hint, "$text-muted"))
    return Content("\n").join(lines)


def pretty(value: Any) -> str:
    """A value on one line, cleaned (for notifications)."""
    return clean(json.dumps(value, ensure_ascii=False, default=str))[:200]
