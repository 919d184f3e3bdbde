"""How `chat-tui stream` shows pending interrupts: the `--json` shape, the lines, the hints (pure).
The answers themselves are tested on the real server (tests/integration/test_headless_hitl.py)."""

from __future__ import annotations

import pytest

from chat_tui.conversation import InterruptEntry
from chat_tui.headless_answers import Refused, answer_hints, interrupt_json, interrupt_lines, parse_decisions

LEGACY = [
    {
        "action_request": {"action": "run_command", "args": {"command": "ls"}},
        "config": {"allow_ignore": True, "allow_respond": False, "allow_edit": True, "allow_accept": True},
        "description": "Please review the command\x1b[31m",
    }
]


def test_legacy_interrupt_json_lists_its_call_and_what_its_config_allows() -> None:
    entry = InterruptEntry.from_server(1, "abc", LEGACY)
    assert interrupt_json(entry) == {
        "id": "abc",
        "kind": "legacy",
        "value": entry.value,
        "actions": [{"name": "run_command", "args": {"command": "ls"}, "allowed": ["approve", "edit", "reject"]}],
    }
    (head, call) = interrupt_lines(entry)
    assert head == "⏸ a tool call waits for a decision (legacy, interrupt abc):"
    assert call.startswith('  1. run_command {"command": "ls"}  [approve | edit | reject]  (Please review the command')
    assert "\x1b" not in call


def test_value_interrupts_and_hints_with_several_pending() -> None:
    one = InterruptEntry.from_server(1, "a1", {"question": "Which day?"})
    two = InterruptEntry.from_server(2, "b2", "Who takes notes?\x07")
    assert interrupt_json(one)["actions"] == [] and interrupt_json(one)["kind"] == "value"
    assert interrupt_lines(two) == ["⏸ interrupt: Who takes notes?␇"]  # a control picture, not the bell
    hints = answer_hints([one, two], "t1")
    assert (
        hints[0]
        == "the run is waiting for input (Which day?): chat-tui stream --thread t1 --interrupt a1 --resume '<json>'"
    )
    assert "--interrupt b2" in hints[1] and "\x07" not in hints[1]
    assert answer_hints([one], "t1") == ["the run is waiting for input: chat-tui stream --thread t1 --resume '<json>'"]


def test_hostile_arguments_are_one_clean_line() -> None:
    value = {
        "action_requests": [{"name": "x\x1b]0;t\x07", "args": {"a": "line\nbreak\x1b[2J" + "z" * 500}}],
        "review_configs": [{"action_name": "x", "allowed_decisions": ["approve"]}],
    }
    lines = interrupt_lines(InterruptEntry.from_server(1, "i", value))
    assert len(lines) == 2 and "\x1b" not in lines[1] and "\n" not in lines[1] and len(lines[1]) < 300


@pytest.mark.parametrize(
    ("texts", "says"),
    [
        (["approve", "nope"], "--decide #2: 'nope' is no decision"),
        (["edit={"], "--decide: edit=… must be the arguments as JSON"),
        (["edit=[1]"], "--decide: edit=… must be a JSON object"),
        (["respond="], "--decide: respond=… needs the text"),
    ],
)
def test_decisions_that_do_not_parse_name_their_place(texts: list[str], says: str) -> None:
    with pytest.raises(Refused) as info:
        parse_decisions(texts)
    assert str(info.value).startswith(says) and "\n" not in str(info.value)


def test_decisions_parse_in_order() -> None:
    parsed = parse_decisions(["approve", "reject", "reject=no", "respond=done", 'edit={"a": 1}'])
    assert [(d.type, d.message, d.args) for d in parsed] == [
        ("approve", None, None),
        ("reject", None, None),
        ("reject", "no", None),
        ("respond", "done", None),
        ("edit", None, {"a": 1}),
    ]
