"""The reports of a suite: the console (marks as runs finish, then a table), JUnit XML, JSONL, Markdown.

Every string that came from the server (a final text, an error, an interrupt's payload) is
cleaned of control characters before it is written anywhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO
from xml.etree import ElementTree as ET

from chat_tui.sanitize import clean, clean_line
from chat_tui.testing.coverage import coverage_line
from chat_tui.testing.matchers import short
from chat_tui.testing.paths import path_lines
from chat_tui.testing.results import RunResult, ScenarioResult, SuiteResult, percentile

__all__ = ["console_table", "failure_details", "write_jsonl", "write_junit", "write_markdown"]

REASON = 160


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value / 1000:.1f}s" if value >= 1000 else f"{value:.0f}ms"


def _rate(result: ScenarioResult) -> str:
    counted = len(result.counted)
    if not counted:
        return "no run counted"
    return f"{result.passes}/{counted} {100 * result.passes / counted:.0f}%"


def _verdict(result: ScenarioResult) -> str:
    if result.passed:
        return "ok (flaky)" if result.flaky else "ok"
    return "ERROR" if not result.counted else "FAIL"


def _rows(suite: SuiteResult) -> list[list[str]]:
    rows = []
    for result in suite.scenarios:
        failing = result.first_failure
        reason = clean_line(failing.reason, REASON) if failing is not None else ""
        rows.append(
            [
                result.scenario.id,
                str(len(result.runs)),
                _rate(result),
                f"{100 * result.scenario.pass_rate:.0f}%",
                _ms(percentile(result.latencies, 0.5)),
                _ms(percentile(result.latencies, 0.95)),
                str(sum(r.total_tokens for r in result.runs)),
                _verdict(result),
                reason,
            ]
        )
    return rows


HEADER = ["scenario", "runs", "passed", "needs", "p50", "p95", "tokens", "result", "first failure"]


def console_table(suite: SuiteResult) -> str:
    """The table printed after the marks, then the details of each failing or flaky scenario (a flaky
    one's runs grouped by path), graph coverage, and a summary line."""
    rows = [HEADER, *_rows(suite)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(w) if i in (0, 7) else cell.rjust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=False))
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    details = failure_details(suite)
    coverage = [coverage_line(record) for record in suite.coverage]
    scenarios = suite.scenarios
    passed = sum(1 for s in scenarios if s.passed)
    summary = (
        f"{len(scenarios)} scenario(s): {passed} passed, {len(scenarios) - passed} failed; "
        f"{len(suite.runs)} run(s), {suite.infrastructure_errors} infrastructure error(s), "
        f"in {suite.duration_ms / 1000:.1f} s"
    )
    extra = [*(["", *details] if details else []), *(["", *coverage] if coverage else [])]
    return "\n".join([*lines, *extra, "", summary]) + "\n"


def failure_details(suite: SuiteResult) -> list[str]:
    """For each scenario that did not pass or is flaky: where it is, a flaky one's paths (its runs
    grouped by the nodes and tools they went through), and each failing run's first failure with
    its expected and actual values and the thread to open."""
    lines: list[str] = []
    for result in suite.scenarios:
        if result.passed and not result.flaky:
            continue
        label = "FLAKY" if result.passed else "FAILED"
        lines.append(
            f"{label} {result.scenario.id} ({result.scenario.where}): {_rate(result)} passed, "
            f"{100 * result.scenario.pass_rate:.0f}% needed"
        )
        if result.flaky:
            lines.extend(path_lines(result.paths()))
        for run in result.runs:
            if run.outcome == "pass":
                continue
            lines.append(
                f"  run {run.index + 1} ({run.outcome}, thread {run.thread_id or '-'}): {clean_line(run.reason, 300)}"
            )
            failure = run.first_failure
            if failure is not None and run.error is None:
                lines.append(f"    expected: {clean_line(short(failure.expected, 200), 220)}")
                lines.append(f"    actual:   {clean_line(short(failure.actual, 200), 220)}")
    return lines


def _run_line(run: RunResult) -> str:
    return f"run {run.index + 1} (thread {run.thread_id or '-'}): {clean_line(run.reason, 500)}"


def write_junit(suite: SuiteResult, path: Path) -> None:
    """One ``<testsuite>`` per scenario file, one ``<testcase>`` per scenario."""
    root = ET.Element("testsuites", name="chat-tui")
    by_file: dict[Path, list[ScenarioResult]] = {}
    for result in suite.scenarios:
        by_file.setdefault(result.scenario.file.path, []).append(result)
    totals = {"tests": 0, "failures": 0, "errors": 0}
    for file_path, results in by_file.items():
        element = ET.SubElement(root, "testsuite", name=clean_line(results[0].scenario.file.name, 200))
        element.set("file", str(file_path))
        counts = {"tests": len(results), "failures": 0, "errors": 0}
        seconds = 0.0
        for result in results:
            runs = result.runs
            mean = sum(r.duration_ms for r in runs) / len(runs) / 1000 if runs else 0.0
            seconds += sum(r.duration_ms for r in runs) / 1000
            case = ET.SubElement(element, "testcase", name=result.scenario.id, classname=element.get("name", ""))
            case.set("time", f"{mean:.3f}")
            case.set("file", str(file_path))
            case.set("line", str(result.scenario.line))
            failing = [_run_line(r) for r in runs if r.outcome != "pass"]
            if not result.passed and result.counted:
                counts["failures"] += 1
                message = f"{_rate(result)} < {100 * result.scenario.pass_rate:.0f}% required"
                node = ET.SubElement(case, "failure", type="PassRateBelowThreshold", message=message)
                node.text = "\n".join(failing)
            infra = [_run_line(r) for r in runs if r.infrastructure]  # (an <error> even when other runs passed)
            if infra:
                counts["errors"] += 1
                message = f"{len(infra)} of {len(runs)} run(s) hit an infrastructure error: {infra[0]}"
                node = ET.SubElement(case, "error", type="InfrastructureError", message=clean_line(message, 300))
                node.text = "\n".join(infra)
            if result.flaky:
                properties = ET.SubElement(case, "properties")
                ET.SubElement(properties, "property", name="flaky", value="true")
            threads = ", ".join(r.thread_id or "-" for r in runs)
            ET.SubElement(case, "system-out").text = f"threads: {threads}"
        for key, value in counts.items():
            element.set(key, str(value))
            totals[key] += value
        element.set("time", f"{seconds:.3f}")
    for key, value in totals.items():
        root.set(key, str(value))
    root.set("time", f"{suite.duration_ms / 1000:.3f}")
    ET.indent(root)
    path.write_text(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n", encoding="utf-8")


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(str(k)): _clean_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean_json(v) for v in value]
    return value


def write_jsonl(suite: SuiteResult, path: Path, header: dict[str, Any]) -> None:
    """One line per run, one per scenario, one per assistant's graph coverage, one for the suite (with
    *header*: server, versions). :mod:`.result_file` reads it back."""
    lines = [run.to_json() for result in suite.scenarios for run in result.runs]
    lines.extend(result.to_json() for result in suite.scenarios)
    lines.extend(record.to_json() for record in suite.coverage)
    lines.append({**suite.to_json(), **header})
    text = "".join(json.dumps(_clean_json(line), ensure_ascii=False, default=str) + "\n" for line in lines)
    path.write_text(text, encoding="utf-8")


def write_markdown(suite: SuiteResult, path: Path) -> None:
    """The console table as Markdown (for a CI job summary), then flaky scenarios' paths and graph coverage."""

    def cell(text: str) -> str:
        return clean_line(text, 300).replace("|", "\\|")

    lines = ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    lines.extend("| " + " | ".join(cell(c) for c in row) + " |" for row in _rows(suite))
    passed = sum(1 for s in suite.scenarios if s.passed)
    lines.extend(["", f"{passed} of {len(suite.scenarios)} scenario(s) passed; {len(suite.runs)} run(s)."])
    flaky = [result for result in suite.scenarios if result.flaky]
    if flaky:
        lines.extend(["", "### Flaky scenarios: the paths their runs took", ""])
        for result in flaky:
            lines.append(f"- `{cell(result.scenario.id)}`")
            lines.extend(f"  - {cell(line.strip())}" for line in path_lines(result.paths()))
    if suite.coverage:
        lines.extend(["", "### Graph coverage", ""])
        lines.extend(f"- {cell(coverage_line(record))}" for record in suite.coverage)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_marks(out: TextIO, run: RunResult) -> None:
    out.write(run.mark)
    out.flush()
