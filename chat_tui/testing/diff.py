"""``chat-tui test diff BASE.jsonl NEW.jsonl``: what changed between two results files, per scenario.

Scenarios are matched by their file's name (not its folder: CI and a laptop keep files in
different places) and their id. Each gets a status:

* ``regressed``: it passed and now does not, or its pass rate dropped (it did not start passing);
* ``fixed``: it did not pass and now does;
* ``same``: neither (its pass rate may have risen);
* ``new`` / ``gone``: only in NEW / only in BASE.

Regressions come first (the largest drop first), then fixed, gone, new, same (in NEW's order).
Latency is the p50 of a scenario's counted runs (NEW / BASE as a ratio), tokens are per run (a
repeat count may differ between the files).

Exit codes: 0 no scenario regressed, 1 at least one did, 2 a file cannot be read (one line,
``FILE:LINE: message``), 5 no scenario is in both files.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TextIO

from chat_tui.sanitize import clean_line
from chat_tui.testing.result_file import ResultFile, ResultFileError, ScenarioRecord, read_result_file

__all__ = ["DIFF_EXIT", "ScenarioDiff", "compare", "diff_exit", "diff_json", "diff_main", "diff_table", "run_diff"]

Status = Literal["regressed", "fixed", "gone", "new", "same"]
ORDER: dict[str, int] = {"regressed": 0, "fixed": 1, "gone": 2, "new": 3, "same": 4}
DIFF_EXIT = {"ok": 0, "regressed": 1, "unreadable": 2, "nothing_in_common": 5}


@dataclass(frozen=True, slots=True)
class ScenarioDiff:
    file: str  # the scenario file's name
    scenario: str
    base: ScenarioRecord | None
    new: ScenarioRecord | None

    @property
    def status(self) -> Status:
        base, new = self.base, self.new
        if base is None:
            return "new"
        if new is None:
            return "gone"
        if base.passed and not new.passed:
            return "regressed"
        if new.passed and not base.passed:
            return "fixed"
        dropped = base.pass_rate is not None and new.pass_rate is not None and new.pass_rate < base.pass_rate - 1e-9
        return "regressed" if dropped else "same"

    @property
    def rate_change(self) -> float:
        """NEW's pass rate minus BASE's (0 when either has none)."""
        if self.base is None or self.new is None or self.base.pass_rate is None or self.new.pass_rate is None:
            return 0.0
        return self.new.pass_rate - self.base.pass_rate

    @property
    def p50_ratio(self) -> float | None:
        if self.base is None or self.new is None or not self.base.p50_ms or self.new.p50_ms is None:
            return None
        return self.new.p50_ms / self.base.p50_ms

    def to_json(self) -> dict[str, Any]:
        def pair(name: str) -> list[Any]:
            return [getattr(record, name) if record is not None else None for record in (self.base, self.new)]

        ratio = self.p50_ratio
        return {
            "file": self.file,
            "scenario": self.scenario,
            "status": self.status,
            "pass_rate": pair("pass_rate"),
            "passed": pair("passed"),
            "p50_ms": pair("p50_ms"),
            "p50_ratio": round(ratio, 3) if ratio is not None else None,
            "tokens_per_run": pair("tokens_per_run"),
        }


def _sort_key(diff: ScenarioDiff) -> tuple[int, float]:
    return ORDER[diff.status], diff.rate_change if diff.status == "regressed" else 0.0


def compare(base: ResultFile, new: ResultFile) -> list[ScenarioDiff]:
    """Every scenario of either file, regressions first (see the module docstring for the order)."""
    before = {s.key: s for s in base.scenarios}
    after = {s.key: s for s in new.scenarios}
    keys = list(after) + [key for key in before if key not in after]
    diffs = [ScenarioDiff(key[0], key[1], before.get(key), after.get(key)) for key in keys]
    return sorted(diffs, key=_sort_key)  # (stable: NEW's order within a status)


def diff_exit(diffs: Sequence[ScenarioDiff]) -> int:
    if not any(d.base is not None and d.new is not None for d in diffs):
        return DIFF_EXIT["nothing_in_common"]
    return DIFF_EXIT["regressed"] if any(d.status == "regressed" for d in diffs) else DIFF_EXIT["ok"]


def _rate(record: ScenarioRecord | None) -> str:
    if record is None:
        return "-"
    if record.pass_rate is None:
        return "none counted"
    return f"{100 * record.pass_rate:.0f}%{'' if record.passed else ' FAIL'}"


def _tokens(diff: ScenarioDiff) -> str:
    before = diff.base.tokens_per_run if diff.base is not None else None
    after = diff.new.tokens_per_run if diff.new is not None else None
    if before is None or after is None:
        return "-"
    change = f" ({100 * (after - before) / before:+.0f}%)" if before else ""
    return f"{before:.0f} → {after:.0f}{change}"


HEADER = ["status", "scenario", "pass rate", "p50", "tokens/run"]


def diff_table(diffs: Sequence[ScenarioDiff], base: ResultFile, new: ResultFile) -> str:
    """The console report: a row per scenario, regressions first, and a summary line."""
    rows = [HEADER]
    for d in diffs:
        ratio = d.p50_ratio
        rows.append(
            [
                d.status.upper() if d.status == "regressed" else d.status,
                clean_line(f"{d.file}::{d.scenario}", 120),
                f"{_rate(d.base)} → {_rate(d.new)}",
                f"×{ratio:.2f}" if ratio is not None else "-",
                _tokens(d),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER) - 1)]
    lines = ["  ".join([*(c.ljust(w) for c, w in zip(row, widths, strict=False)), row[-1]]).rstrip() for row in rows]
    counts = {status: sum(1 for d in diffs if d.status == status) for status in ORDER}
    summary = ", ".join(f"{n} {status}" for status, n in counts.items() if n) or "no scenario"
    where = f"{clean_line(str(base.path), 200)} → {clean_line(str(new.path), 200)}"
    return "\n".join([where, "", *lines, "", summary]) + "\n"


def diff_json(diffs: Sequence[ScenarioDiff], base: ResultFile, new: ResultFile) -> dict[str, Any]:
    counts = {status: sum(1 for d in diffs if d.status == status) for status in ORDER}
    return {
        "base": str(base.path),
        "new": str(new.path),
        "scenarios": [d.to_json() for d in diffs],
        "counts": counts,
        "exit_code": diff_exit(diffs),
    }


def run_diff(base_path: str, new_path: str, *, as_json: bool = False, out: TextIO | None = None) -> int:
    """Read both files, print the comparison; returns the exit code."""
    out = out or sys.stdout
    try:
        base, new = read_result_file(base_path), read_result_file(new_path)
    except ResultFileError as exc:
        sys.stderr.write(f"{exc.problems[0]}\n")
        return DIFF_EXIT["unreadable"]
    diffs = compare(base, new)
    if as_json:
        # ASCII: a hand-edited file's C1 controls are escaped too, never sent to the terminal as they are
        out.write(json.dumps(diff_json(diffs, base, new)) + "\n")
    else:
        out.write(diff_table(diffs, base, new))
    code = diff_exit(diffs)
    if code == DIFF_EXIT["nothing_in_common"]:
        sys.stderr.write("chat-tui: no scenario is in both files (matched by file name and scenario id)\n")
    return code


def diff_main(argv: list[str], parser_class: type[argparse.ArgumentParser]) -> int:
    """``chat-tui test diff`` from its command line (after ``diff``)."""
    from chat_tui.testing.arguments import diff_parser

    args = diff_parser(parser_class).parse_args(argv)
    return run_diff(args.base, args.new, as_json=args.json)
