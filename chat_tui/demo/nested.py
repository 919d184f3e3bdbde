"""`nested_approval`: an `interrupt()` raised inside a subgraph (for subgraph streaming and its
once-only interrupt, the state view's pending subgraph, and ``chat-tui stream --subgraphs``).

The `researcher` subgraph is the `agent` graph's (its model searches, then reports), with one more
node: `review` asks ``{"question": "Publish these findings?"}`` and waits. Streamed with
``stream_subgraphs``, that interrupt arrives twice, with one id: as ``updates|researcher:<task id>``
and as the root ``updates``. While it waits, ``GET /threads/{id}/state?subgraphs=true`` holds the
subgraph's own state in ``tasks[0].state`` (its `next` is `review`). A yes publishes (the `report`
node says so), anything else does not.

Layout::

    START ──> researcher ──> report ──> END
              (research_llm ─┬─> research_tools ──> research_llm
                             └─> review ──> END)    (review: interrupt())
"""

from __future__ import annotations

from typing import Any, Literal

from langchain_core.messages import AIMessage, BaseMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.graph.state import CompiledStateGraph
from langgraph.prebuilt import ToolNode
from langgraph.runtime import Runtime
from langgraph.types import interrupt

from chat_tui.demo.context import DemoContext
from chat_tui.demo.graphs import is_approved, research_llm, run_settings
from chat_tui.demo.model import ScriptedChatModel
from chat_tui.demo.tools import RESEARCH_TOOLS

__all__ = ["PUBLISHED", "QUESTION", "WITHHELD", "build_nested_graph", "nested_graph"]

QUESTION = "Publish these findings?"
PUBLISHED = "Published: the findings are in the team notes."
WITHHELD = "Not published: the findings stay a draft."


class NestedState(MessagesState):
    approved: bool


def review(state: NestedState) -> dict[str, bool]:
    """Inside the subgraph: wait for a person before the findings leave it."""
    return {"approved": is_approved(interrupt({"question": QUESTION}))}


def _after_research(state: NestedState) -> Literal["research_tools", "review"]:
    last = state["messages"][-1]
    return "research_tools" if isinstance(last, AIMessage) and last.tool_calls else "review"


async def report(state: NestedState, runtime: Runtime[DemoContext]) -> dict[str, list[BaseMessage]]:
    """In the parent graph, after the subgraph: says what became of the findings."""
    text = PUBLISHED if state.get("approved") else WITHHELD
    model = ScriptedChatModel.for_run("report", run_settings(runtime)).model_copy(update={"fixed_text": text})
    return {"messages": [await model.ainvoke(list(state["messages"]))]}


def build_nested_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    sub = StateGraph(NestedState, context_schema=DemoContext)
    sub.add_node("research_llm", research_llm)
    sub.add_node("research_tools", ToolNode(RESEARCH_TOOLS, handle_tool_errors=True))
    sub.add_node("review", review)
    sub.add_edge(START, "research_llm")
    sub.add_conditional_edges("research_llm", _after_research)
    sub.add_edge("research_tools", "research_llm")
    sub.add_edge("review", END)
    g = StateGraph(NestedState, context_schema=DemoContext)
    g.add_node("researcher", sub.compile(name="researcher"))
    g.add_node("report", report)
    g.add_edge(START, "researcher")
    g.add_edge("researcher", "report")
    g.add_edge("report", END)
    return g.compile(name="nested_approval")


nested_graph = build_nested_graph()
