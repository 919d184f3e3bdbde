"""The terminal benchmark's answer with 1 MB tool results in it: the marked answer
(:func:`~tests.benchmarks.corpus.marked_pieces`) cut into parts, and between two parts a tool
call whose result is about a megabyte of JSON, so that latency can be measured while such a
result arrives and is shown."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from functools import cache

from tests.benchmarks.corpus import Script, _ai_stored, export_call, marked_pieces, text_chunk

__all__ = ["MarkedWithResults", "marked_with_results"]


@dataclass(frozen=True)
class MarkedWithResults:
    script: Script
    piece_events: tuple[int, ...]  # the event index of each piece of the answer
    result_events: tuple[int, ...]  # the event index of each big result


@cache
def marked_with_results(chunks: int, size: int, parts: int = 4) -> MarkedWithResults:
    """The marked answer of *chunks* pieces in *parts* messages, a *size*-byte tool result
    between each two."""
    pieces, _markers = marked_pieces(chunks)
    every = -(-len(pieces) // parts)
    script = Script()
    piece_events: list[int] = []
    result_events: list[int] = []
    for part, start in enumerate(range(0, len(pieces), every)):
        step = 3 * part + 1
        if part:
            events, stored = export_call(size, f"marked-export{part}", step)
            script.events.extend(events)
            script.stored.extend(stored)
            result_events.append(len(script.events) - 1)
            step += 2
        message_id = f"lc_run--{uuid.uuid5(uuid.NAMESPACE_OID, f'marked{part}')}"
        mine = pieces[start : start + every]
        for piece in mine:
            piece_events.append(len(script.events))
            script.events.append(("chunk", text_chunk(message_id, piece), step))
        script.events.append(("chunk", text_chunk(message_id, "", "last"), step))
        script.stored.append(_ai_stored(message_id, "".join(mine), []))
    return MarkedWithResults(script, tuple(piece_events), tuple(result_events))
