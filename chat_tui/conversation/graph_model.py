"""An assistant's graph as the server describes it (``GET /assistants/{id}/graph?xray=true``).

The answer is ``{"nodes": [{"id", "data": {"name"}, "metadata"?}], "edges": [{"source", "target",
"conditional"?, "data"?}]}``. With ``xray`` a subgraph node is replaced by its inner nodes, whose
ids are ``"<parent>:<inner>"`` (a subgraph's own ``__start__`` and ``__end__`` included): ``:`` is
reserved in LangGraph node names, so it always means nesting. A node's tools are listed in its
metadata (``{"__tools": [...]}``, the ToolNode of ``create_agent`` and the like).

Ids are kept as the server sent them (the stream names nodes the same way); every string meant
for the screen (labels, tools) is cleaned here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chat_tui.sanitize import clean_line

__all__ = ["END", "SEPARATOR", "START", "GraphEdge", "GraphModel", "GraphNode", "is_terminal"]

START, END = "__start__", "__end__"
SEPARATOR = ":"  # parent:inner (xray)
LABEL_LIMIT = 80  # a label longer than this is cut (the drawing cuts it again to fit its width)
TOOLS_LIMIT = 200  # tools listed per node


def is_terminal(node_id: str) -> bool:
    """``__start__`` / ``__end__``, of the graph or of a subgraph (``researcher:__end__``)."""
    return node_id.rsplit(SEPARATOR, 1)[-1] in (START, END)


@dataclass(frozen=True, slots=True)
class GraphNode:
    id: str
    tools: tuple[str, ...] = ()

    @property
    def parent(self) -> str | None:
        """The subgraph node this one is inside (``a:b:c`` → ``a:b``), None at the top."""
        return self.id.rsplit(SEPARATOR, 1)[0] if SEPARATOR in self.id else None

    @property
    def name(self) -> str:
        """The node's own name (``researcher:research_llm`` → ``research_llm``)."""
        return self.id.rsplit(SEPARATOR, 1)[-1]

    @property
    def terminal(self) -> bool:
        return is_terminal(self.id)

    @property
    def label(self) -> str:
        """What its box says: the name, cleaned; ``start`` and ``end`` for the terminals."""
        if self.terminal:
            return self.name.strip("_")
        return clean_line(self.name, LABEL_LIMIT) or "?"


@dataclass(frozen=True, slots=True)
class GraphEdge:
    source: str
    target: str
    conditional: bool = False

    @property
    def pair(self) -> tuple[str, str]:
        return self.source, self.target

    def describe(self, scope: str | None = None) -> str:
        """``a → b`` (``a ┄▸ b`` when conditional), cleaned; ids inside *scope* without its prefix."""
        arrow = "┄▸" if self.conditional else "→"
        prefix = "" if scope is None else scope + SEPARATOR
        source, target = (end.removeprefix(prefix) if prefix else end for end in (self.source, self.target))
        return f"{clean_line(source, LABEL_LIMIT)} {arrow} {clean_line(target, LABEL_LIMIT)}"


@dataclass(frozen=True, slots=True)
class GraphModel:
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]

    @classmethod
    def from_json(cls, data: Any) -> GraphModel:
        """From the server's answer; raises ``ValueError`` for another shape. A node an edge names
        but the list lacks is added (so every edge has both ends); repeated nodes and edges count once."""
        if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
            raise ValueError("the graph has no list of nodes")
        nodes: dict[str, GraphNode] = {}
        for raw in data["nodes"]:
            if not isinstance(raw, dict) or not isinstance(raw.get("id"), str) or not raw["id"]:
                raise ValueError("a node without an id")
            if raw["id"] not in nodes:
                nodes[raw["id"]] = GraphNode(raw["id"], _tools(raw.get("metadata")))
        edges: dict[tuple[str, str], GraphEdge] = {}
        raw_edges = data.get("edges") or []
        if not isinstance(raw_edges, list):
            raise ValueError("the edges are not a list")
        for raw in raw_edges:
            if not isinstance(raw, dict) or not isinstance(raw.get("source"), str):
                raise ValueError("an edge without a source")
            if not isinstance(raw.get("target"), str):
                raise ValueError("an edge without a target")
            source, target = raw["source"], raw["target"]
            for end in (source, target):
                nodes.setdefault(end, GraphNode(end))
            edges.setdefault((source, target), GraphEdge(source, target, bool(raw.get("conditional"))))
        return cls(tuple(nodes.values()), tuple(edges.values()))

    def node(self, node_id: str) -> GraphNode | None:
        return next((n for n in self.nodes if n.id == node_id), None)

    @property
    def ids(self) -> list[str]:
        return [n.id for n in self.nodes]


def _tools(metadata: Any) -> tuple[str, ...]:
    tools = metadata.get("__tools") if isinstance(metadata, dict) else None
    if not isinstance(tools, list):
        return ()
    return tuple(clean_line(str(t), LABEL_LIMIT) for t in tools[:TOOLS_LIMIT])
