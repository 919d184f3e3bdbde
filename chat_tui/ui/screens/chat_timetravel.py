"""The chat screen's time travel: edit and regenerate from the message pane, versions of a message
(``‹ 2/3 ›``, ``[`` and ``]``), the checkpoint timeline and the run history, and the composer's JSON
input mode. What each does is a use case of the service (:mod:`chat_tui.service.timetravel`); this
maps keys to them and their outcomes to widgets.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.binding import Binding

from chat_tui.client.errors import ClientError
from chat_tui.sanitize import clean_line
from chat_tui.service.approvals import NotSendable
from chat_tui.service.outcomes import Outgoing
from chat_tui.ui.screens.chat_approvals import ChatApprovals
from chat_tui.ui.screens.runs import RunsScreen
from chat_tui.ui.screens.timeline import FIRST_PAGE, SHOW_AFTER, TimelineScreen
from chat_tui.ui.widgets.entries_base import MessageAction

if TYPE_CHECKING:
    from chat_tui.conversation import ChatMessage, Conversation
    from chat_tui.service.timeline import Branch

__all__ = ["ChatTimeTravel"]

EDITING = "editing a message · Enter sends it as a new branch · Esc gives up"
JSON_MODE = "JSON input · Enter sends the object as the run's input · F7 back to messages"


class ChatTimeTravel(ChatApprovals):
    BINDINGS = [
        Binding("f5", "timeline", "Timeline", show=False, tooltip="The thread's checkpoints", id="chat.timeline"),
        Binding("f8", "run_history", "Runs", show=False, tooltip="The thread's runs", id="chat.runs"),
        Binding(  # (priority: the composer, a TextArea, would take F7 as "select all")
            "f7",
            "json_input",
            "JSON input",
            show=False,
            tooltip="Send a JSON object as the run's input",
            id="chat.json",
            priority=True,
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.composer_mode = "message"  # message | edit | json
        self._editing: tuple[Conversation, str | None, str] | None = None  # (where, message id, text before)
        self._branches: dict[str, Branch] = {}
        self._walking = False  # the version marks' walk of the history is under way

    def _set_mode(self, mode: str, title: str = "") -> None:
        self.composer_mode = mode
        self.composer.border_title = title
        self.composer.set_class(mode != "message", "mode")

    def leave_mode(self) -> bool:
        """Esc while editing gives up (the composer gets back what it held); False when not in a mode."""
        if self.composer_mode == "message":
            return False
        if self._editing is not None:
            self.composer.replace_text(self._editing[2])
            self._editing = None
        self._set_mode("message")
        return True

    # -- edit, regenerate, versions -------------------------------------------------------------

    @on(MessageAction)
    def _message_action(self, event: MessageAction) -> None:
        event.stop()
        if self.service is None or self.conversation.thread_id is None:
            self.notify("this message is not on the server yet", severity="warning", markup=False)
            return
        if self.service.is_live(self.conversation.thread_id):
            self.notify("wait for the run to end (or Esc to cancel it)", severity="warning", markup=False)
            return
        if event.action == "edit":
            self._start_edit(event.message)
        elif event.action == "regenerate":
            self.regenerate(event.message)
        else:
            self.switch_branch(event.message, event.step)

    def _start_edit(self, message: ChatMessage) -> None:
        if self._editing is None:
            self._editing = (self.conversation, message.id, self.composer.text)
        else:
            self._editing = (self.conversation, message.id, self._editing[2])
        self.composer.replace_text(message.text)
        self._set_mode("edit", EDITING)
        self.composer.focus()

    def submit_special(self, text: str) -> bool:
        """Enter in the edit or JSON mode: True when handled here (the composer is then cleared)."""
        if self.composer_mode == "edit" and self._editing is not None:
            conversation, message_id, before = self._editing
            if conversation is not self.conversation:  # (switched threads meanwhile)
                self.leave_mode()
                return True
            self._editing = None
            self._set_mode("message")
            self.send_edit(message_id, text)
            self.call_after_refresh(self.composer.replace_text, before)
            return True
        if self.composer_mode == "json":
            return self._submit_json(text)
        return False

    def _submit_json(self, text: str) -> bool:
        try:
            value = json.loads(text)
        except ValueError as exc:
            self.notify(f"not valid JSON: {clean_line(str(exc), 120)} (nothing was sent)", severity="error")
            return False
        if not isinstance(value, dict):
            self.notify("the run's input must be a JSON object (nothing was sent)", severity="error", markup=False)
            return False
        assert self.service is not None
        self.send(self.service.input_outgoing(self.conversation, value))
        self.composer.clear()
        return True

    @work(group="stream", exit_on_error=False)
    async def send_edit(self, message_id: str | None, text: str) -> None:
        assert self.service is not None
        try:
            outgoing = await self.service.edit(self.conversation, message_id, text)
        except (NotSendable, ClientError) as exc:
            self.notify(f"cannot edit: {exc}", severity="error", markup=False)
            self.composer.replace_text(text)
            return
        await self._go(outgoing)

    @work(group="stream", exit_on_error=False)
    async def regenerate(self, message: ChatMessage) -> None:
        assert self.service is not None
        try:
            outgoing = await self.service.regenerate(self.conversation, message.id)
        except (NotSendable, ClientError) as exc:
            self.notify(f"cannot regenerate: {exc}", severity="error", markup=False)
            return
        await self._go(outgoing)

    async def _go(self, outgoing: Outgoing) -> None:
        """Show where the run starts, then send it as any message is sent."""
        await self.view.show(outgoing.conversation)
        worker = self.send(outgoing)
        await worker.wait()
        self.refresh_branches()

    @work(group="branches", exclusive=True, exit_on_error=False)
    async def switch_branch(self, message: ChatMessage, step: int) -> None:
        self.workers.cancel_group(self, "marks")  # (a walk for the version shown before is stale)
        service, conversation = self.service, self.conversation
        branch = self._branches.get(message.id or "")
        if service is None or branch is None:
            self.notify("this message has no other version", markup=False)
            return
        index = branch.index - 1 + step
        if not 0 <= index < branch.count:
            self.notify(f"this is version {branch.index} of {branch.count}", markup=False)
            return
        head = branch.heads[index]
        timeline = service.timeline(conversation.thread_id or "")
        page = await timeline.more(1)
        try:
            await service.show_checkpoint(conversation, head, newest=bool(page) and page[0].checkpoint_id == head)
        except ClientError as exc:
            self.notify(f"could not load that version: {exc}", severity="error", markup=False)
            return
        await self.view.show(conversation)
        await self._mark_branches(conversation)
        self.focus_message(message.id)

    def focus_message(self, message_id: str | None) -> None:
        """Put the focus on the message with this id, when it is shown."""
        for widget in self.view.query(".entry"):
            if getattr(getattr(widget, "message", None), "id", None) == message_id and message_id:
                widget.focus()
                return

    @work(group="marks", exclusive=True, exit_on_error=False)
    async def refresh_branches(self) -> None:
        """The ``‹ n/m ›`` marks of the shown thread (its checkpoints are read in the background)."""
        await self._mark_branches(self.conversation)

    async def _mark_branches(self, conversation: Conversation) -> None:
        if self.service is None or conversation.thread_id is None:
            return
        head = conversation.branch_head
        self._walking = True
        try:
            found = await self.service.timeline(conversation.thread_id).branches(head)
        except ClientError:
            return  # (the marks are a convenience; the keys say why when they cannot work)
        finally:
            self._walking = False
        if conversation is self.conversation and conversation.branch_head == head:  # (else: another version now)
            self._branches = found
            conversation.set_branches({k: (b.index, b.count) for k, b in found.items()})
            self.wake_flush()

    # -- the timeline, the runs, JSON input ------------------------------------------------------

    def action_json_input(self) -> None:
        if self.composer_mode == "json":
            self._set_mode("message")
        else:
            self.leave_mode()
            self._set_mode("json", JSON_MODE)
        self.composer.focus()

    @work(group="timeline", exclusive=True, exit_on_error=False)
    async def action_timeline(self) -> None:
        if self.service is None or self.conversation.thread_id is None:
            self.notify("a new thread has no checkpoints yet", markup=False)
            return
        timeline = self.service.timeline(self.conversation.thread_id)
        # The marks' walk reads the whole history (a long thread's is many MB): it waits while the
        # timeline loads its first page, so that page is not queued behind it on the loop and the server.
        walking = self._walking
        self.workers.cancel_group(self, "marks")
        # The first page is asked for at once and the screen waits a moment for it, to open with its
        # rows drawn once (not an empty list first, whose frames would slow the page); a slow server
        # gets the screen, saying it loads, after SHOW_AFTER.
        first = asyncio.ensure_future(timeline.more(FIRST_PAGE))
        first.add_done_callback(lambda task: task.cancelled() or task.exception())  # (the screen reports it)
        await asyncio.wait([first], timeout=SHOW_AFTER)
        choice = await self.app.push_screen_wait(TimelineScreen(timeline, self.conversation.branch_head, first))
        if walking:
            self.refresh_branches()
        if choice is not None:
            await self._from_checkpoint(*choice)

    @work(group="timeline", exclusive=True, exit_on_error=False)
    async def action_run_history(self) -> None:
        if self.service is None or self.conversation.thread_id is None:
            self.notify("a new thread has no runs yet", markup=False)
            return
        checkpoint = await self.app.push_screen_wait(RunsScreen(self.service, self.conversation.thread_id))
        if checkpoint is not None:
            await self._from_checkpoint("rerun", checkpoint)

    async def _from_checkpoint(self, action: str, checkpoint_id: str) -> None:
        """``fork``: show the thread at the checkpoint; the next message runs from it. ``rerun``: run
        again from it with no input (an input checkpoint re-applies its turn's input)."""
        service, conversation = self.service, self.conversation
        assert service is not None
        try:
            await service.show_checkpoint(conversation, checkpoint_id)
        except ClientError as exc:
            self.notify(f"could not load the checkpoint: {exc}", severity="error", markup=False)
            return
        if action == "fork":
            await self.view.show(conversation)
            self.notify("the next message runs from this checkpoint (a new branch)", markup=False)
            self.composer.focus()
            return
        await self._go(service.run_from(conversation, checkpoint_id))

    def after_open(self) -> None:
        """A thread was opened: its version marks are read in the background."""
        self._branches = {}
        if self._editing is not None:
            self.leave_mode()
        self.refresh_branches()

    def send(self, outgoing: Outgoing) -> Any:
        raise NotImplementedError

    def wake_flush(self) -> None:
        raise NotImplementedError
