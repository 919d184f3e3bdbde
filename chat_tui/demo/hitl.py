"""The human-in-the-loop demo graphs: `approvals`, `approvals_per_call`, `parallel`, `legacy_inbox` and `booking`.

`approvals` and `approvals_per_call` are langchain's own `create_agent` with its
`HumanInTheLoopMiddleware`, not a hand-made imitation, so the app meets the payloads that real
agents send. Of their three tools, `send_email` allows every decision (approve, edit, reject,
respond), `delete_file` only approve or reject, and `lookup_contact` is never gated:

* `approvals` (batched, the middleware's default): one interrupt per model turn whose value
  lists every gated call (`action_requests` + `review_configs`), answered with
  `{"decisions": [one per action request, in order]}`.
* `approvals_per_call`: one interrupt per gated call (`{"type": "tool_approval", ...}` with a
  `response_schema`), each answered with one decision keyed by its interrupt id.

`booking` asks a plain question whose `response_schema` describes the answer (a client builds a
form from it). `legacy_inbox` asks in agent-inbox's older format (a list of `HumanInterrupt`: accept, edit,
respond, ignore), as graphs written for that UI still do.

`parallel` layout (two interrupts pending at once, answered by id, together or one by one)::

    START ─┬─> ask_a ─┬─> join ──> END
           └─> ask_b ─┘
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware, InterruptOnConfig
from langchain.agents.middleware.human_in_the_loop import InterruptMode
from langchain_core.messages import BaseMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.runtime import Runtime
from langgraph.types import Checkpointer, interrupt

from chat_tui.demo.context import DemoContext
from chat_tui.demo.graphs import run_settings
from chat_tui.demo.model import ScriptedChatModel
from chat_tui.demo.tools import APPROVAL_TOOLS

INTERRUPT_ON: dict[str, bool | InterruptOnConfig] = {
    "send_email": True,
    "delete_file": {"allowed_decisions": ["approve", "reject"], "description": "Deleting is permanent"},
    "lookup_contact": False,
}
"""Which tool calls wait for a decision, and which decisions each allows."""


def build_approvals_graph(
    interrupt_mode: InterruptMode = "batched",
    *,
    name: str = "approvals",
    checkpointer: Checkpointer = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """`create_agent` with the human-in-the-loop middleware (the server brings its own checkpointer)."""
    # One model instance serves every run, so it reads each run's settings (delay, model name)
    # when it is called instead of at build time.
    model = ScriptedChatModel(role="approvals", per_run=True)
    return create_agent(
        model,
        tools=APPROVAL_TOOLS,
        middleware=[HumanInTheLoopMiddleware(interrupt_on=INTERRUPT_ON, interrupt_mode=interrupt_mode)],
        context_schema=DemoContext,
        checkpointer=checkpointer,
        name=name,
    )


# --- parallel ------------------------------------------------------------------------------

QUESTIONS: dict[str, str] = {
    "ask_a": "Which day should the team meet?",
    "ask_b": "Who should take the notes?",
}
"""What each parallel node asks (its `interrupt()` value is `{"question": ...}`)."""


def _merge(left: dict[str, Any], right: dict[str, Any]) -> dict[str, Any]:
    return {**left, **right}


class ParallelState(MessagesState):
    # The answers by node name; a merging reducer, because both nodes write in one superstep.
    answers: Annotated[dict[str, Any], _merge]


def _ask(node: str) -> dict[str, dict[str, Any]]:
    return {"answers": {node: interrupt({"question": QUESTIONS[node]})}}


def ask_a(state: ParallelState) -> dict[str, dict[str, Any]]:
    """Asks the first question; runs alongside `ask_b`, so both wait at once."""
    return _ask("ask_a")


def ask_b(state: ParallelState) -> dict[str, dict[str, Any]]:
    """Asks the second question."""
    return _ask("ask_b")


def _answer_text(answer: Any) -> str:
    return answer if isinstance(answer, str) else json.dumps(answer, ensure_ascii=False)


async def join(state: ParallelState, runtime: Runtime[DemoContext]) -> dict[str, list[BaseMessage]]:
    """Reports both answers in one streamed AI message."""
    answers = state.get("answers", {})
    lines = "\n".join(f"- {QUESTIONS[node]} **{_answer_text(answers.get(node))}**" for node in QUESTIONS)
    model = ScriptedChatModel.for_run("join", run_settings(runtime)).model_copy(
        update={"fixed_text": f"Thanks, I have both answers:\n\n{lines}"}
    )
    return {"messages": [await model.ainvoke(state["messages"])]}


def build_parallel_graph(*, checkpointer: Checkpointer = None) -> CompiledStateGraph[Any, Any, Any, Any]:
    """Two nodes that interrupt in the same superstep, then a node that needs both answers."""
    g = StateGraph(ParallelState, context_schema=DemoContext)
    g.add_node("ask_a", ask_a)
    g.add_node("ask_b", ask_b)
    g.add_node("join", join)
    g.add_edge(START, "ask_a")
    g.add_edge(START, "ask_b")
    g.add_edge(["ask_a", "ask_b"], "join")
    g.add_edge("join", END)
    return g.compile(name="parallel", checkpointer=checkpointer)


# --- legacy (agent-inbox) -------------------------------------------------------------------

LEGACY_REQUEST: dict[str, Any] = {
    "action_request": {"action": "post_tweet", "args": {"text": "chat-tui 1.0 is out!"}},
    "config": {"allow_accept": True, "allow_edit": True, "allow_respond": True, "allow_ignore": True},
    "description": "Post this to the team account?",
}
"""The agent-inbox `HumanInterrupt` the `legacy_inbox` graph asks (a list of one)."""


def _legacy_outcome(response: Any) -> str:
    first = response[0] if isinstance(response, list) and response else response
    kind = first.get("type") if isinstance(first, dict) else None
    args = first.get("args") if isinstance(first, dict) else None
    if kind == "accept":
        return f"Posted: “{LEGACY_REQUEST['action_request']['args']['text']}”"
    if kind == "edit" and isinstance(args, dict):
        return f"Posted your edit: {_answer_text(args.get('args'))}"
    if kind == "response":
        return f"Not posted. You said: “{_answer_text(args)}”"
    if kind == "ignore":
        return "Ignored: nothing was posted."
    return f"I could not read that answer: {_answer_text(response)}"


async def review(state: MessagesState, runtime: Runtime[DemoContext]) -> dict[str, list[BaseMessage]]:
    """Asks in agent-inbox's format (accept / edit / respond / ignore), then says what it did."""
    response = interrupt([LEGACY_REQUEST])
    model = ScriptedChatModel.for_run("review", run_settings(runtime)).model_copy(
        update={"fixed_text": _legacy_outcome(response)}
    )
    return {"messages": [await model.ainvoke(state["messages"])]}


def _one_node_graph(name: str, node: Any, checkpointer: Checkpointer) -> CompiledStateGraph[Any, Any, Any, Any]:
    g = StateGraph(MessagesState, context_schema=DemoContext)
    g.add_node(node.__name__, node)
    g.add_edge(START, node.__name__)
    g.add_edge(node.__name__, END)
    return g.compile(name=name, checkpointer=checkpointer)


def build_legacy_graph(*, checkpointer: Checkpointer = None) -> CompiledStateGraph[Any, Any, Any, Any]:
    return _one_node_graph("legacy_inbox", review, checkpointer)


# --- booking (a value interrupt with a response schema) --------------------------------------

BOOKING_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "room": {"enum": ["Atlas", "Borealis", "Cosmos"], "description": "which meeting room"},
        "hours": {"type": "integer", "description": "how long", "default": 1},
        "projector": {"type": "boolean", "description": "a projector in the room", "default": False},
        "note": {"type": "string", "description": "for the front desk"},
    },
    "required": ["room", "hours"],
}
"""The answer the `booking` graph's `interrupt()` expects (its `response_schema`)."""


async def book(state: MessagesState, runtime: Runtime[DemoContext]) -> dict[str, list[BaseMessage]]:
    """Asks for the booking details with a schema a client can build a form from, then confirms."""
    answer = interrupt({"question": "Which room, and for how long?"}, response_schema=BOOKING_SCHEMA)
    details = answer if isinstance(answer, dict) else {}
    if details.get("room") in BOOKING_SCHEMA["properties"]["room"]["enum"] and isinstance(details.get("hours"), int):
        projector = " with a projector" if details.get("projector") else ""
        note = f" Note for the desk: “{details['note']}”." if details.get("note") else ""
        text = f"Booked **{details['room']}** for {details['hours']} h{projector}.{note}"
    else:
        text = f"I could not book that: {_answer_text(answer)}"
    model = ScriptedChatModel.for_run("book", run_settings(runtime)).model_copy(update={"fixed_text": text})
    return {"messages": [await model.ainvoke(state["messages"])]}


def build_booking_graph(*, checkpointer: Checkpointer = None) -> CompiledStateGraph[Any, Any, Any, Any]:
    return _one_node_graph("booking", book, checkpointer)


approvals_graph = build_approvals_graph("batched")
approvals_per_call_graph = build_approvals_graph("per_call", name="approvals_per_call")
parallel_graph = build_parallel_graph()
legacy_inbox_graph = build_legacy_graph()
booking_graph = build_booking_graph()
