"""The graph drawing: every node once, every edge drawn (a line that really leads there), written as
a back edge or listed, and nothing past the width. Property tests over random DAGs, cyclic graphs
and xray subgraphs, and the shapes of the demo's graphs."""

from __future__ import annotations

from collections import Counter
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chat_tui.conversation.graph_layout import Drawing, draw_graph
from chat_tui.conversation.graph_model import GraphEdge, GraphModel
from chat_tui.conversation.graph_route import DOWN, GLYPHS, LEFT, RIGHT, UP

BITS = {glyph: bits for bits, glyph in GLYPHS.items()} | {"┆": UP | DOWN, "┄": LEFT | RIGHT}
MOVES = {UP: (-1, 0), DOWN: (1, 0), LEFT: (0, -1), RIGHT: (0, 1)}
OPPOSITE = {UP: DOWN, DOWN: UP, LEFT: RIGHT, RIGHT: LEFT}

# The demo's `agent` graph with xray (as the server answered; the tool with escape codes included).
AGENT = {
    "nodes": [
        {"id": "__start__"},
        {"id": "agent"},
        {"id": "tools", "metadata": {"__tools": ["get_weather", "[b]pwn[/b]\x1b[31m_x\x1b]0;T\x07"]}},
        {"id": "approval"},
        {"id": "planner"},
        {"id": "writer"},
        {"id": "__end__"},
        {"id": "researcher:__start__"},
        {"id": "researcher:research_llm"},
        {"id": "researcher:research_tools", "metadata": {"__tools": ["search_notes"]}},
        {"id": "researcher:__end__"},
    ],
    "edges": [
        {"source": "__start__", "target": "agent", "conditional": True},
        {"source": "__start__", "target": "planner", "conditional": True},
        {"source": "__start__", "target": "researcher:__start__", "conditional": True},
        {"source": "agent", "target": "__end__", "conditional": True},
        {"source": "agent", "target": "approval", "conditional": True},
        {"source": "agent", "target": "tools", "conditional": True},
        {"source": "approval", "target": "agent", "conditional": True},
        {"source": "approval", "target": "tools", "conditional": True},
        {"source": "planner", "target": "writer"},
        {"source": "tools", "target": "agent"},
        {"source": "researcher:__end__", "target": "__end__"},
        {"source": "writer", "target": "__end__"},
        {"source": "researcher:__start__", "target": "researcher:research_llm"},
        {"source": "researcher:research_llm", "target": "researcher:__end__", "conditional": True},
        {"source": "researcher:research_llm", "target": "researcher:research_tools", "conditional": True},
        {"source": "researcher:research_tools", "target": "researcher:research_llm"},
    ],
}


def _slot_ids(edge: GraphEdge) -> tuple[str, str]:
    """The boxes an edge runs between: at the level where its two ends part."""
    source, target = edge.source.split(":"), edge.target.split(":")
    common = 0
    while common < min(len(source), len(target)) - 1 and source[common] == target[common]:
        common += 1
    return ":".join(source[: common + 1]), ":".join(target[: common + 1])


def _reached(drawing: Drawing, box_id: str) -> set[str]:
    """The boxes the lines leaving *box_id*'s bottom lead to (followed cell by cell through turns,
    joins and crossings), by the arrows they end at."""
    lines, box = drawing.lines, drawing.boxes[box_id]
    grid = {(r, c): ch for r, line in enumerate(lines) for c, ch in enumerate(line)}
    bottom = box.row + box.height - 1
    ports = [c for c in range(box.col, box.col + box.width) if grid.get((bottom, c)) == "┬"]
    if box.height == 1:  # a terminal: the line starts right below it
        ports = [c for c in range(box.col, box.col + box.width) if grid.get((bottom + 1, c), " ") in BITS]
    todo = [(bottom + 1, c, DOWN) for c in ports]
    seen: set[tuple[int, int, int]] = set()
    found: set[str] = set()
    while todo:
        r, c, moving = todo.pop()
        if (r, c, moving) in seen:
            continue
        seen.add((r, c, moving))
        ch = grid.get((r, c), " ")
        if ch in "▼▽":
            found |= {n for n, b in drawing.boxes.items() if b.row == r + 1 and b.col <= c < b.col + b.width}
            continue
        bits = BITS.get(ch)
        if bits is None:
            continue
        if not bits & OPPOSITE[moving]:
            if ch in "│┆" and moving in (LEFT, RIGHT):  # a crossing: the line passes under
                bits = LEFT | RIGHT
            else:
                continue
        for way in (UP, DOWN, LEFT, RIGHT):
            if bits & way and way != OPPOSITE[moving]:
                dr, dc = MOVES[way]
                todo.append((r + dr, c + dc, way))
    return found


def _check(model: GraphModel, drawing: Drawing, width: int | None) -> None:
    # Every node once: a box each (a subgraph's box besides), none overlapping another unless inside it.
    assert set(model.ids) <= set(drawing.boxes)
    boxes = list(drawing.boxes.items())
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[:i]:
            if a.startswith(b + ":") or b.startswith(a + ":"):
                continue
            apart = (
                box_a.row + box_a.height <= box_b.row
                or box_b.row + box_b.height <= box_a.row
                or box_a.col + box_a.width <= box_b.col
                or box_b.col + box_b.width <= box_a.col
            )
            assert apart, (a, b)
    # Every edge accounted for exactly once.
    accounted = Counter(e.pair for e in drawing.drawn + drawing.back + drawing.listed)
    assert accounted == Counter(e.pair for e in model.edges)
    # A drawn edge is a line that leads to its target's box.
    for edge in drawing.drawn:
        source, target = _slot_ids(edge)
        assert target in _reached(drawing, source), (edge, "\n".join(drawing.lines))
    if width is not None:
        assert drawing.width <= width, "\n".join(drawing.lines)


def test_the_demo_agent_graph_at_80_and_200_columns() -> None:
    model = GraphModel.from_json(AGENT)
    for width in (80, 200):
        drawing = draw_graph(model, width)
        _check(model, drawing, width)
        assert drawing.back and {e.pair for e in drawing.back} >= {("tools", "agent")}
        text = "\n".join(drawing.lines)
        assert "research_llm" in text and "researcher (subgraph)" in text
        assert "▽" in text and "▼" in text  # conditional and plain edges look different
        assert "↺ tools → agent" in text
    assert model.node("tools") is not None
    tools = model.node("tools").tools  # type: ignore[union-attr]
    assert tools[0] == "get_weather" and not any(ch in tools[1] for ch in "\x1b\x07")


def test_a_narrow_width_still_draws_every_node_and_lists_what_has_no_room() -> None:
    model = GraphModel.from_json(AGENT)
    drawing = draw_graph(model, 40)
    _check(model, drawing, None)  # (the subgraph's box may need more than 40)


NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


@st.composite
def graphs(draw: Any, *, cyclic: bool, groups: bool) -> GraphModel:
    names = draw(st.lists(NAMES, min_size=1, max_size=9, unique=True))
    ids = ["__start__", *names, "__end__"]
    if groups:
        ids = [f"g{draw(st.integers(0, 2))}:{n}" if draw(st.booleans()) and n in names else n for n in ids]
    n = len(ids)
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.booleans()), max_size=3 * n))
    edges = [
        {"source": ids[a], "target": ids[b], "conditional": cond}
        for a, b, cond in pairs
        if cyclic or a < b  # (index order is a topological order: a DAG)
    ]
    return GraphModel.from_json({"nodes": [{"id": i} for i in ids], "edges": edges})


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(graphs(cyclic=False, groups=False), st.integers(40, 200))
def test_random_dags(model: GraphModel, width: int) -> None:
    drawing = draw_graph(model, width)
    _check(model, drawing, width)
    assert not drawing.back  # a DAG has no edge closing a cycle


@SETTINGS
@given(graphs(cyclic=True, groups=False), st.integers(40, 200))
def test_random_cyclic_graphs(model: GraphModel, width: int) -> None:
    _check(model, draw_graph(model, width), width)


@SETTINGS
@given(graphs(cyclic=True, groups=True), st.integers(60, 200))
def test_random_graphs_with_subgraphs(model: GraphModel, width: int) -> None:
    _check(model, draw_graph(model, width), None)
