"""`chat-tui test` against the real demo server: a flaky scenario's runs grouped by path (the `coin`
graph), graph coverage (a branch the suite never takes, then every branch; a server without the
graph endpoint), and `chat-tui test diff` with each of its exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from chat_tui.testing.paths import group_paths
from chat_tui.testing.result_file import read_result_file
from tests.integration.test_test_command import read_jsonl, run_cli
from tests.support.cli import cli

pytestmark = pytest.mark.server

ONE = ["agent", "search", "tools", "agent"]
TWO = ["agent", "search", "tools", "agent", "search", "tools", "agent"]
COIN = """\
version: 1
defaults: {assistant: coin}
scenarios:
  - id: one-search
    repeat: 20
    pass_rate: 0.01
    turns:
      - user: "find the coin"
        expect: {final_text: {contains: "one search"}}
"""
EVERY_BRANCH = """\
version: 1
defaults: {assistant: coin}
scenarios:
  - id: search
    turns: [{user: "find the coin"}]
  - id: escalate
    turns: [{user: "escalate this", expect: {nodes: {in_order: [agent, escalate]}}}]
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_flaky_scenarios_runs_are_grouped_by_path_and_coverage_names_the_branch_never_taken(
    server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suite = write(tmp_path, "coin.yaml", COIN)
    jsonl, md = tmp_path / "r.jsonl", tmp_path / "r.md"
    code, out, err = run_cli(capsys, str(suite), "--url", server_url, "-j", "8", "--jsonl", str(jsonl), "--md", str(md))
    assert code == 0, out + err
    (scenario,) = [line for line in read_jsonl(jsonl) if line["type"] == "scenario"]
    groups = scenario["paths"]
    # Both sides of the coin in 20 runs (one path only: 2^-19), each path all-pass or all-fail.
    assert len(groups) == 2 and sum(g["pass"] + g["fail"] + g["error"] for g in groups) == 20
    assert {tuple(g["signature"]): (g["pass"], g["fail"]) == (len(g["runs"]), 0) for g in groups} == {
        tuple(ONE): True,
        tuple(TWO): False,
    }
    assert all(g["error"] == 0 and (g["pass"] == 0 or g["fail"] == 0) for g in groups)
    assert sorted(i for g in groups for i in g["runs"]) == list(range(20))
    largest = groups[0]
    assert len(largest["runs"]) >= len(groups[1]["runs"])
    # the console, after the table: a line per path, largest first
    lines = [line for line in out.splitlines() if line.startswith("  path ")]
    by_label = {"A": groups[0], "B": groups[1]}
    for line, (label, group) in zip(lines, by_label.items(), strict=True):
        verdict = f"{group['pass']} pass" if group["pass"] else f"{group['fail']} fail"
        runs = len(group["runs"])
        plural = "s" if runs != 1 else ""
        assert line == f"  path {label} ({runs} run{plural}): {' → '.join(group['signature'])}: {verdict}"
    assert out.index("  path A") > out.index("one-search  ") and out.index("FLAKY one-search") < out.index("  path A")
    # coverage: the escalate branch never ran
    never = (
        "coverage coin: 2/3 nodes, 4/6 edges; never ran: escalate; "
        "edges never taken: agent → escalate, escalate → __end__"
    )
    assert never in out.splitlines()
    (coverage,) = [line for line in read_jsonl(jsonl) if line["type"] == "coverage"]
    assert coverage["assistant"] == "coin" and coverage["runs"] == 20 and coverage["never_ran"] == ["escalate"]
    assert [(e["source"], e["target"]) for e in coverage["never_taken"]] == [
        ("agent", "escalate"),
        ("escalate", "__end__"),
    ]
    text = md.read_text(encoding="utf-8")
    assert "### Flaky scenarios: the paths their runs took" in text and f"- {never}" in text
    assert "  - path A (" in text
    # the file reads back into the same groups
    results = read_result_file(jsonl)
    assert (
        [g.to_json() for g in group_paths(results.runs)] == groups == [g.to_json() for g in results.scenarios[0].paths]
    )
    assert {r.assistant for r in results.runs} == {"coin"}


def test_a_suite_that_takes_every_branch_covers_the_whole_graph_and_a_resume_continues_the_path(
    server_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    approve = """\
  - id: approve
    assistant: agent
    turns:
      - user: "delete the report"
        expect: {status: interrupted}
      - resume: "yes"
"""
    suite = write(tmp_path, "every.yaml", EVERY_BRANCH + approve)
    jsonl = tmp_path / "r.jsonl"
    code, out, err = run_cli(capsys, str(suite), "--url", server_url, "--jsonl", str(jsonl))
    assert code == 0, out + err
    assert "coverage coin: 3/3 nodes, 6/6 edges" in out.splitlines()
    coverage = {line["assistant"]: line for line in read_jsonl(jsonl) if line["type"] == "coverage"}
    assert coverage["coin"]["never_ran"] == [] and coverage["coin"]["never_taken"] == []
    # the interrupted turn's agent and the resumed turn's approval are one run's consecutive steps
    agent = {(e["source"], e["target"]) for e in coverage["agent"]["never_taken"]}
    assert not agent & {("__start__", "agent"), ("agent", "approval"), ("approval", "tools"), ("tools", "agent")}
    assert ("agent", "__end__") not in agent and ("__start__", "planner") in agent
    assert set(coverage["agent"]["never_ran"]) == {"planner", "writer", "researcher"}


async def test_a_server_without_the_graph_endpoint_says_so_in_one_line_and_the_suite_still_passes(
    proxy: Any, tmp_path: Path
) -> None:
    hostile = b'{"detail": "\x1b[2Jno \x1b]0;graph\x07 here"}'
    proxy.add(method="GET", path=r"^/assistants/[^/]+/graph", action="respond", status=501, body=hostile, times=9)
    suite = write(tmp_path, "every.yaml", EVERY_BRANCH)
    jsonl = tmp_path / "r.jsonl"
    code, out, err = await cli("test", str(suite), "--url", proxy.url, "--jsonl", str(jsonl))
    assert code == 0, out + err
    (line,) = [line for line in out.splitlines() if line.startswith("coverage coin")]
    assert line.startswith("coverage coin: not available (") and "\x1b" not in out
    assert len(proxy.requests("GET", r"/graph")) == 1  # one request per assistant
    (coverage,) = [line for line in read_jsonl(jsonl) if line["type"] == "coverage"]
    assert coverage["error"] and coverage["nodes"] == []


WEATHER = """\
version: 1
defaults: {{assistant: agent}}
scenarios:
  - id: sf
    turns: [{{user: "weather in sf", expect: {{final_text: {{contains: "{sf}"}}}}}}]
  - id: paris
    turns: [{{user: "weather in paris", expect: {{final_text: {{contains: "{paris}"}}}}}}]
  - id: steady
    turns: [{{user: "hello"}}]
"""


async def test_diff_puts_regressions_first_with_each_exit_code(server_url: str, tmp_path: Path) -> None:
    base_dir, new_dir = tmp_path / "base", tmp_path / "new"
    # the same file name in two folders: matched by name; `sf` breaks, `paris` gets fixed
    base_suite = write(base_dir, "weather.yaml", WEATHER.format(sf="San Francisco", paris="Berlin"))
    new_suite = write(new_dir, "weather.yaml", WEATHER.format(sf="Berlin", paris="Paris"))
    base, new = base_dir / "r.jsonl", new_dir / "r.jsonl"
    assert (await cli("test", str(base_suite), "--url", server_url, "--jsonl", str(base)))[0] == 1
    assert (await cli("test", str(new_suite), "--url", server_url, "--jsonl", str(new)))[0] == 1

    code, out, err = await cli("test", "diff", str(base), str(new))
    assert code == 1, out + err
    rows = [line.split()[:2] for line in out.splitlines()[3:6]]
    assert rows == [
        ["REGRESSED", "weather.yaml::sf"],
        ["fixed", "weather.yaml::paris"],
        ["same", "weather.yaml::steady"],
    ]
    assert "100% → 0% FAIL" in out.splitlines()[3] and out.splitlines()[-1] == "1 regressed, 1 fixed, 1 same"

    code, out, _ = await cli("test", "diff", str(base), str(new), "--json")
    document = json.loads(out)
    assert code == 1 and document["exit_code"] == 1
    assert [(s["scenario"], s["status"]) for s in document["scenarios"]] == [
        ("sf", "regressed"),
        ("paris", "fixed"),
        ("steady", "same"),
    ]
    assert document["scenarios"][0]["pass_rate"] == [1.0, 0.0] and document["scenarios"][0]["p50_ratio"] > 0

    code, out, err = await cli("test", "diff", str(new), str(new))  # nothing regressed
    assert code == 0 and "3 same" in out, out + err

    # a hand-edited file: one line broken → 2 and FILE:LINE; other scenario ids → 5
    lines = base.read_text(encoding="utf-8").splitlines()
    broken = write(tmp_path, "broken.jsonl", "\n".join([lines[0], lines[1][:40], *lines[2:]]) + "\n")
    code, out, err = await cli("test", "diff", str(base), str(broken))
    assert code == 2 and len(err.splitlines()) == 1 and err.startswith(f"{broken}:2: not a JSON line ("), err
    renamed = [json.loads(line) for line in lines]
    for line in renamed:
        if "scenario" in line:
            line["scenario"] = "other-" + line["scenario"]
    other = write(tmp_path, "other.jsonl", "".join(json.dumps(line) + "\n" for line in renamed))
    code, out, err = await cli("test", "diff", str(base), str(other))
    assert code == 5 and "no scenario is in both files" in err
    assert (await cli("test", "diff", str(base), str(tmp_path / "missing.jsonl")))[0] == 2
