"""Results files read back, runs grouped by path, graph coverage and `test diff`'s order, on made-up
data (the same against the real demo server: tests/integration/test_test_insight.py)."""

from __future__ import annotations

import io
import json
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat_tui.testing.coverage import END, START, GraphShape, compute_coverage, coverage_line, run_steps, top_level
from chat_tui.testing.diff import ORDER, compare, diff_exit, run_diff
from chat_tui.testing.loader import load_file, select
from chat_tui.testing.observe import TurnObservation
from chat_tui.testing.paths import group_paths, path_lines, run_path, turn_path
from chat_tui.testing.reports import write_jsonl
from chat_tui.testing.result_file import (
    ResultFile,
    ResultFileError,
    RunRecord,
    ScenarioRecord,
    SuiteRecord,
    TurnRecord,
    read_result_file,
)
from chat_tui.testing.results import RunResult, ScenarioResult, SuiteResult
from tests.unit.test_test_results import run as made_up_run

ONE = ["agent", "search", "tools", "agent"]
TWO = ["agent", "search", "tools", "agent", "search", "tools", "agent"]


def turn(nodes: list[str], calls: list[list[str]] | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"index": 0, "kind": "user", "status": "success", "run_id": "r", "nodes": nodes}
    if calls is not None:
        data["node_calls"] = calls
    return {**data, **extra}


def record(index: int, status: str, turns: list[dict[str, Any]], scenario: str = "a") -> RunRecord:
    data = {"type": "run", "suite": "s", "file": "/x/s.yaml", "scenario": scenario, "run": index, "status": status}
    return RunRecord.from_json({**data, "assistant": "coin", "turns": turns})


# --- results files ---------------------------------------------------------------------------------


def test_a_written_results_file_reads_back_into_the_records_the_live_results_give(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1\nscenarios:\n  - {id: a, pass_rate: 0.5, turns: [{user: hi}]}\n", encoding="utf-8")
    (selected,) = select([load_file(spec)], fallback_assistant="coin")
    runs = [made_up_run(selected, 0, "pass"), made_up_run(selected, 1, "fail"), made_up_run(selected, 2, "error")]
    one = (["agent", "tools", "agent"], [["search"], [], []])
    two = (["agent", "tools", "agent", "tools", "agent"], [["search"], [], ["search"], [], []])
    for result, (nodes, calls) in zip(runs, (one, two, one), strict=True):
        seen: TurnObservation = result.turns[0]
        seen.nodes, seen.node_calls = nodes, calls
    path = tmp_path / "r.jsonl"
    write_jsonl(SuiteResult([ScenarioResult(selected, runs)], duration_ms=5), path, {"server": "h", "x": 1})
    read = read_result_file(path)
    assert read.suite.server == "h" and read.suite.runs == 3 and read.path == path
    assert [r.model_dump() for r in read.runs] == [RunRecord.from_json(r.to_json()).model_dump() for r in runs]
    assert [(r.index, r.status, r.assistant) for r in read.runs] == [
        (0, "pass", "coin"),
        (1, "fail", "coin"),
        (2, "error", "coin"),
    ]
    failed = read.runs[1].failed_check
    assert failed is not None and (failed.kind, failed.expected, failed.actual, failed.turn) == (
        "final_text",
        "x",
        "ok",
        0,
    )
    assert read.runs[0].turns[0].checks[0].passed and read.runs[1].first_failure is not None
    (scenario,) = read.scenarios
    assert scenario.key == ("s.yaml", "a") and read.runs_of(scenario.key) == read.runs
    assert [(g.signature, g.passes, g.fails, g.errors, g.runs) for g in scenario.paths] == [
        (tuple(ONE), 1, 0, 1, (0, 2)),
        (tuple(TWO), 0, 1, 0, (1,)),
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", ":1: empty"),
        ('{"type": "suite"}\nnot json\n', ":2: not a JSON line"),
        ('{"type": "suite"}\n[1, 2]\n', ':2: not a results line (a JSON object with a "type")'),
        (
            '{"type": "run", "suite": "s", "file": "f", "run": 0, "status": "pass"}\n',
            ":1: a run line: scenario: Field required",
        ),
        (
            '{"type": "scenario", "suite": "s", "file": "f", "scenario": "a", "runs": "x"}\n',
            ":1: a scenario line: runs:",
        ),
        (
            '\n{"type": "run", "suite": "s", "file": "f", "scenario": "a", "run": 0, "status": "odd"}\n',
            ":2: a run line: status:",
        ),
        ('{"type": "coverage"}\n', ":1: a coverage line: assistant: Field required"),
        (
            '{"type": "scenario", "suite": "s", "file": "f", "scenario": "a", "runs": 1, "passes": 1, '
            '"passed": true}\n',
            ':1: no {"type": "suite"} line',
        ),
    ],
)
def test_a_bad_results_file_is_one_line_naming_file_and_line(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ResultFileError) as caught:
        read_result_file(path)
    assert caught.value.problems[0].startswith(f"{path}{expected}"), caught.value.problems
    assert "\n" not in str(caught.value)


def test_unreadable_files_and_lines_of_newer_writers(tmp_path: Path) -> None:
    with pytest.raises(ResultFileError, match="cannot read it: No such file"):
        read_result_file(tmp_path / "missing.jsonl")
    (tmp_path / "bin.jsonl").write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ResultFileError, match="not UTF-8"):
        read_result_file(tmp_path / "bin.jsonl")
    newer = tmp_path / "newer.jsonl"
    newer.write_text('{"type": "histogram", "x": 1}\n{"type": "suite", "runs": 0, "new_key": 2}\n', encoding="utf-8")
    assert read_result_file(newer).suite.runs == 0


# --- paths -----------------------------------------------------------------------------------------


def test_a_path_puts_each_tool_after_the_node_that_asked_for_it() -> None:
    calls = [["search"], [], ["search"], [], []]
    two = TurnRecord.from_json(turn(["agent", "tools", "agent", "tools", "agent"], calls))
    assert turn_path(two) == TWO
    # an older file (no node_calls): nodes only, as its tool calls cannot be placed for certain
    tool_calls = [{"name": "search", "node": "agent", "group": 2}]
    older = TurnRecord.from_json(turn(["agent", "tools", "agent"], tool_calls=tool_calls))
    assert turn_path(older) == ["agent", "tools", "agent"]
    run = record(0, "pass", [turn(["agent"], [["ask"]]), turn(["approval", "agent"], [[], []], kind="resume")])
    assert run_path(run) == ("agent", "ask", "approval", "agent")


def test_path_lines() -> None:
    runs = [record(i, "pass", [turn(["agent", "tools", "agent"], [["search"], [], []])]) for i in range(6)]
    runs += [record(6 + i, "fail" if i else "error", [turn(TWO, [[]] * len(TWO))]) for i in range(4)]
    lines = path_lines(group_paths(runs))
    assert lines == [
        "  path A (6 runs): agent → search → tools → agent: 6 pass",
        "  path B (4 runs): agent → search → tools → agent → search → tools → agent: 3 fail, 1 error",
    ]
    hostile = record(0, "fail", [turn(["\x1b[2Jnode"], [["\x1b]0;x\x07tool"]])])
    assert "\x1b" not in "".join(path_lines(group_paths([hostile])))


SIGNATURES = st.lists(st.sampled_from(["agent", "tools", "search", "escalate"]), max_size=5)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(SIGNATURES, st.sampled_from(["pass", "fail", "error"])), min_size=1, max_size=30))
def test_grouping_partitions_the_runs_by_signature(runs_spec: list[tuple[list[str], str]]) -> None:
    runs = [record(i, status, [turn(nodes, [[]] * len(nodes))]) for i, (nodes, status) in enumerate(runs_spec)]
    groups = group_paths(runs)
    assert sorted(i for g in groups for i in g.runs) == list(range(len(runs)))
    assert len({g.signature for g in groups}) == len(groups)
    for g in groups:
        assert g.passes + g.fails + g.errors == g.size
        assert {run_path(runs[i]) for i in g.runs} == {g.signature}
        assert g.passes == sum(1 for i in g.runs if runs[i].status == "pass")
    sizes = [(-g.size, -(g.fails + g.errors)) for g in groups]
    assert sizes == sorted(sizes)


# --- coverage --------------------------------------------------------------------------------------


COIN_GRAPH = {
    "nodes": [{"id": n} for n in (START, "agent", "tools", "escalate", END)],
    "edges": [
        {"source": START, "target": "agent"},
        {"source": "agent", "target": END, "conditional": True},
        {"source": "agent", "target": "escalate", "conditional": True},
        {"source": "agent", "target": "tools", "conditional": True},
        {"source": "tools", "target": "agent"},
        {"source": "escalate", "target": END},
    ],
}


def test_subgraph_nodes_count_as_their_parent_and_a_resume_continues_the_run() -> None:
    assert top_level(["researcher:llm", "researcher:tools", "researcher:llm", "researcher", "agent"]) == [
        "researcher",
        "agent",
    ]
    assert top_level(["researcher", "researcher:llm", "researcher"]) == ["researcher", "researcher"]
    assert top_level(["agent", "agent"]) == ["agent", "agent"]  # a node that loops on itself
    interrupted = record(
        0,
        "pass",
        [
            turn(["agent"], status="interrupted"),
            turn(["approval", "tools", "agent"], kind="resume"),
            turn([], status="error", run_id=None),  # refused: never started
        ],
    )
    assert run_steps(interrupted) == [START, "agent", "approval", "tools", "agent", END]
    coverage = compute_coverage("coin", GraphShape.from_json(COIN_GRAPH), [record(0, "pass", [turn(["agent"])])])
    assert coverage_line(coverage) == (
        "coverage coin: 1/3 nodes, 2/6 edges; never ran: tools, escalate; edges never taken: agent → escalate, "
        "agent → tools, tools → agent, escalate → __end__"
    )


@pytest.mark.parametrize(
    "answer", [[], {"nodes": "x"}, {"nodes": [{"id": 1}]}, {"nodes": [], "edges": [{"source": "a"}]}]
)
def test_a_graph_of_another_shape_is_refused(answer: Any) -> None:
    with pytest.raises(ValueError):
        GraphShape.from_json(answer)


@st.composite
def graphs_and_walks(draw: st.DrawFn) -> tuple[dict[str, Any], list[list[str]]]:
    """A random graph whose every node can reach __end__, and random walks from __start__ to __end__."""
    nodes = [f"n{i}" for i in range(draw(st.integers(1, 5)))]
    edges = {(START, nodes[0])} | {(n, END) for n in nodes[-1:]}
    edges |= {(a, b) for a, b in pairwise(nodes)}
    edges |= set(draw(st.lists(st.tuples(st.sampled_from([START, *nodes]), st.sampled_from([*nodes, END])))))
    walks = []
    for _ in range(draw(st.integers(0, 4))):
        at, walk = START, []
        for _ in range(12):
            at = draw(st.sampled_from(sorted(t for s, t in edges if s == at)))
            if at == END:
                break
            walk.append(at)
        else:
            continue  # never ended: not a run that succeeded
        walks.append(walk)
    graph = {
        "nodes": [{"id": n} for n in (START, *nodes, END)],
        "edges": [{"source": s, "target": t} for s, t in sorted(edges)],
    }
    return graph, walks


@settings(max_examples=80, deadline=None)
@given(graphs_and_walks())
def test_coverage_is_what_the_walks_did_not_go_through(case: tuple[dict[str, Any], list[list[str]]]) -> None:
    graph, walks = case
    runs = [record(i, "pass", [turn(walk)]) for i, walk in enumerate(walks)]
    coverage = compute_coverage("g", GraphShape.from_json(graph), runs)
    walked = {pair for walk in walks for pair in pairwise([START, *walk, END])}
    assert {e.pair for e in coverage.never_taken} == {(e["source"], e["target"]) for e in graph["edges"]} - walked
    assert set(coverage.never_ran) == {n["id"] for n in graph["nodes"]} - {START, END} - {n for w in walks for n in w}
    assert coverage.runs == len(walks)


# --- diff ------------------------------------------------------------------------------------------


def scenario(
    name: str, rate: float | None, passed: bool, p50: float | None = 100.0, file: str = "s.yaml"
) -> ScenarioRecord:
    return ScenarioRecord.from_json(
        {
            "suite": "s",
            "file": f"/{file}",
            "scenario": name,
            "runs": 4,
            "passes": 0,
            "pass_rate": rate,
            "passed": passed,
            "p50_ms": p50,
            "tokens": 40,
        }
    )


def results(*records: ScenarioRecord) -> ResultFile:
    return ResultFile(Path("x.jsonl"), SuiteRecord(), list(records))


def test_each_status_and_the_exit_code() -> None:
    base = results(
        scenario("drop", 1.0, True),
        scenario("fix", 0.5, False),
        scenario("same", 1.0, True),
        scenario("gone", 1.0, True),
        scenario("dip", 0.9, True),
    )
    new = results(
        scenario("same", 1.0, True, 150.0),
        scenario("new", 1.0, True),
        scenario("fix", 1.0, True),
        scenario("dip", 0.8, True),
        scenario("drop", 0.0, False),
    )
    diffs = compare(base, new)
    assert [(d.scenario, d.status) for d in diffs] == [
        ("drop", "regressed"),
        ("dip", "regressed"),
        ("fix", "fixed"),
        ("gone", "gone"),
        ("new", "new"),
        ("same", "same"),
    ]
    assert diffs[-1].p50_ratio == 1.5 and diff_exit(diffs) == 1
    assert diff_exit(compare(new, new)) == 0
    assert diff_exit(compare(base, results(scenario("drop", 1.0, True, file="other.yaml")))) == 5


RECORDS = st.builds(
    scenario,
    st.sampled_from(["a", "b", "c", "d", "e"]),
    st.one_of(st.none(), st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0])),
    st.booleans(),
    file=st.sampled_from(["s.yaml", "t.yaml"]),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(RECORDS, max_size=8), st.lists(RECORDS, max_size=8))
def test_regressions_come_first_and_every_scenario_once(base: list[ScenarioRecord], new: list[ScenarioRecord]) -> None:
    base = list({s.key: s for s in base}.values())
    new = list({s.key: s for s in new}.values())
    diffs = compare(results(*base), results(*new))
    assert sorted((d.file, d.scenario) for d in diffs) == sorted({s.key for s in base} | {s.key for s in new})
    ranks = [ORDER[d.status] for d in diffs]
    assert ranks == sorted(ranks)
    drops = [d.rate_change for d in diffs if d.status == "regressed"]
    assert drops == sorted(drops)
    for d in diffs:
        if d.base is not None and d.new is not None and d.base.passed and not d.new.passed:
            assert d.status == "regressed"
    in_common = {s.key for s in base} & {s.key for s in new}
    expected = 5 if not in_common else 1 if any(d.status == "regressed" for d in diffs) else 0
    assert diff_exit(diffs) == expected
    json.dumps([d.to_json() for d in diffs])  # (every value is JSON)


def test_run_result_json_names_its_assistant(tmp_path: Path) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text("version: 1\nscenarios:\n  - {id: a, assistant: coin, turns: [{user: hi}]}\n", encoding="utf-8")
    (selected,) = select([load_file(spec)])
    assert RunResult(selected, 0).to_json()["assistant"] == "coin"


def test_diff_output_never_carries_control_characters_from_a_hand_edited_file(tmp_path: Path) -> None:
    hostile = "\x1b]0;owned\x07a\x9b2J"
    line = {"type": "scenario", "suite": "s", "file": "/s.yaml", "scenario": hostile, "runs": 1, "passes": 0}
    lines = [{**line, "pass_rate": rate, "passed": passed} for rate, passed in ((1.0, True), (0.0, False))]
    base, new = tmp_path / "base.jsonl", tmp_path / "new.jsonl"
    for path, scenario_line in ((base, lines[0]), (new, lines[1])):
        path.write_text(json.dumps(scenario_line) + '\n{"type": "suite"}\n', encoding="utf-8")
    for as_json in (False, True):
        out = io.StringIO()
        assert run_diff(str(base), str(new), as_json=as_json, out=out) == 1
        assert not {"\x1b", "\x07", "\x9b"} & set(out.getvalue())
