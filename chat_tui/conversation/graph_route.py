"""Routing the edges between two layers of a graph drawing (see :mod:`.graph_layout`).

A *channel* is the rows between two layers: a drop row below the sources, one track row per source
whose targets are not straight below it, and an arrow row. Lines are bits per cell (up, down, left,
right) owned by a *group* (segments sharing a source or a target); two groups may share a cell only
where one passes straight across the other, drawn as the vertical line passing over. A segment that
would touch another group's line any other way fails, and its whole edge is listed instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from chat_tui.conversation.graph_layers import Plan, Slot, chain_slots
from chat_tui.conversation.graph_model import GraphEdge

__all__ = ["Channel", "Routed", "route"]

UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8
VERTICAL, HORIZONTAL = UP | DOWN, LEFT | RIGHT
GLYPHS = {
    VERTICAL: "│", HORIZONTAL: "─", UP | LEFT: "╯", UP | RIGHT: "╰", DOWN | LEFT: "╮", DOWN | RIGHT: "╭",
    VERTICAL | LEFT: "┤", VERTICAL | RIGHT: "├", HORIZONTAL | UP: "┴", HORIZONTAL | DOWN: "┬",
    VERTICAL | HORIZONTAL: "┼", UP: "╵", DOWN: "╷", LEFT: "╴", RIGHT: "╶",
}  # fmt: skip
DOTTED = {"│": "┆", "─": "┄"}


@dataclass(slots=True)
class Channel:
    """The rows between two layers: drop row, track rows, arrow row."""

    height: int
    cells: dict[tuple[int, int], dict[int, list[int]]] = field(default_factory=dict)  # cell -> group -> [bits, plain]
    arrows: dict[tuple[int, int], bool] = field(default_factory=dict)  # cell -> conditional

    def fits(self, group: int, cells: dict[tuple[int, int], int]) -> bool:
        for cell, bits in cells.items():
            owners = self.cells.get(cell, {})
            own = bits | owners.get(group, [0])[0]
            other = 0
            for g, (b, _) in owners.items():
                if g != group:
                    other |= b
            if other and {own, other} != {VERTICAL, HORIZONTAL}:
                return False
            if cell in self.arrows and other:
                return False
        return True

    def add(self, group: int, cells: dict[tuple[int, int], int], plain: bool) -> None:
        for cell, bits in cells.items():
            entry = self.cells.setdefault(cell, {}).setdefault(group, [0, 0])
            entry[0] |= bits
            entry[1] |= plain

    def render(self) -> dict[tuple[int, int], str]:
        out: dict[tuple[int, int], str] = {}
        for cell, owners in self.cells.items():
            if cell in self.arrows:
                out[cell] = "▽" if self.arrows[cell] else "▼"
                continue
            if len(owners) > 1:  # a crossing: the vertical line passes over
                bits, plain = next(v for v in owners.values() if v[0] == VERTICAL)
            else:
                bits, plain = next(iter(owners.values()))
            glyph = GLYPHS[bits]
            out[cell] = glyph if plain else DOTTED.get(glyph, glyph)
        return out


@dataclass(slots=True)
class Routed:
    channels: list[Channel]
    drawn: set[int]
    listed: list[int]


def route(plan: Plan, between: dict[tuple[str, str], list[GraphEdge]]) -> Routed:
    """Route every edge not listed yet; an edge that cannot be routed cleanly is listed (then all
    channels are routed again without it, so nothing of it is left drawn)."""
    candidates = [i for i, pair in enumerate(plan.edges) if pair not in plan.listed]
    listed: list[int] = []
    while True:
        segments: list[list[tuple[int, Slot, Slot]]] = [[] for _ in range(max(len(plan.layers) - 1, 0))]
        for index in candidates:
            chain = chain_slots(plan, index)
            for upper, lower in pairwise(chain):
                segments[plan.layer_of_slot(upper)].append((index, upper, lower))
        channels, failed = [], set()
        for segs in segments:
            channel, bad = _route_channel(segs, plan, between)
            channels.append(channel)
            failed |= bad
        if not failed:
            return Routed(channels, set(candidates), listed)
        listed += sorted(failed)
        candidates = [i for i in candidates if i not in failed]


def _tracks(spans: dict[int, tuple[int, int]], drops: dict[int, int], targets: dict[int, set[int]]) -> dict[int, int]:
    """A track row (from 1) per source: tracks on one row never overlap, and a source whose drop is in
    the column another source's line goes down must turn above it (its drop ends first)."""
    above: dict[int, set[int]] = {key: set() for key in spans}
    for key in spans:
        above[key] = {other for other, x in drops.items() if other != key and other in spans and x in targets[key]}
    level: dict[int, int] = {}

    def depth(key: int, seen: frozenset[int]) -> int:
        if key not in level:
            level[key] = 1 + max((depth(o, seen | {key}) for o in above[key] if o not in seen), default=0)
        return level[key]

    rows: list[list[tuple[int, int]]] = []
    track_of: dict[int, int] = {}
    for key in sorted(spans, key=lambda k: (depth(k, frozenset()), spans[k])):
        left, right = spans[key]
        row = max((track_of[o] for o in above[key] if o in track_of), default=0)  # (below those it must follow)
        while row < len(rows) and any(left <= end + 1 and start <= right + 1 for start, end in rows[row]):
            row += 1
        if row == len(rows):
            rows.append([])
        rows[row].append((left, right))
        track_of[key] = row + 1
    return track_of


def _route_channel(
    segs: list[tuple[int, Slot, Slot]], plan: Plan, between: dict[tuple[str, str], list[GraphEdge]]
) -> tuple[Channel, set[int]]:
    # Groups: segments sharing a source port or a target port (a fan-out or a fan-in).
    parent = list(range(len(segs)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, (_, up_i, low_i) in enumerate(segs):
        for j in range(i):
            _, up_j, low_j = segs[j]
            if up_i is up_j or low_i is low_j:
                parent[find(i)] = find(j)
    # One track per source port that has a target off its column; non-overlapping tracks share a row.
    sources: dict[int, list[int]] = {}
    for i, (_, upper, _) in enumerate(segs):
        sources.setdefault(id(upper), []).append(i)
    spans: dict[int, tuple[int, int]] = {}  # source key -> (left, right)
    drops: dict[int, int] = {}  # source key -> its column
    targets: dict[int, set[int]] = {}  # source key -> the columns its lines go down at
    for key, members in sources.items():
        x0 = segs[members[0]][1].port
        drops[key] = x0
        cols = [x0] + [segs[i][2].port for i in members]
        targets[key] = {c for c in cols[1:] if c != x0}
        if min(cols) != max(cols):
            spans[key] = (min(cols), max(cols))
    track_of = _tracks(spans, drops, targets)
    height = max(track_of.values(), default=0) + 2
    channel = Channel(height)
    failed: set[int] = set()
    order = sorted(range(len(segs)), key=lambda i: id(segs[i][1]) not in track_of)  # (straight lines first)
    for i in reversed(order):
        index, upper, lower = segs[i]
        edges = between[plan.edges[index]]
        x0, x1 = upper.port, lower.port
        cells: dict[tuple[int, int], int] = {}
        if x0 == x1:
            for r in range(height):
                cells[(r, x0)] = VERTICAL
        else:
            track = track_of[id(upper)]
            for r in range(track):
                cells[(r, x0)] = VERTICAL
            step = 1 if x1 > x0 else -1
            cells[(track, x0)] = UP | (RIGHT if step > 0 else LEFT)
            for c in range(x0 + step, x1, step):
                cells[(track, c)] = HORIZONTAL
            cells[(track, x1)] = DOWN | (LEFT if step > 0 else RIGHT)
            for r in range(track + 1, height):
                cells[(r, x1)] = VERTICAL
        cells[(height - 1, x1)] = UP | (DOWN if lower.node is None else 0)
        group = find(i)
        if index in failed or not channel.fits(group, cells):
            failed.add(index)
            continue
        channel.add(group, cells, not all(e.conditional for e in edges))
        if lower.node is not None:
            conditional = all(e.conditional for e in edges)
            channel.arrows[(height - 1, x1)] = channel.arrows.get((height - 1, x1), True) and conditional
    return channel, failed
