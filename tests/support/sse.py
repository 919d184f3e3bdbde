"""Encode events the way the Agent Server frames them, and split bytes arbitrarily."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# The reference copies beside the project, when this checkout has them.
SHARED_TRANSCRIPTS = Path(__file__).resolve().parents[2].parent / "shared" / "transcripts"


def frame(event: str, data: str, event_id: str | None = None, newline: str = "\r\n") -> str:
    """One SSE event as langgraph-api writes it: ``event``, ``data``, optional ``id``, blank line."""
    lines = [f"event: {event}", f"data: {data}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    return newline.join(lines) + newline + newline


def encode(
    events: Iterable[tuple[str, Any, str | None]], *, newline: str = "\r\n", heartbeat_every: int = 0, bom: bool = False
) -> bytes:
    """Frame (name, payload, id) triples; payloads that are not str are JSON-encoded compactly."""
    out: list[str] = ["\ufeff"] if bom else []
    for n, (name, payload, event_id) in enumerate(events, start=1):
        data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"), ensure_ascii=False)
        out.append(frame(name, data, event_id, newline))
        if heartbeat_every and n % heartbeat_every == 0:
            out.append(f": heartbeat{newline}{newline}")
    return "".join(out).encode("utf-8")


def split(data: bytes, cuts: Sequence[int]) -> list[bytes]:
    """Split *data* at the given offsets (sorted, deduplicated, clipped)."""
    points = sorted({c for c in cuts if 0 < c < len(data)})
    pieces, start = [], 0
    for point in points:
        pieces.append(data[start:point])
        start = point
    pieces.append(data[start:])
    return pieces


def transcript_files() -> list[Path]:
    """The recorded real streams (copied into tests/fixtures so a clean clone has them)."""
    return sorted((FIXTURES / "transcripts").glob("*.sse"))
