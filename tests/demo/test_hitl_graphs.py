"""In-process tests of the human-in-the-loop demo graphs: `approvals` (langchain's `create_agent` +
`HumanInTheLoopMiddleware`, batched), `approvals_per_call` (the same, per call) and `parallel`."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command
from pydantic import ValidationError

from chat_tui.demo import texts
from chat_tui.demo.approval_scripts import approvals_first_reply
from chat_tui.demo.context import DELAY_ENV_VAR, DemoContext
from chat_tui.demo.hitl import (
    BOOKING_SCHEMA,
    LEGACY_REQUEST,
    QUESTIONS,
    InterruptMode,
    build_approvals_graph,
    build_booking_graph,
    build_legacy_graph,
    build_parallel_graph,
)
from chat_tui.demo.model import ScriptedChatModel
from chat_tui.demo.tools import delete_file, lookup_contact, send_email

AFTER_MODEL = "HumanInTheLoopMiddleware.after_model"
EVERY_DECISION = ["approve", "edit", "reject", "respond"]
EDITED_EMAIL = {"to": "carol@example.com", "subject": "Edited", "body": "Short and sweet."}


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(DELAY_ENV_VAR, "0")
    yield


class Thread:
    """One graph with its own checkpointer and thread, and what its last run streamed."""

    def __init__(self, graph: CompiledStateGraph[Any, Any, Any, Any]) -> None:
        self.graph = graph
        self.config: Any = {"configurable": {"thread_id": "t"}}
        self.streamed: list[tuple[BaseMessage, dict[str, Any]]] = []

    async def run(self, inp: Any, **kwargs: Any) -> Thread:
        pregel: Any = self.graph
        self.streamed = [item async for item in pregel.astream(inp, self.config, stream_mode="messages", **kwargs)]
        return self

    async def say(self, text: str, **kwargs: Any) -> Thread:
        return await self.run({"messages": [{"role": "user", "content": text}]}, **kwargs)

    async def state(self) -> Any:
        return await self.graph.aget_state(self.config)

    async def messages(self) -> list[BaseMessage]:
        return list((await self.state()).values["messages"])

    def chunks(self) -> list[AIMessageChunk]:
        return [m for m, _ in self.streamed if isinstance(m, AIMessageChunk)]

    def text(self) -> str:
        return "".join(c.content for c in self.chunks() if isinstance(c.content, str))


def approvals(mode: InterruptMode = "batched") -> Thread:
    return Thread(build_approvals_graph(mode, checkpointer=InMemorySaver()))


def tool_results(messages: list[BaseMessage]) -> dict[str, ToolMessage]:
    """The tool messages of the last turn, by tool name."""
    return {m.name or "": m for m in messages if isinstance(m, ToolMessage)}


def last_ai(messages: list[BaseMessage]) -> AIMessage:
    return next(m for m in reversed(messages) if isinstance(m, AIMessage))


# --- the tools and the script ------------------------------------------------------------------


def test_tools_are_offline_fakes_with_typed_arguments() -> None:
    assert "nothing was sent" in send_email.invoke({"to": "a@example.com", "subject": "s", "body": "b"})
    assert "nothing on disk was touched" in delete_file.invoke({"path": "/etc/passwd"})
    assert json.loads(lookup_contact.invoke({"name": "bob"}))["email"] == "bob@example.com"
    assert "error" in json.loads(lookup_contact.invoke({"name": "Mallory"}))
    schema = send_email.tool_call_schema.model_json_schema()  # what the per-call EditDecision shows
    assert schema["required"] == ["to", "subject", "body"]
    assert all(p["type"] == "string" and p["description"] for p in schema["properties"].values())
    for tool in (send_email, delete_file, lookup_contact):
        assert tool.description


@pytest.mark.parametrize(
    ("message", "calls"),
    [
        ("email bob", ["send_email"]),
        ("please delete /tmp/old.log", ["delete_file"]),
        ("email alice and delete the report", ["lookup_contact", "send_email", "delete_file"]),
        ("do both", ["lookup_contact", "send_email", "delete_file"]),
        ("look up carol", ["lookup_contact"]),
        ("hello", []),
    ],
)
def test_what_the_user_says_picks_the_calls(message: str, calls: list[str]) -> None:
    reply = approvals_first_reply(message)
    assert [c.name for c in reply.tool_calls] == calls
    if not calls:
        assert reply.text == texts.APPROVALS_HELP_TEXT
    by_name = {c.name: c.args for c in reply.tool_calls}
    if "delete" in message and "/tmp/old.log" in message:
        assert by_name["delete_file"] == {"path": "/tmp/old.log"}
    if message == "email bob":
        assert by_name["send_email"]["to"] == "bob@example.com"


# --- approvals (batched) -----------------------------------------------------------------------


async def test_batched_two_gated_calls_make_one_interrupt() -> None:
    thread = await approvals().say("email alice and delete the report")
    chunks = thread.chunks()
    assert sum(1 for c in chunks if isinstance(c.content, str) and c.content) > 10  # the text streamed
    heads = [tc for c in chunks for tc in c.tool_call_chunks if tc["id"]]
    assert [tc["name"] for tc in heads] == ["lookup_contact", "send_email", "delete_file"]
    assert sum(1 for c in chunks for tc in c.tool_call_chunks if not tc["id"]) > 10  # arguments in pieces

    state = await thread.state()
    assert state.next == (AFTER_MODEL,)
    (pending,) = state.interrupts
    assert [(r["name"], r["args"]) for r in pending.value["action_requests"]] == [
        ("send_email", last_ai(state.values["messages"]).tool_calls[1]["args"]),
        ("delete_file", {"path": "/tmp/report.txt"}),
    ]
    assert pending.value["action_requests"][1]["description"] == "Deleting is permanent"
    assert pending.value["action_requests"][0]["description"].startswith("Tool execution requires approval")
    assert pending.value["review_configs"] == [
        {"action_name": "send_email", "allowed_decisions": EVERY_DECISION},
        {"action_name": "delete_file", "allowed_decisions": ["approve", "reject"]},
    ]
    assert not tool_results(state.values["messages"])  # nothing ran, not even the ungated lookup


# Each decision the middleware knows, for each tool that allows it; what becomes of the call, and
# what the model's summary says about it.
DECISIONS: list[tuple[dict[str, Any], dict[str, Any], dict[str, tuple[str, str]], list[str]]] = [
    (
        {"type": "approve"},
        {"type": "approve"},
        {"send_email": ("success", "Email to alice@example.com queued"), "delete_file": ("success", "Deleted")},
        ["**send_email**: done. Email to alice@", "**delete_file**: done. Deleted /tmp/report.txt"],
    ),
    (
        {"type": "edit", "edited_action": {"name": "send_email", "args": EDITED_EMAIL}},
        {"type": "reject", "message": "keep the report"},
        {
            "send_email": ("success", "Email to carol@example.com queued with subject 'Edited'"),
            "delete_file": ("error", "User rejected the tool call for `delete_file` with reason: keep the report"),
        },
        [
            "**send_email**: done with your edits. Email to carol@example.com",
            "**delete_file**: I did **not** do it. You rejected it: “keep the report”",
        ],
    ),
    (
        {"type": "respond", "message": "I emailed her myself this morning."},
        {"type": "reject"},
        {"send_email": ("success", "I emailed her myself this morning."), "delete_file": ("error", "User rejected")},
        [
            "**send_email**: not run. You answered for it: “I emailed her myself this morning.”",
            "**delete_file**: I did **not** do it. You rejected it without a reason.",
        ],
    ),
    (
        {"type": "reject", "message": "not today"},
        {"type": "approve"},
        {"send_email": ("error", "with reason: not today"), "delete_file": ("success", "Deleted")},
        ["**send_email**: I did **not** do it. You rejected it: “not today”", "**delete_file**: done."],
    ),
]


@pytest.mark.parametrize(
    ("email", "delete", "results", "summary"),
    DECISIONS,
    ids=["approve+approve", "edit+reject", "respond+reject-without-reason", "reject+approve"],
)
async def test_batched_resume_with_every_kind_of_decision(
    email: dict[str, Any], delete: dict[str, Any], results: dict[str, tuple[str, str]], summary: list[str]
) -> None:
    thread = await approvals().say("email alice and delete the report")
    await thread.run(Command(resume={"decisions": [email, delete]}))
    messages = await thread.messages()
    got = tool_results(messages)
    assert set(got) == {"lookup_contact", "send_email", "delete_file"}
    assert got["lookup_contact"].status == "success"  # never gated: it ran with the others
    for name, (status, content) in results.items():
        assert got[name].status == status, name
        assert content in str(got[name].content), name
    if email["type"] == "edit":
        assert str(got["send_email"].content).startswith("Note: a human reviewer replaced this tool call")
        # The model's own call stays in its message; the edited one is what ran.
        assert last_ai(messages[:-1]).tool_calls[1]["args"]["to"] == "alice@example.com"
    if delete["type"] == "reject":
        assert got["delete_file"].additional_kwargs["lc_data"] == {"decision": "reject"}
    final = thread.text()
    assert final.startswith("Here's what happened:")
    assert final.splitlines()[2].startswith("- **lookup_contact**: done. Alice Martin is on the Design team")
    for line in summary:
        assert line in final, line
    assert len(thread.chunks()) > 10  # the summary streamed too
    assert (await thread.state()).next == ()


async def test_batched_single_calls_and_an_ungated_one() -> None:
    thread = await approvals().say("email bob")
    (pending,) = (await thread.state()).interrupts
    assert [r["name"] for r in pending.value["action_requests"]] == ["send_email"]
    await thread.run(Command(resume={"decisions": [{"type": "approve"}]}))
    assert "**send_email**: done. Email to bob@example.com" in thread.text()

    thread = await approvals().say("look up carol")  # never gated: no interrupt at all
    state = await thread.state()
    assert state.next == () and not state.interrupts
    assert "Carol Diaz is on the Support team" in thread.text()

    thread = await approvals().say("hi")
    assert thread.text() == texts.APPROVALS_HELP_TEXT and not (await thread.state()).interrupts


async def test_batched_wrong_answers_fail_in_the_graph() -> None:
    """What the server turns into a failed run (see the integration tests for what the thread keeps)."""
    thread = await approvals().say("both")
    with pytest.raises(ValueError, match=r"Number of human decisions \(1\) does not match .* tool calls \(2\)"):
        await thread.run(Command(resume={"decisions": [{"type": "approve"}]}))
    thread = await approvals().say("both")
    edit_delete = {"type": "edit", "edited_action": {"name": "delete_file", "args": {"path": "/x"}}}
    with pytest.raises(ValueError, match="Decision type 'edit' is not allowed for tool 'delete_file'"):
        await thread.run(Command(resume={"decisions": [{"type": "approve"}, edit_delete]}))


# --- approvals_per_call ------------------------------------------------------------------------


def decisions_of(schema: dict[str, Any]) -> list[str]:
    """The decision types a per-call `response_schema` allows, in its order."""
    return [schema["$defs"][ref["$ref"].rsplit("/", 1)[1]]["properties"]["type"]["const"] for ref in schema["oneOf"]]


async def test_per_call_one_interrupt_per_gated_call_with_its_schema() -> None:
    thread = await approvals("per_call").say("email alice and delete the report")
    state = await thread.state()
    assert state.next == ("tools", "tools")
    assert tool_results(state.values["messages"]).keys() == {"lookup_contact"}  # ungated: already ran
    email, delete = state.interrupts
    assert email.id != delete.id
    ai = last_ai(state.values["messages"])
    for pending, call in zip((email, delete), ai.tool_calls[1:], strict=True):
        assert pending.value == {
            "type": "tool_approval",
            "tool_call_id": call["id"],
            "name": call["name"],
            "args": call["args"],
            "description": pending.value["description"],
        }
    assert delete.value["description"] == "Deleting is permanent"
    assert decisions_of(email.response_schema) == EVERY_DECISION
    assert decisions_of(delete.response_schema) == ["approve", "reject"]
    edit = email.response_schema["$defs"]["EditedAction"]["properties"]
    assert edit["name"] == {"const": "send_email", "title": "Name", "type": "string"}
    assert email.response_schema["$defs"]["send_email"]["required"] == ["to", "subject", "body"]

    await thread.run(
        Command(
            resume={
                email.id: {"type": "edit", "edited_action": {"name": "send_email", "args": EDITED_EMAIL}},
                delete.id: {"type": "reject", "message": "keep it"},
            }
        )
    )
    got = tool_results(await thread.messages())
    assert "Email to carol@example.com queued" in str(got["send_email"].content)
    assert got["delete_file"].status == "error"
    assert "**delete_file**: I did **not** do it. You rejected it: “keep it”" in thread.text()
    assert "**send_email**: done with your edits." in thread.text()


async def test_per_call_answers_one_at_a_time_and_refuses_a_disallowed_one() -> None:
    thread = await approvals("per_call").say("both")
    email, delete = (await thread.state()).interrupts
    edit_delete = {"type": "edit", "edited_action": {"name": "delete_file", "args": {"path": "/x"}}}
    with pytest.raises(ValidationError, match="does not match any of the expected tags: 'approve', 'reject'"):
        await thread.run(Command(resume={delete.id: edit_delete}))
    await thread.run(Command(resume={email.id: {"type": "respond", "message": "already sent"}}))
    (still,) = (await thread.state()).interrupts  # the refused answer was not saved
    assert still.id == delete.id
    await thread.run(Command(resume={delete.id: {"type": "approve"}}))
    assert (await thread.state()).next == ()
    assert "You answered for it: “already sent”" in thread.text() and "**delete_file**: done." in thread.text()


# --- parallel --------------------------------------------------------------------------------


async def test_parallel_two_interrupts_answered_by_id_one_at_a_time() -> None:
    thread = Thread(build_parallel_graph(checkpointer=InMemorySaver()))
    await thread.say("let's plan the meeting")
    state = await thread.state()
    assert set(state.next) == {"ask_a", "ask_b"}
    a, b = state.interrupts
    assert a.id != b.id
    assert [a.value, b.value] == [{"question": q} for q in QUESTIONS.values()]
    assert a.response_schema is None

    await thread.run(Command(resume={a.id: "Tuesday"}))
    state = await thread.state()
    (left,) = state.interrupts
    assert (left.id, left.value, state.next) == (b.id, b.value, ("ask_b",))

    await thread.run(Command(resume={b.id: {"name": "Ana"}}))
    assert (await thread.state()).next == ()
    reply = thread.text()
    assert reply.startswith("Thanks, I have both answers:")
    assert "Which day should the team meet? **Tuesday**" in reply and '**{"name": "Ana"}**' in reply
    assert len(thread.chunks()) > 5  # streamed like a model's answer
    assert {meta["langgraph_node"] for _, meta in thread.streamed} == {"join"}


async def test_parallel_both_answers_at_once() -> None:
    thread = Thread(build_parallel_graph(checkpointer=InMemorySaver()))
    await thread.say("go")
    a, b = (await thread.state()).interrupts
    await thread.run(Command(resume={a.id: "Friday", b.id: "Bo"}))
    assert "**Friday**" in thread.text() and "**Bo**" in thread.text()


# --- per-run settings of a model built once ----------------------------------------------------


async def test_a_model_built_once_reads_each_runs_settings() -> None:
    graph = build_approvals_graph("batched", checkpointer=InMemorySaver())
    fast = await Thread(graph).say("hi", context=DemoContext(model_name="openai", delay_ms=0))
    assert fast.chunks()[0].response_metadata["model_name"] == "openai"
    count = len(fast.chunks())
    started = time.monotonic()
    slow = await Thread(graph).say("hi", context=DemoContext(delay_ms=4))
    assert time.monotonic() - started >= count * 0.004 * 0.75  # each chunk waited (±25 % jitter)
    assert slow.chunks()[0].response_metadata["model_name"] == "scripted-fast"
    # Outside a run it falls back to its own fields (and the environment).
    assert ScriptedChatModel(role="approvals", per_run=True).settings().model_name == "scripted-fast"


# --- the README --------------------------------------------------------------------------------


def test_the_readme_lists_every_graph_of_the_demo_server() -> None:
    demo = Path(__file__).resolve().parents[2] / "chat_tui" / "demo" / "langgraph.json"
    graphs = json.loads(demo.read_text(encoding="utf-8"))["graphs"]
    assert [g for g, _say, _what in texts.GRAPH_HELP] == list(graphs)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert texts.graph_table() in readme


# --- legacy (agent-inbox) -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "said"),
    [
        ({"type": "accept", "args": None}, "Posted: “chat-tui 1.0 is out!”"),
        (
            {"type": "edit", "args": {"action": "post_tweet", "args": {"text": "hi"}}},
            'Posted your edit: {"text": "hi"}',
        ),
        ({"type": "response", "args": "not today"}, "Not posted. You said: “not today”"),
        ({"type": "ignore", "args": None}, "Ignored: nothing was posted."),
    ],
)
async def test_legacy_asks_in_agent_inbox_format_and_reads_each_response(response: dict[str, Any], said: str) -> None:
    thread = Thread(build_legacy_graph(checkpointer=InMemorySaver()))
    await thread.say("anything")
    (asked,) = (await thread.state()).interrupts
    assert asked.value == [LEGACY_REQUEST]
    await thread.run(Command(resume={asked.id: [response]}))
    assert (await thread.state()).next == ()
    assert thread.text() == said


async def test_booking_asks_with_a_response_schema_and_confirms_what_fits() -> None:
    thread = Thread(build_booking_graph(checkpointer=InMemorySaver()))
    await thread.say("book a room")
    (asked,) = (await thread.state()).interrupts
    assert asked.value == {"question": "Which room, and for how long?"}
    assert asked.response_schema == BOOKING_SCHEMA
    await thread.run(Command(resume={asked.id: {"room": "Atlas", "hours": 3, "note": "tea"}}))
    assert thread.text() == "Booked **Atlas** for 3 h. Note for the desk: “tea”."
