"""Round-trip edits of scenario files (chat_tui.testing.yaml_edit): what the file held is kept byte for
byte (comments, key order, blank lines, quoting), the edit lands where it says, the result loads with
the runner's own loader, and a refused edit leaves the file exactly as it was."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from chat_tui.testing.loader import load_file
from chat_tui.testing.yaml_edit import ScenarioFileError, append_scenario, dump_yaml, replace_expectation

COMMENTED = """\
# yaml-language-server: $schema=chat-tui-test.schema.json
# Hand-written: every comment, blank line and quote below must survive an edit.
version: 1
suite: demo   # the suite's name

defaults:
  assistant: agent  # a trailing comment
  repeat: 1

scenarios:
  # the first one
  - id: weather-sf
    tags: [smoke, tools]
    turns:
      - user: "what's the weather in sf"   # double-quoted on purpose
        expect:
          status: success   # after a value
          tool_calls:
            - name: get_weather     # keep me
              args: {city: 'sf'}
          nodes: {in_order: [agent, tools, agent]}
      - user: |
          a literal
          block

  - id: plain
    turns:
      - user: hi

# a comment at the very end
"""

RECORDED: dict[str, Any] = {
    "id": "email-bob",
    "assistant": "approvals",
    "repeat": 3,
    "turns": [
        {
            "user": "email bob",
            "expect": {
                "status": "interrupted",
                "interrupt": {"count": 1, "value": {"action_requests": [{"name": "send_email"}]}},
            },
        },
        # "no", "on", "yes": strings PyYAML (YAML 1.1, the loader) reads as booleans unless quoted.
        {"decide": [{"reject": "no"}], "expect": {"tool_not_called": ["on"], "final_text": {"contains": "yes"}}},
    ],
}


def commented(tmp_path: Path) -> Path:
    path = tmp_path / "suite.yaml"
    path.write_bytes(COMMENTED.encode())
    return path


def test_append_keeps_every_byte_of_the_file_and_the_scenario_loads_back_as_given(tmp_path: Path) -> None:
    path = commented(tmp_path)
    line = append_scenario(path, RECORDED)
    text = path.read_text()
    before, _ = COMMENTED.split("# a comment at the very end\n")
    assert text.startswith(before) and text.endswith("# a comment at the very end\n")
    added = text[len(before) : -len("# a comment at the very end\n")]
    assert added.startswith("  - id: email-bob\n") and added.endswith("\n\n")  # the file's spacing kept
    assert text.splitlines()[line - 1] == "  - id: email-bob"
    loaded = load_file(path)
    assert [s.id for s in loaded.suite.scenarios] == ["weather-sf", "plain", "email-bob"]
    assert loaded.scenario_lines[-1] == line
    scenario = loaded.suite.scenarios[-1]
    assert scenario.repeat == 3 and scenario.turns[1].describe() == 'decide: [{"reject": "no"}]'
    assert scenario.turns[1].expect is not None and scenario.turns[1].expect.tool_not_called == ["on"]


def test_a_duplicate_id_is_refused_in_one_line_and_the_file_is_untouched(tmp_path: Path) -> None:
    path = commented(tmp_path)
    stat = path.stat()
    with pytest.raises(ScenarioFileError) as caught:
        append_scenario(path, {"id": "plain", "turns": [{"user": "again"}]})
    assert str(caught.value) == f"{path} already has a scenario 'plain'; nothing was written"
    assert path.read_bytes() == COMMENTED.encode() and path.stat().st_mtime_ns == stat.st_mtime_ns
    assert [p.name for p in tmp_path.iterdir()] == ["suite.yaml"]  # no temp file left behind


def test_a_scenario_the_loader_would_refuse_is_not_written(tmp_path: Path) -> None:
    path = commented(tmp_path)
    with pytest.raises(ScenarioFileError) as caught:
        append_scenario(path, {"id": "bad id", "turns": [{"user": "hi"}]})
    assert "String should match pattern" in str(caught.value) and "\n" not in str(caught.value)
    assert path.read_bytes() == COMMENTED.encode()


def test_a_missing_file_and_folder_are_created_with_version_1(tmp_path: Path) -> None:
    path = tmp_path / "tests" / "agent" / "approvals.yaml"
    assert append_scenario(path, {"id": "a", "turns": [{"user": "hi"}]}, header="# recorded\n") == 4
    assert append_scenario(path, {"id": "b", "turns": [{"user": "there"}]}) == 8
    assert path.read_text() == (
        "# recorded\nversion: 1\nscenarios:\n  - id: a\n    turns:\n      - user: hi\n\n"
        "  - id: b\n    turns:\n      - user: there\n"
    )
    assert oct(path.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


NEW_ITEM = "- id: new\n  turns:\n    - user: hi\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # items written without the offset, no blank lines between them, no newline at the end
        (
            "version: 1\nscenarios:\n- id: a\n  turns: [{user: hi}]\n- id: b\n  turns: [{user: hi}]",
            "version: 1\nscenarios:\n- id: a\n  turns: [{user: hi}]\n- id: b\n  turns: [{user: hi}]\n" + NEW_ITEM,
        ),
        # an empty list key, then a comment
        (
            "version: 1\nscenarios:\n# none yet\n",
            "version: 1\nscenarios:\n  " + NEW_ITEM.replace("\n ", "\n   ") + "# none yet\n",
        ),
        # no list yet
        ("version: 1  # only this\n", "version: 1  # only this\nscenarios:\n  " + NEW_ITEM.replace("\n ", "\n   ")),
        # CRLF line endings stay CRLF
        (
            "version: 1\r\nscenarios:\r\n  - id: a\r\n    turns: [{user: hi}]\r\n",
            "version: 1\r\nscenarios:\r\n  - id: a\r\n    turns: [{user: hi}]\r\n\r\n  "
            + NEW_ITEM.replace("\n ", "\n   ").replace("\n", "\r\n"),
        ),
    ],
)
def test_append_fits_the_files_shape(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_bytes(text.encode())
    line = append_scenario(path, {"id": "new", "turns": [{"user": "hi"}]})
    new = path.read_bytes().decode()
    assert new == expected
    assert new.splitlines()[line - 1].strip() == "- id: new"
    assert [s.id for s in load_file(path).suite.scenarios][-1] == "new"


def test_a_flow_list_of_scenarios_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("version: 1\nscenarios: [{id: a, turns: [{user: hi}]}]\n")
    with pytest.raises(ScenarioFileError, match="scenarios is not a block list"):
        append_scenario(path, {"id": "b", "turns": [{"user": "hi"}]})


def diff_lines(before: str, after: str) -> list[tuple[str, str]]:
    """(old, new) for each line that changed, when the line count did not change."""
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new)
    return [(a, b) for a, b in zip(old, new, strict=True) if a != b]


def test_replace_changes_only_that_value(tmp_path: Path) -> None:
    path = commented(tmp_path)
    line = replace_expectation(path, "weather-sf", 0, "status", "interrupted")
    after = path.read_text()
    assert diff_lines(COMMENTED, after) == [
        ("          status: success   # after a value", "          status: interrupted   # after a value")
    ]
    assert after.splitlines()[line - 1].strip().startswith("status: interrupted")
    calls = [{"name": "get_time", "args": {"tz": "UTC"}}]
    line = replace_expectation(path, "weather-sf", 0, "tool_calls", calls)
    text = path.read_text()
    assert text.replace("- name: get_time\n              args: {tz: UTC}", "X") == after.replace(
        "- name: get_weather     # keep me\n              args: {city: 'sf'}", "X"
    )
    assert text.splitlines()[line - 1] == "          tool_calls:"
    turn = load_file(path).suite.scenarios[0].turns[0]
    assert turn.expect is not None and turn.expect.tool_calls is not None
    assert turn.expect.tool_calls[0].model_dump(exclude_unset=True) == calls[0]


def test_replace_adds_a_missing_expectation_or_expect(tmp_path: Path) -> None:
    path = commented(tmp_path)
    line = replace_expectation(path, "weather-sf", 0, "budget", {"latency_ms": 4000})
    text = path.read_text()
    assert text.splitlines()[line - 1] == "          budget: {latency_ms: 4000}"
    assert text.replace("          budget: {latency_ms: 4000}\n", "") == COMMENTED
    line = replace_expectation(path, "weather-sf", 1, "status", "success")  # after a literal block
    more = path.read_text()
    block = "          block\n"
    assert more == text.replace(block, block + "        expect:\n          status: success\n")
    assert more.splitlines()[line - 1] == "          status: success"
    second = load_file(path).suite.scenarios[0].turns[1]
    assert second.user == "a literal\nblock\n" and second.expect is not None and second.expect.status == "success"


def test_replace_refuses_what_it_cannot_find_and_leaves_the_file(tmp_path: Path) -> None:
    path = commented(tmp_path)
    for args, message in [
        (("nope", 0, "status", "success"), "has no scenario 'nope'"),
        (("plain", 3, "status", "success"), "has no turn 4"),
        (("plain", 0, "status", "maybe"), "Input should be"),  # the loader refuses the value
    ]:
        with pytest.raises(ScenarioFileError, match=message):
            replace_expectation(path, *args)
    with pytest.raises(ValueError, match="unknown expectation 'colour'"):
        replace_expectation(path, "plain", 0, "colour", 1)
    assert path.read_bytes() == COMMENTED.encode()


def test_the_preview_text_is_what_is_appended() -> None:
    text = dump_yaml([RECORDED])
    assert "- id: email-bob" in text and "reject: 'no'" in text and "tool_not_called:\n            - 'on'" in text
