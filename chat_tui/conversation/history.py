"""Stored messages into the conversation: a thread's history, and the server's word on a run.

A thread opens with :meth:`History.load` (``GET /state``). After a run,
:meth:`History.reconcile` brings what streamed in line with what the server stored: stored
messages update in place (ids, text, parsed tool calls), stored messages that never
streamed are inserted where they belong, and partial output the server did not keep stays,
marked not saved. ``values`` events repair finished messages the same way during a run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chat_tui.client.models import MESSAGE_ROLES, AIMessage, Message, Thread, ThreadState, ToolMessage, parse_message
from chat_tui.conversation.entries import (
    ChatMessage,
    Entry,
    ErrorEntry,
    InterruptEntry,
    MessageStatus,
    ToolCallEntry,
    ToolStatus,
    content_text,
)
from chat_tui.conversation.subgraphs import namespace_from_checkpoint_ns

if TYPE_CHECKING:
    # Type-checked as part of the container it is mixed into (at run time, state.py
    # imports this module, so it cannot import state.py back).
    from chat_tui.conversation.state import ConversationState as _Container
else:
    _Container = object

__all__ = ["History"]


class History(_Container):
    """Loading and reconciling stored messages (a part of :class:`~chat_tui.conversation.state.Conversation`)."""

    def load(self, state: ThreadState, thread: Thread | None = None, *, subgraphs: bool = False) -> None:
        """Replace everything with a thread's stored messages, interrupts and error. ``subgraphs``
        (they are streamed, so shown nested): an interrupt raised inside a subgraph nests under it,
        and a pending subgraph's messages (when *state* holds its own state) are shown."""
        self._clear()
        for raw in state.messages:
            try:
                message = parse_message(raw)
            except ValueError:
                continue
            entry = self._entry_from_message(message)
            entry.persisted = True
            self.entries.append(entry)
            self._link(entry)
        if subgraphs:
            self._load_subgraphs(state)
        # The state is the truth for what can be resumed: a thread in ``error`` can still wait (an
        # answer the server refused before saving it), even when the thread itself lists nothing.
        if state.interrupts and (thread is None or thread.status in ("interrupted", "error")):
            tasks = state.tasks if subgraphs else []
            nested = {i.id: namespace_from_checkpoint_ns(t.checkpoint_ns) for t in tasks for i in t.interrupts}
            for interrupt in state.interrupts:
                if interrupt.id:
                    self._interrupt_ids.add(interrupt.id)
                waiting = InterruptEntry.from_server(
                    self._next_seq(), interrupt.id, interrupt.value, response_schema=interrupt.response_schema
                )
                waiting.namespace = nested.get(interrupt.id, ())
                self._add(waiting)
                self._gate_calls(waiting)
        if thread is not None and thread.status in ("idle", "error"):  # nothing will answer them now
            self._settle_unanswered()
            self._dirty = {}
        if thread is not None and thread.status == "error" and thread.error:
            self.entries.append(ErrorEntry.from_thread_error(self._next_seq(), thread.error))
        self._changes.added.clear()  # (a reset: the whole list is new; nested entries went in through _add)

    def _load_subgraphs(self, state: ThreadState) -> None:
        """A pending subgraph's messages (``?subgraphs=true`` sends its state): the parent's state holds
        them only once the subgraph ends, so they come from there, nested under its group."""
        for task in state.tasks:
            namespace = namespace_from_checkpoint_ns(task.checkpoint_ns)
            inner = task.state.get("values") if namespace and isinstance(task.state, dict) else None
            raws = inner.get("messages") if isinstance(inner, dict) else None
            for raw in raws if isinstance(raws, list) else []:
                try:
                    message = parse_message(raw)
                except ValueError:
                    continue
                if message.id and message.id in self._by_id:
                    continue  # the parent's own (the subgraph's input)
                entry = self._entry_from_message(message)
                entry.persisted = True
                entry.namespace = namespace
                self._add(entry)
                self._link(entry)

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
        pending = {namespace_from_checkpoint_ns(t.checkpoint_ns)[:1] for t in state.tasks if t.checkpoint_ns}
        for held in self.entries:
            if not isinstance(held, ChatMessage) or held.persisted is not None or held.id in stored_ids:
                continue
            if held.namespace and held.namespace[:1] in pending:
                continue  # in a subgraph that waits: its own state keeps it, the parent's not yet
            if held.role == "human" or (run_id is not None and held.run_id == run_id) or held.streamed:
                held.persisted = False
                self._touch(held)
        fresh = [i for i in state.interrupts if not (i.id and i.id in self._interrupt_ids)]
        if fresh:
            self._add_interrupts(fresh)
        still = {i.id for i in state.interrupts if i.id}
        self.drop_interrupts(still)  # the state is the truth: what it does not list waits no more
        for waiting in self.entries:  # an answer the server refused: the interrupt waits again (decisions kept)
            if isinstance(waiting, InterruptEntry) and waiting.resolved and waiting.interrupt_id in still:
                waiting.resolved = waiting.answered = False
                self._touch(waiting)
                self._gate_calls(waiting)

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

    def _entry_from_message(self, message: Message, *, node: str | None = None, step: int | None = None) -> ChatMessage:
        """A whole message as an entry, indexed by its id (its calls are linked by :meth:`_link`)."""
        role = MESSAGE_ROLES.get(message.type, "other")
        entry = ChatMessage.from_content(
            self._next_seq(), role, message.content, id=message.id, node=node, step=step, name=message.name
        )
        if isinstance(message, AIMessage):
            for position, call in enumerate(message.tool_calls):
                tool_call = ToolCallEntry.parsed(position, entry, call.id, call.name, call.args)
                entry.tool_calls.append(tool_call)
                entry.tool_calls_by_index[position] = tool_call
            for position, bad in enumerate(message.invalid_tool_calls, start=len(entry.tool_calls)):
                entry.tool_calls.append(ToolCallEntry.invalid(position, entry, bad))
            if message.usage_metadata:
                entry.usage.add(message.usage_metadata)
            if entry.node:
                self.ai_nodes.add(entry.node)
        elif isinstance(message, ToolMessage):
            entry.answers(message.tool_call_id, message.status)
        if entry.id:
            self._by_id[entry.id] = entry
        return entry

    def _update_from_stored(self, entry: ChatMessage, message: Message) -> None:
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
                    call.identify(stored.id, stored.name)
                    self._register_call(call)
                if call is None:
                    call = ToolCallEntry.parsed(f"s{position}", entry, stored.id, stored.name, stored.args)
                    entry.tool_calls.append(call)
                    self._register_call(call)
                if call.args_valid is not True or call.args != stored.args:
                    keep_status = call.status
                    call.set_args(stored.args)
                    if keep_status in (ToolStatus.DONE, ToolStatus.ERROR):
                        call.status = keep_status
        if entry.status is not MessageStatus.COMPLETE and entry.status is not MessageStatus.STREAMING:
            entry.status = MessageStatus.COMPLETE
        entry.persisted = True
        self._touch(entry)
