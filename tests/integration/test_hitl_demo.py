"""The human-in-the-loop demo graphs on the real server: the interrupt payloads exactly as the Agent
Server sends them (stream and thread state), and the resume bodies it accepts or refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.client.events import MessageChunk, RunFailed, StreamEnd, StreamEvent, Updates

pytestmark = pytest.mark.server

AFTER_MODEL = "HumanInTheLoopMiddleware.after_model"


async def run(client: LangGraphClient, thread_id: str, assistant: str, **body: Any) -> list[StreamEvent]:
    async with client.runs.stream(thread_id, assistant, stream_mode=["messages-tuple", "updates"], **body) as stream:
        return [event async for event in stream]


async def say(client: LangGraphClient, assistant: str, text: str) -> tuple[str, list[StreamEvent]]:
    thread = await client.threads.create()
    events = await run(client, thread.thread_id, assistant, input={"messages": [{"role": "user", "content": text}]})
    return thread.thread_id, events


def interrupts(events: list[StreamEvent]) -> list[dict[str, Any]]:
    """Every `__interrupt__` item of the `updates` events, as the server wrote it."""
    return [
        item
        for e in events
        if isinstance(e, Updates) and e.interrupts is not None and e.raw is not None
        for item in json.loads(e.raw.data)["__interrupt__"]
    ]


def status(events: list[StreamEvent]) -> str | None:
    return next(e.run_status for e in events if isinstance(e, StreamEnd))


def failure(events: list[StreamEvent]) -> tuple[str, str] | None:
    return next(((e.error, e.message) for e in events if isinstance(e, RunFailed)), None)


def text(events: list[StreamEvent]) -> str:
    return "".join(
        e.message.content for e in events if isinstance(e, MessageChunk) and isinstance(e.message.content, str)
    )


def decision_types(schema: dict[str, Any]) -> list[str]:
    return [schema["$defs"][ref["$ref"].rsplit("/", 1)[1]]["properties"]["type"]["const"] for ref in schema["oneOf"]]


async def test_batched_one_interrupt_for_two_gated_calls_answered_by_id(client: LangGraphClient) -> None:
    thread_id, events = await say(client, "approvals", "email alice and delete the report")
    calls = [tc for e in events if isinstance(e, MessageChunk) for tc in e.message.tool_call_chunks]
    assert [tc.name for tc in calls if tc.id] == ["lookup_contact", "send_email", "delete_file"]
    assert len(calls) > 10  # ids and names first, then the arguments in pieces
    (pending,) = interrupts(events)
    assert set(pending) == {"value", "id", "response_schema"} and pending["response_schema"] is None
    assert [(r["name"], sorted(r)) for r in pending["value"]["action_requests"]] == [
        ("send_email", ["args", "description", "name"]),
        ("delete_file", ["args", "description", "name"]),
    ]
    assert pending["value"]["review_configs"] == [
        {"action_name": "send_email", "allowed_decisions": ["approve", "edit", "reject", "respond"]},
        {"action_name": "delete_file", "allowed_decisions": ["approve", "reject"]},
    ]
    state = await client.threads.get_state(thread_id)
    assert state.next == [AFTER_MODEL] and [i.id for i in state.interrupts] == [pending["id"]]
    assert (await client.threads.get(thread_id)).status == "interrupted"

    edited = {"to": "carol@example.com", "subject": "Edited", "body": "Hi Carol."}
    answer = {
        "decisions": [
            {"type": "edit", "edited_action": {"name": "send_email", "args": edited}},
            {"type": "reject", "message": "keep the report"},
        ]
    }
    events = await run(client, thread_id, "approvals", command={"resume": {pending["id"]: answer}})
    assert status(events) == "success" and failure(events) is None
    summary = text(events)
    assert "**lookup_contact**: done. Alice Martin" in summary
    assert "**send_email**: done with your edits. Email to carol@example.com" in summary
    assert "**delete_file**: I did **not** do it. You rejected it: “keep the report”" in summary
    thread = await client.threads.get(thread_id)
    assert thread.status == "idle" and not thread.interrupts
    tools = {m["name"]: m for m in (await client.threads.get_state(thread_id)).messages if m["type"] == "tool"}
    assert tools["delete_file"]["status"] == "error"
    assert tools["delete_file"]["additional_kwargs"] == {
        "lc_source": "hitl_interrupt_decision",
        "lc_data": {"decision": "reject"},
    }


async def test_batched_wrong_decision_count_poisons_the_thread(client: LangGraphClient) -> None:
    """One decision for two gated calls: the app must never send it. This is what the server does."""
    thread_id, events = await say(client, "approvals", "both")
    (pending,) = interrupts(events)
    # The bare form (`{"decisions": [...]}`, not keyed by id) is accepted with one pending interrupt.
    events = await run(client, thread_id, "approvals", command={"resume": {"decisions": [{"type": "approve"}]}})
    wrong = ("ValueError", "Number of human decisions (1) does not match number of hanging tool calls (2).")
    assert failure(events) == wrong
    thread = await client.threads.get(thread_id)
    state = await client.threads.get_state(thread_id)
    assert thread.status == "error" and thread.interrupts == {}  # the thread no longer lists it...
    assert [i.id for i in state.interrupts] == [pending["id"]]  # ...its state still does
    assert "Number of human decisions (1)" in str(state.tasks[0].error)

    # The wrong answer was saved with the checkpoint: a correct one now fails the same way.
    right = {"decisions": [{"type": "approve"}, {"type": "approve"}]}
    events = await run(client, thread_id, "approvals", command={"resume": {pending["id"]: right}})
    assert failure(events) == wrong

    # Recovery: a new checkpoint as if the model had just answered, then run the review again.
    await client.threads.update_state(thread_id, {}, as_node="model")
    events = await run(client, thread_id, "approvals", input=None)
    (again,) = interrupts(events)
    assert again["id"] != pending["id"] and again["value"] == pending["value"]
    events = await run(client, thread_id, "approvals", command={"resume": {again["id"]: right}})
    assert failure(events) is None and "**delete_file**: done." in text(events)
    assert (await client.threads.get(thread_id)).status == "idle"


async def test_per_call_one_interrupt_per_gated_call_each_answered_by_id(client: LangGraphClient) -> None:
    thread_id, events = await say(client, "approvals_per_call", "email bob and delete /tmp/old.log")
    email, delete = interrupts(events)  # two `updates` events, one interrupt each
    assert email["id"] != delete["id"]
    assert email["value"]["type"] == delete["value"]["type"] == "tool_approval"
    assert sorted(email["value"]) == ["args", "description", "name", "tool_call_id", "type"]
    assert (email["value"]["name"], delete["value"]["name"]) == ("send_email", "delete_file")
    assert (
        delete["value"]["args"] == {"path": "/tmp/old.log"}
        and delete["value"]["description"] == "Deleting is permanent"
    )
    assert decision_types(email["response_schema"]) == ["approve", "edit", "reject", "respond"]
    assert decision_types(delete["response_schema"]) == ["approve", "reject"]
    assert email["response_schema"]["$defs"]["send_email"]["required"] == ["to", "subject", "body"]
    state = await client.threads.get_state(thread_id)
    assert state.next == ["tools", "tools"] and {i.id for i in state.interrupts} == {email["id"], delete["id"]}
    assert [m["name"] for m in state.messages if m["type"] == "tool"] == ["lookup_contact"]  # ungated: ran
    assert len((await client.threads.get(thread_id)).interrupts) == 2  # keyed by the two tool tasks

    events = await run(client, thread_id, "approvals_per_call", command={"resume": {email["id"]: {"type": "approve"}}})
    (left,) = interrupts(events)
    assert left["id"] == delete["id"]
    assert (await client.threads.get(thread_id)).status == "interrupted"

    answer = {"type": "reject", "message": "I still need it"}
    events = await run(client, thread_id, "approvals_per_call", command={"resume": {delete["id"]: answer}})
    assert failure(events) is None and not interrupts(events)
    summary = text(events)
    assert "**send_email**: done. Email to bob@example.com" in summary
    assert "**delete_file**: I did **not** do it. You rejected it: “I still need it”" in summary
    assert (await client.threads.get(thread_id)).status == "idle"


async def test_parallel_two_interrupts_pending_at_once(client: LangGraphClient) -> None:
    thread_id, events = await say(client, "parallel", "plan the meeting")
    a, b = interrupts(events)
    assert a["id"] != b["id"]
    assert {a["value"]["question"], b["value"]["question"]} == {
        "Which day should the team meet?",
        "Who should take the notes?",
    }
    state = await client.threads.get_state(thread_id)
    assert sorted(state.next) == ["ask_a", "ask_b"] and {i.id for i in state.interrupts} == {a["id"], b["id"]}

    # A bare value cannot say which one it answers: the run fails, both stay pending.
    events = await run(client, thread_id, "parallel", command={"resume": "Tuesday"})
    error = failure(events)
    assert error is not None and error[0] == "RuntimeError" and "specify the interrupt id" in error[1]
    assert {i.id for i in (await client.threads.get_state(thread_id)).interrupts} == {a["id"], b["id"]}

    events = await run(client, thread_id, "parallel", command={"resume": {a["id"]: "Tuesday"}})
    (left,) = interrupts(events)
    assert left == b  # the same id and payload
    assert (await client.threads.get(thread_id)).status == "interrupted"

    events = await run(client, thread_id, "parallel", command={"resume": {b["id"]: "Ana"}})
    assert failure(events) is None and not interrupts(events)
    reply = text(events)
    assert sum(isinstance(e, MessageChunk) for e in events) > 5  # `join` streams its answer
    assert f"{a['value']['question']} **Tuesday**" in reply and f"{b['value']['question']} **Ana**" in reply
    assert (await client.threads.get(thread_id)).status == "idle"
