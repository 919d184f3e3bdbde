"""Scenario files: what loads, what is refused (at FILE:LINE), how settings are inherited, the JSON Schema,
and the README's example (it must load as printed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from chat_tui.testing.loader import DEFAULT_TIMEOUT, InvalidSuite, load_file, load_paths, select
from chat_tui.testing.model import Suite, json_schema

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(InvalidSuite) as caught:
        load_file(path)
    return caught.value.problems


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("version: 2\nscenarios: [{id: a, turns: [{user: hi}]}]\n", 1, "version: Input should be 1"),
        ("version: 1\nscenarios: []\n", 2, "scenarios: List should have at least 1 item"),
        ("version: 1\nscenarios:\n  - id: 'a b'\n    turns: [{user: hi}]\n", 3, "String should match pattern"),
        ("version: 1\nscenarios:\n  - id: a\n    turns:\n      - {}\n", 5, "a turn is one of user, input, decide"),
        (
            "version: 1\nscenarios:\n  - id: a\n    repeat: 0\n    turns: [{user: hi}]\n",
            4,
            "greater than or equal to 1",
        ),
        ("version: 1\nscenarios:\n  - id: a\n    pass_rate: 2\n    turns: [{user: hi}]\n", 4, "less than or equal"),
        (
            "version: 1\nscenarios:\n  - id: a\n    turns:\n      - user: hi\n        expect:\n          nodes: {}\n",
            7,
            "nodes needs in_order, includes or excludes",
        ),
        (
            "version: 1\nscenarios:\n  - id: a\n    turns:\n      - user: hi\n        expect:\n"
            "          state: [{path: x}]\n",
            7,
            "a state check needs equals, exists, length or schema",
        ),
        ("[1, 2]\n", 1, "a scenario file is a mapping"),
        ("version: 1\nscenarios:\n  - id: a\n    turns: [{user: hi}\n", 4, "not valid YAML"),
    ],
)
def test_an_invalid_file_is_refused_at_the_line_of_the_problem(
    tmp_path: Path, text: str, line: int, message: str
) -> None:
    path = write(tmp_path, text)
    found = problems(path)
    assert found[0].startswith(f"{path}:{line}: "), found
    assert message in found[0], found


def test_every_problem_of_every_file_is_reported_and_ids_are_unique_across_files(tmp_path: Path) -> None:
    one = write(tmp_path, "version: 1\nscenarios:\n  - id: a\n    turns: [{user: hi}]\n", "one.yaml")
    write(tmp_path, "version: 1\nscenarios:\n  - id: a\n    turns: [{user: hi}]\n", "two.yaml")
    write(tmp_path, "version: 1\nscenarios:\n  - id: b\n    turns: [{usr: hi}]\n", "three.yml")
    with pytest.raises(InvalidSuite) as caught:
        load_paths([tmp_path])
    found = caught.value.problems
    assert any(p.startswith(f"{tmp_path / 'three.yml'}:4: ") for p in found), found
    assert f"{tmp_path / 'two.yaml'}:3: scenario id 'a' is also used at {one}:3" in found
    with pytest.raises(InvalidSuite, match="no such file or folder"):
        load_paths([tmp_path / "missing.yaml"])


def test_settings_are_inherited_and_the_command_line_overrides(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """version: 1
defaults: {assistant: agent, repeat: 3, pass_rate: 0.5, config: {configurable: {a: 1}}}
scenarios:
  - id: plain
    tags: [smoke]
    turns: [{user: hi}]
  - id: own
    assistant: echo
    repeat: 2
    turn_timeout: 5
    context: {b: 2}
    config: {}
    turns: [{user: hi}]
  - id: skipped
    skip: true
    turns: [{user: hi}]
""",
    )
    files = load_paths([path])
    chosen = {s.id: s for s in select(files)}
    assert set(chosen) == {"plain", "own"}
    plain, own = chosen["plain"], chosen["own"]
    assert (plain.assistant, plain.repeat, plain.pass_rate, plain.turn_timeout) == ("agent", 3, 0.5, DEFAULT_TIMEOUT)
    assert plain.config == {"configurable": {"a": 1}} and plain.context is None
    assert (own.assistant, own.repeat, own.turn_timeout, own.config, own.context) == ("echo", 2, 5, {}, {"b": 2})
    assert (plain.line, own.line, plain.turn_line(0)) == (4, 7, 6)
    overridden = {s.id: s for s in select(files, assistant="approvals", repeat=7, pass_rate=1.0)}
    assert overridden["plain"].assistant == "approvals" and overridden["own"].assistant == "echo"
    assert {s.repeat for s in overridden.values()} == {7} and {s.pass_rate for s in overridden.values()} == {1.0}
    assert [s.id for s in select(files, keyword="OW")] == ["own"]
    assert [s.id for s in select(files, tags=["smoke"])] == ["plain"]
    assert select(files, tags=["none"]) == []


def test_the_schema_describes_the_format() -> None:
    schema = json_schema()
    json.dumps(schema)  # JSON all the way down
    assert schema["title"] == "chat-tui test scenarios" and set(schema["required"]) == {"version", "scenarios"}
    turn = schema["$defs"]["Turn"]["properties"]
    assert {"user", "input", "decide", "resume", "resume_each", "expect"} <= set(turn)
    assert "schema" in schema["$defs"]["StateCheck"]["properties"]  # the alias, as files spell it


def test_the_readme_example_and_the_example_suite_load() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Testing agents") :]
    example = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert example is not None
    import yaml

    suite = Suite.model_validate(yaml.safe_load(example.group(1)))
    assert [t.kind for t in suite.scenarios[0].turns] == ["user", "decide"]
    demo = load_file(ROOT / "examples" / "tests" / "demo.yaml")
    assert len(demo.suite.scenarios) == len(demo.scenario_lines) == 11


def test_tool_not_called_takes_names_regexes_and_items_with_a_severity(tmp_path: Path) -> None:
    from chat_tui.testing.checks import check_turn
    from chat_tui.testing.observe import ToolCallSeen, TurnObservation

    path = write(
        tmp_path,
        "version: 1\nscenarios:\n  - id: a\n    turns:\n      - user: hi\n        expect:\n"
        "          tool_not_called:\n"
        "            - delete_file\n"
        "            - {regex: '^send_'}\n"
        "            - {name: get_weather, severity: warn}\n"
        "            - {name: {regex: '^get_'}, severity: warn}\n"
        "            - {name: lookup}\n",
    )
    expect = load_file(path).suite.scenarios[0].turns[0].expect
    assert expect is not None
    seen = TurnObservation(0, "user", "user: hi", status="success")
    seen.tool_calls.append(ToolCallSeen("get_weather", {"city": "sf"}))
    checks = [c for c in check_turn(expect, seen, next_answers=False) if c.kind == "tool_not_called"]
    assert [(c.expected, c.passed, c.severity, c.fails) for c in checks] == [
        ("delete_file", True, "fail", False),
        ("/^send_/", True, "fail", False),
        ("get_weather", False, "warn", False),  # called: reported, not failing
        ("/^get_/", False, "warn", False),
        ("lookup", True, "fail", False),
    ]
    assert checks[2].message == "get_weather was called 1 time(s)" and checks[2].actual == ["get_weather"]
    seen.tool_calls.append(ToolCallSeen("lookup", {}))
    (lookup,) = [c for c in check_turn(expect, seen, next_answers=False) if c.expected == "lookup"]
    assert lookup.fails  # an item without a severity fails
    # the JSON Schema says so too (editors complete it)
    items = json.dumps(json_schema()["$defs"]["Expect"]["properties"]["tool_not_called"])
    assert "ToolNotCalled" in items and "NameRegex" in items
    assert set(json_schema()["$defs"]["ToolNotCalled"]["properties"]) == {"name", "severity"}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("[1]", "scenarios.0.turns.0.expect.tool_not_called.0: Input should be a valid string"),
        ("[{nam: x}]", "scenarios.0.turns.0.expect.tool_not_called.0.nam: Extra inputs are not permitted"),
        (
            "[{name: x, severity: warning}]",
            "scenarios.0.turns.0.expect.tool_not_called.0.severity: Input should be 'fail' or 'warn'",
        ),
        ("[{regex: 1}]", "scenarios.0.turns.0.expect.tool_not_called.0.regex: Input should be a valid string"),
    ],
)
def test_a_problem_is_named_by_its_yaml_path_not_by_pydantic_types(tmp_path: Path, item: str, message: str) -> None:
    path = write(
        tmp_path,
        f"version: 1\nscenarios:\n  - id: a\n    turns:\n      - user: hi\n        expect:\n"
        f"          tool_not_called: {item}\n",
    )
    assert problems(path) == [f"{path}:7: {message}"]


def test_union_members_never_show_in_a_problems_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "version: 1\nscenarios:\n  - id: a\n    turns:\n      - decide: [maybe]\n"
        "  - id: b\n    turns:\n      - user: hi\n        expect:\n          interrupt: {count: {min: -1}}\n"
        "  - id: c\n    turns:\n      - user: hi\n        expect: {tool_calls: [{name: {regx: a}}]}\n"
        "  - id: d\n",
    )
    assert problems(path) == [
        f"{path}:5: scenarios.0.turns.0.decide.0: Input should be 'approve' or 'reject'",
        f"{path}:10: scenarios.1.turns.0.expect.interrupt.count.min: Input should be greater than or equal to 0",
        f"{path}:14: scenarios.2.turns.0.expect.tool_calls.0.name.regx: Extra inputs are not permitted",
        f"{path}:15: scenarios.3.turns: Field required",
    ]


def test_every_duplicate_id_in_one_file_is_reported(tmp_path: Path) -> None:
    scenario = "  - id: {}\n    turns: [{{user: hi}}]\n"
    path = write(tmp_path, "version: 1\nscenarios:\n" + "".join(scenario.format(i) for i in "aabba"))
    assert problems(path) == [
        f"{path}:5: scenario id 'a' is used twice (line 3)",
        f"{path}:9: scenario id 'b' is used twice (line 7)",
        f"{path}:11: scenario id 'a' is used twice (line 3)",
    ]
