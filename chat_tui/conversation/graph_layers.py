"""Where each node of a graph drawing goes: layers top to bottom, order and columns within a layer.

A Sugiyama-style plan, kept small:

1. **Cycles** are broken by a depth-first search from the first node (``__start__``): an edge to a
   node still on the search's stack is a *back edge* (self-loops too). Back edges are not drawn
   as lines; the drawing lists them (``↺ tools → agent``).
2. **Layers** by longest path over the remaining DAG, so every drawn edge points down. A layer
   wider than the width pushes its last nodes one layer down (they wrap onto a new row), and
   everything below them follows.
3. An edge spanning several layers gets a one-column **dummy** in each layer it passes. When the
   dummies make a layer too wide, the longest edges through it are *listed* instead of drawn.
4. **Order** within a layer by barycentre sweeps (fewer crossings), then **columns**: each slot
   as near as it can get to the mean column of its neighbours above (then below, then above),
   never overlapping, never past the width.

Pure: node widths in, a :class:`Plan` out. :mod:`.graph_layout` draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

__all__ = ["GAP", "Plan", "Slot", "find_back_edges", "plan_layers"]

GAP = 2  # columns between two slots of a layer (lines never touch a box)
SWEEPS = 4  # barycentre passes (down, up, ...)

Pair = tuple[str, str]


@dataclass(slots=True)
class Slot:
    """A node's box, or one layer of a long edge's path (``edge`` set: a dummy, one column)."""

    node: str | None
    width: int
    edge: int | None = None  # index into Plan.edges for a dummy
    x: int = 0

    @property
    def port(self) -> int:
        """The column edges leave from and arrive at (the middle)."""
        return self.x + (self.width - 1) // 2


@dataclass(slots=True)
class Plan:
    layers: list[list[Slot]]
    edges: list[Pair]  # the forward edges considered for drawing, by index
    back: list[Pair] = field(default_factory=list)
    listed: list[Pair] = field(default_factory=list)  # forward edges with no room to be drawn
    layer_of: dict[str, int] = field(default_factory=dict)

    def slot(self, node: str) -> Slot:
        return next(s for s in self.layers[self.layer_of[node]] if s.node == node)

    def layer_of_slot(self, slot: Slot) -> int:
        if slot.node is not None:
            return self.layer_of[slot.node]
        return next(k for k, layer in enumerate(self.layers) if any(s is slot for s in layer))


def find_back_edges(nodes: Sequence[str], edges: Sequence[Pair]) -> set[Pair]:
    """The edges a depth-first search from *nodes* (in order) finds closing a cycle."""
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for source, target in edges:
        succ.setdefault(source, []).append(target)
        succ.setdefault(target, [])
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    back: set[Pair] = set()
    for root in succ:
        if root in state:
            continue
        state[root] = 1
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:  # (iterative: a long chain must not hit the recursion limit)
            node, i = stack[-1]
            if i == len(succ[node]):
                state[node] = 2
                stack.pop()
                continue
            stack[-1] = (node, i + 1)
            target = succ[node][i]
            seen = state.get(target)
            if seen == 1:
                back.add((node, target))
            elif seen is None:
                state[target] = 1
                stack.append((target, 0))
    return back


def _longest_path(nodes: Sequence[str], edges: Sequence[Pair], floor: dict[str, int]) -> dict[str, int]:
    preds: dict[str, list[str]] = {n: [] for n in nodes}
    indegree = dict.fromkeys(nodes, 0)
    for source, target in edges:
        preds[target].append(source)
        indegree[target] += 1
    succ: dict[str, list[str]] = {n: [] for n in nodes}
    for source, target in edges:
        succ[source].append(target)
    ready = [n for n in nodes if indegree[n] == 0]
    layer: dict[str, int] = {}
    while ready:
        node = ready.pop(0)
        layer[node] = max([floor.get(node, 0), *(layer[p] + 1 for p in preds[node])])
        for target in succ[node]:
            indegree[target] -= 1
            if indegree[target] == 0:
                ready.append(target)
    return layer


def _fits(widths: Sequence[int], width: int) -> bool:
    return sum(widths) + GAP * (len(widths) - 1) <= width


def _assign_layers(nodes: Sequence[str], edges: Sequence[Pair], widths: dict[str, int], width: int) -> dict[str, int]:
    floor: dict[str, int] = {}
    layer = _longest_path(nodes, edges, floor)
    k = 0
    while k <= max(layer.values(), default=0):
        members = [n for n in nodes if layer[n] == k]
        kept = 0
        while kept < len(members) and _fits([widths[n] for n in members[: kept + 1]], width):
            kept += 1
        kept = max(kept, 1)  # one box always stays (it is cut to the width when drawn)
        if kept < len(members):
            for node in members[kept:]:
                floor[node] = k + 1
            layer = _longest_path(nodes, edges, floor)
        k += 1
    return layer


def _order(layers: list[list[Slot]], up: dict[int, list[int]], down: dict[int, list[int]]) -> None:
    """Barycentre sweeps; *up*/*down* give each slot's neighbours (by id()) above and below."""
    for sweep in range(SWEEPS):
        downward = sweep % 2 == 0
        indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for k in indices:
            ref = layers[k - 1] if downward else layers[k + 1]
            where = {id(s): i for i, s in enumerate(ref)}
            keys: list[float] = []
            for i, slot in enumerate(layers[k]):
                near = [where[n] for n in (up if downward else down).get(id(slot), []) if n in where]
                keys.append(sum(near) / len(near) if near else float(i))
            order = sorted(range(len(layers[k])), key=lambda i: (keys[i], i))
            layers[k] = [layers[k][i] for i in order]


def _place(layers: list[list[Slot]], up: dict[int, list[int]], down: dict[int, list[int]], width: int) -> None:
    by_id = {id(s): s for layer in layers for s in layer}
    for layer in layers:  # packed from the left (the room on the right is for back edges)
        x = 0
        for slot in layer:
            slot.x = x
            x += slot.width + GAP
    for downward in (True, False, True):
        indices = range(1, len(layers)) if downward else range(len(layers) - 2, -1, -1)
        for k in indices:
            layer = layers[k]
            wanted = []
            for slot in layer:
                near = [by_id[n].port for n in (up if downward else down).get(id(slot), [])]
                centre = sum(near) / len(near) if near else slot.port
                wanted.append(round(centre) - (slot.width - 1) // 2)
            right = -GAP
            for slot, x in zip(layer, wanted, strict=True):  # left to right: no overlap
                slot.x = max(x, right + GAP, 0)
                right = slot.x + slot.width
            limit = width
            for slot in reversed(layer):  # right to left: within the width
                slot.x = min(slot.x, limit - slot.width)
                limit = slot.x - GAP


def plan_layers(nodes: Sequence[str], widths: dict[str, int], edges: Sequence[Pair], width: int) -> Plan:
    """Lay out *nodes* (boxes of *widths*) and *edges* within *width* columns."""
    edges = list(dict.fromkeys(e for e in edges if e[0] in widths and e[1] in widths))
    back = find_back_edges(nodes, edges)
    forward = [e for e in edges if e not in back]
    layer_of = _assign_layers(nodes, forward, widths, width)
    depth = max(layer_of.values(), default=-1) + 1
    layers: list[list[Slot]] = [[] for _ in range(depth)]
    slots: dict[str, Slot] = {}
    for node in nodes:
        slots[node] = Slot(node, widths[node])
        layers[layer_of[node]].append(slots[node])
    plan = Plan(layers, forward, [e for e in edges if e in back], [], layer_of)
    # Dummies, longest edges last: the ones listed when a layer has no room left.
    chains: dict[int, list[Slot]] = {}
    for index in sorted(range(len(forward)), key=lambda i: layer_of[forward[i][1]] - layer_of[forward[i][0]]):
        source, target = forward[index]
        span = range(layer_of[source] + 1, layer_of[target])
        if not all(_fits([s.width for s in layers[k]] + [1], width) for k in span):
            plan.listed.append(forward[index])
            continue
        chain = [Slot(None, 1, index) for _ in span]
        for k, dummy in zip(span, chain, strict=True):
            layers[k].append(dummy)
        chains[index] = chain
    up: dict[int, list[int]] = {}
    down: dict[int, list[int]] = {}
    for index, (source, target) in enumerate(forward):
        if forward[index] in plan.listed:
            continue
        path = [slots[source], *chains.get(index, []), slots[target]]
        for above, below in pairwise(path):
            down.setdefault(id(above), []).append(id(below))
            up.setdefault(id(below), []).append(id(above))
    _order(layers, up, down)
    _place(layers, up, down, width)
    return plan


def chain_slots(plan: Plan, index: int) -> list[Slot]:
    """The slots edge *index* passes through, source and target included (in layer order)."""
    source, target = plan.edges[index]
    dummies = [s for layer in plan.layers for s in layer if s.edge == index]
    return [plan.slot(source), *dummies, plan.slot(target)]
