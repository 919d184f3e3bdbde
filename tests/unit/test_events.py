"""Raw SSE events become typed events; malformed ones become faults, never exceptions."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from chat_tui.client.events import (
    Custom,
    Fault,
    MessageChunk,
    MessageComplete,
    Metadata,
    Other,
    RunFailed,
    Updates,
    Values,
    parse_event,
)
from chat_tui.client.models import AIMessageChunk, ToolMessage
from chat_tui.client.sse import RawEvent

META = {"langgraph_node": "agent", "langgraph_step": 1, "langgraph_checkpoint_ns": "agent:1", "extra": {"x": 1}}


def raw(name: str, payload: object) -> RawEvent:
    return RawEvent(name, json.dumps(payload), "1-0")


def test_metadata() -> None:
    event = parse_event(raw("metadata", {"run_id": "r1", "attempt": 2}))
    assert isinstance(event, Metadata) and event.run_id == "r1" and event.attempt == 2


def test_chunk_with_tool_call_chunks_and_unknown_fields() -> None:
    chunk = {
        "type": "AIMessageChunk",
        "id": "lc_run--1",
        "content": "",
        "future_field": 1,
        "tool_call_chunks": [{"name": "w", "args": '{"a', "id": "c1", "index": 0, "type": "tool_call_chunk"}],
        "tool_calls": [{"name": "w", "args": {}, "id": "c1"}],
        "chunk_position": None,
    }
    event = parse_event(raw("messages", [chunk, META]))
    assert isinstance(event, MessageChunk)
    assert isinstance(event.message, AIMessageChunk)
    assert event.message.tool_call_chunks[0].args == '{"a'
    assert event.meta.langgraph_node == "agent" and event.namespace == ()


def test_complete_tool_message_and_subgraph_namespace() -> None:
    message = {"type": "tool", "id": "t1", "content": "{}", "tool_call_id": "c1", "status": "error"}
    event = parse_event(raw("messages|researcher:abc", [message, META]))
    assert isinstance(event, MessageComplete) and isinstance(event.message, ToolMessage)
    assert event.message.status == "error" and event.namespace == ("researcher:abc",)


def test_odd_content_shapes_are_accepted() -> None:
    for content in (None, 42, {"type": "text", "text": "x"}, ["a", {"type": "image"}, 3]):
        event = parse_event(raw("messages", [{"type": "AIMessageChunk", "content": content}, {}]))
        assert isinstance(event, MessageChunk)


def test_unknown_message_type_is_kept() -> None:
    event = parse_event(raw("messages", [{"type": "function", "content": "x"}, {}]))
    assert isinstance(event, MessageComplete) and event.message.type == "function"


def test_updates_with_interrupt_and_values() -> None:
    updates = parse_event(raw("updates", {"__interrupt__": [{"value": {"q": "ok?"}, "id": "i1"}]}))
    assert isinstance(updates, Updates) and updates.interrupts is not None and updates.interrupts[0].id == "i1"
    values = parse_event(raw("values", {"messages": []}))
    assert isinstance(values, Values) and values.interrupts is None
    assert parse_event(raw("updates", {"__interrupt__": []})).interrupts == []  # static breakpoint


def test_error_custom_and_unknown_events() -> None:
    error = parse_event(raw("error", {"error": "ValueError", "message": "boom"}))
    assert isinstance(error, RunFailed) and error.message == "boom"
    assert isinstance(parse_event(raw("custom", "hello")), Custom)
    assert isinstance(parse_event(raw("debug", {"step": 1})), Other)


def test_malformed_events_become_faults() -> None:
    assert isinstance(parse_event(RawEvent("messages", "{not json")), Fault)
    assert isinstance(parse_event(RawEvent("messages", "[1, 2]")), Fault)
    assert isinstance(parse_event(RawEvent("updates", "[1]")), Fault)
    assert isinstance(parse_event(RawEvent("metadata", "nope")), Fault)


@given(st.sampled_from(["messages", "updates", "values", "metadata", "error", "custom", "x|y"]), st.text(max_size=200))
def test_parse_never_raises(name: str, data: str) -> None:
    parse_event(RawEvent(name, data))
