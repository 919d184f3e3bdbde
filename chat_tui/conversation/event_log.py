"""Every SSE event of a thread's runs, as it arrived: a ring bounded by a byte budget.

The event inspector shows what the server sent, event by event; this is what it reads. The
stream worker calls :meth:`EventLog.append` once per event, and that only stores a reference
to the event the decoder already made (its name, its data, its id), the time, and the run it
belongs to: O(1), no parsing, no copying. When the kept events' text passes the budget, the
oldest go, and :attr:`EventLog.dropped` counts them. What a row shows (node, message id, tool
names, the first characters of a token) is worked out from the event's own JSON only when a
row is first shown or filtered (:meth:`LoggedEvent.summary`), and kept.

Everything shown from here is cleaned of control characters (:mod:`chat_tui.sanitize`): the
summaries here, the pretty JSON in :mod:`chat_tui.conversation.json_text`.

Pure Python, no Textual, no I/O; and light (stdlib only): a conversation makes one.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chat_tui.sanitize import clean_line

if TYPE_CHECKING:
    from chat_tui.client.sse import RawEvent

__all__ = ["DEFAULT_BUDGET", "RECORD_OVERHEAD", "EventLog", "EventSummary", "LoggedEvent", "summarize"]

DEFAULT_BUDGET = 8 * 1024 * 1024  # characters of kept events (about bytes: event text is mostly ASCII)
RECORD_OVERHEAD = 160  # what one kept event costs beyond its text (the objects that hold it)
SUMMARY_CHARS = 120  # a row's one-line summary
TOKEN_CHARS = 40  # the first characters of a token shown in its row
NAME_CHARS = 60  # a node, tool or namespace name in a row
SUMMARY_PARSE_LIMIT = 4 * 1024 * 1024  # larger events are summarised without parsing their JSON (once, lazily)


@dataclass(frozen=True, slots=True)
class EventSummary:
    """What one row says about an event (every string cleaned and cut)."""

    mode: str  # messages, updates, values, metadata, error, custom, ...
    namespace: tuple[str, ...]  # a subgraph's ("researcher:<task id>",), or ()
    node: str | None  # the node that made it (the updating nodes, for updates)
    message_id: str | None
    tools: tuple[str, ...]  # tool names it carries (calls starting, or the tool a result is from)
    text: str  # the rest, on one line

    @property
    def label(self) -> str:
        """The event's name as a row shows it: the mode, and the namespace when there is one."""
        if not self.namespace:
            return self.mode
        return f"{self.mode}|{'|'.join(self.namespace)}"


class LoggedEvent:
    """One event as it arrived: its number, its run, when, and the decoder's event (kept as is)."""

    __slots__ = ("_summary", "at", "raw", "run", "seq")

    def __init__(self, seq: int, run: int, at: float, raw: RawEvent) -> None:
        self.seq = seq  # 0, 1, 2 ... for the log's life (dropped events keep their numbers)
        self.run = run  # 1 for the first run the log saw, then 2 ...
        self.at = at  # seconds since its run started
        self.raw = raw
        self._summary: EventSummary | None = None

    @property
    def name(self) -> str:
        return self.raw.event

    @property
    def data(self) -> str:
        return self.raw.data

    @property
    def event_id(self) -> str | None:
        return self.raw.id

    @property
    def size(self) -> int:
        """Bytes of its data (what the row shows)."""
        data = self.raw.data
        return len(data) if data.isascii() else len(data.encode("utf-8", "replace"))

    @property
    def cost(self) -> int:
        """What it counts against the budget."""
        raw = self.raw
        return len(raw.data) + len(raw.event) + len(raw.id or "") + RECORD_OVERHEAD

    def summary(self) -> EventSummary:
        if self._summary is None:
            self._summary = summarize(self.raw.event, self.raw.data)
        return self._summary


class EventLog:
    """The events of a thread's runs, oldest first, kept while their text fits *budget*.

    The newest event is always kept, even when it alone is over the budget.
    """

    def __init__(self, budget: int = DEFAULT_BUDGET, *, clock: Callable[[], float] = time.monotonic) -> None:
        if budget <= 0:
            raise ValueError("the budget must be positive")
        self.budget = budget
        self._clock = clock
        self._items: list[LoggedEvent] = []
        self._head = 0  # _items[:_head] are dropped (compacted away now and then: amortised O(1))
        self.kept_bytes = 0
        self.dropped = 0
        self.appended = 0  # every event ever appended; the next one's seq
        self.runs = 0
        self._run_start: float | None = None

    def begin_run(self, started_at: float | None = None) -> None:
        """A run starts (at *started_at*, on the log's clock; now by default): times count from it."""
        self.runs += 1
        self._run_start = self._clock() if started_at is None else started_at

    def append(self, raw: RawEvent) -> None:
        """One event, as the decoder made it. O(1) amortised."""
        now = self._clock()
        if self._run_start is None:
            self.begin_run(now)
        assert self._run_start is not None
        event = LoggedEvent(self.appended, self.runs, now - self._run_start, raw)
        self.appended += 1
        self._items.append(event)
        self.kept_bytes += event.cost
        if self.kept_bytes > self.budget:
            self._drop()

    def _drop(self) -> None:
        items, head = self._items, self._head
        last = len(items) - 1
        while self.kept_bytes > self.budget and head < last:
            self.kept_bytes -= items[head].cost
            head += 1
            self.dropped += 1
        if head > 1024 and head * 2 > len(items):
            del items[:head]
            head = 0
        self._head = head

    # -- reading --------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._items) - self._head

    @property
    def first_seq(self) -> int:
        """The seq of the oldest kept event (== appended when none is kept)."""
        return self.appended - len(self)

    def get(self, seq: int) -> LoggedEvent | None:
        """The kept event numbered *seq*, or None (dropped, or not yet arrived)."""
        if seq < self.first_seq or seq >= self.appended:
            return None
        return self._items[self._head + seq - self.first_seq]

    def since(self, seq: int) -> Iterator[LoggedEvent]:
        """Kept events numbered *seq* and later, oldest first."""
        start = max(seq, self.first_seq) - self.first_seq + self._head
        items = self._items
        for index in range(start, len(items)):
            yield items[index]

    def __iter__(self) -> Iterator[LoggedEvent]:
        return self.since(0)

    def clear(self) -> None:
        self.dropped += len(self)
        self._items = []
        self._head = 0
        self.kept_bytes = 0


# -- summaries ------------------------------------------------------------------------------


def _split(name: str) -> tuple[str, tuple[str, ...]]:
    mode, *namespace = name.split("|")
    return clean_line(mode, NAME_CHARS), tuple(clean_line(part, NAME_CHARS) for part in namespace)


def _line(value: Any, limit: int = SUMMARY_CHARS) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return clean_line(text, limit)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = []
        for block in content:
            if isinstance(block, str):
                parts.append(block)
            elif isinstance(block, dict):
                for key in ("text", "thinking", "reasoning"):
                    if isinstance(block.get(key), str):
                        parts.append(block[key])
                        break
        return "".join(parts)
    return ""


def _message_summary(mode: str, namespace: tuple[str, ...], data: Any) -> EventSummary:
    message, meta = (data[0], data[1]) if isinstance(data, list) and len(data) == 2 else (data, None)
    meta = meta if isinstance(meta, dict) else {}
    message = message if isinstance(message, dict) else {}
    node = meta.get("langgraph_node")
    tools: list[str] = []
    for key in ("tool_call_chunks", "tool_calls"):
        for call in message.get(key) or ():
            if (
                isinstance(call, dict)
                and isinstance(call.get("name"), str)
                and call["name"]
                and call["name"] not in tools
            ):
                tools.append(call["name"])
    kind = message.get("type")
    said = ""
    if kind == "tool":
        if isinstance(message.get("name"), str):
            tools = [message["name"]]
        text = _text_of(message.get("content"))
        said = f"tool result ({len(text):,} chars): {text[:TOKEN_CHARS]}"
        if message.get("status") == "error":
            said = "error " + said
    else:
        text = _text_of(message.get("content"))
        if text:
            said = repr(text[:TOKEN_CHARS])
        elif tools or message.get("tool_call_chunks"):
            args = "".join(c.get("args") or "" for c in message.get("tool_call_chunks") or () if isinstance(c, dict))
            said = f"args {args[:TOKEN_CHARS]!r}" if args else ""
        if kind and kind not in ("AIMessageChunk", "ai"):
            said = f"{kind}: {said}" if said else str(kind)
    return EventSummary(
        mode,
        namespace,
        clean_line(node, NAME_CHARS) if isinstance(node, str) else None,
        clean_line(message["id"], NAME_CHARS) if isinstance(message.get("id"), str) else None,
        tuple(clean_line(t, NAME_CHARS) for t in tools),
        clean_line(said, SUMMARY_CHARS),
    )


def summarize(name: str, data_text: str) -> EventSummary:
    """What a row says about the event named *name* with *data_text* (its JSON)."""
    mode, namespace = _split(name)
    if len(data_text) > SUMMARY_PARSE_LIMIT:
        return EventSummary(mode, namespace, None, None, (), _line(data_text[:SUMMARY_CHARS]))
    try:
        data = json.loads(data_text)
    except (ValueError, RecursionError):
        return EventSummary(mode, namespace, None, None, (), "not JSON: " + _line(data_text[:SUMMARY_CHARS]))
    if mode == "messages" or mode.startswith("messages/"):
        return _message_summary(mode, namespace, data)
    if mode == "updates" and isinstance(data, dict):
        nodes = [str(k) for k in data]
        said = []
        for value in data.values():
            if isinstance(value, dict) and isinstance(value.get("messages"), list):
                said.append(f"{len(value['messages'])} message{'s' if len(value['messages']) != 1 else ''}")
            elif isinstance(value, list | tuple):  # __interrupt__
                said.append(f"{len(value)} interrupt{'s' if len(value) != 1 else ''}")
        node = clean_line(", ".join(nodes), NAME_CHARS) or None
        return EventSummary(mode, namespace, node, None, (), _line(", ".join(said)))
    if mode == "values" and isinstance(data, dict):
        messages = data.get("messages")
        keys = ", ".join(str(k) for k in data)
        count = f"{len(messages)} messages · " if isinstance(messages, list) else ""
        return EventSummary(mode, namespace, None, None, (), _line(f"{count}keys: {keys}"))
    if mode == "metadata" and isinstance(data, dict):
        return EventSummary(mode, namespace, None, None, (), _line(f"run {data.get('run_id')}"))
    if mode == "error" and isinstance(data, dict):
        failure = f"{data.get('error') or 'Error'}: {data.get('message') or data.get('detail') or ''}"
        return EventSummary(mode, namespace, None, None, (), _line(failure))
    return EventSummary(mode, namespace, None, None, (), _line(data))
