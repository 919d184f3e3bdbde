"""Answering interrupts: decisions on gated tool calls, values, and the ways out of a stuck request.

A mixin of :class:`~chat_tui.service.chat.ChatService`. Every answer is keyed by its interrupt's
id (which also works with one interrupt, and leaves the others pending), and checked here before
anything is sent: a batched answer with the wrong number of decisions is saved by the server and
breaks the thread, so it must never leave.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chat_tui.client.modes import stream_modes
from chat_tui.conversation.interrupts import InterruptEntry, answer_for, problem_with
from chat_tui.errors import ChatTuiError
from chat_tui.service.inbox import InboxCursor, InboxRow
from chat_tui.service.outcomes import Outgoing
from chat_tui.service.turn import TurnRequest

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient
    from chat_tui.conversation import Conversation
    from chat_tui.run_config import RunConfig

__all__ = ["Approvals", "InboxRow", "NotSendable"]

INBOX_PAGE = 50
WAITING_SCAN = 200  # threads of each status looked at to count those waiting ("N+" beyond)


class NotSendable(ChatTuiError):
    """The answer would be refused (or would break the thread): nothing was sent. One line says why."""


class Approvals:
    client: LangGraphClient
    assistant_id: str
    config: dict[str, Any] | None
    context: dict[str, Any] | None
    stream_subgraphs: bool
    stream_tasks: bool  # the options ask for node starts and ends on every run
    graph_open: bool  # the graph view is open: it wants them too

    if TYPE_CHECKING:  # (ThreadActions, beside it in ChatService, has the real one)

        def assistant_for(self, thread_id: str | None) -> str: ...

    def request(self, conversation: Conversation, run_config: RunConfig | None = None) -> TurnRequest:
        """A run on *conversation*'s thread with this server's settings (what to send is set by the caller)."""
        values = run_config.request_kwargs() if run_config else {}
        return TurnRequest(
            assistant_id=self.assistant_for(conversation.thread_id),
            thread_id=conversation.thread_id,
            config=values.get("config", self.config),
            context=values.get("context", self.context),
            stream_subgraphs=self.stream_subgraphs,
            stream_mode=stream_modes(tasks=self.stream_tasks or self.graph_open),
            multitask_strategy="reject",  # a busy thread answers 409, and ask_busy decides
            checkpoint_id=conversation.branch_head,  # continue the branch shown, not the newest
        )

    def decide(
        self, conversation: Conversation, entry: InterruptEntry, run_config: RunConfig | None = None
    ) -> Outgoing:
        """The decisions chosen on *entry*'s gated calls, as one answer. Raises :class:`NotSendable`
        (nothing sent) when any is missing or the call does not allow it."""
        if entry.resolved:
            raise NotSendable("this interrupt was answered already")
        if not entry.decided:
            missing = sum(1 for d in entry.decisions if d is None)
            raise NotSendable(f"{missing} of {len(entry.calls)} gated call(s) still need a decision")
        decisions = [d for d in entry.decisions if d is not None]
        problem = problem_with(entry.kind, entry.calls, decisions)
        if problem:
            raise NotSendable(problem)
        return self.answer(conversation, entry, answer_for(entry.kind, entry.calls, decisions), run_config)

    def answer(
        self, conversation: Conversation, entry: InterruptEntry, value: Any, run_config: RunConfig | None = None
    ) -> Outgoing:
        """*value* as the answer to *entry*, keyed by its id (a bare value only when it has none)."""
        request = self.request(conversation, run_config)
        request.resume = {entry.interrupt_id: value} if entry.interrupt_id else value
        return Outgoing(conversation, request, run_config=run_config)

    def again(self, conversation: Conversation, run_config: RunConfig | None = None) -> Outgoing:
        """A run with no input: after :meth:`reset_request`, the graph asks again."""
        request = self.request(conversation, run_config)
        request.no_input = True
        return Outgoing(conversation, request, run_config=run_config)

    async def reset_request(self, thread_id: str) -> None:
        """Undo a refused answer: write nothing as the node that ran before the approval, so that
        node's output is fresh and the approval runs (and asks) again on the next run. (A batched
        answer with a wrong count is saved and fails every retry: this is the way out.)"""
        checkpoints = await self.client.threads.get_history(thread_id, limit=2)
        before = checkpoints[1].next if len(checkpoints) > 1 else []
        if not before:
            raise NotSendable("this thread has no step before its pending request to go back to")
        await self.client.threads.update_state(thread_id, None, as_node=before[0])

    async def dismiss(self, thread_id: str) -> None:
        """End the thread's pending interrupt without answering it (``goto: __end__`` does not)."""
        await self.client.threads.update_state(thread_id, None, as_node="__end__")

    # -- the inbox ---------------------------------------------------------------------------------

    def inbox_cursor(self) -> InboxCursor:
        """Threads waiting for a human, newest first, a page at a time (see :mod:`.inbox`)."""
        return InboxCursor(self.client)

    async def inbox(self, *, limit: int = INBOX_PAGE, offset: int = 0) -> list[InboxRow]:
        """The first *limit* waiting threads after *offset*, newest first."""
        cursor = self.inbox_cursor()
        if offset:
            await cursor.next_page(offset)
        return await cursor.next_page(limit)

    async def waiting_count(self) -> tuple[int, bool]:
        """How many threads wait for a human (and whether there may be more than counted)."""
        cursor = InboxCursor(self.client, scan_limit=WAITING_SCAN)
        rows = await cursor.next_page(WAITING_SCAN * 2)
        return len(rows), not cursor.complete
