"""The conversation state: folds stream events into ordered messages and tool calls.

Pure Python (no Textual, no I/O). A stream worker calls :meth:`Conversation.apply` for
each event; that only appends to buffers and marks entries dirty, so it costs O(token).
The UI calls :meth:`Conversation.take_changes` at its own pace (≤ 30 Hz) and renders
what changed. The same object loads history from ``GET /state`` and reconciles a
finished run with it, so live and stored conversations render identically.

Rules (``notes/protocol.md`` §3.3):

* chunks group into one message by id; a provider id that appears only on the first
  chunk (later chunks carry ``lc_run--…``) does not split the message, and
  ``chunk_position: "last"`` closes it;
* tool calls come from ``tool_call_chunks`` merged by ``index``, never from the
  per-chunk ``tool_calls`` (those are partial parses of one fragment);
* a ``tool`` message attaches to the call with the same ``tool_call_id``;
* every string is cleaned of terminal control characters here, at the boundary.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from chat_tui.client.events import (
    Custom,
    Fault,
    MessageChunk,
    MessageComplete,
    Metadata,
    Other,
    Reconnecting,
    RunFailed,
    StreamEnd,
    StreamEvent,
    Updates,
    Values,
)
from chat_tui.client.models import (
    AIMessage,
    AIMessageChunk,
    ChunkMeta,
    ContentBlock,
    Interrupt,
    Thread,
    ThreadState,
    ToolCallChunk,
    ToolMessage,
    parse_message,
)
from chat_tui.conversation.entries import (
    Changes,
    ChatMessage,
    Entry,
    ErrorEntry,
    InterruptEntry,
    MessageStatus,
    NoticeEntry,
    ToolCallEntry,
    ToolStatus,
)
from chat_tui.conversation.run import RunInfo, RunOutcome
from chat_tui.sanitize import clean, clean_line, clean_obj

__all__ = ["Changes", "Conversation", "RunInfo", "RunOutcome", "content_text"]

_ROLE = {
    "human": "human",
    "HumanMessageChunk": "human",
    "user": "human",
    "ai": "ai",
    "AIMessageChunk": "ai",
    "tool": "tool",
    "ToolMessageChunk": "tool",
    "system": "system",
    "SystemMessageChunk": "system",
}
_LC_RUN = "lc_run--"


def content_text(content: Any) -> str:
    """Plain text of a message ``content`` (string or list of blocks), cleaned."""
    if isinstance(content, str):
        return clean(content)
    if not isinstance(content, list):
        return clean(str(content)) if content is not None else ""
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
            continue
        kind, text = _block_kind_text(block)
        if kind == "text" and text:
            parts.append(text)
        elif kind == "image":
            parts.append("[image]")
    return clean("".join(parts))


def _block_kind_text(block: ContentBlock | dict[str, Any]) -> tuple[str, str | None]:
    if isinstance(block, ContentBlock):
        kind = block.type
        if kind == "text":
            return "text", block.text
        if kind in ("thinking", "reasoning"):
            return "thinking", block.thinking or block.reasoning or block.text
        return kind, None
    kind = str(block.get("type", "text"))
    if kind == "text":
        text = block.get("text")
        return "text", text if isinstance(text, str) else None
    if kind in ("thinking", "reasoning"):
        text = block.get("thinking") or block.get("reasoning") or block.get("text")
        return "thinking", text if isinstance(text, str) else None
    if kind in ("image", "image_url"):
        return "image", None
    return kind, None


def _call_position(calls: list[ToolCallEntry], index: int | str) -> int:
    """Where a new call goes: parallel calls show in index order, however their chunks interleave."""
    position = len(calls)
    if isinstance(index, int):
        while position:
            before = calls[position - 1].index
            if not isinstance(before, int) or before < index:
                break
            position -= 1
    return position


class Conversation:
    """Entries of one thread, in order, plus the state of the current run."""

    def __init__(self, thread_id: str | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.thread_id = thread_id
        self.entries: list[Entry] = []
        self.run: RunInfo | None = None
        self.ai_nodes: set[str] = set()
        self._clock = clock
        self._seq = 0
        self._by_id: dict[str, ChatMessage] = {}
        self._open: dict[str, ChatMessage] = {}  # checkpoint namespace -> open streamed message
        self._calls_by_id: dict[str, ToolCallEntry] = {}
        self._orphan_results: dict[str, ChatMessage] = {}
        self._interrupt_ids: set[str] = set()
        self._run_failed = False
        self._attaching = False  # replaying a run on top of stored history: skip what is stored
        self._changes = Changes()
        self._dirty: dict[int, Entry] = {}

    # -- reading ------------------------------------------------------------------------

    @property
    def messages(self) -> list[ChatMessage]:
        return [e for e in self.entries if isinstance(e, ChatMessage)]

    @property
    def pending_interrupts(self) -> list[InterruptEntry]:
        return [e for e in self.entries if isinstance(e, InterruptEntry) and not e.resolved]

    @property
    def show_node_labels(self) -> bool:
        """Label AI messages with their node once more than one node has spoken."""
        return len(self.ai_nodes) > 1

    def renders_alone(self, entry: Entry) -> bool:
        """False for a tool result shown inside its call's panel rather than on its own."""
        if isinstance(entry, ChatMessage) and entry.role == "tool" and entry.tool_call_id:
            call = self._calls_by_id.get(entry.tool_call_id)
            return call is None or call.result is not entry
        return True

    def message_by_id(self, message_id: str) -> ChatMessage | None:
        return self._by_id.get(message_id)

    def first_human_text(self) -> str | None:
        for entry in self.entries:
            if isinstance(entry, ChatMessage) and entry.role == "human" and entry.text.strip():
                return entry.text
        return None

    def take_changes(self) -> Changes:
        """Everything that changed since the last call (entries in conversation order)."""
        changes = self._changes
        added = {id(e) for e in changes.added}
        changes.updated = [e for e in self._dirty.values() if id(e) not in added]
        self._dirty = {}
        self._changes = Changes()
        return changes

    # -- building -----------------------------------------------------------------------

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _add(self, entry: Entry, *, after: Entry | None = None, first: bool = False) -> None:
        if first:
            self.entries.insert(0, entry)
        elif after is None:
            self.entries.append(entry)
        else:
            self.entries.insert(self.entries.index(after) + 1, entry)
        self._changes.added.append(entry)

    def _touch(self, entry: Entry) -> None:
        self._dirty[entry.seq] = entry

    def add_human(self, text: str, message_id: str | None = None) -> ChatMessage:
        """The user's message, added optimistically (humans are never streamed back)."""
        message = ChatMessage(self._next_seq(), "human", id=message_id, text_parts=[clean(text)] if text else [])
        if message_id:
            self._by_id[message_id] = message
        self._add(message)
        return message

    def remove(self, entry: Entry) -> None:
        """Drop an entry (e.g. an optimistic human message whose send failed)."""
        if entry in self.entries:
            self.entries.remove(entry)
            self._changes.reset = True
        if isinstance(entry, ChatMessage) and entry.id:
            self._by_id.pop(entry.id, None)

    def begin_run(
        self, assistant_id: str | None = None, input_message: ChatMessage | None = None, *, attaching: bool = False
    ) -> RunInfo:
        """A run starts; ``attaching`` when joining one that was already going (its replay may
        repeat messages this view loaded from the thread's state: those are skipped)."""
        self.run = RunInfo(assistant_id=assistant_id, started_at=self._clock(), input_message=input_message)
        self._run_failed = False
        self._attaching = attaching
        self._open.clear()
        self._changes.run_changed = True
        return self.run

    def resolve_interrupts(self) -> None:
        """The user answered: pending interrupts are no longer pending."""
        for entry in self.pending_interrupts:
            entry.resolved = True
            self._touch(entry)

    def apply_all(self, events: Iterable[StreamEvent]) -> None:
        for event in events:
            self.apply(event)

    def apply(self, event: StreamEvent) -> None:
        """Fold one stream event in. Never raises on odd but well-typed input."""
        if type(event) is MessageChunk:
            self._apply_chunk(event.message, event.meta, event.namespace)
        elif isinstance(event, MessageComplete):
            self._apply_complete(event)
        elif isinstance(event, Updates):
            if event.interrupts is not None:
                self._apply_interrupts(event.interrupts)
        elif isinstance(event, Values):
            self._apply_values(event.data)
            if event.interrupts is not None:
                self._apply_interrupts(event.interrupts)
        elif isinstance(event, Metadata):
            run = self._ensure_run()
            run.run_id = event.run_id or run.run_id
            run.attempt = event.attempt
            run.reconnecting = 0
            self._changes.run_changed = True
        elif isinstance(event, RunFailed):
            self._apply_failure(event.error, event.message)
        elif isinstance(event, Reconnecting):
            self._ensure_run().reconnecting = event.attempt
            self._changes.run_changed = True
        elif isinstance(event, Fault):
            self._changes.faults.append(event.reason)
        elif isinstance(event, StreamEnd):
            self.finish_run(event)
        elif isinstance(event, Custom | Other):
            pass

    def _ensure_run(self) -> RunInfo:
        if self.run is None:
            self.begin_run()
        assert self.run is not None
        return self.run

    # -- streamed chunks ----------------------------------------------------------------

    def _apply_chunk(self, chunk: AIMessageChunk, meta: ChunkMeta, namespace: tuple[str, ...]) -> None:
        run = self.run or self._ensure_run()
        if run.reconnecting:
            run.reconnecting = 0
            self._changes.run_changed = True
        ns = meta.langgraph_checkpoint_ns or "|".join(namespace)
        message = self._message_for_chunk(chunk.id, ns, meta, namespace)
        if message is None:
            return
        content = chunk.content
        produced = False
        if content:
            if type(content) is str:
                message.text_parts.append(clean(content))
                message._text_cache = None
                produced = True
            else:
                produced = self._merge_blocks(message, content)  # type: ignore[arg-type]
        if chunk.tool_call_chunks:
            for piece in chunk.tool_call_chunks:
                self._merge_tool_chunk(message, piece)
            produced = True
        if chunk.usage_metadata:
            message.usage.add(chunk.usage_metadata)
        if chunk.response_metadata:
            message.response_metadata.update(chunk.response_metadata)
        if produced:
            now = self._clock()
            if run.first_token_at is None:
                run.first_token_at = now
                self._changes.run_changed = True
            run.last_token_at = now
            run.chunks += 1
            if run.node != message.node:
                run.node = message.node
                self._changes.run_changed = True
        if chunk.chunk_position == "last":
            self._close(message, MessageStatus.COMPLETE)
            self._open.pop(ns, None)
        self._dirty[message.seq] = message

    def _message_for_chunk(
        self, chunk_id: str | None, ns: str, meta: ChunkMeta, namespace: tuple[str, ...]
    ) -> ChatMessage | None:
        if chunk_id is not None:
            known = self._by_id.get(chunk_id)
            if known is not None:
                if self._attaching and known.persisted and not known.streamed:
                    return None  # already loaded whole from the thread's state
                return known
        current = self._open.get(ns)
        if current is not None and current.status is MessageStatus.STREAMING:
            same = (
                chunk_id is None
                or current.id is None
                or (chunk_id.startswith(_LC_RUN) and not current.id.startswith(_LC_RUN))
            )
            if same:  # a provider id only on the first chunk: keep the first id
                if chunk_id is not None:
                    self._by_id[chunk_id] = current
                return current
            self._close(current, MessageStatus.COMPLETE)
        message = ChatMessage(
            self._next_seq(),
            "ai",
            id=chunk_id,
            node=clean_line(meta.langgraph_node) if meta.langgraph_node else None,
            step=meta.langgraph_step,
            namespace=namespace,
            checkpoint_ns=ns,
            status=MessageStatus.STREAMING,
            streamed=True,
            run_id=self.run.run_id if self.run else None,
        )
        if chunk_id is not None:
            self._by_id[chunk_id] = message
        if message.node:
            self.ai_nodes.add(message.node)
        self._open[ns] = message
        self._add(message)
        return message

    def _merge_blocks(self, message: ChatMessage, blocks: list[ContentBlock | str]) -> bool:
        produced = False
        for block in blocks:
            if isinstance(block, str):
                if block:
                    message.append_text(clean(block))
                    produced = True
                continue
            kind, text = _block_kind_text(block)
            if kind == "text":
                if text:
                    message.append_text(clean(text))
                    produced = True
            elif kind == "thinking":
                if text:
                    message.thinking_parts.append(clean(text))
                    produced = True
            elif kind in ("tool_use", "input_json_delta", "server_tool_use", "tool_call_chunk"):
                pass  # tool calls are taken from tool_call_chunks, which accompany these
            elif kind == "image":
                message.blocks.append({"type": "image"})
                message.append_text("[image]")
                produced = True
            else:
                message.blocks.append({"type": clean_line(kind, 40)})
        return produced

    def _merge_tool_chunk(self, message: ChatMessage, piece: ToolCallChunk) -> None:
        index: Any = piece.index
        call: ToolCallEntry | None = None
        if index is not None:
            call = message.tool_calls_by_index.get(index)
        elif piece.id and piece.id in self._calls_by_id:
            call = self._calls_by_id[piece.id]
        elif not piece.id and message.tool_calls:
            call = message.tool_calls[-1]  # no index and no id: continue the last call
        if call is None:
            if index is None:
                index = f"#{len(message.tool_calls)}"
            call = ToolCallEntry(index=index, message=message)
            message.tool_calls.insert(_call_position(message.tool_calls, index), call)
            message.tool_calls_by_index[index] = call
        if piece.id and not call.id:
            call.id = clean_line(piece.id, 200)
            self._calls_by_id[call.id] = call
            orphan = self._orphan_results.pop(call.id, None)
            if orphan is not None:
                call.attach_result(orphan)
        if piece.name and not call.name:
            call.name = clean_line(piece.name, 200)
        if piece.args:
            call.args_parts.append(clean(piece.args))

    def _close(self, message: ChatMessage, status: MessageStatus) -> None:
        if message.status is MessageStatus.STREAMING:
            message.status = status
        for call in message.tool_calls:
            call.complete_args()
        self._dirty[message.seq] = message

    # -- complete messages --------------------------------------------------------------

    def _apply_complete(self, event: MessageComplete) -> None:
        message = event.message
        meta = event.meta
        if message.id and message.id in self._by_id:
            existing = self._by_id[message.id]
            self._update_from_stored(existing, message)
            return
        entry = self._entry_from_message(message, node=meta.langgraph_node, step=meta.langgraph_step)
        entry.namespace = event.namespace
        entry.run_id = self.run.run_id if self.run else None
        self._add(entry)
        self._link(entry)

    def _entry_from_message(self, message: Any, *, node: str | None = None, step: int | None = None) -> ChatMessage:
        role = _ROLE.get(getattr(message, "type", ""), "other")
        entry = ChatMessage(
            self._next_seq(),
            role,
            id=message.id,
            node=clean_line(node) if node else None,
            step=step,
            name=clean_line(message.name, 200) if message.name else None,
        )
        self._set_content(entry, message.content)
        if isinstance(message, AIMessage):
            for position, call in enumerate(message.tool_calls):
                tool_call = ToolCallEntry(
                    index=position,
                    id=clean_line(call.id, 200) if call.id else None,
                    name=clean_line(call.name, 200),
                    message=entry,
                )
                tool_call.set_args(call.args)
                entry.tool_calls.append(tool_call)
                entry.tool_calls_by_index[position] = tool_call
            for position, bad in enumerate(message.invalid_tool_calls, start=len(entry.tool_calls)):
                tool_call = ToolCallEntry(index=position, message=entry)
                tool_call.id = clean_line(str(bad.get("id") or ""), 200) or None
                tool_call.name = clean_line(str(bad.get("name") or ""), 200)
                raw_args = bad.get("args")
                tool_call.args_parts = [clean(raw_args)] if isinstance(raw_args, str) else []
                tool_call.complete_args()
                entry.tool_calls.append(tool_call)
            if message.usage_metadata:
                entry.usage.add(message.usage_metadata)
            if entry.node:
                self.ai_nodes.add(entry.node)
        elif isinstance(message, ToolMessage):
            entry.tool_call_id = clean_line(message.tool_call_id, 200) or None
            entry.tool_status = "error" if message.status == "error" else "success"
        if entry.id:
            self._by_id[entry.id] = entry
        return entry

    def _set_content(self, entry: ChatMessage, content: Any) -> None:
        if isinstance(content, list):
            pairs = (_block_kind_text(b) for b in content if not isinstance(b, str))
            entry.thinking_parts = [clean(text) for kind, text in pairs if kind == "thinking" and text]
        text = content_text(content)
        entry.text_parts = [text] if text else []
        entry._text_cache = None

    def _link(self, entry: ChatMessage) -> None:
        """Attach tool results to their calls (in either arrival order)."""
        if entry.role == "tool" and entry.tool_call_id:
            call = self._calls_by_id.get(entry.tool_call_id)
            if call is not None:
                call.attach_result(entry)
                if call.message is not None:
                    self._touch(call.message)
            else:
                self._orphan_results[entry.tool_call_id] = entry
        for call in entry.tool_calls:
            if call.id:
                self._calls_by_id[call.id] = call
                orphan = self._orphan_results.pop(call.id, None)
                if orphan is not None:
                    call.attach_result(orphan)

    def _update_from_stored(self, entry: ChatMessage, message: Any) -> None:
        """A stored (authoritative) version of a message we already have."""
        text = content_text(message.content)
        if text != entry.text:
            entry.replace_text(text)
        if isinstance(message, AIMessage):
            by_id = {call.id: call for call in entry.tool_calls if call.id}
            for position, stored in enumerate(message.tool_calls):
                call = by_id.get(stored.id) if stored.id else None
                if call is None and position < len(entry.tool_calls) and not entry.tool_calls[position].id:
                    call = entry.tool_calls[position]  # streamed without its id: match by position
                    call.id = clean_line(stored.id, 200) if stored.id else None
                    call.name = call.name or clean_line(stored.name, 200)
                    if call.id:
                        self._calls_by_id[call.id] = call
                        orphan = self._orphan_results.pop(call.id, None)
                        if orphan is not None:
                            call.attach_result(orphan)
                if call is None:
                    call = ToolCallEntry(
                        index=f"s{position}", id=stored.id, name=clean_line(stored.name, 200), message=entry
                    )
                    entry.tool_calls.append(call)
                    if call.id:
                        self._calls_by_id[call.id] = call
                if call.args_valid is not True or call.args != stored.args:
                    keep_status = call.status
                    call.set_args(stored.args)
                    if keep_status in (ToolStatus.DONE, ToolStatus.ERROR):
                        call.status = keep_status
        if entry.status is not MessageStatus.COMPLETE and entry.status is not MessageStatus.STREAMING:
            entry.status = MessageStatus.COMPLETE
        entry.persisted = True
        self._touch(entry)

    def _apply_values(self, values: dict[str, Any]) -> None:
        """``values`` mode carries the stored messages: repair finished messages we hold."""
        messages = values.get("messages")
        if not isinstance(messages, list):
            return
        for raw in messages:
            message_id = raw.get("id") if isinstance(raw, dict) else None
            existing = self._by_id.get(message_id) if isinstance(message_id, str) else None
            if existing is None or existing.role == "human" or existing.status is MessageStatus.STREAMING:
                continue
            try:
                self._update_from_stored(existing, parse_message(raw))
            except ValueError:
                continue

    # -- interrupts and failures --------------------------------------------------------

    def _apply_interrupts(self, interrupts: list[Interrupt]) -> None:
        run = self._ensure_run()
        for interrupt in interrupts:
            if interrupt.id and interrupt.id in self._interrupt_ids:
                continue
            if interrupt.id:
                self._interrupt_ids.add(interrupt.id)
            self._add(InterruptEntry(self._next_seq(), interrupt.id, clean_obj(interrupt.value), run_id=run.run_id))
        run.outcome = RunOutcome.INTERRUPTED
        self._changes.run_changed = True

    def _apply_failure(self, error: str, message: str) -> None:
        run = self._ensure_run()
        self._run_failed = True
        run.outcome = RunOutcome.ERROR
        for open_message in list(self._open.values()):
            self._close(open_message, MessageStatus.FAILED)
        self._open.clear()
        self._add(ErrorEntry(self._next_seq(), clean_line(error, 80) or "Error", clean(message)[:2000], run.run_id))
        self._changes.run_changed = True

    def add_error(self, error: str, message: str) -> ErrorEntry:
        """An error learned outside the stream (e.g. from the thread after a rejoin)."""
        entry = ErrorEntry(
            self._next_seq(),
            clean_line(error, 80) or "Error",
            clean(message)[:2000],
            self.run.run_id if self.run else None,
        )
        self._add(entry)
        return entry

    def finish_run(self, end: StreamEnd) -> RunOutcome:
        """The stream ended: decide how the run went and settle open messages."""
        run = self._ensure_run()
        status = end.run_status
        if self._run_failed:
            outcome = RunOutcome.ERROR
        elif end.cancelled or run.cancel_requested:
            outcome = RunOutcome.CANCELLED
        elif self.pending_interrupts and run.outcome is RunOutcome.INTERRUPTED:
            outcome = RunOutcome.INTERRUPTED
        elif status == "success":
            outcome = RunOutcome.SUCCESS
        elif status in ("error", "timeout"):
            outcome = RunOutcome.ERROR
        elif status in ("interrupted", "deleted"):
            outcome = RunOutcome.STOPPED
        else:
            outcome = RunOutcome.UNKNOWN
        message_status = {
            RunOutcome.SUCCESS: MessageStatus.COMPLETE,
            RunOutcome.INTERRUPTED: MessageStatus.COMPLETE,
            RunOutcome.CANCELLED: MessageStatus.CANCELLED,
            RunOutcome.ERROR: MessageStatus.FAILED,
        }.get(outcome, MessageStatus.INCOMPLETE)
        recent = self.entries[-20:]
        answered = bool(self._open) or (
            run.run_id is not None
            and any(isinstance(e, ChatMessage) and e.role == "ai" and e.run_id == run.run_id for e in recent)
        )
        for open_message in list(self._open.values()):
            self._close(open_message, message_status)
        self._open.clear()
        if outcome is RunOutcome.CANCELLED and not answered:  # else the partial answer is marked [cancelled]
            self._add(NoticeEntry(self._next_seq(), "cancelled before it answered", run.run_id))
        if outcome in (RunOutcome.CANCELLED, RunOutcome.ERROR, RunOutcome.STOPPED):
            self._settle_unanswered()
        run.outcome = outcome
        run.reconnecting = 0
        self._changes.run_changed = True
        return outcome

    def _settle_unanswered(self) -> None:
        """Calls still waiting when a run ended early will get no result: say so, not "waiting"."""
        for call in self._calls_by_id.values():
            if call.status in (ToolStatus.STREAMING, ToolStatus.WAITING) and call.result is None:
                call.complete_args()
                call.status = ToolStatus.UNANSWERED
                if call.message is not None:
                    self._touch(call.message)

    # -- stored state -------------------------------------------------------------------

    def load(self, state: ThreadState, thread: Thread | None = None) -> None:
        """Replace everything with a thread's stored messages, interrupts and error."""
        self.entries = []
        self._by_id.clear()
        self._open.clear()
        self._calls_by_id.clear()
        self._orphan_results.clear()
        self._interrupt_ids.clear()
        self.ai_nodes.clear()
        self._dirty = {}
        self._changes = Changes(reset=True)
        self.run = None
        for raw in state.messages:
            try:
                message = parse_message(raw)
            except ValueError:
                continue
            entry = self._entry_from_message(message)
            entry.persisted = True
            self.entries.append(entry)
            self._link(entry)
        if state.interrupts and (thread is None or thread.status == "interrupted"):
            for interrupt in state.interrupts:
                if interrupt.id:
                    self._interrupt_ids.add(interrupt.id)
                self.entries.append(InterruptEntry(self._next_seq(), interrupt.id, clean_obj(interrupt.value)))
        if thread is not None and thread.status in ("idle", "error"):  # nothing will answer them now
            self._settle_unanswered()
            self._dirty = {}
        if thread is not None and thread.status == "error" and thread.error:
            error = thread.error if isinstance(thread.error, dict) else {"message": str(thread.error)}
            self.entries.append(
                ErrorEntry(
                    self._next_seq(),
                    clean_line(str(error.get("error") or "Error"), 80),
                    clean(str(error.get("message") or ""))[:2000],
                )
            )

    def reconcile(self, state: ThreadState) -> None:
        """After a run: bring streamed messages in line with what the server stored.

        Stored messages we have update in place (ids, text, parsed tool calls); stored
        messages we never saw are inserted after their predecessor; messages of this run
        that the server did not keep (partial output of a cancelled or failed node) stay
        visible, marked ``persisted = False``.
        """
        stored_ids: set[str] = set()
        previous: Entry | None = None
        run_id = self.run.run_id if self.run else None
        run_input = self.run.input_message if self.run else None
        in_run = False
        for raw in state.messages:
            try:
                message = parse_message(raw)
            except ValueError:
                continue
            if not message.id:
                continue
            stored_ids.add(message.id)
            existing = self._by_id.get(message.id)
            if existing is not None:
                if existing.role != "human":
                    self._update_from_stored(existing, message)
                else:
                    existing.persisted = True
                in_run = in_run or existing is run_input or (run_id is not None and existing.run_id == run_id)
                previous = existing
                continue
            entry = self._entry_from_message(message)
            entry.persisted = True
            if in_run:
                entry.run_id = run_id
            if previous is None:
                self._add(entry, first=True)  # stored before anything this view holds
            else:
                self._add(entry, after=previous)
            self._link(entry)
            previous = entry
        for held in self.entries:
            if not isinstance(held, ChatMessage) or held.persisted is not None or held.id in stored_ids:
                continue
            if held.role == "human" or (run_id is not None and held.run_id == run_id) or held.streamed:
                held.persisted = False
                self._touch(held)
        if state.interrupts:
            self._apply_interrupts_from_state(state.interrupts)

    def _apply_interrupts_from_state(self, interrupts: list[Interrupt]) -> None:
        fresh = [i for i in interrupts if not (i.id and i.id in self._interrupt_ids)]
        if fresh:
            self._apply_interrupts(fresh)

    def run_messages(self, run_id: str | None = None) -> list[ChatMessage]:
        """Messages produced by a run (AI and tool), in order."""
        return [
            e
            for e in self.entries
            if isinstance(e, ChatMessage) and e.role != "human" and (run_id is None or e.run_id == run_id)
        ]
