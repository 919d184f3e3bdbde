"""`coin`: a deliberately flaky demo graph, for `chat-tui test`'s path grouping and graph coverage.

Each run flips a coin (unseeded: the only demo graph that is not deterministic). The model node
always calls the `search` tool once; after its result it flips: heads, it answers ("Found it in
one search."); tails, it searches a second time and then answers ("Found it after two
searches."). So a scenario expecting ``final_text: {contains: "one search"}`` passes about half
of its runs, and the two paths differ in their node and tool sequence.

A message that says ``escalate`` takes a third branch the coin never takes: the model answers
without searching and the ``escalate`` node hands over to a person (graph coverage shows it as
never run by a suite that does not ask for it).

Layout::

    START ──> agent ─┬─> tools ──> agent        (search: once, or twice on tails)
                     ├─> escalate ──> END       (the message says "escalate")
                     └─> END
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime

from chat_tui.demo.coin_script import ESCALATE_RE, ESCALATED
from chat_tui.demo.context import DemoContext
from chat_tui.demo.graphs import run_settings
from chat_tui.demo.model import ScriptedChatModel
from chat_tui.demo.replies import last_human_text
from chat_tui.demo.tools import search

__all__ = ["build_coin_graph", "coin_graph"]


async def agent(state: MessagesState, runtime: Runtime[DemoContext]) -> dict[str, list[BaseMessage]]:
    """The model node: its reply comes from :func:`coin_reply` (role `coin`, in :mod:`.coin_script`)."""
    model = ScriptedChatModel.for_run("coin", run_settings(runtime)).bind_tools([search])
    return {"messages": [await model.ainvoke(list(state["messages"]))]}


async def escalate(state: MessagesState, runtime: Runtime[DemoContext]) -> dict[str, list[BaseMessage]]:
    """The branch only a message saying `escalate` reaches."""
    model = ScriptedChatModel.for_run("escalate", run_settings(runtime)).model_copy(update={"fixed_text": ESCALATED})
    return {"messages": [await model.ainvoke(list(state["messages"]))]}


def route(state: MessagesState) -> Literal["tools", "escalate", "__end__"]:
    last = state["messages"][-1]
    if isinstance(last, AIMessage) and last.tool_calls:
        return "tools"
    if ESCALATE_RE.search(last_human_text(state["messages"])):
        return "escalate"
    return "__end__"


def build_coin_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    g = StateGraph(MessagesState, context_schema=DemoContext)
    g.add_node("agent", agent)
    g.add_node("tools", ToolNode([search], handle_tool_errors=True))
    g.add_node("escalate", escalate)
    g.add_edge(START, "agent")
    g.add_conditional_edges("agent", route)
    g.add_edge("tools", "agent")
    g.add_edge("escalate", END)
    return g.compile(name="coin")


coin_graph = build_coin_graph()
