"""`chat-tui test` against the real demo server: the example suite passes, the must-fail suite reports
its exact first failures, every exit code, the reports, and `test record` (a thread becomes a test
that passes). What the command refuses is refused before anything is sent (the proxy's log)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest

from chat_tui.cli import main
from chat_tui.testing.runner import METADATA_KEY
from tests.support.cli import cli

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tests"
MUST_FAIL = ROOT / "tests" / "scenarios" / "failing.yaml"
INVALID = ROOT / "tests" / "scenarios" / "invalid"

FIRST_FAILURES = {
    "wrong-args": "turn 1 tool_calls: get_weather: args.city is San Francisco, expected Paris",
    "decide-with-nothing-pending": "turn 2 answer: decide: nothing is pending in the thread; nothing was sent",
    "resume-with-nothing-pending": "turn 2 answer: resume: nothing is pending in the thread; nothing was sent",
    "wrong-decision-count": "turn 2 answer: decide: 2 gated call(s) wait (send_email, delete_file); "
    "1 decision(s) given; nothing was sent",
    "decision-not-allowed": "turn 2 answer: decide: delete_file allows approve, reject, not respond; nothing was sent",
    "run-error": "turn 1 errored (expected success): "
    "ValueError: Scripted model crashed mid-stream (demo 'crash' keyword)",
    "every-turn-errors": "turn 1 errored (expected success): "
    "ValueError: Scripted model crashed mid-stream (demo 'crash' keyword)",
    "error-despite-a-warn-status": "turn 1 errored (expected success): "
    "ValueError: Scripted model crashed mid-stream (demo 'crash' keyword)",
    "resume-with-two-pending": "turn 2 answer: resume: 2 interrupts are pending: answer them with resume_each; "
    "nothing was sent",
    "interrupt-count-range": "turn 1 interrupt: pending interrupts: 1 found, expected at least 2",
    "strict-trajectory": "turn 1 trajectory: 2 call(s) made, 1 expected (strict)",
    "node-not-run": "turn 1 nodes: node 'tools' did not run (ran: planner → writer)",
    "state-length": "turn 1 state: state.messages has length 2, expected 1",
    "over-budget": "turn 1 budget: tool_calls 1 > 0",
    "other-interrupt": "turn 1 interrupt: interrupt value.tool is delete_file, expected send_email",
    "tool-called": "turn 1 tool_not_called: get_weather was called 1 time(s)",
    "too-slow": "turn 1 ran past turn_timeout (1 s): cancelled on the server",
}
STARTS_WITH = {
    "unanswered-interrupt": 'turn 1 status: an interrupt was not answered: {"question": "Allow delete_file on '
    '/tmp/report.txt?"',
    "final-text": "turn 1 final_text: final text It's currently",
    "resume-each-matches-nothing": 'turn 2 answer: resume_each #1: no pending interrupt matches {"value.question": '
    '"Who brings the cake?"} (pending: ',
}
# Runs that are errors (E), not failures: the run failed where the turn expected success.
RUN_ERRORS = {"run-error", "every-turn-errors", "error-despite-a-warn-status", "too-slow"}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["test", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_example_suite_passes_with_every_report(
    server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit, jsonl, md = tmp_path / "r.xml", tmp_path / "r.jsonl", tmp_path / "r.md"
    code, out, err = run_cli(
        capsys,
        str(EXAMPLES),
        "--url",
        server_url,
        "-j",
        "4",
        "--junit",
        str(junit),
        "--jsonl",
        str(jsonl),
        "--md",
        str(md),
    )
    assert code == 0, out + err
    lines = read_jsonl(jsonl)
    runs = [line for line in lines if line["type"] == "run"]
    scenarios = [line for line in lines if line["type"] == "scenario"]
    assert [line["type"] for line in lines][-1] == "suite" and lines[-1]["exit_code"] == 0
    assert len(scenarios) == len(runs) == 11 and all(s["passed"] for s in scenarios)
    assert out.splitlines()[1] == "." * 11  # a mark per run, then the table
    # every turn kind and expectation kind of the contract ran
    kinds = {turn["kind"] for run in runs for turn in run["turns"]}
    assert kinds == {"user", "input", "decide", "resume", "resume_each"}
    checked = {check["kind"] for run in runs for turn in run["turns"] for check in turn["checks"]}
    assert checked == {
        "status", "tool_calls", "tool_not_called", "trajectory", "final_text", "nodes", "interrupt", "state", "budget"
    }  # fmt: skip
    # each run is a thread of its own, tagged so the app can find it
    thread = httpx.get(f"{server_url}/threads/{runs[0]['thread_id']}").json()
    assert thread["metadata"][METADATA_KEY] == {
        "suite": "demo",
        "file": str(EXAMPLES / "demo.yaml"),
        "scenario": runs[0]["scenario"],
        "run": 0,
    }
    assert thread["metadata"]["title"] == f"test: {runs[0]['scenario']} #1"  # (the sidebar shows it)
    suite = ET.parse(junit).getroot()
    assert suite.tag == "testsuites" and suite.get("tests") == "11" and suite.get("failures") == "0"
    assert [case.get("name") for case in suite.iter("testcase")] == [s["scenario"] for s in scenarios]
    assert md.read_text().startswith("| scenario | runs | passed |")


def test_the_must_fail_suite_reports_each_first_failure(
    server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junit, jsonl = tmp_path / "r.xml", tmp_path / "r.jsonl"
    code, out, err = run_cli(
        capsys, str(MUST_FAIL), "--url", server_url, "-j", "8", "--junit", str(junit), "--jsonl", str(jsonl)
    )
    assert code == 1, out + err
    scenarios = {line["scenario"]: line for line in read_jsonl(jsonl) if line["type"] == "scenario"}
    reported = {name: s["first_failure"] for name, s in scenarios.items() if name in FIRST_FAILURES}
    assert reported == FIRST_FAILURES
    for name, start in STARTS_WITH.items():
        assert scenarios[name]["first_failure"].startswith(start), scenarios[name]["first_failure"]
    # a warning is reported and fails nothing
    assert scenarios["warning-only-passes"]["passed"] is True
    runs = {line["scenario"]: line for line in read_jsonl(jsonl) if line["type"] == "run"}
    warned = [c for c in runs["warning-only-passes"]["turns"][0]["checks"] if c["severity"] == "warn"]
    assert [(c["kind"], c["passed"]) for c in warned] == [
        ("tool_not_called", False), ("tool_not_called", True), ("final_text", False)
    ]  # fmt: skip
    # never a false green: a run that failed where success was expected is an error, counted against the agent
    errors = {name for name, run in runs.items() if run["status"] == "error"}
    assert errors == RUN_ERRORS and not any(runs[name]["infrastructure"] for name in errors)
    assert all(not scenarios[name]["passed"] for name in errors)
    assert len(runs["every-turn-errors"]["turns"]) == 1  # (the second crash was not sent after the first)
    marks = out.splitlines()[1]
    assert sorted(marks) == sorted("E" * len(RUN_ERRORS) + "." + "F" * (len(runs) - len(RUN_ERRORS) - 1))
    # what was refused was never sent: the run that would answer does not exist
    for name in (
        "decide-with-nothing-pending",
        "wrong-decision-count",
        "decision-not-allowed",
        "resume-each-matches-nothing",
        "resume-with-two-pending",
    ):
        assert len(runs[name]["run_ids"]) == 1
        listed = httpx.get(f"{server_url}/threads/{runs[name]['thread_id']}/runs").json()
        assert len(listed) == 1
    # the turn over its timeout was cancelled on the server, not only abandoned
    slow = runs["too-slow"]
    assert slow["status"] == "error" and slow["infrastructure"] is False
    assert httpx.get(f"{server_url}/threads/{slow['thread_id']}/runs").json()[0]["status"] == "interrupted"
    # JUnit: one failure per failing scenario, naming the run's thread
    cases = {case.get("name"): case for case in ET.parse(junit).getroot().iter("testcase")}
    failure = cases["wrong-args"].find("failure")
    assert failure is not None and failure.get("type") == "PassRateBelowThreshold"
    assert runs["wrong-args"]["thread_id"] in (failure.text or "")
    assert cases["warning-only-passes"].find("failure") is None
    # the console: marks, the table, and expected/actual under each failure
    assert "FAILED wrong-args (" in out and '    expected: {"name": "get_weather", "args": {"city": "Paris"}}' in out


async def test_invalid_files_are_refused_with_file_and_line_and_nothing_is_sent(proxy: Any, tmp_path: Path) -> None:
    code, out, err = await cli("test", str(INVALID), "--url", proxy.url)
    assert code == 2, out + err
    problems = [line for line in err.splitlines() if line.startswith(str(INVALID))]
    assert {line.split(": ", 1)[0].rsplit("/", 1)[1] for line in problems} == {
        "bad_yaml.yaml:5",
        "two_kinds.yaml:6",
        "unknown_key.yaml:7",
        "wrong_mode.yaml:8",
        "first_turn_answers.yaml:5",
        "duplicate_id.yaml:8",
        "no_version.yaml:1",
    }
    assert proxy.log == []


async def test_nothing_selected_is_exit_5_and_an_unknown_assistant_exit_2(proxy: Any, tmp_path: Path) -> None:
    code, _, err = await cli("test", str(EXAMPLES), "--url", proxy.url, "-k", "no-such-scenario")
    assert code == 5 and "no scenario selected by -k/--tag (11 in 1 file(s))" in err
    code, _, err = await cli("test", str(tmp_path), "--url", proxy.url)
    assert code == 5
    assert proxy.log == []
    suite = tmp_path / "s.yaml"
    suite.write_text("version: 1\nscenarios:\n  - id: a\n    assistant: nope\n    turns: [{user: hi}]\n")
    code, _, err = await cli("test", str(suite), "--url", proxy.url)
    assert code == 2 and f"{suite}:3: the server has no assistant 'nope'" in err
    assert proxy.requests("POST", "/runs") == [] and proxy.requests("POST", "/threads$") == []


async def test_an_unreachable_server_is_exit_4(tmp_path: Path) -> None:
    code, _, err = await cli("test", str(EXAMPLES), "--url", "http://127.0.0.1:9", "-k", "weather")
    assert code == 4 and "127.0.0.1:9" in err


async def test_runs_the_server_fails_are_infrastructure_errors_exit_4(proxy: Any, tmp_path: Path) -> None:
    proxy.add(method="POST", path=r"/threads$", action="respond", status=500, body=b'{"detail": "boom"}', times=99)
    jsonl = tmp_path / "r.jsonl"
    code, out, err = await cli("test", str(EXAMPLES), "--url", proxy.url, "-k", "weather", "--jsonl", str(jsonl))
    assert code == 4, out + err
    runs = [line for line in read_jsonl(jsonl) if line["type"] == "run"]
    assert [(r["status"], r["infrastructure"]) for r in runs] == [("error", True)]
    assert out.splitlines()[1] == "E"


async def test_a_recorded_thread_replays_as_a_passing_test(client: Any, server_url: str, tmp_path: Path) -> None:
    scenario = tmp_path / "recorded.yaml"
    code, out, err = await cli(
        "test", str(EXAMPLES), "--url", server_url, "-k", "two-questions", "--jsonl", str(tmp_path / "r.jsonl")
    )
    assert code == 0, out + err
    thread_id = read_jsonl(tmp_path / "r.jsonl")[0]["thread_id"]
    code, _, err = await cli(
        "test", "record", "--url", server_url, "--thread", thread_id, "-o", str(scenario), "--id", "replayed"
    )
    assert code == 0, err
    text = scenario.read_text()
    assert text.startswith(f"# recorded by chat-tui test record from thread {thread_id}")
    assert "resume_each:" in text and "assistant: parallel" in text
    code, out, err = await cli("test", str(scenario), "--url", server_url)
    assert code == 0, out + err
    code, _, err = await cli("test", "record", "--url", server_url, "--thread", thread_id, "-o", str(scenario))
    assert code == 2 and "exists (pass --append to add the scenario to it, --force to overwrite it)" in err


NESTED_SUITE = """version: 1
defaults: {{assistant: nested_approval, turn_timeout: 60}}
scenarios:
  - id: nested-approval
    turns:
      - user: go
        expect:
          interrupt: {{value: {{question: "Publish these findings?"}}, count: {count}}}
      - resume: "yes"
        expect:
          final_text: {{contains: "Published"}}
"""


async def test_an_interrupt_inside_a_subgraph_counts_once_with_subgraphs_streamed(
    server_url: str, tmp_path: Path
) -> None:
    suite = tmp_path / "nested.yaml"
    suite.write_text(NESTED_SUITE.format(count=1), encoding="utf-8")
    code, out, err = await cli("test", str(suite), "--url", server_url, "--subgraphs")
    assert code == 0, out + err  # streamed twice (the subgraph's namespace, then the root), counted once
    suite.write_text(NESTED_SUITE.format(count=2), encoding="utf-8")
    code, out, err = await cli("test", str(suite), "--url", server_url, "--subgraphs", "-v")
    assert code == 1 and "interrupt" in out  # (the count is checked: two is wrong)
