"""The chat screen's side of the test results view: open a test run's thread at the turn that
failed, and go back to the results (Ctrl+R) while a suite is open in the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding

from chat_tui.ui.screens.chat_inspector import ChatInspector

if TYPE_CHECKING:
    from chat_tui.conversation import Conversation

__all__ = ["ChatTests"]


def human_entry(conversation: Conversation, ordinal: int, segment_end: bool) -> int | None:
    """The seq of the *ordinal*-th human message (from 0), or of the last entry before the next
    human message when *segment_end*; None when the thread has fewer human messages."""
    entries = conversation.entries
    # (by role, not isinstance: the entries module loads only once a thread is shown)
    humans = [i for i, e in enumerate(entries) if getattr(e, "role", None) == "human"]
    if ordinal >= len(humans):
        return None
    at = humans[ordinal]
    if segment_end:
        following = humans[ordinal + 1] if ordinal + 1 < len(humans) else len(entries)
        at = max(at, following - 1)
    return entries[at].seq


class ChatTests(ChatInspector):
    BINDINGS = [
        Binding("ctrl+r", "test_results", "Results", show=False, id="chat.test-results"),
    ]

    async def load_thread(self, thread_id: str) -> None:
        raise NotImplementedError  # (the chat screen's)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "test_results":
            return self.chat_app.has_test_results
        return super().check_action(action, parameters)

    def action_test_results(self) -> None:
        """Back to the test results view (a suite run with --tui, or a results file)."""
        self.chat_app.show_test_results()

    @work(group="open-thread", exclusive=True, exit_on_error=False)
    async def open_thread_at(self, thread_id: str, anchor: tuple[int, bool] | None) -> None:
        """Open *thread_id* and put the focus on the message *anchor* names (see
        :func:`chat_tui.testing.board.turn_anchor`), else on the thread's end."""
        await self.load_thread(thread_id)
        if self.conversation.thread_id != thread_id:
            return  # (it could not be opened: the reason is on screen)
        seq = human_entry(self.conversation, *anchor) if anchor is not None else None
        widget = await self.view.reveal(seq) if seq is not None else None
        if widget is None:
            await self.view.jump(to_end=True)
            self.view.focus()
        self.notify("the test run's thread · Ctrl+R: back to the results", markup=False)
