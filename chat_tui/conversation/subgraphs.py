"""Subgraphs: where a namespaced entry belongs, and the group that nests a subgraph's work.

With ``stream_subgraphs`` the Agent Server names an event after the subgraph it came from:
``messages|researcher:<task id>``, deeper ones ``…|researcher:<task id>|inner:<task id>``; a
message's metadata says the same in ``langgraph_checkpoint_ns``. Each segment is
``<node>:<task id>``; the node path a person reads (``researcher › research_llm``) is the
nodes alone. Everything a subgraph streams is nested under a :class:`SubgraphGroup`, one per
run of the parent node (its first namespace segment), which the pane folds to one line.

Pure and light (no pydantic): entries import it before the app's first frame.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from chat_tui.conversation.interrupts import InterruptEntry
from chat_tui.sanitize import clean_line

__all__ = [
    "PATH_SEPARATOR",
    "SubgraphGroup",
    "group_key",
    "namespace_from_checkpoint_ns",
    "node_path",
    "path_label",
]

PATH_SEPARATOR = " › "
NODE_CHARS = 80  # one node's name in a path
DEPTH = 8  # deeper namespaces are cut (a hostile one cannot grow a label without end)


def _node(segment: str) -> str:
    """``researcher:0d2a…`` → ``researcher`` (node names cannot hold ``:``; a task id can)."""
    return clean_line(segment.partition(":")[0], NODE_CHARS)


def node_path(namespace: Iterable[str]) -> tuple[str, ...]:
    """The nodes of a namespace, task ids stripped and cleaned: ``("researcher",)``."""
    path: list[str] = []
    for segment in namespace:
        node = _node(segment)
        if node:
            path.append(node)
            if len(path) == DEPTH:
                break
    return tuple(path)


def namespace_from_checkpoint_ns(checkpoint_ns: str | None) -> tuple[str, ...]:
    """A ``checkpoint_ns`` (``researcher:<id>|inner:<id>``) as a namespace tuple (``""``: the root)."""
    if not checkpoint_ns:
        return ()
    return tuple(part for part in checkpoint_ns.split("|") if part)


def group_key(namespace: Sequence[str]) -> str | None:
    """The group an entry of *namespace* nests in: the run of the top-level parent node (None: the root)."""
    return namespace[0] if namespace and namespace[0] else None


def path_label(namespace: Sequence[str], node: str | None = None) -> str:
    """``researcher › research_llm``: the subgraph's node path, then the inner node when known."""
    path = list(node_path(namespace))
    if node and (not path or path[-1] != node):
        path.append(clean_line(node, NODE_CHARS))
    return PATH_SEPARATOR.join(path)


@dataclass(eq=False, slots=True)
class SubgraphGroup:
    """A run of a subgraph: the header its entries nest under (the entries themselves stay in the
    conversation's flat list, in order; ``members`` points at them). ``folded``: the pane shows the
    header alone, with :meth:`summary`."""

    seq: int
    key: str  # the raw namespace segment of the parent's task: "researcher:<task id>"
    run_id: str | None = None
    folded: bool = False
    members: list[Any] = field(default_factory=list)

    @property
    def node(self) -> str:
        """The parent node that runs the subgraph."""
        return _node(self.key) or "subgraph"

    def counts(self) -> tuple[int, int, int]:
        """(messages, tool calls, interrupts) nested here."""
        messages = calls = interrupts = 0
        for member in self.members:
            if getattr(member, "role", None) == "ai":  # (a ChatMessage: entries.py imports this module)
                messages += 1
                calls += len(member.tool_calls)
            elif isinstance(member, InterruptEntry):
                interrupts += 1
        return messages, calls, interrupts

    @property
    def waiting(self) -> bool:
        """An interrupt nested here still waits for an answer."""
        return any(isinstance(m, InterruptEntry) and not m.resolved for m in self.members)

    def summary(self) -> str:
        """``2 messages · 1 tool call · 1 interrupt (waiting)``."""
        messages, calls, interrupts = self.counts()
        said = [_count(messages, "message"), _count(calls, "tool call")]
        if interrupts:
            said.append(_count(interrupts, "interrupt") + (" (waiting)" if self.waiting else ""))
        return " · ".join(said)


def _count(number: int, what: str) -> str:
    return f"{number} {what}{'' if number == 1 else 's'}"
