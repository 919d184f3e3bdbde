"""Graph coverage: which nodes and edges of each assistant's graph no run of a suite exercised.

The graph is the server's ``GET /assistants/{id}/graph`` (top level, no ``xray``): ``{"nodes":
[{"id"}], "edges": [{"source", "target", "conditional"?}]}``, one request per assistant the suite
ran. What ran is read from the runs' turns (their ``updates`` events):

* a subgraph's nodes (``parent:child``) count as their top-level node ``parent``, and a run
  of them followed by the parent's own update is one visit;
* a run's turns make one sequence: ``__start__`` before the nodes of a turn that sent new input
  (a resume continues where the run stopped: the node that asked follows the one before it),
  ``__end__`` after the nodes of a turn that ended with ``success``;
* an edge is **taken** when its source and target are consecutive in that sequence. Nodes that
  run in parallel (one superstep) are reported one after the other, so an edge into or out of
  one of several parallel nodes may be reported as never taken although it was.

``nodes`` leaves out ``__start__`` and ``__end__``; edges keep them. A server without the graph
endpoint (or that refuses it) gives a record with ``error`` set; the suite's verdict never
depends on coverage.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from chat_tui.client.errors import ClientError
from chat_tui.sanitize import clean_line
from chat_tui.testing.result_file import CoverageRecord, EdgeRecord, RunRecord

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient

__all__ = [
    "END",
    "START",
    "GraphShape",
    "compute_coverage",
    "coverage_line",
    "fetch_coverage",
    "run_steps",
    "taken_edges",
    "top_level",
]

START, END = "__start__", "__end__"
NEW_INPUT = ("user", "input")  # turn kinds that start the graph again (the others resume it)
LISTED = 12  # names a coverage line lists before "… and N more"


@dataclass(frozen=True, slots=True)
class GraphShape:
    nodes: tuple[str, ...]  # every node id, __start__ and __end__ included
    edges: tuple[EdgeRecord, ...]

    @classmethod
    def from_json(cls, data: Any) -> GraphShape:
        """From the server's answer (raises ``ValueError`` for another shape)."""
        if not isinstance(data, dict) or not isinstance(data.get("nodes"), list):
            raise ValueError("no list of nodes")
        nodes = [n.get("id") for n in data["nodes"] if isinstance(n, dict)]
        if not all(isinstance(n, str) for n in nodes):
            raise ValueError("a node without an id")
        edges = []
        for edge in data.get("edges") or []:
            if not isinstance(edge, dict) or not isinstance(edge.get("source"), str):
                raise ValueError("an edge without a source")
            if not isinstance(edge.get("target"), str):
                raise ValueError("an edge without a target")
            conditional = bool(edge.get("conditional"))
            edges.append(EdgeRecord(source=edge["source"], target=edge["target"], conditional=conditional))
        return cls(tuple(str(n) for n in nodes), tuple(edges))


def top_level(nodes: Iterable[str]) -> list[str]:
    """Nodes as the top-level graph sees them: ``parent:child`` → ``parent``, one visit per subgraph run."""
    steps: list[str] = []
    inside: str | None = None  # the parent whose subgraph nodes are being read
    for node in nodes:
        parent = node.split(":", 1)[0]
        if parent != node:
            if inside != parent:
                steps.append(parent)
            inside = parent
        elif inside == node:
            inside = None  # the parent's own update, closing the visit its subgraph nodes opened
        else:
            steps.append(node)
            inside = None
    return steps


def run_steps(run: RunRecord) -> list[str]:
    """The run's top-level sequence, with ``__start__`` and ``__end__`` where the graph started and ended."""
    steps: list[str] = []
    for turn in run.turns:
        if turn.kind in NEW_INPUT and turn.run_id is not None:
            steps.append(START)
        steps.extend(top_level(turn.nodes))
        if turn.status == "success":
            steps.append(END)
    return steps


def taken_edges(runs: Iterable[RunRecord]) -> set[tuple[str, str]]:
    """Every (source, target) that ran one after the other within a run."""
    taken: set[tuple[str, str]] = set()
    for run in runs:
        steps = run_steps(run)
        taken.update(pairwise(steps))
    return taken


def compute_coverage(assistant: str, graph: GraphShape, runs: Sequence[RunRecord]) -> CoverageRecord:
    """What of *graph* the *runs* (of *assistant*) exercised."""
    ran = {step for run in runs for step in run_steps(run)}
    taken = taken_edges(runs)
    nodes = [n for n in graph.nodes if n not in (START, END)]
    return CoverageRecord(
        assistant=assistant,
        runs=len(runs),
        nodes=nodes,
        edges=list(graph.edges),
        never_ran=[n for n in nodes if n not in ran],
        never_taken=[e for e in graph.edges if e.pair not in taken],
    )


async def fetch_coverage(client: LangGraphClient, runs: Sequence[RunRecord]) -> list[CoverageRecord]:
    """Coverage per assistant the *runs* used, in order of first use: one graph request each."""
    by_assistant: dict[str, list[RunRecord]] = {}
    for run in runs:
        if run.assistant is not None:
            by_assistant.setdefault(run.assistant, []).append(run)
    records = []
    for assistant, used in by_assistant.items():
        try:
            graph = GraphShape.from_json(await client.assistants.graph(assistant))
        except ClientError as exc:
            records.append(CoverageRecord(assistant=assistant, runs=len(used), error=clean_line(str(exc), 200)))
            continue
        except ValueError as exc:
            problem = f"the server's graph has an unexpected shape: {clean_line(str(exc), 100)}"
            records.append(CoverageRecord(assistant=assistant, runs=len(used), error=problem))
            continue
        records.append(compute_coverage(assistant, graph, used))
    return records


def _listed(names: Sequence[str]) -> str:
    more = f", … and {len(names) - LISTED} more" if len(names) > LISTED else ""
    return ", ".join(names[:LISTED]) + more


def coverage_line(record: CoverageRecord) -> str:
    """``coverage coin: 2/3 nodes, 4/6 edges; never ran: escalate; edges never taken: agent → escalate``."""
    name = clean_line(record.assistant, 60)
    if record.error is not None:
        return f"coverage {name}: not available ({clean_line(record.error, 200)})"
    ran = len(record.nodes) - len(record.never_ran)
    taken = len(record.edges) - len(record.never_taken)
    line = f"coverage {name}: {ran}/{len(record.nodes)} nodes, {taken}/{len(record.edges)} edges"
    if record.never_ran:
        line += f"; never ran: {_listed([clean_line(n, 80) for n in record.never_ran])}"
    if record.never_taken:
        line += f"; edges never taken: {_listed([e.label() for e in record.never_taken])}"
    return line
