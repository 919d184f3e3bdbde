"""The results view's model, pure: the board a suite fills, expected against actual for each kind
of check, the value "accept" writes, reading a results file back, and the command that reruns."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat_tui.client.auth import normalize_key
from chat_tui.connection import Connection
from chat_tui.testing.accept import NotAcceptable, accepted
from chat_tui.testing.board import Board, RunView, failing_turn, turn_anchor
from chat_tui.testing.explain import aligned_calls, explain, json_diff, marked_text
from chat_tui.testing.result_file import ResultFileError
from chat_tui.testing.session import SuiteSession, connection_flags, read_results


def run_line(scenario: str, index: int, status: str, *, infra: bool = False, turns: Any = None) -> dict[str, Any]:
    return {
        "type": "run",
        "suite": "s",
        "file": "s.yaml",
        "scenario": scenario,
        "run": index,
        "status": status,
        "infrastructure": infra,
        "duration_ms": 100.0 * (index + 1),
        "turns": turns or [],
    }


def test_the_board_gives_each_scenario_its_verdict_as_runs_land() -> None:
    board = Board()
    board.plan("s.yaml", "a", 3, 0.6)
    board.plan("s.yaml", "b", 1, 1.0)
    assert [v.verdict for v in board.scenarios.values()] == ["running", "running"]
    board.add(run_line("a", 0, "pass"))
    board.add(run_line("a", 1, "fail"))
    assert board.summary() == "2/4 runs · 0 passed · 1 flaky · 2 running"
    board.add(run_line("a", 2, "pass"))
    board.add(run_line("b", 0, "error", infra=True))
    a, b = board.scenarios.values()
    assert (a.verdict, a.flaky, a.rate) == ("pass", True, pytest.approx(2 / 3))
    assert (b.verdict, b.rate) == ("error", None)  # no counted run: the server's fault, not a verdict
    assert [s.id for s in board.failing()] == ["b"]
    board.add(run_line("a", 1, "pass"))  # a run again replaces the run of that number
    assert (len(a.runs), a.flaky) == (3, False)
    board.plan("s.yaml", "a", 3, 0.6)  # a rerun starts the scenario over
    assert (board.scenarios[("s.yaml", "a")].runs, board.scenarios[("s.yaml", "a")].verdict) == ([], "running")


def turns_of(kinds: list[str], failed_at: int | None) -> list[dict[str, Any]]:
    return [
        {"index": n, "kind": kind, "checks": [{"kind": "status", "passed": n != failed_at, "turn": n}]}
        for n, kind in enumerate(kinds)
    ]


@pytest.mark.parametrize(
    ("kinds", "failed_at", "anchor"),
    [
        (["user", "user", "user"], 1, (1, False)),  # the second question
        (["user", "decide", "user"], 1, (0, True)),  # an answer: the end of the first question's part
        (["user", "user"], None, (1, False)),  # a pass: the last turn
        (["input"], 0, (0, False)),
        (["resume"], 0, None),  # no human message to go to
    ],
)
def test_the_failing_turn_is_found_in_the_thread(
    kinds: list[str], failed_at: int | None, anchor: tuple[int, bool] | None
) -> None:
    run = RunView(run_line("a", 0, "pass" if failed_at is None else "fail", turns=turns_of(kinds, failed_at)))
    assert failing_turn(run) == failed_at
    assert turn_anchor(run) == anchor


def test_a_warning_is_not_the_first_failure() -> None:
    turns = [{"index": 0, "kind": "user", "checks": [{"kind": "budget", "passed": False, "severity": "warn"}]}]
    run = RunView(run_line("a", 0, "pass", turns=turns))
    assert run.first_failure is None and failing_turn(run) is None


leaves = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text("abc", min_size=1, max_size=2), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(leaves, leaves)
def test_the_json_diff_names_every_leaf_once_and_only_differences_are_marked(expected: Any, actual: Any) -> None:
    lines = json_diff(expected, actual)
    assert all(line.tag in ("same", "changed", "missing", "extra") for line in lines)
    if expected == actual:
        assert {line.tag for line in lines} <= {"same"}
    paths = [line.plain[2:].split(":")[0] for line in lines]
    assert len(paths) == len(set(paths))


def test_trajectories_are_shown_as_aligned_rows() -> None:
    expected = [{"name": "search"}, {"name": "get_weather", "args": {"city": "sf"}}, {"name": "answer"}]
    actual = [{"name": "search"}, {"name": "search"}, {"name": "get_weather", "args": {"city": "sf"}}]
    tags = [line.tag for line in aligned_calls(expected, actual)][1:]  # (after the heading)
    assert sorted(tags) == ["extra", "missing", "same", "same"] and tags[-1] == "missing"
    regex = aligned_calls([{"name": {"regex": "^get_"}}], [{"name": "get_weather"}])
    assert [line.tag for line in regex][1:] == ["same"]


def test_text_marks_the_match_and_says_what_is_missing() -> None:
    lines = marked_text({"contains": "sunny", "not_contains": "rain", "regex": "[0-9]+ °C"}, "It is sunny, 12 °C, rain")
    segments = lines[0].segments
    assert ("sunny", "match") in segments and ("12 °C", "match") in segments and ("rain", "unwanted") in segments
    assert "".join(text for text, _ in segments) == "It is sunny, 12 °C, rain"
    missing = marked_text({"contains": "Berlin"}, "Paris")
    assert [line.plain for line in missing] == ["Paris", "- missing contains: Berlin"]


def test_each_kind_is_explained_its_own_way() -> None:
    args = explain(
        {
            "kind": "tool_calls",
            "expected": {"name": "get_weather", "args": {"city": "Paris"}},
            "actual": [{"name": "get_weather", "args": {"city": "San Francisco"}}],
        }
    )
    assert [line.plain for line in args] == ["get_weather: args subset", "~ city: Paris → San Francisco"]
    none = explain({"kind": "tool_calls", "expected": {"name": "x"}, "actual": [{"name": "y"}]})
    assert none[0].plain == "- no call named x" and none[1].plain == "calls made: y"
    budget = explain({"kind": "budget", "expected": {"tool_calls": 0}, "actual": {"tool_calls": 1, "latency_ms": 5}})
    assert [line.plain for line in budget] == ["~ tool_calls: 0 → 1"]
    status = explain({"kind": "status", "expected": "success", "actual": "error"})
    assert [line.plain for line in status] == ["~ .: success → error"]


def test_accepting_takes_the_actual_value_in_the_expectations_shape() -> None:
    calls = [{"name": "get_weather", "args": {"city": "sf"}, "result": "success"}, {"name": "noop"}]
    assert accepted({"kind": "status", "actual": "interrupted"}) == "interrupted"
    assert accepted({"kind": "tool_calls", "actual": calls}) == [
        {"name": "get_weather", "args": {"city": "sf"}, "args_mode": "subset"},
        {"name": "noop"},
    ]
    assert accepted({"kind": "trajectory", "expected": {"mode": "in_order", "calls": []}, "actual": calls}) == {
        "mode": "in_order",
        "calls": [{"name": "get_weather", "args": {"city": "sf"}}, {"name": "noop"}],
    }
    assert accepted({"kind": "final_text", "actual": "hi"}) == {"equals": "hi"}
    assert accepted({"kind": "nodes", "actual": ["a", "b"]}) == {"in_order": ["a", "b"]}
    assert accepted({"kind": "interrupt", "actual": [{"value": {"q": 1}}, {"value": 2}]}) == {
        "value": {"q": 1},
        "count": 2,
    }
    budget = {"kind": "budget", "expected": {"latency_ms": 10}, "actual": {"latency_ms": 1234.5, "tool_calls": 1}}
    assert accepted(budget) == {"latency_ms": 2469}
    for kind in ("state", "answer", "tool_not_called"):
        with pytest.raises(NotAcceptable):
            accepted({"kind": kind, "actual": None})
    with pytest.raises(NotAcceptable):
        accepted({"kind": "interrupt", "actual": []})


def test_a_results_file_is_read_back_or_refused_on_one_line(tmp_path: Path) -> None:
    good = tmp_path / "r.jsonl"
    scenario = {"type": "scenario", "suite": "s", "file": "s.yaml", "scenario": "a", "runs": 1, "passes": 1}
    lines = [run_line("a", 0, "pass"), {**scenario, "passed": True, "required": 0.5}, {"type": "suite"}]
    good.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")
    board = read_results(good)
    assert list(board.scenarios) == [("s.yaml", "a")] and board.runs_done == 1
    assert board.scenarios[("s.yaml", "a")].required == 0.5
    for text, problem in (
        (json.dumps(run_line("a", 0, "pass")) + "\nnot json\n", f"{good}:2: "),
        ("[1, 2]\n", f"{good}:1: "),
        ('{"type": "run", "suite": "s"}\n', f"{good}:1: a run line: "),
        ('{"type": "suite", "exit_code": 5}\n', f"{good}: no run"),
    ):
        good.write_text(text)
        with pytest.raises(ResultFileError) as caught:
            read_results(good)
        assert str(caught.value).startswith(problem) and "\n" not in str(caught.value)
    with pytest.raises(ResultFileError):
        read_results(tmp_path / "absent.jsonl")


def test_reruns_need_the_scenario_files(tmp_path: Path) -> None:
    board = Board()
    board.add({**run_line("a", 0, "pass"), "file": str(tmp_path / "gone.yaml")})
    session = SuiteSession.from_results(board)
    assert session.selected == [] and session.problem == f"cannot rerun: {tmp_path / 'gone.yaml'} is not there any more"


def test_the_rerun_command_never_holds_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", "lsv2_secret_value_1234")
    keyed = Connection("https://agents.example.com", api_key=normalize_key("lsv2_secret_value_1234", "env:MY_KEY"))
    assert connection_flags(keyed) == ["--url", "https://agents.example.com", "--api-key-env", "MY_KEY"]
    assert connection_flags(Connection("http://x", demo=True)) == ["--demo"]
    assert connection_flags(Connection("http://x", name="staging")) == ["--profile", "staging"]
    command = SuiteSession().reproduce(("my suite.yaml", "a-b"), keyed)
    assert command == (
        "chat-tui test 'my suite.yaml' -k a-b --repeat 1 --url https://agents.example.com --api-key-env MY_KEY"
    )
    assert "secret" not in command
