"""Verdicts and reports of `chat-tui test` on made-up runs: pass rates, flaky, the exit code's rules,
JUnit, JSONL and Markdown (and that server text in them is cleaned of control characters)."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from chat_tui.testing.checks import CheckResult
from chat_tui.testing.loader import Selected, load_file, select
from chat_tui.testing.observe import TurnObservation
from chat_tui.testing.reports import console_table, write_jsonl, write_junit, write_markdown
from chat_tui.testing.results import RunResult, ScenarioResult, SuiteResult

HOSTILE = "\x1b[2J\x1b]0;owned\x07red | text"


@pytest.fixture
def scenarios(tmp_path: Path) -> list[Selected]:
    path = tmp_path / "s.yaml"
    path.write_text(
        "version: 1\nsuite: unit\nscenarios:\n"
        "  - {id: a, pass_rate: 0.6, turns: [{user: hi}]}\n"
        "  - {id: b, turns: [{user: hi}]}\n",
        encoding="utf-8",
    )
    return select([load_file(path)])


def run(selected: Selected, index: int, outcome: str, *, infra: bool = False, text: str = "ok") -> RunResult:
    result = RunResult(selected, index, thread_id=f"t-{selected.id}-{index}", duration_ms=100.0 * (index + 1))
    turn = TurnObservation(0, "user", "user: hi", status="success", final_text=text)
    turn.usage["total_tokens"] = 10
    result.turns.append(turn)
    if outcome == "fail":
        result.checks.append(
            CheckResult("final_text", False, f"final text {text} does not contain x", "fail", "x", text)
        )
    elif outcome == "error":
        result.error, result.infrastructure = "turn 1 was not accepted: 503", infra
    else:
        result.checks.append(CheckResult("status", True, "", "fail", "success", "success"))
    return result


def suite(*scenario_results: ScenarioResult) -> SuiteResult:
    return SuiteResult(list(scenario_results), duration_ms=1000)


def test_pass_rate_flaky_and_errors(scenarios: list[Selected]) -> None:
    a, b = scenarios
    three_of_five = ScenarioResult(
        a, [run(a, 0, "pass"), run(a, 1, "fail"), run(a, 2, "pass"), run(a, 3, "fail"), run(a, 4, "pass")]
    )
    assert (three_of_five.rate, three_of_five.passed, three_of_five.flaky) == (0.6, True, True)
    # an infrastructure error is left out of the rate; an agent's error (a timeout) counts
    with_infra = ScenarioResult(b, [run(b, 0, "pass"), run(b, 1, "error", infra=True)])
    assert (with_infra.rate, with_infra.passed, with_infra.flaky) == (1.0, True, False)
    with_timeout = ScenarioResult(b, [run(b, 0, "pass"), run(b, 1, "error", infra=False)])
    assert (with_timeout.rate, with_timeout.passed) == (0.5, False)
    all_infra = ScenarioResult(b, [run(b, 0, "error", infra=True)])
    assert (all_infra.rate, all_infra.passed) == (None, False)


@pytest.mark.parametrize(
    ("a_runs", "b_runs", "code"),
    [
        (["pass"], ["pass"], 0),
        (["pass"], ["fail"], 1),
        (["pass"], ["error"], 1),  # an agent's error (a timeout) is a failure of the scenario
        (["pass"] * 4, ["pass", "infra"], 0),  # 1 of 6 runs: under 20%
        (["pass"], ["pass", "infra"], 4),  # 1 of 3: over 20%, and nothing failed
        (["pass"] * 9, ["infra"], 4),  # a scenario with no counted run: the server's fault
        (["fail"], ["infra", "infra"], 1),  # a failed assertion wins over infrastructure
        ([], [], 5),
    ],
)
def test_the_exit_code(scenarios: list[Selected], a_runs: list[str], b_runs: list[str], code: int) -> None:
    def runs(selected: Selected, kinds: list[str]) -> list[RunResult]:
        return [run(selected, n, "error" if k == "infra" else k, infra=k == "infra") for n, k in enumerate(kinds)]

    a, b = scenarios
    results = [ScenarioResult(a, runs(a, a_runs)), ScenarioResult(b, runs(b, b_runs))] if a_runs else []
    assert suite(*results).exit_code == code
    assert SuiteResult([], unreachable="refused").exit_code == 4


def test_reports(scenarios: list[Selected], tmp_path: Path) -> None:
    a, b = scenarios
    result = suite(
        ScenarioResult(a, [run(a, 0, "pass"), run(a, 1, "fail", text=HOSTILE)]),
        ScenarioResult(b, [run(b, 0, "error", infra=True)]),
    )
    table = console_table(result)
    assert table.splitlines()[0].split() == [
        "scenario", "runs", "passed", "needs", "p50", "p95", "tokens", "result", "first", "failure"
    ]  # fmt: skip
    assert "\x1b" not in table and "\x07" not in table
    assert "FAILED a (" in table and "  run 2 (fail, thread t-a-1): turn 1 final_text:" in table
    assert "2 scenario(s): 0 passed, 2 failed; 3 run(s), 1 infrastructure error(s), in 1.0 s" in table

    junit = tmp_path / "r.xml"
    write_junit(result, junit)
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "1")
    case_a, case_b = root.iter("testcase")
    failure = case_a.find("failure")
    assert failure is not None and failure.get("message") == "1/2 50% < 60% required"
    assert "run 2 (thread t-a-1)" in (failure.text or "") and "\x1b" not in (failure.text or "")
    error = case_b.find("error")
    assert error is not None and error.get("type") == "InfrastructureError"
    assert (case_a.get("time"), case_a.get("line")) == ("0.150", "4")

    jsonl = tmp_path / "r.jsonl"
    write_jsonl(result, jsonl, {"server": "h", "chat_tui_version": "x"})
    text = jsonl.read_text(encoding="utf-8")
    assert "\\u001b" not in text and "\x1b" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [line["type"] for line in lines] == ["run", "run", "run", "scenario", "scenario", "suite"]
    assert lines[-1]["exit_code"] == 1 and lines[-1]["server"] == "h"
    assert lines[1]["turns"][0]["checks"][0]["kind"] == "final_text"

    md = tmp_path / "r.md"
    write_markdown(result, md)
    rows = md.read_text(encoding="utf-8").splitlines()
    assert rows[0].startswith("| scenario |") and "red \\| text" in rows[2]


def test_an_infrastructure_error_is_a_junit_error_even_when_the_scenario_passed(
    scenarios: list[Selected], tmp_path: Path
) -> None:
    a, b = scenarios
    result = suite(
        # a passes (2 of 2 counted runs) although one run hit the server's error
        ScenarioResult(a, [run(a, 0, "pass"), run(a, 1, "error", infra=True), run(a, 2, "pass")]),
        # b fails its pass rate, and one of its runs hit the server's error too
        ScenarioResult(b, [run(b, 0, "fail"), run(b, 1, "error", infra=True)]),
    )
    assert [s.passed for s in result.scenarios] == [True, False]
    junit = tmp_path / "r.xml"
    write_junit(result, junit)
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "1", "2")
    case_a, case_b = root.iter("testcase")
    error = case_a.find("error")
    assert case_a.find("failure") is None and error is not None and error.get("type") == "InfrastructureError"
    assert (
        error.get("message") == "1 of 3 run(s) hit an infrastructure error: run 2 (thread t-a-1): turn 1 was "
        "not accepted: 503"
    )
    assert case_b.find("failure") is not None and case_b.find("error") is not None
    assert "run 2 (thread t-b-1)" in (case_b.find("error").text or "")  # type: ignore[union-attr]
