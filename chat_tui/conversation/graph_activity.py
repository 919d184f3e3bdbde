"""Which nodes of the graph a run is running, and which it ran (with the time each took).

Fed the run's stream events, one at a time (pure, no I/O; the clock is given). Two sources:

* **``tasks`` mode** (asked for only while the graph view is open, or when the options say so):
  a start event when a node starts, carrying its whole input, and an end event with its result,
  error or interrupts, matched by task id. Exact, parallel nodes included.
* **Otherwise** ``updates`` (a node finished, with what it returned) and the ``langgraph_node`` of
  ``messages`` metadata (a node started streaming tokens: only model nodes). A node seen only by its
  update started, as far as this can tell, when the previous step ended: its time is marked
  approximate.

Nodes are named as the graph's xray ids: a node inside a subgraph is ``<parent>:<inner>`` (from the
event's namespace, ``researcher:<task id>``, or the chunk's ``langgraph_checkpoint_ns``), the
parent being running as long as its subgraph is.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chat_tui.client.events import MessageChunk, MessageComplete, RunFailed, StreamEnd, StreamEvent, Task, Updates

__all__ = ["GraphActivity", "NodeRun", "NodeState"]

SKIPPED_KEYS = ("__interrupt__", "__metadata__")


class NodeState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    ERROR = "error"
    INTERRUPTED = "interrupted"  # it asked a human (interrupt()), or the run stopped while it ran


@dataclass(slots=True)
class NodeRun:
    """One node's latest run in the current (or last) run of the thread."""

    node: str
    started: float
    ended: float | None = None
    state: NodeState = NodeState.RUNNING
    visits: int = 1
    approximate: bool = False  # the start was not seen (no tasks mode)
    input: Any = None  # tasks mode only
    output: Any = None
    error: str | None = None
    task_id: str | None = None

    @property
    def seconds(self) -> float | None:
        return None if self.ended is None else max(0.0, self.ended - self.started)


def _node_path(namespace: tuple[str, ...], name: str) -> str:
    """``("researcher:<task>",)``, ``research_llm`` → ``researcher:research_llm``."""
    return ":".join([*(segment.split(":", 1)[0] for segment in namespace if segment), name])


class GraphActivity:
    """The nodes of the current run: running, and done (or failed, or interrupted) with their time."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self.nodes: dict[str, NodeRun] = {}
        self.precise = False  # tasks events came: starts and ends are exact
        self.version = 0  # bumped on every change (the view redraws only then)
        self._step_end: float | None = None  # when the last node ended (an unseen start's best guess)
        self._last_meta: object = None  # the chunk metadata seen last (shared by a model call's chunks)

    @property
    def running(self) -> list[str]:
        return [n for n, run in self.nodes.items() if run.state is NodeState.RUNNING]

    def begin(self) -> None:
        """A run starts: what the previous one did is forgotten."""
        self.nodes.clear()
        self.precise = False
        self._step_end = self.clock()
        self._last_meta = None
        self.version += 1

    def apply(self, event: StreamEvent) -> None:
        """Take one stream event in (cheap for the many that say nothing about nodes)."""
        if type(event) is MessageChunk or type(event) is MessageComplete:
            meta = event.meta
            if meta is self._last_meta or self.precise:
                return
            self._last_meta = meta
            if meta.langgraph_node:
                ns = meta.langgraph_checkpoint_ns or ""
                parents = tuple(ns.split("|")[:-1]) if ns else event.namespace
                for depth, segment in enumerate(parents):  # (a subgraph's node runs inside its parent)
                    self._start(_node_path(parents[:depth], segment.split(":", 1)[0]), None, None, approximate=True)
                self._start(_node_path(parents, meta.langgraph_node), None, None, approximate=True)
        elif type(event) is Task:
            self._task(event)
        elif type(event) is Updates:
            if not self.precise:
                for name, output in event.data.items():
                    if name not in SKIPPED_KEYS:
                        self._end(_node_path(event.namespace, name), NodeState.DONE, output=output)
        elif type(event) is RunFailed:
            for node in self.running:
                self._end(node, NodeState.ERROR, error=event.message or event.error)
        elif type(event) is StreamEnd:
            for node in self.running:
                self._end(node, NodeState.INTERRUPTED)

    def _task(self, event: Task) -> None:
        self.precise = True
        node = _node_path(event.namespace, event.name)
        data = event.data
        if event.start:
            self._start(node, event.task_id, data.get("input"), approximate=False)
            return
        run = self.nodes.get(node)
        if run is not None and run.task_id not in (None, event.task_id):
            return  # (the end of an earlier visit: its start was replaced)
        error = data.get("error")
        if error:
            message = error.get("message") if isinstance(error, dict) else error
            self._end(node, NodeState.ERROR, output=data.get("result"), error=str(message or error))
        elif data.get("interrupts"):
            self._end(node, NodeState.INTERRUPTED, output=data.get("interrupts"))
        else:
            self._end(node, NodeState.DONE, output=data.get("result"))

    def _start(self, node: str, task_id: str | None, given: Any, *, approximate: bool) -> None:
        run = self.nodes.get(node)
        if run is not None and run.state is NodeState.RUNNING and (task_id is None or run.task_id == task_id):
            return
        visits = run.visits + 1 if run is not None else 1
        self.nodes[node] = NodeRun(
            node, self.clock(), visits=visits, approximate=approximate, input=given, task_id=task_id
        )
        self.version += 1

    def _end(self, node: str, state: NodeState, *, output: Any = None, error: str | None = None) -> None:
        now = self.clock()
        run = self.nodes.get(node)
        if run is None or run.state is not NodeState.RUNNING:  # ended without a seen start
            visits = run.visits + 1 if run is not None else 1
            started = self._step_end if self._step_end is not None else now
            run = self.nodes[node] = NodeRun(node, started, visits=visits, approximate=True)
        run.ended, run.state, run.error = now, state, error
        if output is not None:
            run.output = output
        self._step_end = now
        self.version += 1
