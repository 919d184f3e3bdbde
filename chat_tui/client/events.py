"""Typed stream events, parsed from raw SSE events.

The Agent Server names each event after its stream mode, optionally followed by a
subgraph namespace: ``messages``, ``updates|researcher:<task id>``. Parsing never raises:
a malformed event becomes a :class:`Fault` that the caller reports and skips, so one bad
event cannot kill a stream (the official SDK aborts on it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import pydantic_core
from pydantic import TypeAdapter, ValidationError

from chat_tui.client.models import (
    AIMessage,
    AIMessageChunk,
    AnyMessage,
    ChunkMeta,
    HumanMessage,
    Interrupt,
    OtherMessage,
    SystemMessage,
    ToolMessage,
)
from chat_tui.client.sse import RawEvent
from chat_tui.sanitize import clean_line

__all__ = [
    "Custom",
    "Fault",
    "MessageChunk",
    "MessageComplete",
    "Metadata",
    "Other",
    "Reconnecting",
    "RunFailed",
    "StreamEnd",
    "StreamEvent",
    "Updates",
    "Values",
    "parse_event",
]

_TUPLE = TypeAdapter(tuple[AnyMessage, ChunkMeta])
_INTERRUPTS = TypeAdapter(list[Interrupt])

Namespace = tuple[str, ...]


@dataclass(slots=True)
class Metadata:
    """First event of every run: the run id (and the attempt, > 1 after a server retry)."""

    run_id: str | None
    attempt: int
    raw: RawEvent | None = None


@dataclass(slots=True)
class MessageChunk:
    """A streamed piece of an AI message (``messages-tuple`` mode)."""

    message: AIMessageChunk
    meta: ChunkMeta
    namespace: Namespace = ()
    raw: RawEvent | None = None


@dataclass(slots=True)
class MessageComplete:
    """A whole message emitted at once: tool results, non-streamed or subgraph replies."""

    message: AIMessage | HumanMessage | SystemMessage | ToolMessage | OtherMessage
    meta: ChunkMeta
    namespace: Namespace = ()
    raw: RawEvent | None = None


@dataclass(slots=True)
class Updates:
    """Node outputs (``updates`` mode); ``interrupts`` is set when a node called ``interrupt()``."""

    data: dict[str, Any]
    namespace: Namespace = ()
    interrupts: list[Interrupt] | None = None
    raw: RawEvent | None = None


@dataclass(slots=True)
class Values:
    """The full graph state after a superstep (``values`` mode)."""

    data: dict[str, Any]
    namespace: Namespace = ()
    interrupts: list[Interrupt] | None = None
    raw: RawEvent | None = None


@dataclass(slots=True)
class Custom:
    """Whatever a node wrote with ``get_stream_writer()``."""

    data: Any
    namespace: Namespace = ()
    raw: RawEvent | None = None


@dataclass(slots=True)
class RunFailed:
    """``event: error``: the run failed; it is the last event of the stream."""

    error: str
    message: str
    raw: RawEvent | None = None


@dataclass(slots=True)
class Other:
    """An event this client does not interpret (``debug``, ``tasks``, legacy ``messages/partial``...)."""

    name: str
    data: Any
    namespace: Namespace = ()
    raw: RawEvent | None = None


@dataclass(slots=True)
class Fault:
    """An event that could not be parsed; reported, then skipped."""

    reason: str
    raw: RawEvent | None = None


@dataclass(slots=True)
class Reconnecting:
    """The connection dropped; the stream is being rejoined (attempt *attempt*, after *delay* s)."""

    attempt: int
    delay: float
    reason: str


@dataclass(slots=True)
class StreamEnd:
    """The stream is over. ``run_status`` is the server's final word when it was asked."""

    run_status: str | None = None
    cancelled: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


StreamEvent = (
    Metadata
    | MessageChunk
    | MessageComplete
    | Updates
    | Values
    | Custom
    | RunFailed
    | Other
    | Fault
    | Reconnecting
    | StreamEnd
)


def _split_name(name: str) -> tuple[str, Namespace]:
    if "|" not in name:
        return name, ()
    mode, *namespace = name.split("|")
    return mode, tuple(namespace)


def _fault(raw: RawEvent, what: str) -> Fault:
    return Fault(f"skipped a malformed {clean_line(raw.event, 40)!r} event ({what})", raw)


def _interrupts(value: Any) -> list[Interrupt] | None:
    if not isinstance(value, dict) or "__interrupt__" not in value:
        return None
    try:
        return _INTERRUPTS.validate_python(value["__interrupt__"] or [])
    except ValidationError:
        return [Interrupt(value=value["__interrupt__"])]


def parse_event(raw: RawEvent) -> StreamEvent:
    """Turn one raw SSE event into a typed event; never raises."""
    mode, namespace = _split_name(raw.event)
    if mode == "messages":
        try:
            message, meta = cast(tuple[Any, ChunkMeta], _TUPLE.validate_json(raw.data))
        except ValidationError as exc:
            return _fault(raw, _first_error(exc))
        if isinstance(message, AIMessageChunk):
            return MessageChunk(message, meta, namespace, raw)
        return MessageComplete(message, meta, namespace, raw)
    try:
        data = pydantic_core.from_json(raw.data)
    except ValueError:
        return _fault(raw, "invalid JSON")
    if mode == "metadata":
        if not isinstance(data, dict):
            return Other(raw.event, data, namespace, raw)
        run_id = data.get("run_id")
        attempt = data.get("attempt")
        return Metadata(
            run_id if isinstance(run_id, str) else None,
            attempt if isinstance(attempt, int) else 1,
            raw,
        )
    if mode == "updates":
        if not isinstance(data, dict):
            return _fault(raw, "not an object")
        return Updates(data, namespace, _interrupts(data), raw)
    if mode == "values":
        if not isinstance(data, dict):
            return _fault(raw, "not an object")
        return Values(data, namespace, _interrupts(data), raw)
    if mode == "custom":
        return Custom(data, namespace, raw)
    if mode == "error":
        if isinstance(data, dict):
            error = data.get("error")
            message = data.get("message")
            return RunFailed(
                error if isinstance(error, str) else "Error",
                message if isinstance(message, str) else str(data.get("detail") or ""),
                raw,
            )
        return RunFailed("Error", str(data), raw)
    return Other(raw.event, data, namespace, raw)


def _first_error(exc: ValidationError) -> str:
    errors = exc.errors(include_input=False, include_url=False)
    if not errors:
        return "invalid"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()))
    return clean_line(f"{where}: {first.get('msg', 'invalid')}", 120)
