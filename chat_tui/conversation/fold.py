"""The stream fold: stream events into messages and tool calls, one event at a time.

Rules (the Agent Server's ``messages-tuple`` stream mode):

* chunks group into one message by id; a provider id that appears only on the first
  chunk (later chunks carry ``lc_run--…``) does not split the message, and
  ``chunk_position: "last"`` closes it;
* tool calls come from ``tool_call_chunks`` merged by ``index``, never from the
  per-chunk ``tool_calls`` (those are partial parses of one fragment);
* a ``tool`` message attaches to the call with the same ``tool_call_id``;
* an error event fails the run and its open messages; the end of the stream settles
  the run's outcome and whatever is still open.

Per token the fold appends a part and marks the message dirty: O(token), never O(text).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    Task,
    Updates,
    Values,
)
from chat_tui.client.models import AIMessageChunk, ChunkMeta, ToolCallChunk
from chat_tui.conversation.entries import (
    ChatMessage,
    ErrorEntry,
    MessageStatus,
    NoticeEntry,
    ToolCallEntry,
)
from chat_tui.conversation.run import RunOutcome

if TYPE_CHECKING:
    # Type-checked on top of the history part, as it is assembled in state.py (which
    # imports this module at run time, so this one cannot import it back).
    from chat_tui.conversation.history import History as _Parts
else:
    _Parts = object

__all__ = ["StreamFold"]

_LC_RUN = "lc_run--"


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


class StreamFold(_Parts):
    """Folding stream events in (a part of :class:`~chat_tui.conversation.state.Conversation`)."""

    def apply(self, event: StreamEvent) -> None:
        """Fold one stream event in. Never raises on odd but well-typed input."""
        self.activity.apply(event)  # (O(1) for a token: the chunks of one model call share their metadata)
        if type(event) is MessageChunk:  # one per token: ahead of the match, whose class patterns cost ~4x
            self._apply_chunk(event.message, event.meta, event.namespace)
            return
        match event:
            case MessageComplete():
                self._apply_complete(event)
            case Updates(interrupts=interrupts, namespace=namespace):
                if interrupts is not None:
                    self._add_interrupts(interrupts, namespace)
            case Values(data=data, interrupts=interrupts, namespace=namespace):
                self._apply_values(data)
                if interrupts is not None:
                    self._add_interrupts(interrupts, namespace)
            case Metadata(run_id=run_id, attempt=attempt):
                run = self._ensure_run()
                run.run_id = run_id or run.run_id
                run.attempt = attempt
                run.reconnecting = 0
                self._changes.run_changed = True
            case RunFailed(error=error, message=message):
                self._apply_failure(error, message)
            case Reconnecting(attempt=attempt):
                self._ensure_run().reconnecting = attempt
                self._changes.run_changed = True
            case Fault(reason=reason):
                self._changes.faults.append(reason)
            case StreamEnd():
                self.finish_run(event)
            case Custom() | Other() | Task():
                pass  # custom stream data, modes this client does not show, node starts and ends (GraphActivity's)

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
                message.append_text(content)
                produced = True
            else:
                produced = message.append_blocks(content)  # type: ignore[arg-type]
        if chunk.tool_call_chunks:
            for piece in chunk.tool_call_chunks:
                self._merge_tool_chunk(message, piece)
            produced = True
        if chunk.usage_metadata:
            message.usage.add(chunk.usage_metadata)
            run.add_usage(chunk.usage_metadata)
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
            node=meta.langgraph_node,
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

    def _merge_tool_chunk(self, message: ChatMessage, piece: ToolCallChunk) -> None:
        index: int | str | None = piece.index
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
            if message.namespace and (group := self.group_of(message)) is not None:
                self._touch(group)  # its summary counts the calls
        if call.identify(piece.id, piece.name):
            self._register_call(call)
        if piece.args:
            call.append_args(piece.args)

    def _close(self, message: ChatMessage, status: MessageStatus) -> None:
        if message.status is MessageStatus.STREAMING:
            message.status = status
        for call in message.tool_calls:
            call.complete_args()
        self._dirty[message.seq] = message

    # -- complete messages --------------------------------------------------------------

    def _apply_complete(self, event: MessageComplete) -> None:
        message = event.message
        existing = self._by_id.get(message.id) if message.id else None
        if existing is not None:
            self._update_from_stored(existing, message)
            return
        meta = event.meta
        entry = self._entry_from_message(message, node=meta.langgraph_node, step=meta.langgraph_step)
        entry.namespace = event.namespace
        entry.run_id = self.run.run_id if self.run else None
        self._add(entry)
        self._link(entry)

    # -- failures and the end of the run ------------------------------------------------

    def _apply_failure(self, error: str, message: str) -> None:
        run = self._ensure_run()
        self._run_failed = True
        run.outcome = RunOutcome.ERROR
        for open_message in list(self._open.values()):
            self._close(open_message, MessageStatus.FAILED)
        self._open.clear()
        self._add(ErrorEntry.from_server(self._next_seq(), error, message, run.run_id))
        self._changes.run_changed = True

    def finish_run(self, end: StreamEnd) -> RunOutcome:
        """The stream ended: decide how the run went and settle open messages."""
        run = self._ensure_run()
        status = end.run_status
        if self._run_failed:
            outcome = RunOutcome.ERROR
        elif end.cancelled:
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
