"""Going back in a thread: edit a human message, regenerate an AI message, show another branch,
fork or re-run from a checkpoint; and a run whose input is any JSON (graphs without ``messages``).
A mixin of :class:`~chat_tui.service.chat.ChatService`.

Each use case that sends returns an :class:`Outgoing` to pass to ``send`` (the same path as any
message: drafts, busy threads, faults), after setting the conversation to what the run starts from:
the values at the fork point, read with ``GET /threads/{id}/state/{checkpoint}`` (never the thread
object's ``values``, which is stale after a fork). A checkpoint is only ever sent after it was found
in the thread's history: an unknown one would put the thread into ``error``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from chat_tui.service.approvals import NotSendable
from chat_tui.service.outcomes import Outgoing
from chat_tui.service.timeline import WALK_PAGE, Timeline

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient
    from chat_tui.conversation import Conversation
    from chat_tui.service.drafts import Drafts
    from chat_tui.service.turn import TurnRequest

__all__ = ["TimeTravel"]


class TimeTravel:
    client: LangGraphClient
    drafts: Drafts | None

    if TYPE_CHECKING:  # (Approvals, beside it in ChatService, has the real one)

        def request(self, conversation: Conversation) -> TurnRequest: ...

    def timeline(self, thread_id: str) -> Timeline:
        """The app's walks page small: each page is parsed on the loop that draws the screen."""
        return Timeline(self.client, thread_id, page=WALK_PAGE)

    async def _start_at(self, conversation: Conversation, checkpoint_id: str) -> None:
        """Show the values at *checkpoint_id*: what a run from there starts with. It is the branch
        head too: should the run be refused (a busy thread, the server says no), what is shown is
        what the next message continues from (a run that starts makes its branch the newest)."""
        thread_id = conversation.thread_id or ""
        state = await self.client.threads.get_state_at(thread_id, checkpoint_id)
        conversation.load(state)
        conversation.branch_head = checkpoint_id

    async def _fork_point(self, timeline: Timeline, conversation: Conversation, message_id: str | None) -> str:
        if not message_id:
            raise NotSendable("this message has no id on the server yet (wait for the run to end)")
        point = await timeline.fork_point(message_id, conversation.branch_head)
        if point is None:
            raise NotSendable("this message is not in the thread's history (it was never saved)")
        return point

    async def edit(self, conversation: Conversation, message_id: str | None, text: str) -> Outgoing:
        """*text* instead of the human message *message_id*, as a new branch from that turn's input
        checkpoint. Raises :class:`NotSendable` (nothing changed) when the message cannot be found."""
        timeline = self.timeline(conversation.thread_id or "")
        point = await self._fork_point(timeline, conversation, message_id)
        await self._start_at(conversation, point)
        request = self.request(conversation)
        request.text, request.checkpoint_id = text, point
        outgoing = Outgoing(conversation, request)
        outgoing.text = text
        # (a refused run gives the text back to the composer, which holds this thread's draft)
        outgoing.draft_key = self.drafts.key if self.drafts is not None else None
        return outgoing

    async def regenerate(self, conversation: Conversation, message_id: str | None) -> Outgoing:
        """The AI message *message_id* again: a run with no input from the checkpoint before the node
        that wrote it. Raises :class:`NotSendable` when the message cannot be found."""
        timeline = self.timeline(conversation.thread_id or "")
        point = await self._fork_point(timeline, conversation, message_id)
        await self._start_at(conversation, point)
        return self.run_from(conversation, point)

    def run_from(self, conversation: Conversation, checkpoint_id: str) -> Outgoing:
        """A run with no input from *checkpoint_id* (regenerate; from an input checkpoint it re-runs
        that turn with its stored input). The caller found the checkpoint in the history."""
        request = self.request(conversation)
        request.no_input, request.checkpoint_id = True, checkpoint_id
        return Outgoing(conversation, request)

    async def input_checkpoint(self, thread_id: str, run_id: str) -> str | None:
        """The input checkpoint a run wrote (to re-run it: from there with no input, the server
        applies its stored input again); None when it wrote none (a run that answered an interrupt)."""
        timeline = self.timeline(thread_id)
        while True:
            hit = next((i for i in timeline.by_id.values() if i.run_id == run_id and i.source == "input"), None)
            if hit is not None or timeline.complete:
                return hit.checkpoint_id if hit is not None else None
            await timeline.more()

    def input_outgoing(self, conversation: Conversation, value: dict[str, object]) -> Outgoing:
        """*value* as the run's input, as it is (graphs without a ``messages`` key, or with other fields)."""
        request = self.request(conversation)
        request.input = value
        return Outgoing(conversation, request)

    async def show_checkpoint(self, conversation: Conversation, checkpoint_id: str, *, newest: bool = False) -> None:
        """Show the thread as it was at *checkpoint_id* (a branch's head, or a fork point the next
        message runs from). ``newest``: it is the server's newest checkpoint (nothing to remember)."""
        await self._start_at(conversation, checkpoint_id)
        conversation.branch_head = None if newest else checkpoint_id
