"""`structured`: a demo graph without a `messages` key, driven by JSON input (the composer's F7 mode,
`chat-tui test` `input:` turns): it counts the words of a text, then summarises the count.

State: ``{"text": str, "words": int, "longest": str, "summary": str}``; input ``{"text": "..."}``.
Two nodes (``count`` then ``summarise``), so its checkpoints and state view show values changing.
"""

from __future__ import annotations

from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.graph.state import CompiledStateGraph


class TextState(TypedDict, total=False):
    text: str
    words: int
    longest: str
    summary: str


def count(state: TextState) -> dict[str, Any]:
    words = state.get("text", "").split()
    return {"words": len(words), "longest": max(words, key=len) if words else ""}


def summarise(state: TextState) -> dict[str, Any]:
    longest = state.get("longest") or "none"
    return {"summary": f"{state.get('words', 0)} words; the longest is {longest!r}"}


def build_structured_graph() -> CompiledStateGraph[Any, Any, Any, Any]:
    g = StateGraph(TextState)
    g.add_node("count", count)
    g.add_node("summarise", summarise)
    g.add_edge(START, "count")
    g.add_edge("count", "summarise")
    g.add_edge("summarise", END)
    return g.compile(name="structured")


structured_graph = build_structured_graph()
