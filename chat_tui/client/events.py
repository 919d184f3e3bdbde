"""Typed stream events, parsed from raw SSE events.

The Agent Server names each event after its stream mode, optionally followed by a
subgraph namespace: ``messages``, ``updates|researcher:<task id>``. Parsing never raises:
a malformed event becomes a :class:`Fault` that the caller reports and skips, so one bad
event cannot kill a stream (the official SDK aborts on it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
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
    KnownMessage,
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
    "Task",
    "Updates",
    "Values",
    "parse_event",
]


class _Schemas:
    """The validators of stream events, built on first use (not at import: they take ~30 ms
    to build, and the app's first frame does not need them)."""

    @cached_property
    def general(self) -> TypeAdapter[tuple[Any, ChunkMeta]]:
        """Any ``messages`` event, unknown message types included."""
        return TypeAdapter(tuple[AnyMessage, ChunkMeta])

    @cached_property
    def validate_tuple(self) -> Callable[[str], Any]:
        """The same, 30% faster when the message type is known (the same result when it succeeds).

        The adapters' pydantic-core validators are called directly on the hot path: the
        adapter's Python wrapper costs 15% of a message's validation.
        """
        return TypeAdapter(tuple[KnownMessage, ChunkMeta]).validator.validate_json

    @cached_property
    def validate_message(self) -> Callable[[str], Any]:
        return TypeAdapter(KnownMessage).validator.validate_json

    @cached_property
    def meta(self) -> TypeAdapter[ChunkMeta]:
        return TypeAdapter(ChunkMeta)

    @cached_property
    def interrupts(self) -> TypeAdapter[list[Interrupt]]:
        return TypeAdapter(list[Interrupt])


_SCHEMAS = _Schemas()

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
class Task:
    """A node starting or ending (``tasks`` mode): a start carries ``input`` (the node's whole input
    state), an end ``result``, ``error`` and ``interrupts``. Start and end share ``task_id``."""

    task_id: str
    name: str
    start: bool
    data: dict[str, Any]
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
    """An event this client does not interpret (``debug``, ``checkpoints``, legacy ``messages/partial``...)."""

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
    | Task
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
        return _SCHEMAS.interrupts.validate_python(value["__interrupt__"] or [])
    except ValidationError:
        return [Interrupt(value=value["__interrupt__"])]


class _MetadataMemo:
    """The parsed metadata halves of recent ``messages`` events, by their exact JSON text.

    A ``messages`` event is ``[message, metadata]``, and every chunk of one model call
    carries byte-identical metadata (about 900 of its 1,100 bytes: node, step, checkpoint
    namespace, run, thread and assistant ids, versions, the thread's metadata). When an
    event ends with a metadata text seen before, only the message half is validated and
    the metadata model is reused: half the validation work per event.

    This is exact, not a heuristic: if ``[A,B]`` is the event and both ``A`` and ``B``
    are complete JSON values, that split is the only way to read the array, so ``A`` is
    the message and ``B`` the metadata. ``B`` is only ever a text that was validated as
    metadata on its own (:meth:`learn`), and ``A`` is validated in full on every event;
    whatever does not fit takes the general path. The metadata models are frozen, so
    sharing one between events is safe. The lookup itself is inlined in
    :func:`_parse_messages`, which runs for nearly every event.
    """

    SIZE = 4  # parallel model calls (and subgraphs) interleave their chunks
    PATIENCE = 4  # after this many misses in a row, learn only every 64th miss

    def __init__(self) -> None:
        self.recent: list[tuple[str, ChunkMeta]] = []  # ("," + metadata JSON + "]", parsed), newest first
        self.misses = 0  # events in a row that matched no entry

    def learn(self, data: str) -> None:
        """Remember the metadata text of *data*, an event the general path just parsed."""
        self.misses += 1
        if self.misses > self.PATIENCE and self.misses % 64:
            return  # metadata that never repeats: stop paying for learning it
        end = len(data) - 1
        if not data.startswith("[") or data[end:] != "]" or any(data.endswith(s) for s, _ in self.recent):
            return
        cut = end
        for _ in range(3):  # the metadata object starts at one of the last ',{' (usually the last)
            cut = data.rfind(",{", 1, cut)
            if cut < 0:
                return
            try:
                meta = _SCHEMAS.meta.validate_json(data[cut + 1 : end])
                pydantic_core.from_json(data[1:cut])  # the message half is complete JSON too
            except ValueError:
                continue
            self.recent.insert(0, (data[cut:], meta))
            del self.recent[self.SIZE :]
            return


_MEMO = _MetadataMemo()


def _parse_messages(raw: RawEvent, namespace: Namespace) -> StreamEvent:
    data = raw.data
    if data.startswith("["):  # the memo's fast path, inlined: this runs for nearly every event
        for suffix, meta in _MEMO.recent:
            if data.endswith(suffix):
                try:
                    message = _SCHEMAS.validate_message(data[1 : -len(suffix)])
                except ValidationError:
                    break  # the general path decides (and words the error)
                _MEMO.misses = 0
                if type(message) is AIMessageChunk:
                    return MessageChunk(message, meta, namespace, raw)
                return MessageComplete(message, meta, namespace, raw)
    try:
        message, meta = cast(tuple[Any, ChunkMeta], _SCHEMAS.validate_tuple(data))
    except ValidationError:
        try:  # an unknown message type, or not valid at all: the general (slower) schema decides
            message, meta = _SCHEMAS.general.validate_json(data)
        except ValidationError as exc:
            return _fault(raw, _first_error(exc))
    _MEMO.learn(data)
    if isinstance(message, AIMessageChunk):
        return MessageChunk(message, meta, namespace, raw)
    return MessageComplete(message, meta, namespace, raw)


def parse_event(raw: RawEvent) -> StreamEvent:
    """Turn one raw SSE event into a typed event; never raises."""
    if raw.event == "messages":  # nearly every event
        return _parse_messages(raw, ())
    mode, namespace = _split_name(raw.event)
    if mode == "messages":
        return _parse_messages(raw, namespace)
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
    if mode == "tasks":
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not isinstance(data.get("name"), str):
            return _fault(raw, "a task without an id or a name")
        return Task(data["id"], data["name"], "input" in data or "triggers" in data, data, namespace, raw)
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
