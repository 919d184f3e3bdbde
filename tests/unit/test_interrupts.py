"""Interrupt kinds by payload shape, and answers that the server takes (shapes as langgraph-api 0.16.7 sends them)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chat_tui.conversation.interrupts import (
    Decision,
    InterruptKind,
    answer_for,
    classify,
    parse_decision,
    problem_with,
    schema_problem,
)

BATCHED = {
    "action_requests": [
        {"name": "send_email", "args": {"to": "bob"}, "description": "Tool execution requires approval"},
        {"name": "delete_file", "args": {"path": "report"}, "description": "Deleting is permanent"},
    ],
    "review_configs": [
        {"action_name": "send_email", "allowed_decisions": ["approve", "edit", "reject", "respond"]},
        {"action_name": "delete_file", "allowed_decisions": ["approve", "reject"]},
    ],
}
PER_CALL = {
    "type": "tool_approval",
    "tool_call_id": "call_4_1",
    "name": "delete_file",
    "args": {"path": "report"},
    "description": "Tool execution requires approval",
}
PER_CALL_SCHEMA = {
    "oneOf": [{"$ref": "#/$defs/ApproveDecision"}, {"$ref": "#/$defs/RejectDecision"}],
    "discriminator": {"propertyName": "type", "mapping": {"approve": "#/$defs/A", "reject": "#/$defs/R"}},
    "$defs": {"ApproveDecision": {}, "RejectDecision": {}},
}
EDITABLE_SCHEMA = {
    "oneOf": [{"$ref": "#/$defs/ApproveDecision"}, {"$ref": "#/$defs/EditDecision"}],
    "$defs": {
        "ApproveDecision": {},
        "EditDecision": {
            "properties": {
                "edited_action": {
                    "properties": {
                        "name": {"const": "send_email"},
                        "args": {
                            "type": "object",
                            "properties": {"to": {"type": "string"}, "copies": {"type": "integer"}},
                            "required": ["to"],
                        },
                    }
                }
            }
        },
    },
}
LEGACY = [
    {
        "action_request": {"action": "run_command", "args": {"command": "ls"}},
        "config": {"allow_ignore": True, "allow_respond": True, "allow_edit": False, "allow_accept": True},
        "description": "Please review the command before execution",
    }
]


def test_the_four_kinds_are_told_by_shape() -> None:
    kind, calls = classify(BATCHED)
    assert kind is InterruptKind.HITL and [c.name for c in calls] == ["send_email", "delete_file"]
    assert calls[0].allowed == ("approve", "edit", "reject", "respond") and calls[1].allowed == ("approve", "reject")
    kind, calls = classify(PER_CALL, PER_CALL_SCHEMA)
    assert kind is InterruptKind.TOOL_APPROVAL and calls[0].allowed == ("approve", "reject")
    assert calls[0].tool_call_id == "call_4_1"
    kind, calls = classify(LEGACY)
    assert kind is InterruptKind.LEGACY and calls[0].name == "run_command"
    assert calls[0].allowed == ("approve", "respond", "reject")  # accept, response, ignore; no edit
    for value in ("Allow it?", {"question": "first?"}, [1, 2], None, {"action_requests": []}):
        assert classify(value) == (InterruptKind.VALUE, ())


def test_a_batched_answer_has_one_decision_per_call_in_order() -> None:
    kind, calls = classify(BATCHED)
    decisions = [Decision("edit", args={"to": "carol"}), Decision("reject", message="keep it")]
    assert problem_with(kind, calls, decisions) is None
    assert answer_for(kind, calls, decisions) == {
        "decisions": [
            {"type": "edit", "edited_action": {"name": "send_email", "args": {"to": "carol"}}},
            {"type": "reject", "message": "keep it"},
        ]
    }
    # What poisons a thread is never sent: a wrong count, or a decision the call does not allow.
    assert "2 decision(s), in order; 1 given" in (problem_with(kind, calls, [Decision("approve")]) or "")
    assert problem_with(kind, calls, [Decision("approve"), Decision("edit", args={})]) == (
        "delete_file (call 2) allows approve, reject, not edit"
    )
    assert "respond needs" in (problem_with(kind, calls, [Decision("respond"), Decision("approve")]) or "")


def test_a_per_call_answer_follows_its_response_schema() -> None:
    kind, calls = classify({**PER_CALL, "name": "send_email"}, EDITABLE_SCHEMA)
    assert calls[0].allowed == ("approve", "edit")
    assert (
        problem_with(kind, calls, [Decision("edit", args={"copies": 2})])
        == "send_email: edited arguments: 'to' is required"
    )
    assert "must be an integer" in (
        problem_with(kind, calls, [Decision("edit", args={"to": "x", "copies": "2"})]) or ""
    )
    assert problem_with(kind, calls, [Decision("edit", args={"to": "x", "copies": 2})]) is None
    assert answer_for(kind, calls, [Decision("approve")]) == {"type": "approve"}


def test_the_tool_schema_is_found_through_the_references_the_server_uses() -> None:
    """langgraph-api publishes ``edited_action`` and its ``args`` as ``$ref``s into ``$defs``."""
    schema = {
        "oneOf": [{"$ref": "#/$defs/EditDecision"}],
        "discriminator": {"propertyName": "type", "mapping": {"edit": "#/$defs/EditDecision"}},
        "$defs": {
            "EditDecision": {"properties": {"edited_action": {"$ref": "#/$defs/EditedAction"}}},
            "EditedAction": {"properties": {"name": {"const": "send_email"}, "args": {"$ref": "#/$defs/send_email"}}},
            "send_email": {"type": "object", "properties": {"to": {"type": "string"}}, "required": ["to", "body"]},
        },
    }
    kind, calls = classify({**PER_CALL, "name": "send_email"}, schema)
    assert calls[0].args_schema == schema["$defs"]["send_email"]
    assert problem_with(kind, calls, [Decision("edit", args={"to": "x"})]) == (
        "send_email: edited arguments: 'body' is required"
    )
    looped = {"$defs": {"EditDecision": {"properties": {"edited_action": {"$ref": "#/$defs/EditDecision"}}}}}
    assert classify({**PER_CALL, "name": "send_email"}, looped)[1][0].args_schema is None


def test_a_legacy_answer_is_a_list_of_human_responses() -> None:
    kind, calls = classify(LEGACY)
    assert answer_for(kind, calls, [Decision("respond", message="use ls -la")]) == [
        {"type": "response", "args": "use ls -la"}
    ]
    assert answer_for(kind, calls, [Decision("approve")]) == [{"type": "accept", "args": None}]
    assert problem_with(kind, calls, [Decision("edit", args={"command": "ls"})]) is not None


@pytest.mark.parametrize(
    ("text", "decision"),
    [
        ("approve", Decision("approve")),
        ("reject", Decision("reject")),
        ("reject=too risky", Decision("reject", message="too risky")),
        ("respond=done", Decision("respond", message="done")),
        ('edit={"path": "/a"}', Decision("edit", args={"path": "/a"})),
    ],
)
def test_decisions_from_the_command_line(text: str, decision: Decision) -> None:
    assert parse_decision(text) == decision


@pytest.mark.parametrize("text", ["yes", "approve=x", "edit=[1]", "edit=nope", "respond=", ""])
def test_bad_decisions_are_one_line(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_decision(text)
    assert "\n" not in str(info.value)


def test_the_schema_check_says_what_is_wrong() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {"tags": {"type": "array", "items": {"enum": ["a", "b"]}}},
    }
    assert schema_problem(schema, {"tags": ["a", "c"]}) == "tags[1] must be one of a, b"
    assert schema_problem(schema, []) == "the value must be an object"
    assert schema_problem({"type": "number"}, True) == "the value must be a number"


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3),
    max_leaves=12,
)


@given(value=_JSON, schema=_JSON)
def test_classify_never_raises_on_any_json(value: Any, schema: Any) -> None:
    kind, calls = classify(value, schema)
    assert (kind is InterruptKind.VALUE) == (calls == ())
