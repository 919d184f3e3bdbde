"""The conversation state: one thread's entries in order, the indexes over them, and the run.

Pure Python (no Textual, no I/O). :class:`Conversation` is assembled from three parts:

* :class:`ConversationState`, here: the container. It holds the entries and every index
  into them, registers tool calls, and records what changed for the UI;
* :class:`~chat_tui.conversation.fold.StreamFold`: stream events in, one at a time;
* :class:`~chat_tui.conversation.history.History`: stored messages in (loading a thread,
  reconciling a finished run with what the server kept).

A stream worker calls :meth:`Conversation.apply` for each event; that only appends to
buffers and marks entries dirty, so it costs O(token). The UI calls
:meth:`Conversation.take_changes` at its own pace (≤ 30 Hz) and renders what changed. Live
and stored conversations go through the same entry factories, so they render identically;
those factories (:mod:`chat_tui.conversation.entries`) are where server strings are cleaned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chat_tui.conversation.entries import (
    ChatMessage,
    Entry,
    ErrorEntry,
    InterruptEntry,
    SubgraphGroup,
    ToolCallEntry,
    ToolStatus,
    content_text,
)
from chat_tui.conversation.event_log import EventLog
from chat_tui.conversation.fold import StreamFold
from chat_tui.conversation.graph_activity import GraphActivity
from chat_tui.conversation.history import History
from chat_tui.conversation.reading import Changes
from chat_tui.conversation.recall import Recall
from chat_tui.conversation.run import RunInfo, RunOutcome
from chat_tui.conversation.subgraphs import group_key

if TYPE_CHECKING:
    from chat_tui.client.models import Interrupt

__all__ = ["Changes", "Conversation", "ConversationState", "RunInfo", "RunOutcome", "content_text"]


class ConversationState:
    """The entries of one thread, in order, the indexes that find them, and the current run."""

    def __init__(self, thread_id: str | None = None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.thread_id = thread_id
        # The checkpoint the shown branch ends at when it is not the server's newest (a branch the
        # user switched to, or a fork point): the next run is sent from it. None: the newest.
        self.branch_head: str | None = None
        self.entries: list[Entry] = []
        self.run: RunInfo | None = None
        self.events = EventLog(clock=clock)  # every SSE event of the runs streamed here, for the event inspector
        self.ai_nodes: set[str] = set()
        self.activity = GraphActivity(clock)  # the nodes the run is running and ran (the graph view)
        self._clock = clock
        self._seq = 0
        self._by_id: dict[str, ChatMessage] = {}
        self._open: dict[str, ChatMessage] = {}  # checkpoint namespace -> open streamed message
        self._calls_by_id: dict[str, ToolCallEntry] = {}
        self._orphan_results: dict[str, ChatMessage] = {}  # tool results that came before their call
        self._interrupt_ids: set[str] = set()
        self._run_failed = False
        self._attaching = False  # replaying a run on top of stored history: skip what is stored
        self._changes = Changes()
        self._dirty: dict[int, Entry] = {}
        self._recalled: set[int] = set()  # entries put back by Recall.recall (by id())
        self._gated: dict[int, list[ToolCallEntry]] = {}  # interrupt seq -> the tool calls it gates
        self.groups: dict[str, SubgraphGroup] = {}  # a subgraph run's namespace segment -> its group

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

    def first_human_text(self) -> str | None:
        for entry in self.entries:
            if isinstance(entry, ChatMessage) and entry.role == "human" and entry.text.strip():
                return entry.text
        return None

    def run_messages(self, run_id: str | None = None) -> list[ChatMessage]:
        """Messages produced by a run (AI and tool), in order."""
        return [
            e
            for e in self.entries
            if isinstance(e, ChatMessage) and e.role != "human" and (run_id is None or e.run_id == run_id)
        ]

    def take_changes(self) -> Changes:
        """Everything that changed since the last call (entries in conversation order)."""
        changes = self._changes
        added = {id(e) for e in changes.added}
        changes.updated = [e for e in self._dirty.values() if id(e) not in added]
        self._dirty = {}
        self._changes = Changes()
        return changes

    # -- entries ------------------------------------------------------------------------

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def group_of(self, entry: Entry) -> SubgraphGroup | None:
        """The subgraph group *entry* is nested in (None: the root graph's)."""
        key = group_key(_namespace(entry))
        return self.groups.get(key) if key is not None else None

    def _add(self, entry: Entry, *, after: Entry | None = None, first: bool = False) -> None:
        if _namespace(entry):
            group = self._group_for(entry, after=after, first=first)
            if group is not None:
                if not group.members and (after is not None or first):
                    after, first = group, False  # (the new group went where the entry goes)
                group.members.append(entry)
        self._insert(entry, after=after, first=first)

    def _group_for(self, entry: Entry, *, after: Entry | None, first: bool) -> SubgraphGroup | None:
        """The group of a nested *entry*: an existing one (touched: its summary changes), or a new
        one placed where the entry goes, just before it."""
        key = group_key(_namespace(entry))
        if key is None:
            return None
        group = self.groups.get(key)
        if group is not None:
            self._touch(group)
            return group
        group = SubgraphGroup(self._next_seq(), key, run_id=getattr(entry, "run_id", None))
        self.groups[key] = group
        self._insert(group, after=after, first=first)
        return group

    def _nest(self, entry: ChatMessage | InterruptEntry, namespace: tuple[str, ...]) -> None:
        """*entry*, already in the list, ran inside a subgraph (learned after it was added)."""
        if not namespace or entry.namespace == namespace or entry not in self.entries:
            return
        entry.namespace = namespace
        position = self.entries.index(entry)
        before = self.entries[position - 1] if position else None
        group = self._group_for(entry, after=before, first=before is None)
        if group is not None and not any(m is entry for m in group.members):
            group.members.append(entry)
        self._touch(entry)

    def _insert(self, entry: Entry, *, after: Entry | None = None, first: bool = False) -> None:
        if first:
            self.entries.insert(0, entry)
        elif after is None:
            self.entries.append(entry)
        else:
            self.entries.insert(self.entries.index(after) + 1, entry)
        self._changes.added.append(entry)

    def set_branches(self, positions: dict[str, tuple[int, int]]) -> None:
        """Which version of itself each message is (by id), from the thread's checkpoints."""
        for message in self.messages:
            position = positions.get(message.id or "")
            if message.branch != position:
                message.branch = position
                self._touch(message)

    def _touch(self, entry: Entry) -> None:
        self._dirty[entry.seq] = entry
        if _namespace(entry) and (group := self.group_of(entry)) is not None:
            self._dirty[group.seq] = group  # (its summary: an answered interrupt waits no more)

    def _clear(self) -> None:
        """Forget every entry and index (a whole thread is about to be loaded)."""
        self.entries = []
        self._by_id.clear()
        self._open.clear()
        self._calls_by_id.clear()
        self._orphan_results.clear()
        self._interrupt_ids.clear()
        self.groups.clear()
        self.ai_nodes.clear()
        self._dirty = {}
        self._recalled.clear()
        self._changes = Changes(reset=True)
        self.run = None

    def add_human(self, text: str, message_id: str | None = None) -> ChatMessage:
        """The user's message, added optimistically (humans are never streamed back)."""
        message = ChatMessage.human(self._next_seq(), text, message_id)
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
        group = self.group_of(entry)
        if group is not None and group is not entry:
            group.members = [m for m in group.members if m is not entry]
            if not group.members:
                self.remove(group)
                self.groups.pop(group.key, None)

    def drop_run(self, run: RunInfo) -> None:
        """A rolled-back run: the server erased it, so its input and all it wrote leave the view."""
        doomed = [
            e
            for e in self.entries
            if e is run.input_message or (run.run_id is not None and getattr(e, "run_id", None) == run.run_id)
        ]
        for entry in doomed:
            self.remove(entry)

    def add_thread_error(self, value: Any) -> ErrorEntry:
        """The error a thread records for its failed run (learned after a rejoin, say)."""
        entry = ErrorEntry.from_thread_error(self._next_seq(), value, self.run.run_id if self.run else None)
        self._add(entry)
        return entry

    # -- the run ------------------------------------------------------------------------

    def begin_run(
        self, assistant_id: str | None = None, input_message: ChatMessage | None = None, *, attaching: bool = False
    ) -> RunInfo:
        """A run starts; ``attaching`` when joining one that was already going (its replay may
        repeat messages this view loaded from the thread's state: those are skipped)."""
        self.run = RunInfo(
            assistant_id=assistant_id, started_at=self._clock(), input_message=input_message, attached=attaching
        )
        self._run_failed = False
        self._attaching = attaching
        self.activity.begin()
        self._open.clear()
        self._changes.run_changed = True
        return self.run

    def _ensure_run(self) -> RunInfo:
        if self.run is None:
            self.begin_run()
        assert self.run is not None
        return self.run

    # -- tool calls and interrupts ------------------------------------------------------

    def _register_call(self, call: ToolCallEntry) -> None:
        """Index a call by its id, and attach its result if that came first."""
        if call.id:
            self._calls_by_id[call.id] = call
            orphan = self._orphan_results.pop(call.id, None)
            if orphan is not None:
                call.attach_result(orphan)

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
            self._register_call(call)

    def _settle_unanswered(self) -> None:
        """Calls still waiting when a run ended early will get no result: say so, not "waiting"."""
        for call in self._calls_by_id.values():
            if call.status in (ToolStatus.STREAMING, ToolStatus.WAITING) and call.result is None:
                call.complete_args()
                call.status = ToolStatus.UNANSWERED
                if call.message is not None:
                    self._touch(call.message)

    def resolve_interrupts(self, answer: Any = None) -> None:
        """The user answered (with *answer*): the interrupts it answers are no longer pending.

        An answer keyed by interrupt ids (``{"<id>": value}``) answers those only; the others stay
        pending, with their ids (langgraph keeps them). Any other answer answers them all."""
        keyed = isinstance(answer, dict) and any(e.interrupt_id in answer for e in self.pending_interrupts)
        for entry in self.pending_interrupts:
            if keyed and entry.interrupt_id not in answer:
                continue
            entry.answer_with(answer)
            self._touch(entry)
            self._ungate(entry)

    def drop_interrupts(self, still: set[str]) -> None:
        """Pending interrupts the server no longer lists (a new message dropped them, or a reset or
        dismiss ended them) wait no more: resolved, not answered. *still* holds the ids the state lists."""
        for entry in self.pending_interrupts:
            if entry.interrupt_id and entry.interrupt_id not in still:
                entry.resolved = True
                self._touch(entry)
                self._ungate(entry)

    def _ungate(self, entry: InterruptEntry) -> None:
        """*entry* no longer waits: its calls' panels lose the decision line (unless a newer
        interrupt gates them now)."""
        for call in self._gated.pop(entry.seq, ()):
            if call.gate is not None and call.gate[0] is entry:
                call.gate = None
            if call.message is not None:
                self._touch(call.message)

    def _gate_calls(self, entry: InterruptEntry) -> None:
        """Attach each gated call of a HITL interrupt to the tool call it is about, so the call's
        panel can show the decision: by id (per call), else by name in order (batched)."""
        if not entry.calls:
            return
        # The newest message's calls first, each message's in order: a turn gating two calls of one
        # tool gets them in the order the model made them.
        recent = [c for m in reversed(self.messages[-10:]) for c in m.tool_calls]
        taken: list[ToolCallEntry] = []
        for position, gated in enumerate(entry.calls):
            match = next(
                (c for c in recent if c not in taken and _is_gated_call(c, gated.name, gated.tool_call_id)), None
            )
            if match is None:
                continue
            taken.append(match)
            match.gate = (entry, position)
            entry.attached.add(position)
            if match.message is not None:
                self._touch(match.message)
        self._gated[entry.seq] = taken

    def _add_interrupts(self, interrupts: list[Interrupt], namespace: tuple[str, ...] = ()) -> None:
        """The run stopped at these ``interrupt()`` calls (each shown once, however often it
        is reported: ``updates`` and ``values`` both carry it, and one raised in a subgraph comes
        in its *namespace* and again at the root, with the same id: the first, nested, is kept)."""
        run = self._ensure_run()
        for interrupt in interrupts:
            if interrupt.id and interrupt.id in self._interrupt_ids:
                continue
            if interrupt.id:
                self._interrupt_ids.add(interrupt.id)
            entry = InterruptEntry.from_server(
                self._next_seq(), interrupt.id, interrupt.value, run.run_id, interrupt.response_schema
            )
            entry.namespace = namespace
            self._add(entry)
            self._gate_calls(entry)
        run.outcome = RunOutcome.INTERRUPTED
        self._changes.run_changed = True


def _namespace(entry: Entry) -> tuple[str, ...]:
    return entry.namespace if isinstance(entry, ChatMessage | InterruptEntry) else ()


def _is_gated_call(call: ToolCallEntry, name: str, tool_call_id: str | None) -> bool:
    return call.id == tool_call_id if tool_call_id else call.name == name


class Conversation(StreamFold, History, Recall, ConversationState):
    """Entries of one thread, in order, plus the state of the current run.

    Stream events go in through :meth:`apply` (and :meth:`begin_run`, :meth:`finish_run`);
    stored state through :meth:`load`, :meth:`recall` and :meth:`reconcile`; the UI reads :attr:`entries`
    and :meth:`take_changes`.
    """
