"""Why did it flake? A scenario's runs grouped by the path they took, each group with its verdicts.

A run's **path signature** is the sequence of what ran across all its turns, in order: each node
(from the turn's ``updates`` events; a subgraph's nodes as ``parent:child``) followed by the names
of the tool calls that node's model asked for, so a tool name sits between the model node that
asked for it and the tool node that ran it::

    agent → search → tools → agent                      (one search, then an answer)
    agent → search → tools → agent → search → tools → agent

Turns are joined with nothing between them (every run of a scenario sends the same turns). A
tool call is named once, where it was asked for: an approval that lets it run in a later turn
does not name it again. A file written before turns carried ``node_calls`` gives paths of nodes
only (which AI message a turn's tool call came from cannot tell whether it was asked for in that
turn or an earlier one).

Groups are largest first, then the one with more failures, then by signature, and labelled
A, B, C… in that order. A flaky scenario (some counted runs passed, some did not) whose failing
runs all took one path and passing runs another shows the cause at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chat_tui.sanitize import clean_line
from chat_tui.testing.result_file import PathGroup, RunRecord, TurnRecord

__all__ = ["ARROW", "group_label", "group_paths", "path_lines", "run_path", "signature_text", "turn_path"]

ARROW = " → "
SHOWN_GROUPS = 8  # a console or Markdown report names at most this many paths per scenario
SIGNATURE_WIDTH = 300


def turn_path(turn: TurnRecord) -> list[str]:
    """The turn's nodes, each followed by the tool calls it asked for (only the nodes in an older file)."""
    if turn.node_calls is None or len(turn.node_calls) != len(turn.nodes):
        return list(turn.nodes)
    return [step for node, calls in zip(turn.nodes, turn.node_calls, strict=True) for step in (node, *calls)]


def run_path(run: RunRecord) -> tuple[str, ...]:
    """The run's path signature: every turn's path, in order."""
    return tuple(step for turn in run.turns for step in turn_path(turn))


def group_paths(runs: Iterable[RunRecord]) -> list[PathGroup]:
    """*runs* (one scenario's) grouped by path signature: largest first, then the most failures."""
    by_signature: dict[tuple[str, ...], list[RunRecord]] = {}
    for run in runs:
        by_signature.setdefault(run_path(run), []).append(run)
    groups = [
        PathGroup(
            signature=signature,
            passes=sum(1 for r in members if r.status == "pass"),
            fails=sum(1 for r in members if r.status == "fail"),
            errors=sum(1 for r in members if r.status == "error"),
            runs=tuple(sorted(r.index for r in members)),
        )
        for signature, members in by_signature.items()
    ]
    return sorted(groups, key=lambda g: (-g.size, -(g.fails + g.errors), g.signature))


def group_label(position: int) -> str:
    """A, B, … Z, then 27, 28, …"""
    return chr(ord("A") + position) if position < 26 else str(position + 1)


def signature_text(signature: Sequence[str], width: int = SIGNATURE_WIDTH) -> str:
    """The signature on one line, each name cleaned (``(nothing ran)`` for an empty one)."""
    if not signature:
        return "(nothing ran)"
    return clean_line(ARROW.join(clean_line(step, 80) for step in signature), width)


def _counts(group: PathGroup) -> str:
    parts = [(group.passes, "pass"), (group.fails, "fail"), (group.errors, "error")]
    return ", ".join(f"{n} {word}" for n, word in parts if n)


def path_lines(groups: Sequence[PathGroup], indent: str = "  ") -> list[str]:
    """``path A (6 runs): agent → search → tools → agent: 6 pass``, one line per group."""
    lines = [
        f"{indent}path {group_label(i)} ({g.size} run{'s' if g.size != 1 else ''}): "
        f"{signature_text(g.signature)}: {_counts(g)}"
        for i, g in enumerate(groups[:SHOWN_GROUPS])
    ]
    if len(groups) > SHOWN_GROUPS:
        lines.append(f"{indent}… and {len(groups) - SHOWN_GROUPS} more path(s) (in --jsonl)")
    return lines
