"""The reports of a ``chat-tui test`` that ran nothing, so a CI job still shows why.

When the command stops before any run (the server unreachable, exit 4; an assistant it does not
have, exit 2; an invalid scenario file, exit 2; nothing selected, exit 5), the ``--junit``,
``--jsonl`` and ``--md`` files asked for are still written:

* JUnit: one ``<testsuite name="chat-tui test">`` holding one ``<testcase>`` named for the cause,
  with an ``<error type="…">`` whose message is the reason (CI shows a red test, not "no tests");
* JSONL: one ``{"type": "suite", "scenarios": 0, "runs": 0, …, "exit_code": N, "reason": "…"}`` line;
* Markdown: one line, ``**chat-tui test ran nothing** (exit N): reason``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO
from xml.etree import ElementTree as ET

from chat_tui import __version__
from chat_tui.sanitize import clean_line

__all__ = ["CAUSES", "write_aborted"]

# exit code -> the testcase's name and the error's type
CAUSES = {
    2: ("invalid-or-unknown", "UsageError"),
    4: ("server-unreachable", "InfrastructureError"),
    5: ("nothing-selected", "NothingSelected"),
}
REASON = 500


def _junit(path: Path, code: int, reason: str) -> None:
    name, kind = CAUSES.get(code, ("not-run", "Error"))
    root = ET.Element("testsuites", name="chat-tui", tests="1", failures="0", errors="1", time="0.000")
    suite = ET.SubElement(root, "testsuite", name="chat-tui test", tests="1", failures="0", errors="1", time="0.000")
    case = ET.SubElement(suite, "testcase", name=name, classname="chat-tui test", time="0.000")
    error = ET.SubElement(case, "error", type=kind, message=reason)
    error.text = f"exit code {code}: {reason}"
    ET.indent(root)
    path.write_text(ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n", encoding="utf-8")


def _jsonl(path: Path, code: int, reason: str, header: dict[str, Any]) -> None:
    line = {
        "type": "suite",
        "scenarios": 0,
        "passed": 0,
        "failed": 0,
        "runs": 0,
        "infrastructure_errors": 0,
        "duration_ms": 0.0,
        "exit_code": code,
        "reason": reason,
        "chat_tui_version": __version__,
        **header,
    }
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")


def _markdown(path: Path, code: int, reason: str) -> None:
    escaped = reason.replace("|", "\\|")  # (a table cell's separator, in a CI summary)
    path.write_text(f"**chat-tui test ran nothing** (exit {code}): {escaped}\n", encoding="utf-8")


def write_aborted(
    options: Any, code: int, reasons: Sequence[str], err: TextIO, header: dict[str, Any] | None = None
) -> int:
    """Write the reports *options* asks for (its ``junit``, ``jsonl``, ``markdown``) for a command
    that stopped with *code* before running anything; returns *code*."""
    reason = "; ".join(clean_line(r, REASON) for r in reasons if r) or "nothing was run"
    reason = clean_line(reason, REASON)
    writers: list[tuple[Path | None, Callable[[Path], None]]] = [
        (options.junit, lambda p: _junit(p, code, reason)),
        (options.jsonl, lambda p: _jsonl(p, code, reason, header or {})),
        (options.markdown, lambda p: _markdown(p, code, reason)),
    ]
    for path, write in writers:
        if path is None:
            continue
        try:
            write(path)
        except OSError as exc:
            err.write(f"chat-tui: error: cannot write {path}: {clean_line(str(exc), 200)}\n")
    return code
