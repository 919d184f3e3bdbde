"""The demo graphs served by `langgraph dev`: `agent` (all scenarios) and `echo` (the
human-in-the-loop graphs `approvals`, `approvals_per_call` and `parallel` are in `hitl.py`).

`agent` layout::

    START ─┬─> agent ─┬─> tools ──> agent          (weather, compare, fail, hostile)
           │          ├─> approval ─┬─> tools      (approve/delete: interrupt() first)
           │          │             └─> agent      (rejected: a ToolMessage says so)
           │          └─> END
           ├─> planner ──> writer ──> END           (plan: two model nodes in sequence)
           └─> researcher ──> END                   (research: a compiled subgraph)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langgraph.config import get_config
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime
from langgraph.types import Command, interrupt

from chat_tui.demo.context import DemoContext, RunSettings, resolve_settings
from chat_tui.demo.model import ScriptedChatModel
from chat_tui.demo.replies import last_human_text
from chat_tui.demo.scripts import Behaviour, choose_behaviour
from chat_tui.demo.tools import AGENT_TOOLS, RESEARCH_TOOLS, SENSITIVE_TOOLS

_YES = frozenset({"yes", "y", "true", "approve", "approved", "allow", "ok", "okay", "sure"})


def run_settings(runtime: Runtime[DemoContext]) -> RunSettings:
    """This run's settings, whether the client sent them as `context` or as `configurable`."""
    return resolve_settings(runtime.context, get_config().get("configurable"))


async def _call_model(
    role: str,
    messages: Sequence[BaseMessage],
    runtime: Runtime[DemoContext],
    tools: list[Any] | None = None,
) -> dict[str, list[BaseMessage]]:
    model = ScriptedChatModel.for_run(role, run_settings(runtime))
    runnable = model.bind_tools(tools) if tools else model
    reply = await runnable.ainvoke(list(messages))
    return {"messages": [reply]}


async def agent(state: MessagesState, runtime: Runtime[DemoContext]) -> dict[str, list[BaseMessage]]:
    """The main model node: answers, or asks for tools, depending on the conversation."""
    return await _call_model("agent", state["messages"], runtime, AGENT_TOOLS)


async def planner(state: MessagesState, runtime: Runtime[DemoContext]) -> dict[str, list[BaseMessage]]:
    """First of two model nodes in sequence: streams a numbered plan."""
    return await _call_model("planner", state["messages"], runtime)


async def writer(state: MessagesState, runtime: Runtime[DemoContext]) -> dict[str, list[BaseMessage]]:
    """Second model node: streams the final answer after the plan."""
    return await _call_model("writer", state["messages"], runtime)


async def research_llm(state: MessagesState, runtime: Runtime[DemoContext]) -> dict[str, list[BaseMessage]]:
    """The model node inside the `researcher` subgraph."""
    return await _call_model("researcher", state["messages"], runtime, RESEARCH_TOOLS)


async def echo(state: MessagesState, runtime: Runtime[DemoContext]) -> dict[str, list[BaseMessage]]:
    """The `echo` graph's only node: repeats the user's text and the run's settings."""
    return await _call_model("echo", state["messages"], runtime)


def is_approved(answer: Any) -> bool:
    """Interpret a resume value: True/"yes"/{"approved": true} approve; anything else rejects."""
    if isinstance(answer, dict):
        for key in ("approved", "approve", "answer", "decision", "response", "value"):
            if key in answer:
                return is_approved(answer[key])
        return False
    if isinstance(answer, str):
        return answer.strip().lower() in _YES
    if isinstance(answer, list):
        return bool(answer) and all(is_approved(a) for a in answer)
    return bool(answer)


def _last_ai(messages: Sequence[BaseMessage]) -> AIMessage:
    for message in reversed(messages):
        if isinstance(message, AIMessage):
            return message
    raise ValueError("no AI message to approve")


def approval(state: MessagesState) -> Command[Literal["tools", "agent"]]:
    """Pause before a sensitive tool runs; resume with yes/no (human in the loop)."""
    ai = _last_ai(state["messages"])
    call = next(c for c in ai.tool_calls if c["name"] in SENSITIVE_TOOLS)
    target = call["args"].get("path", "")
    answer = interrupt(
        {
            "question": f"Allow {call['name']} on {target}?",
            "tool": call["name"],
            "args": call["args"],
            "tool_call_id": call["id"],
        }
    )
    if is_approved(answer):
        return Command(goto="tools")
    rejected = [
        ToolMessage(
            content=f"Rejected by the user: {c['name']} was not run.",
            tool_call_id=c["id"] or "",
            name=c["name"],
            status="error",
        )
        for c in ai.tool_calls
    ]
    return Command(goto="agent", update={"messages": rejected})


def route_start(state: MessagesState) -> Literal["agent", "planner", "researcher"]:
    """Pick the entry node from the last user message's keyword."""
    behaviour = choose_behaviour(last_human_text(state["messages"]))
    if behaviour == Behaviour.PLAN:
        return "planner"
    if behaviour == Behaviour.RESEARCH:
        return "researcher"
    return "agent"


def route_after_agent(state: MessagesState) -> Literal["tools", "approval", "__end__"]:
    """Run requested tools (after approval for sensitive ones), else finish."""
    last = state["messages"][-1]
    if not isinstance(last, AIMessage) or not last.tool_calls:
        return "__end__"
    if any(c["name"] in SENSITIVE_TOOLS for c in last.tool_calls):
        return "approval"
    return "tools"


def _route_research(state: MessagesState) -> Literal["research_tools", "__end__"]:
    last = state["messages"][-1]
    return "research_tools" if isinstance(last, AIMessage) and last.tool_calls else "__end__"


def build_research_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    """The `researcher` subgraph: its own model node and tool node."""
    g = StateGraph(MessagesState, context_schema=DemoContext)
    g.add_node("research_llm", research_llm)
    g.add_node("research_tools", ToolNode(RESEARCH_TOOLS, handle_tool_errors=True))
    g.add_edge(START, "research_llm")
    g.add_conditional_edges("research_llm", _route_research)
    g.add_edge("research_tools", "research_llm")
    return g.compile(name="researcher")


def build_agent_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    """The main demo graph (assistant id `agent`)."""
    g = StateGraph(MessagesState, context_schema=DemoContext)
    g.add_node("agent", agent)
    g.add_node("tools", ToolNode(AGENT_TOOLS, handle_tool_errors=True))
    g.add_node("approval", approval)
    g.add_node("planner", planner)
    g.add_node("writer", writer)
    g.add_node("researcher", build_research_graph())
    g.add_conditional_edges(START, route_start)
    g.add_conditional_edges("agent", route_after_agent)
    g.add_edge("tools", "agent")
    g.add_edge("planner", "writer")
    g.add_edge("writer", END)
    g.add_edge("researcher", END)
    return g.compile(name="agent")


def build_echo_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    """A one-node graph (assistant id `echo`) for testing assistant switching."""
    g = StateGraph(MessagesState, context_schema=DemoContext)
    g.add_node("echo", echo)
    g.add_edge(START, "echo")
    g.add_edge("echo", END)
    return g.compile(name="echo")


agent_graph = build_agent_graph()
echo_graph = build_echo_graph()
