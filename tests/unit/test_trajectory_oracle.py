"""Our trajectory verdicts are agentevals' verdicts, checked against agentevals itself.

:func:`chat_tui.testing.trajectory.trajectory_problem` re-implements agentevals' trajectory match
(``create_trajectory_match_evaluator``) so the runtime does not need it. The property test below
generates small trajectories (tools ``a``/``b``, arguments over keys ``x``/``y`` with values 1/2,
0–4 calls, parallel calls grouped into one AI message), turns the same data into OpenAI-style
messages (a user message, then per AI message its tool calls and one tool message per call, then
a final answer) and checks, for every trajectory mode (strict, unordered, subset, superset) and
every args mode (exact, subset, superset, ignore), that our verdict (None = match) is the
evaluator's ``score``. What is compared, and the translations:

* Argument modes are named from the test's side here and from the model's side upstream: our
  ``subset`` is upstream ``superset`` and the other way round; ``exact`` and ``ignore`` are the same.
* Every expected call has ``args`` (ours reads a missing ``args`` as "any arguments", which
  agentevals has no way to say; that feature is tested by example below).
* ``strict``: agentevals compares message by message, and ours compares the calls the agent made in
  one message (one ``group``) with the expected calls at the same positions. So the reference
  trajectory is grouped exactly like the actual one when both have the same number of calls; when
  the counts differ both say no whatever the grouping (the reference is then one call per message).
* Two oracles: openevals' evaluator (where agentevals' trajectory matchers live now) for every
  combination as it is, and agentevals' own. agentevals 0.0.9 hands the args matcher the two sides
  the wrong way round in the pass that checks every actual call is in the reference (trajectory
  ``subset``, and the second half of ``unordered``; openevals fixed it with ``swapped=True``), so
  for it that pass is compared with ours under the mirrored args mode: the same verdicts otherwise.
* ``in_order`` is ours only (agentevals has no such mode): tested by examples.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from agentevals.trajectory import utils as agentevals_utils
from agentevals.trajectory.match import create_trajectory_match_evaluator as agentevals_evaluator
from hypothesis import event, given, settings
from hypothesis import strategies as st
from openevals.trajectory.match import create_trajectory_match_evaluator as openevals_evaluator

from chat_tui.testing.model import NameRegex, TrajectoryCall
from chat_tui.testing.trajectory import ActualCall, trajectory_problem

MODES = ("strict", "unordered", "subset", "superset")
ARGS_MODES = ("exact", "subset", "superset", "ignore")
UPSTREAM_ARGS = {"exact": "exact", "subset": "superset", "superset": "subset", "ignore": "ignore"}
# agentevals 0.0.9: _is_trajectory_superset has no `swapped` flag (see the module docstring).
AGENTEVALS_SWAPS = "swapped" not in inspect.signature(agentevals_utils._is_trajectory_superset).parameters

Call = tuple[str, dict[str, int]]


@dataclass(frozen=True)
class Case:
    expected: list[Call]
    actual: list[Call]
    sizes: list[int]  # the actual calls, message by message

    @property
    def reference_sizes(self) -> list[int]:
        return self.sizes if len(self.expected) == len(self.actual) else [1] * len(self.expected)


def messages(calls: Sequence[Call], sizes: Sequence[int]) -> list[dict[str, Any]]:
    """The trajectory as OpenAI-style messages: one AI message per group, each call answered."""
    assert sum(sizes) == len(calls)
    out: list[dict[str, Any]] = [{"role": "user", "content": "go"}]
    numbered = iter(enumerate(calls))
    for size in sizes:
        batch = [next(numbered) for _ in range(size)]
        tool_calls = [
            {"id": f"call_{n}", "type": "function", "function": {"name": name, "arguments": json.dumps(args)}}
            for n, (name, args) in batch
        ]
        out.append({"role": "assistant", "content": "", "tool_calls": tool_calls})
        out.extend({"role": "tool", "content": "ok", "tool_call_id": f"call_{n}"} for n, _ in batch)
    out.append({"role": "assistant", "content": "done"})
    return out


def ours(case: Case) -> tuple[list[TrajectoryCall], list[ActualCall]]:
    expected = [TrajectoryCall(name=name, args=args) for name, args in case.expected]
    groups = [g for g, size in enumerate(case.sizes) for _ in range(size)]
    actual = [ActualCall(name=name, args=args, group=g) for (name, args), g in zip(case.actual, groups, strict=True)]
    return expected, actual


def fits(mode: str, case: Case, args_mode: str) -> bool:
    return trajectory_problem(mode, *ours(case), args_mode) is None


def upstream(factory: Callable[..., Any], mode: str, case: Case, args_mode: str) -> bool:
    evaluator = factory(trajectory_match_mode=mode, tool_args_match_mode=UPSTREAM_ARGS[args_mode])
    result = evaluator(
        outputs=messages(case.actual, case.sizes),
        reference_outputs=messages(case.expected, case.reference_sizes),
    )
    score = result["score"]
    assert isinstance(score, bool)
    return score


def agentevals_says(mode: str, case: Case, args_mode: str) -> bool:
    """agentevals' verdict, predicted from ours: with 0.0.9's swap, its "every actual call is in the
    reference" pass reads the args mode mirrored (subset <-> superset)."""
    if not AGENTEVALS_SWAPS:
        return fits(mode, case, args_mode)
    mirrored = UPSTREAM_ARGS[args_mode]
    if mode == "subset":
        return fits("subset", case, mirrored)
    if mode == "unordered":
        return fits("superset", case, args_mode) and fits("subset", case, mirrored)
    return fits(mode, case, args_mode)


NAMES = st.sampled_from(["a", "b"])
ARGS = st.dictionaries(st.sampled_from(["x", "y"]), st.sampled_from([1, 2]), max_size=2)
CALLS = st.tuples(NAMES, ARGS)


@st.composite
def cases(draw: st.DrawFn) -> Case:
    actual = draw(st.lists(CALLS, max_size=4))
    breaks = draw(st.lists(st.booleans(), min_size=max(len(actual) - 1, 0), max_size=max(len(actual) - 1, 0)))
    sizes: list[int] = [1] if actual else []
    for new_message in breaks:
        if new_message:
            sizes.append(1)
        else:
            sizes[-1] += 1
    if draw(st.booleans()):
        # independent lists: mostly mismatches (and the strict length mismatches)
        pool = st.one_of(CALLS, st.sampled_from(actual)) if actual else CALLS
        expected = draw(st.lists(pool, max_size=4))
    else:
        # near copies: each message's calls in any order, some replaced; mostly matches
        expected = []
        start = 0
        for size in sizes:
            for call in draw(st.permutations(actual[start : start + size])):
                expected.append(call if draw(st.integers(0, 3)) else draw(CALLS))
            start += size
    return Case(expected=expected, actual=actual, sizes=sizes)


@settings(max_examples=150, deadline=None)
@given(cases())
def test_verdicts_are_agentevals_verdicts(case: Case) -> None:
    for mode in MODES:
        for args_mode in ARGS_MODES:
            verdict = fits(mode, case, args_mode)
            event(f"{mode}/{args_mode}: {'match' if verdict else 'mismatch'}")
            assert verdict == upstream(openevals_evaluator, mode, case, args_mode), (mode, args_mode, "openevals")
            assert agentevals_says(mode, case, args_mode) == upstream(agentevals_evaluator, mode, case, args_mode), (
                mode,
                args_mode,
                "agentevals",
            )


def test_agentevals_swap_is_what_the_oracle_models() -> None:
    """The case that shows the swap: an extra actual argument, our subset args mode, trajectory subset."""
    case = Case(expected=[("a", {"x": 1})], actual=[("a", {"x": 1, "y": 1})], sizes=[1])
    assert fits("subset", case, "subset")
    assert upstream(openevals_evaluator, "subset", case, "subset")
    assert upstream(agentevals_evaluator, "subset", case, "subset") is not AGENTEVALS_SWAPS


# Examples -----------------------------------------------------------------------------------------


def test_parallel_calls_in_one_message_pass_strict_in_any_order() -> None:
    case = Case(expected=[("b", {"y": 2}), ("a", {"x": 1})], actual=[("a", {"x": 1}), ("b", {"y": 2})], sizes=[2])
    assert trajectory_problem("strict", *ours(case), "exact") is None
    assert upstream(agentevals_evaluator, "strict", case, "exact")


def test_calls_in_separate_messages_keep_their_order_in_strict() -> None:
    case = Case(expected=[("b", {"y": 2}), ("a", {"x": 1})], actual=[("a", {"x": 1}), ("b", {"y": 2})], sizes=[1, 1])
    problem = trajectory_problem("strict", *ours(case), "exact")
    assert problem == 'call 1: the agent called a({"x": 1}), expected b({"y": 2}) (strict)'
    assert not upstream(agentevals_evaluator, "strict", case, "exact")


def test_strict_counts_the_calls() -> None:
    case = Case(expected=[("a", {}), ("a", {})], actual=[("a", {})], sizes=[1])
    assert trajectory_problem("strict", *ours(case), "exact") == "1 call(s) made, 2 expected (strict)"
    assert not upstream(agentevals_evaluator, "strict", case, "exact")


def test_matching_is_greedy_like_agentevals() -> None:
    """A looser expected call listed first takes the call a stricter one needed: both say no."""
    case = Case(expected=[("a", {}), ("a", {"x": 1})], actual=[("a", {"x": 1}), ("a", {"x": 2})], sizes=[1, 1])
    assert trajectory_problem("superset", *ours(case), "subset") == 'no call matches a({"x": 1}) (superset)'
    assert not upstream(agentevals_evaluator, "superset", case, "subset")
    swapped = Case(expected=case.expected[::-1], actual=case.actual, sizes=case.sizes)
    assert trajectory_problem("superset", *ours(swapped), "subset") is None
    assert upstream(agentevals_evaluator, "superset", swapped, "subset")


def test_subset_and_superset_messages() -> None:
    expected = [TrajectoryCall(name="a", args={"x": 1})]
    actual = [ActualCall("a", {"x": 1}), ActualCall("b", {}, 1)]
    assert trajectory_problem("superset", expected, actual) is None
    assert trajectory_problem("subset", expected, actual) == "the call b({}) is not in the list (subset)"
    assert trajectory_problem("unordered", expected, actual) == "the call b({}) is not in the list (unordered)"
    assert trajectory_problem("superset", expected, actual[1:]) == 'no call matches a({"x": 1}) (superset)'


def test_an_expected_call_without_args_takes_any_arguments() -> None:
    expected = [TrajectoryCall(name="a")]
    actual = [ActualCall("a", {"x": 1, "y": [1, 2]})]
    for mode in (*MODES, "in_order"):
        for args_mode in ARGS_MODES:
            assert trajectory_problem(mode, expected, actual, args_mode) is None
    assert trajectory_problem("unordered", expected, [ActualCall("b", {})]) == "no call matches a (unordered)"


def test_names_by_regex() -> None:
    expected = [TrajectoryCall(name=NameRegex(regex="^get_"))]
    assert trajectory_problem("unordered", expected, [ActualCall("get_weather", {})]) is None
    assert trajectory_problem("unordered", expected, [ActualCall("set_weather", {})]) == (
        "no call matches /^get_/ (unordered)"
    )


def test_in_order_allows_other_calls_between() -> None:
    expected = [TrajectoryCall(name="search", args={"q": "x"}), TrajectoryCall(name="answer")]
    actual = [
        ActualCall("plan", {}),
        ActualCall("search", {"q": "x", "limit": 3}),
        ActualCall("fetch", {}, 1),
        ActualCall("answer", {}, 2),
    ]
    assert trajectory_problem("in_order", expected, actual) is None
    assert trajectory_problem("in_order", [], actual) is None


def test_in_order_fails_on_the_wrong_order() -> None:
    expected = [TrajectoryCall(name="search"), TrajectoryCall(name="answer")]
    actual = [ActualCall("answer", {}), ActualCall("search", {}, 1)]
    problem = trajectory_problem("in_order", expected, actual)
    assert problem == "answer (expected call 2) was not called after the ones before it"


def test_in_order_checks_arguments_and_missing_calls() -> None:
    expected = [TrajectoryCall(name="search", args={"q": "x"})]
    problem = trajectory_problem("in_order", expected, [ActualCall("search", {"q": "y"})])
    assert problem == 'search({"q": "x"}) (expected call 1) was not called after the ones before it'
    assert trajectory_problem("in_order", expected, [ActualCall("search", {"q": "y"})], "ignore") is None
    assert trajectory_problem("in_order", expected, []) is not None


@pytest.mark.parametrize("mode", MODES)
def test_no_calls_expected_and_none_made(mode: str) -> None:
    case = Case(expected=[], actual=[], sizes=[])
    assert fits(mode, case, "exact")
    assert upstream(agentevals_evaluator, mode, case, "exact")
