"""Deterministic benchmark data: messages-tuple events, Markdown answers, long threads, thread rows.

Event bytes follow the recorded real stream ``tests/fixtures/transcripts/weather_tool_call.sse``:
the chunk object has the same keys in the same order, and the metadata half is the recorded
one (about 0.9 KB) plus the thread's own metadata keys, which the real server copies into
every event, so one ``messages`` event is about 1.1-1.3 KB as on the real server.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

TRANSCRIPT = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts" / "weather_tool_call.sse"
CHUNK_SIZES = (4, 6, 3, 7, 5, 2, 8, 5)  # characters per text chunk, cycled (about 5: a token)
ARG_SIZES = (5, 3, 7, 4)  # characters per tool-argument chunk


def dumps(value: Any) -> str:
    """Compact JSON, as langgraph-api writes it."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@cache
def templates() -> tuple[dict[str, Any], dict[str, Any]]:
    """The (chunk, metadata) pair of the recorded stream's first ``messages`` event."""
    for block in TRANSCRIPT.read_bytes().decode("utf-8").split("\r\n\r\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\r\n") if ": " in line)
        if lines.get("event") == "messages":
            chunk, meta = json.loads(lines["data"])
            return chunk, meta
    raise RuntimeError(f"no messages event in {TRANSCRIPT}")


def metadata(run_id: str, thread_id: str, step: int, node: str = "agent") -> dict[str, Any]:
    meta = dict(templates()[1])
    ns = f"{node}:{uuid.uuid5(uuid.NAMESPACE_OID, f'{run_id}{step}')}"
    meta.update(
        run_id=run_id,
        thread_id=thread_id,
        langgraph_step=step,
        langgraph_node=node,
        langgraph_checkpoint_ns=ns,
        checkpoint_ns=ns,
        title="benchmark thread",  # thread metadata is copied into every event
        user_id="bench-user",
    )
    return meta


def text_chunk(message_id: str, content: str, position: str | None = None) -> dict[str, Any]:
    chunk = dict(templates()[0])
    chunk.update(content=content, id=message_id, chunk_position=position)
    return chunk


def tool_chunk(message_id: str, index: int, args: str, call_id: str | None, name: str | None) -> dict[str, Any]:
    chunk = dict(templates()[0])
    piece = {"name": name, "args": args, "id": call_id, "index": index, "type": "tool_call_chunk"}
    chunk.update(content="", id=message_id, tool_call_chunks=[piece])
    if call_id:
        chunk["tool_calls"] = [{"name": name, "args": {}, "id": call_id, "type": "tool_call"}]
    else:
        chunk["invalid_tool_calls"] = [
            {"name": None, "args": args, "id": None, "error": None, "type": "invalid_tool_call"}
        ]
    return chunk


def split_text(text: str, sizes: tuple[int, ...] = CHUNK_SIZES) -> list[str]:
    pieces, start, n = [], 0, 0
    while start < len(text):
        size = sizes[n % len(sizes)]
        pieces.append(text[start : start + size])
        start += size
        n += 1
    return pieces


# -- Markdown -----------------------------------------------------------------------------------

_SECTION = """## Section {n}: what the numbers say

The stream for part {n} carries **bold words**, *emphasis*, `inline code` and a [link](https://example.com/{n}).
It keeps going for a few lines so that the paragraph wraps on a normal terminal, which is what a real
answer from a chat model looks like when it explains something at length.

- first point about item {n}, short
- second point, with `code` and **bold**
- third point that runs a little longer than the others to wrap around
  1. a nested step
  2. another nested step

```python
def handler_{n}(event: dict) -> int:
    total = sum(range({n}))
    return total * 2  # comment {n}
```

| name | value | note |
|------|------:|------|
| alpha | {n} | first |
| beta | {m} | second |
| gamma | {k} | third |

> A quoted remark for section {n}, to have one more block type.

"""


def markdown_text(chars: int) -> str:
    """Mixed Markdown of about *chars* characters: headings, paragraphs, lists, code, tables."""
    parts: list[str] = []
    size, n = 0, 0
    while size < chars:
        section = _SECTION.format(n=n, m=n * 7 % 101, k=n * 13 % 97)
        parts.append(section)
        size += len(section)
        n += 1
    return "".join(parts)[:chars].rstrip() + "\n"


def answer_text(n: int, size: int) -> str:
    """A stored Markdown answer of about *size* characters (1-3 KB in the long thread)."""
    text = markdown_text(size)
    return text.replace("## Section 0:", f"## Answer {n}:", 1)


# -- scripts: what a run streams, and what the thread stores afterwards ---------------------------


Event = tuple[str, dict[str, Any], int]  # (kind, message, step)


@dataclass
class Script:
    """The ``messages`` events of one run and the messages the server stores for it."""

    events: list[Event] = field(default_factory=list)
    stored: list[dict[str, Any]] = field(default_factory=list)

    @property
    def chunks(self) -> int:
        return len(self.events)


def _ai_stored(message_id: str, text: str, calls: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "content": text,
        "additional_kwargs": {},
        "response_metadata": {},
        "type": "ai",
        "name": None,
        "id": message_id,
        "tool_calls": [{**c, "type": "tool_call"} for c in calls],
        "invalid_tool_calls": [],
        "usage_metadata": None,
    }


def _tool_stored(message_id: str, call_id: str, name: str, content: str) -> dict[str, Any]:
    return {
        "content": content,
        "additional_kwargs": {},
        "response_metadata": {},
        "type": "tool",
        "name": name,
        "id": message_id,
        "tool_call_id": call_id,
        "artifact": None,
        "status": "success",
    }


def answer_script(chunks: int, seed: str = "render") -> Script:
    """One assistant message of *chunks* text chunks of mixed Markdown (the render benchmark)."""
    text = markdown_text(sum(CHUNK_SIZES) * chunks // len(CHUNK_SIZES))
    pieces = split_text(text)[:chunks]
    text = "".join(pieces)
    message_id = f"lc_run--{uuid.uuid5(uuid.NAMESPACE_OID, seed)}"
    script = Script()
    for piece in pieces:
        script.events.append(("chunk", text_chunk(message_id, piece), 1))
    script.events.append(("chunk", text_chunk(message_id, "", "last"), 1))
    script.stored.append(_ai_stored(message_id, text, []))
    return script


MARKER = re.compile(r"zq\d{5}")
# Prose words (not a link's label or target, not in code or tables) that become markers.
_WORD = re.compile(r"(?<![\w/.(\[`])[a-z]{4,}(?![\w/.)\]`])")


@cache
def marked_pieces(chunks: int, every: int = 4) -> tuple[tuple[str, ...], tuple[tuple[str, int], ...]]:
    """The render answer with every *every*-th prose word replaced by a unique ``zq<5 digits>``
    marker, cut into *chunks* text chunks; and each marker with the index of the chunk holding
    its last character (when that chunk is sent, the whole marker can be on screen)."""
    text = markdown_text(sum(CHUNK_SIZES) * chunks // len(CHUNK_SIZES))
    lines, fenced, count = [], False, 0
    for line in text.split("\n"):
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and not line.startswith(("|", "#")):

            def mark(match: re.Match[str]) -> str:
                nonlocal count
                count += 1
                return f"zq{count:05d}" if count % every == 0 else match.group(0)

            line = _WORD.sub(mark, line)
        lines.append(line)
    pieces = split_text("\n".join(lines))[:chunks]
    ends, position = [], 0
    for index, piece in enumerate(pieces):
        position += len(piece)
        ends.append((position, index))
    joined = "".join(pieces)
    markers = []
    for match in MARKER.finditer(joined):
        end = match.end()
        markers.append((match.group(0), next(index for stop, index in ends if stop >= end)))
    return tuple(pieces), tuple(markers)


def marked_script(chunks: int) -> Script:
    """:func:`answer_script` with unique marker words (the terminal benchmark finds them on screen)."""
    pieces, _markers = marked_pieces(chunks)
    message_id = f"lc_run--{uuid.uuid5(uuid.NAMESPACE_OID, 'marked')}"
    script = Script()
    for piece in pieces:
        script.events.append(("chunk", text_chunk(message_id, piece), 1))
    script.events.append(("chunk", text_chunk(message_id, "", "last"), 1))
    script.stored.append(_ai_stored(message_id, "".join(pieces), []))
    return script


def mixed_script(events: int, seed: str = "ingest") -> Script:
    """About *events* events: LLM calls of 200 text chunks, every fourth one a tool call
    whose JSON arguments stream in pieces, followed by the tool's (complete) result."""
    script = Script()
    step = 0
    call_no = 0
    while len(script.events) < events:
        step += 1
        message_id = f"lc_run--{uuid.uuid5(uuid.NAMESPACE_OID, f'{seed}{step}')}"
        budget = min(200, events - len(script.events))
        if step % 4 == 0 and budget > 20:
            call_no += 1
            call_id = f"call_{call_no}"
            args = dumps({"query": f"weather in city {call_no} " + "and more detail " * (budget // 8)})
            pieces = split_text(args, ARG_SIZES)[: budget - 2]
            args = "".join(pieces)
            for n, piece in enumerate(pieces):
                first = n == 0
                chunk = tool_chunk(message_id, 0, piece, call_id if first else None, "weather" if first else None)
                script.events.append(("chunk", chunk, step))
            script.events.append(("chunk", text_chunk(message_id, "", "last"), step))
            try:
                parsed = json.loads(args)
            except ValueError:
                parsed = {}
            script.stored.append(_ai_stored(message_id, "", [{"name": "weather", "args": parsed, "id": call_id}]))
            result_id = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{seed}result{step}"))
            result = _tool_stored(result_id, call_id, "weather", dumps({"temp_c": 11.1, "city": call_no}))
            script.events.append(("complete", result, step))
            script.stored.append(result)
            continue
        text = markdown_text(sum(CHUNK_SIZES) * budget // len(CHUNK_SIZES) + 16)
        pieces = split_text(text)[: budget - 1]
        for piece in pieces:
            script.events.append(("chunk", text_chunk(message_id, piece), step))
        script.events.append(("chunk", text_chunk(message_id, "", "last"), step))
        script.stored.append(_ai_stored(message_id, "".join(pieces), []))
    return script


def export_call(size: int, seed: str, step: int = 1) -> tuple[list[Event], list[dict[str, Any]]]:
    """An ``export_records`` tool call and its result, a JSON document of about *size* bytes
    (the result is the last event)."""
    events: list[Event] = []
    call_id = f"call_export_{seed}"
    message_id = f"lc_run--{uuid.uuid5(uuid.NAMESPACE_OID, seed)}"
    args = dumps({"table": "records"})
    for n, piece in enumerate(split_text(args, ARG_SIZES)):
        first = n == 0
        chunk = tool_chunk(message_id, 0, piece, call_id if first else None, "export_records" if first else None)
        events.append(("chunk", chunk, step))
    events.append(("chunk", text_chunk(message_id, "", "last"), step))
    stored = [_ai_stored(message_id, "", [{"name": "export_records", "args": {"table": "records"}, "id": call_id}])]
    record = {
        "id": 0,
        "name": "record 00000",
        "city": "Paris",
        "tags": ["demo", "group-0"],
        "score": 1.5,
        "note": "x" * 40,
    }
    count = max(1, size // (len(dumps(record)) + 1))
    records = [{**record, "id": n, "name": f"record {n:05d}"} for n in range(count)]
    result_id = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{seed}result"))
    result = _tool_stored(
        result_id, call_id, "export_records", dumps({"table": "records", "count": count, "records": records})
    )
    events.append(("complete", result, step + 1))
    stored.append(result)
    return events, stored


def big_tool_script(size: int, seed: str = "bigtool") -> Script:
    """A tool call whose result is a JSON document of about *size* bytes, then a short answer."""
    script = Script()
    events, stored = export_call(size, seed)
    script.events.extend(events)
    script.stored.extend(stored)
    count = json.loads(stored[-1]["content"])["count"]
    answer_id = f"lc_run--{uuid.uuid5(uuid.NAMESPACE_OID, seed + 'answer')}"
    for piece in split_text(f"The export holds {count:,} records."):
        script.events.append(("chunk", text_chunk(answer_id, piece), 3))
    script.events.append(("chunk", text_chunk(answer_id, "", "last"), 3))
    script.stored.append(_ai_stored(answer_id, f"The export holds {count:,} records.", []))
    return script


# -- stored threads -------------------------------------------------------------------------------


def thread_messages(count: int, seed: str = "long") -> list[dict[str, Any]]:
    """*count* stored messages: questions and 1-3 KB Markdown answers; a third of the
    exchanges make a tool call (AI call, tool result, then the answer)."""
    messages: list[dict[str, Any]] = []
    n = 0
    while len(messages) < count:
        messages.append(
            {
                "content": f"question {n}: tell me about part {n}",
                "additional_kwargs": {},
                "response_metadata": {},
                "type": "human",
                "name": None,
                "id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"{seed}h{n}")),
            }
        )
        if n % 3 == 1 and len(messages) + 3 <= count:
            call_id = f"call_{seed}_{n}"
            ai_id = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{seed}c{n}"))
            messages.append(
                _ai_stored(ai_id, "", [{"name": "get_weather", "args": {"city": f"city {n}"}, "id": call_id}])
            )
            tool_id = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{seed}t{n}"))
            messages.append(_tool_stored(tool_id, call_id, "get_weather", dumps({"temp_c": n % 30, "city": n})))
        size = 1000 + (n * 577) % 2000  # 1-3 KB
        answer_id = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{seed}a{n}"))
        messages.append(_ai_stored(answer_id, answer_text(n, size), []))
        n += 1
    return messages[:count]


def thread_rows(count: int, *, untitled_every: int = 10) -> list[dict[str, Any]]:
    """*count* threads, newest first; every *untitled_every*-th has no title (the sidebar then
    shows its first message, fetched lazily)."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    rows = []
    for n in range(count):
        when = (now - timedelta(minutes=n)).isoformat()
        meta: dict[str, Any] = {"graph_id": "agent"}
        if not untitled_every or n % untitled_every:
            meta["title"] = f"Thread {n}: a conversation about topic {n % 97}"
        rows.append(
            {
                "thread_id": str(uuid.uuid5(uuid.NAMESPACE_OID, f"thread{n}")),
                "created_at": when,
                "updated_at": when,
                "state_updated_at": when,
                "metadata": meta,
                "status": "idle" if n % 13 else "interrupted",
                "config": {},
                "values": None,
                "interrupts": {},
                "error": None,
            }
        )
    return rows
