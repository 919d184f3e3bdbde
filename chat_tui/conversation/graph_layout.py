"""An assistant's graph drawn in text, top to bottom, within a given width.

::

       (start)
          ┆
          ▽
     ╭────┴────╮        nodes are boxes; a subgraph (xray) is a box holding its own drawing
     │ planner │        ┆ ┄ ▽  a conditional edge (│ ─ ▼ a plain one)
     ╰────┬────╯        ↺ a → b  an edge closing a cycle, written beside its source
          │             ⋯ a → b  an edge with no room to be drawn, listed at the bottom
          ▼

Where the boxes go is :mod:`.graph_layers`' plan; this module draws the boxes and routes the edges
between two layers through a *channel* of rows: a drop below each source, one track row per source
whose targets are not straight below it (tracks that do not overlap share a row), and an arrow row.
Every cell a line passes belongs to one group of edges (those sharing a source or a target); two
groups may only cross at right angles (drawn as the vertical line passing over), so a junction
(``┬ ┴ ┼``) always joins edges of one group. An edge that would touch another group's line any other
way is listed instead of drawn. Each edge of the graph is drawn, written as a back edge, or listed:
:class:`Drawing` says which (the property tests hold it to that).

The drawing is plain text plus where each box is: the front end styles the boxes it lights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chat_tui.conversation.graph_layers import Plan, Slot, plan_layers
from chat_tui.conversation.graph_model import SEPARATOR, GraphEdge, GraphModel, GraphNode
from chat_tui.conversation.graph_route import Routed, route

__all__ = ["MIN_WIDTH", "Box", "Drawing", "draw_graph"]

MIN_WIDTH = 16
SUBGRAPH = " (subgraph)"


@dataclass(frozen=True, slots=True)
class Box:
    """Where a node is drawn: its top-left corner, size, and whether it holds a subgraph."""

    row: int
    col: int
    width: int
    height: int
    compound: bool = False


@dataclass(slots=True)
class Drawing:
    lines: list[str]
    boxes: dict[str, Box] = field(default_factory=dict)  # node id (or subgraph id) -> its box
    drawn: list[GraphEdge] = field(default_factory=list)
    back: list[GraphEdge] = field(default_factory=list)
    listed: list[GraphEdge] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(line) for line in self.lines), default=0)

    def reading_order(self) -> list[str]:
        """Box ids top to bottom, left to right (the cursor's order)."""
        return sorted(self.boxes, key=lambda n: (self.boxes[n].row, self.boxes[n].col))


@dataclass(slots=True)
class _Block:
    """A node's drawing before it is placed: its lines and the boxes inside it (relative)."""

    lines: list[str]
    boxes: dict[str, Box]
    drawing: Drawing | None = None  # a subgraph's own drawing (its edges are accounted there)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + "…"


def _leaf(node: GraphNode, width: int) -> _Block:
    if node.terminal:
        label = f"({_cut(node.label, width - 2)})"
        return _Block([label], {node.id: Box(0, 0, len(label), 1)})
    label = _cut(node.label, width - 4)
    inner = max(len(label) + 2, 7)  # (room on the top border for a mark and a time: "●──12.3s")
    lines = ["╭" + "─" * inner + "╮", "│" + f" {label}".ljust(inner) + "│", "╰" + "─" * inner + "╯"]
    return _Block(lines, {node.id: Box(0, 0, inner + 2, 3)})


def _compound(group: str, model: GraphModel, width: int) -> _Block:
    inner = draw_graph(model, width - 4, scope=group)
    name = group.rsplit(SEPARATOR, 1)[-1]
    title = _cut(name, width - 4) + (SUBGRAPH if len(name) + len(SUBGRAPH) <= width - 4 else "")
    body = max(inner.width, len(title), 7)
    lines = ["╭" + "─" * (body + 2) + "╮", "│ " + title.ljust(body) + " │"]
    lines += ["│ " + line.ljust(body) + " │" for line in inner.lines]
    lines.append("╰" + "─" * (body + 2) + "╯")
    boxes = {n: Box(b.row + 2, b.col + 2, b.width, b.height, b.compound) for n, b in inner.boxes.items()}
    boxes[group] = Box(0, 0, body + 4, len(lines), compound=True)
    return _Block(lines, boxes, inner)


def _scope_members(model: GraphModel, scope: str | None) -> tuple[list[str], dict[str, str]]:
    """The slots of *scope*'s level (its own nodes and its subgraphs, in the model's order) and, for
    each node below *scope*, the slot that stands for it there."""
    prefix = "" if scope is None else scope + SEPARATOR
    members: list[str] = []
    stands_for: dict[str, str] = {}
    for node in model.nodes:
        if not node.id.startswith(prefix) or node.id == scope:
            continue
        head = node.id[len(prefix) :].split(SEPARATOR, 1)[0]
        slot = prefix + head
        stands_for[node.id] = slot
        if slot not in members:
            members.append(slot)
    return members, stands_for


def draw_graph(model: GraphModel, width: int, *, scope: str | None = None) -> Drawing:
    """Draw *model* within *width* columns (at least :data:`MIN_WIDTH`). *scope* draws only the
    inside of that subgraph (used for the box of a subgraph)."""
    width = max(width, MIN_WIDTH)
    members, stands_for = _scope_members(model, scope)
    orphans: list[GraphEdge] = []
    blocks: dict[str, _Block] = {}
    for member in members:
        node = model.node(member)
        compound = any(stands_for[n] == member and n != member for n in stands_for)
        blocks[member] = _compound(member, model, width) if compound or node is None else _leaf(node, width)
    # Edges between two slots of this level; an edge inside one subgraph is that subgraph's.
    between: dict[tuple[str, str], list[GraphEdge]] = {}
    for edge in model.edges:
        if edge.source not in stands_for or edge.target not in stands_for:
            continue  # (outside this scope: drawn a level up)
        pair = (stands_for[edge.source], stands_for[edge.target])
        if pair[0] == pair[1] and (edge.source != pair[0] or edge.target != pair[1]):
            if pair[0] in (edge.source, edge.target):
                orphans.append(edge)  # (between a subgraph's own node and its inside: never drawn)
            continue  # (inside a subgraph's box: drawn there)
        between.setdefault(pair, []).append(edge)
    widths = {m: max(len(line) for line in blocks[m].lines) for m in members}
    plan = plan_layers(members, widths, list(between), width)
    drawing = _Painter(plan, blocks, between, width, scope).paint()
    drawing.listed += orphans
    drawing.lines += [_cut(f"⋯ {e.describe(scope)}", width) for e in orphans]
    _trim(drawing)
    for block in blocks.values():
        if block.drawing is not None:
            drawing.drawn += block.drawing.drawn
            drawing.back += block.drawing.back
            drawing.listed += block.drawing.listed
    return drawing


def _trim(drawing: Drawing) -> None:
    """Remove the blank columns on the left of everything drawn (the boxes move with it)."""
    margin = min((len(line) - len(line.lstrip(" ")) for line in drawing.lines if line.strip()), default=0)
    if margin:
        drawing.lines = [line[margin:] for line in drawing.lines]
        drawing.boxes = {n: Box(b.row, b.col - margin, b.width, b.height, b.compound) for n, b in drawing.boxes.items()}


class _Painter:
    def __init__(
        self,
        plan: Plan,
        blocks: dict[str, _Block],
        between: dict[tuple[str, str], list[GraphEdge]],
        width: int,
        scope: str | None,
    ) -> None:
        self.plan, self.blocks, self.between, self.width, self.scope = plan, blocks, between, width, scope
        self.rows: list[list[str]] = []
        self.drawing = Drawing([])
        self._unplaced_back: list[str] = []

    def _put(self, row: int, col: int, text: str) -> None:
        while len(self.rows) <= row:
            self.rows.append([" "] * self.width)
        for i, ch in enumerate(text):
            if 0 <= col + i < self.width:
                self.rows[row][col + i] = ch

    def paint(self) -> Drawing:
        plan = self.plan
        routed = route(plan, self.between)
        out_ports = {plan.edges[i][0] for i in routed.drawn}
        row = 0
        for k, layer in enumerate(plan.layers):
            height = max((len(self.blocks[s.node].lines) for s in layer if s.node is not None), default=1)
            for slot in layer:
                self._band_slot(slot, row, height, out_ports, routed)
            self._back_edges(k, row, height, layer)
            row += height
            if k < len(plan.layers) - 1:
                channel = routed.channels[k]
                for (r, c), glyph in channel.render().items():
                    self._put(row + r, c, glyph)
                row += channel.height
        listed = [e for pair in plan.listed for e in self.between[pair]]
        listed += [e for i in routed.listed for e in self.between[plan.edges[i]]]
        footer = [f"⋯ {e.describe(self.scope)}" for e in listed] + self._unplaced_back
        lines = ["".join(r).rstrip() for r in self.rows] + [_cut(f, self.width) for f in footer]
        self.drawing.lines = lines
        self.drawing.drawn = [e for i in routed.drawn for e in self.between[plan.edges[i]]]
        self.drawing.back = [e for pair in plan.back for e in self.between[pair]]
        self.drawing.listed = listed
        return self.drawing

    def _band_slot(self, slot: Slot, row: int, height: int, out_ports: set[str], routed: Routed) -> None:
        if slot.node is None:  # a dummy: the edge passes through this layer
            if slot.edge in routed.drawn:
                glyph = "┆" if all(e.conditional for e in self.between[self.plan.edges[slot.edge]]) else "│"
                for r in range(height):
                    self._put(row + r, slot.x, glyph)
            return
        block = self.blocks[slot.node]
        for r, line in enumerate(block.lines):
            self._put(row + r, slot.x, line)
        for node, box in block.boxes.items():
            self.drawing.boxes[node] = Box(box.row + row, box.col + slot.x, box.width, box.height, box.compound)
        if slot.node in out_ports:
            bottom = len(block.lines) - 1
            if len(block.lines) > 1:  # (a box: the line leaves through its bottom border)
                self._put(row + bottom, slot.port, "┬")
            for r in range(bottom + 1, height):
                self._put(row + r, slot.port, "│")

    def _back_edges(self, k: int, row: int, height: int, layer: list[Slot]) -> None:
        """``↺ source → target`` beside the source's layer where there is room, else at the bottom."""
        right = max((s.x + s.width for s in layer), default=0) + 2
        free = list(range(height))
        for pair in self.plan.back:
            if self.plan.layer_of[pair[0]] != k:
                continue
            for edge in self.between[pair]:
                text = f"↺ {edge.describe(self.scope)}"
                if free and self.scope is None and right + len(text) <= self.width:  # (a subgraph's box stays narrow)
                    self._put(row + free.pop(0), right, text)
                else:
                    self._unplaced_back.append(_cut(text, self.width))
