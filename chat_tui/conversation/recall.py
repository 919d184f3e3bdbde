"""What a live run showed that a thread's stored messages do not say, put back from what the server keeps.

A thread loaded from ``GET /state`` is its messages and nothing else. The live view also
showed which node wrote each message, the interrupts that were asked and how they were
answered, the error a failed run ended with, and a cancelled or failed node's partial answer.
:meth:`Recall.recall` rebuilds those from the thread's checkpoints (each task's writes,
interrupts and error), its runs (which run answered which interrupt, which run was
cancelled) and, for partial answers, which the server does not keep at all, a local record.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chat_tui.conversation.entries import (
    ChatMessage,
    Entry,
    ErrorEntry,
    InterruptEntry,
    MessageStatus,
    NoticeEntry,
)
from chat_tui.conversation.subgraphs import namespace_from_checkpoint_ns

if TYPE_CHECKING:
    from chat_tui.client.models import Run, ThreadState
    from chat_tui.conversation.state import ConversationState as _Container
else:
    _Container = object

__all__ = ["Recall", "UnsavedAnswer"]


@dataclass(frozen=True, slots=True)
class UnsavedAnswer:
    """A partial answer the server did not keep (its node was cancelled or failed), kept locally."""

    run_id: str
    after: str  # the id of the stored message it followed
    text: str
    node: str | None = None
    failed: bool = False  # else cancelled


class Recall(_Container):
    """Rebuilding a loaded thread's live details (a part of :class:`~chat_tui.conversation.state.Conversation`)."""

    def recall(
        self,
        checkpoints: Sequence[ThreadState],
        runs: Sequence[Run],
        unsaved: Iterable[UnsavedAnswer] = (),
        subgraphs: Mapping[str, Sequence[ThreadState]] | None = None,
    ) -> None:
        """Put back what the live view showed; *checkpoints* newest first (as ``/history`` answers),
        *runs* in any order. What falls outside them (older checkpoints) stays as loaded.
        *subgraphs* (given when subgraphs are streamed, so shown nested): the own checkpoints of the
        subgraphs those ran, by ``checkpoint_ns`` (which inner node wrote each message, and where an
        interrupt inside one was asked); None: a subgraph's messages are the parent node's."""
        for answer in unsaved:
            status = MessageStatus.FAILED if answer.failed else MessageStatus.CANCELLED
            message = ChatMessage.unsaved(
                self._next_seq(), answer.text, node=answer.node, status=status, run_id=answer.run_id
            )
            if self._place(message, answer.after) and message.node:
                self.ai_nodes.add(message.node)
        resumes = sorted((r for r in runs if r.resume[0]), key=_created)
        branch = _branch(checkpoints)
        asked_at: dict[str, str | None] = {}  # an interrupt inside a subgraph -> the last message before it
        for checkpoint in branch:
            for task in checkpoint.tasks:
                node = task.name if task.name and not task.name.startswith("__") else None
                namespace = namespace_from_checkpoint_ns(task.checkpoint_ns)
                if namespace and subgraphs is not None:
                    asked_at.update(self._recall_subgraph(task.written_message_ids, namespace, node, subgraphs))
                    continue
                for message_id in task.written_message_ids:
                    self._label(message_id, node)
        for checkpoint in branch:
            anchor = _last_id(checkpoint.messages)
            for task in checkpoint.tasks:
                namespace = namespace_from_checkpoint_ns(task.checkpoint_ns) if subgraphs is not None else ()
                for interrupt in task.interrupts:
                    if interrupt.id and interrupt.id in self._interrupt_ids:
                        continue  # pending now (loaded), or already placed
                    entry = InterruptEntry.from_server(
                        self._next_seq(), interrupt.id, interrupt.value, response_schema=interrupt.response_schema
                    )
                    answered_by = next((r for r in resumes if _created(r) >= _when(checkpoint)), None)
                    if answered_by is not None:
                        entry.answer_with(answered_by.resume[1])
                    else:
                        entry.resolved = True  # (no run answered it: it was dropped or dismissed)
                    if interrupt.id:
                        self._interrupt_ids.add(interrupt.id)
                    entry.namespace = namespace
                    self._place(entry, asked_at.get(interrupt.id or "", anchor) if namespace else anchor)
                if task.error is not None and not _cancelled(task.error) and not self._error_follows(anchor):
                    self._place(ErrorEntry.from_task_error(self._next_seq(), task.error), anchor)
        self._recall_unsent(runs)
        for run in runs:
            if run.status == "interrupted" and run.input_message_ids:
                after = run.input_message_ids[-1]
                if self._answered(after) is False:
                    self._place(NoticeEntry(self._next_seq(), "cancelled before it answered", run.run_id), after)

    def _recall_subgraph(
        self,
        written: list[str],
        namespace: tuple[str, ...],
        node: str | None,
        subgraphs: Mapping[str, Sequence[ThreadState]],
    ) -> dict[str, str | None]:
        """The messages a subgraph task wrote, nested under its group and labelled with the inner node
        that wrote each (from the subgraph's own checkpoints; without them, with the parent node).
        Returns where each interrupt asked inside it goes: after the last message before it."""
        inner: dict[str, str] = {}
        asked_at: dict[str, str | None] = {}
        for checkpoint in _branch(subgraphs.get("|".join(namespace), ())):
            for task in checkpoint.tasks:
                if task.name and not task.name.startswith("__"):
                    inner.update(dict.fromkeys(task.written_message_ids, task.name))
                for interrupt in task.interrupts:
                    asked_at[interrupt.id or ""] = _last_id(checkpoint.messages)
        for message_id in dict.fromkeys([*written, *inner]):  # (a pending subgraph has written nothing yet)
            message = self._by_id.get(message_id)
            if message is None or message.role == "human" or (inner and message_id not in inner):
                continue  # (the subgraph's input: the parent's messages it started from)
            self._label(message_id, inner.get(message_id, node))
            self._nest(message, namespace)
        return asked_at

    def _recall_unsent(self, runs: Sequence[Run]) -> None:
        """The newest run was cancelled before its input reached the thread's state: the live view
        showed the message, not saved; the run keeps it exactly as sent."""
        newest = max(runs, key=_created, default=None)
        if newest is None or newest.status != "interrupted" or not newest.input_message_ids:
            return
        if newest.input_message_ids[-1] in self._by_id:
            return
        for raw in newest.input_messages:
            content = raw.get("content")
            if raw.get("role", raw.get("type")) not in ("user", "human") or not isinstance(content, str):
                continue
            message = ChatMessage.human(self._next_seq(), content, raw.get("id"))
            message.persisted = False
            if message.id:
                self._by_id[message.id] = message
            self._add(message)

    def _label(self, message_id: str, node: str | None) -> None:
        message = self._by_id.get(message_id)
        if message is None or node is None or message.node:
            return
        message.label_node(node)
        if message.role == "ai" and message.node:
            self.ai_nodes.add(message.node)
        self._touch(message)

    def _place(self, entry: Entry, after: str | None) -> bool:
        """Insert *entry* after the message with id *after* (and after what was placed there before)."""
        anchor = self._by_id.get(after) if after else None
        if anchor is None:
            return False
        position = self.entries.index(anchor) + 1
        while position < len(self.entries) and id(self.entries[position]) in self._recalled:
            position += 1
        if position == len(self.entries):
            self._add(entry)
        else:
            self._add(entry, after=self.entries[position - 1])
        self._recalled.add(id(entry))
        return True

    def _error_follows(self, after: str | None) -> bool:
        """An error entry already follows *after* (the thread's own error, loaded with its state)."""
        anchor = self._by_id.get(after) if after else None
        if anchor is None:
            return True  # nowhere to put it
        for entry in self.entries[self.entries.index(anchor) + 1 :]:
            if isinstance(entry, ErrorEntry):
                return True
            if id(entry) not in self._recalled:
                return False
        return False

    def _answered(self, after: str) -> bool | None:
        """Whether anything follows the message *after* before the next human message (None: not here)."""
        anchor = self._by_id.get(after)
        if anchor is None:
            return None
        following = self.entries[self.entries.index(anchor) + 1 : self.entries.index(anchor) + 2]
        return bool(following) and not (isinstance(following[0], ChatMessage) and following[0].role == "human")


def _branch(checkpoints: Sequence[ThreadState]) -> list[ThreadState]:
    """The checkpoints of the branch shown (the newest and its ancestors), oldest first."""
    if not checkpoints:
        return []
    by_id = {c.checkpoint_id: c for c in checkpoints if c.checkpoint_id}
    chain: list[ThreadState] = []
    current: ThreadState | None = checkpoints[0]
    while current is not None and len(chain) < len(checkpoints):
        chain.append(current)
        current = by_id.get(current.parent_checkpoint_id) if current.parent_checkpoint_id else None
    chain.reverse()
    return chain


def _last_id(messages: list[object]) -> str | None:
    for raw in reversed(messages):
        if isinstance(raw, dict) and isinstance(raw.get("id"), str):
            return str(raw["id"])
    return None


_EPOCH = datetime.min.replace(tzinfo=UTC)


def _when(checkpoint: ThreadState) -> datetime:
    when = checkpoint.created_at or _EPOCH
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _created(run: Run) -> datetime:
    when = run.created_at or _EPOCH
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _cancelled(error: object) -> bool:
    """A task stopped by a cancel: the cancel is shown (a partial answer, or a notice), not as an error."""
    return str(error).startswith(("CancelledError", "asyncio.CancelledError"))
