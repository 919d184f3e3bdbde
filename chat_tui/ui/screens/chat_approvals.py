"""The chat screen's human-in-the-loop: decisions on gated tool calls, and the ways out of a stuck request.

A base class of :class:`~chat_tui.ui.screens.chat.ChatScreen`. The decisions are recorded on
the interrupt's entry (they can be changed until sent); once every gated call of an interrupt
has one, the screen asks and sends them as one answer, checked by the service first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.content import Content

from chat_tui.client.errors import ClientError
from chat_tui.conversation.interrupts import Decision, InterruptEntry
from chat_tui.conversation.run import RunOutcome
from chat_tui.service.approvals import NotSendable
from chat_tui.ui.screens.chat_extras import ChatExtras
from chat_tui.ui.screens.dialogs import ConfirmScreen, TextPromptScreen
from chat_tui.ui.widgets.interrupt_block import InterruptBlock
from chat_tui.ui.widgets.tool_panel import ToolPanel

if TYPE_CHECKING:
    from textual.widget import Widget

    from chat_tui.conversation import Conversation
    from chat_tui.service.outcomes import Outgoing, SendOutcome

__all__ = ["ChatApprovals"]


class ChatApprovals(ChatExtras):
    def send(self, outgoing: Outgoing) -> object:
        raise NotImplementedError

    @on(ToolPanel.Decide)
    def _decide_requested(self, event: ToolPanel.Decide) -> None:
        event.stop()
        self.decide(event.entry, event.position, event.decision, event.panel)

    @work(group="decide", exclusive=True, exit_on_error=False)
    async def decide(self, entry: InterruptEntry, position: int, kind: str, panel: Widget | None = None) -> None:
        """Ask what the decision needs (a reason, the response, the edited arguments), record it, and
        once every gated call has one, send them all (after asking)."""
        call = entry.calls[position]
        decision: Decision | None = Decision("approve") if kind == "approve" else None
        if kind == "reject":
            reason = await self.app.push_screen_wait(
                TextPromptScreen(f"Reject {call.name}: why? (optional; the model reads it)")
            )
            if reason is None:
                return
            decision = Decision("reject", message=reason.strip() or None)
        elif kind == "respond":
            text = await self.app.push_screen_wait(TextPromptScreen(f"Respond for {call.name}: what it returns"))
            if not text or not text.strip():
                return
            decision = Decision("respond", message=text)
        elif kind == "edit":
            from chat_tui.ui.screens.edit_args import EditArgsScreen

            args = await self.app.push_screen_wait(EditArgsScreen(call.name, call.args, call.args_schema))
            if args is None:
                return
            decision = Decision("edit", args=args)
        if decision is None:
            return
        entry.decisions[position] = decision
        await self._show_decisions(entry)
        if entry.decided:
            await self._send_decisions(entry)
        else:
            self._focus_next_undecided(entry)

    @on(InterruptBlock.FormRequested)
    def _form_requested(self, event: InterruptBlock.FormRequested) -> None:
        event.stop()
        self.answer_with_form(event.entry)

    @work(group="decide", exclusive=True, exit_on_error=False)
    async def answer_with_form(self, entry: InterruptEntry) -> None:
        """The question's schema as a form; what it returns (checked against the schema) is the answer."""
        from chat_tui.ui.screens.answer_form import AnswerFormScreen

        if self.service is None or entry.schema is None:
            return
        answer = await self.app.push_screen_wait(AnswerFormScreen(entry.question, entry.schema))
        if answer is not None and not entry.resolved:
            self.send(self.service.answer(self.conversation, entry, answer, self.run_config))

    async def _show_decisions(self, entry: InterruptEntry) -> None:
        """The decision lines of *entry*'s tool panels and its block in the pane."""
        for panel in self.view.query(ToolPanel):
            if panel.call.gate is not None and panel.call.gate[0] is entry:
                panel.sync()
        for block in self.view.query(InterruptBlock):
            if block.entry is entry:
                await block.sync()

    async def _send_decisions(self, entry: InterruptEntry) -> None:
        service = self.service
        if service is None:
            return
        try:
            outgoing = service.decide(self.conversation, entry, self.run_config)
        except NotSendable as problem:
            self.notify(f"not sent: {problem}", severity="error", markup=False)
            return
        chosen = "\n".join(f"{c.name}: {d.summary}" for c, d in zip(entry.calls, entry.decisions, strict=True) if d)
        question = Content.assemble(("Send your decisions?\n\n", "bold"), chosen)
        if await self.app.push_screen_wait(ConfirmScreen(question, yes="Send", no="Keep deciding")):
            self.send(outgoing)

    def _focus_next_undecided(self, entry: InterruptEntry) -> bool:
        """Focus the first call of *entry* still waiting for a decision (its panel, or the
        interrupt's block for a call no panel shows); False when there is none."""
        targets: list[Widget] = [
            panel
            for panel in self.view.query(ToolPanel)
            if panel.call.gate is not None
            and panel.call.gate[0] is entry
            and entry.decisions[panel.call.gate[1]] is None
        ]
        targets += [block for block in self.view.query(InterruptBlock) if block.entry is entry]
        if not targets or entry.decided:
            return False
        targets[0].focus()
        targets[0].scroll_visible(animate=False)
        return True

    def action_focus_messages(self) -> None:
        """Tab from the composer: to the first call waiting for a decision, if any; else the pane."""
        focused = self.focused
        if focused is None or self.view not in focused.ancestors_with_self:
            for entry in self.conversation.pending_interrupts:
                if entry.calls and self._focus_next_undecided(entry):
                    return
                if entry.schema is not None:  # a question with a form: its block takes `f`
                    block = next((b for b in self.view.query(InterruptBlock) if b.entry is entry and b.has_form), None)
                    if block is not None:
                        block.focus()
                        block.scroll_visible(animate=False)
                        return
        super().action_focus_messages()

    # -- the inbox ---------------------------------------------------------------------------------

    @work(group="inbox", exclusive=True, exit_on_error=False)
    async def action_inbox(self) -> None:
        """Every thread waiting for a human; Enter opens it (at its question)."""
        if self.service is None:
            return
        from chat_tui.ui.screens.inbox import InboxScreen

        thread_id = await self.app.push_screen_wait(InboxScreen(self.service))
        if thread_id:
            self.open_thread(thread_id)

    @work(group="waiting", exclusive=True, exit_on_error=False)
    async def refresh_waiting(self) -> None:
        """How many threads wait for a human, for the status line (a few search pages, never all)."""
        if self.service is None:
            return
        try:
            count, more = await self.service.waiting_count()
        except ClientError:
            return
        self.status.waiting = f"⏸ {count}{'+' if more else ''} waiting · F6" if count else ""
        self._update_status()

    # -- when an answer was refused ------------------------------------------------------------

    @work(group="reset-request", exclusive=True, exit_on_error=False)
    async def action_reset_request(self) -> None:
        """Ask the graph again: the way out of a refused answer (which the server may have saved)."""
        service, thread_id = self.service, self.conversation.thread_id
        if service is None or thread_id is None:
            return
        try:
            await service.reset_request(thread_id)
        except (NotSendable, ClientError) as problem:
            self.notify(f"could not reset the request: {problem}", severity="error", markup=False)
            return
        self.notify("the request is asked again", markup=False)
        self.send(service.again(self.conversation, self.run_config))

    @work(group="dismiss", exclusive=True, exit_on_error=False)
    async def action_dismiss_interrupt(self) -> None:
        """End the pending interrupt without an answer (after asking): the thread goes on idle."""
        service, thread_id = self.service, self.conversation.thread_id
        if service is None or thread_id is None:
            return
        question = Content.assemble(
            ("Dismiss the pending request?\n\n", "bold"),
            "The thread ends here without an answer; the tool calls it waited on do not run.",
        )
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Dismiss", danger=True)):
            return
        try:
            await service.dismiss(thread_id)
        except ClientError as problem:
            self.notify(f"could not dismiss: {problem}", severity="error", markup=False)
            return
        self.notify("the request was dismissed", markup=False)
        self.reopen()

    def reopen(self) -> None:
        if self.conversation.thread_id:
            self.open_thread(self.conversation.thread_id)

    def open_thread(self, thread_id: str) -> object:
        raise NotImplementedError

    # -- a new message while approvals wait, and a refused answer ---------------------------------

    async def confirm_dropping(self, outgoing: Outgoing) -> bool:
        """A new message while approvals wait: the server would drop them without a word, so ask
        first; if the user keeps the request, the text goes back to the composer."""
        if not outgoing.drops_interrupts or self.service is None:
            return True
        question = Content.assemble(
            (f"This thread waits for your decision ({outgoing.drops_interrupts} pending).\n\n", "bold"),
            "Send your message anyway? The pending request is dropped and its tool calls do not run. "
            "(To answer it: Tab into the messages, then a / e / r / t on each tool call.)",
        )
        if await self.app.push_screen_wait(ConfirmScreen(question, yes="Send anyway", no="Keep it")):
            return True
        restored = self.service.withdraw(outgoing, self.composer.text)
        if restored is not None and outgoing.conversation is self.conversation:
            self.composer.replace_text(restored)
        return False

    def after_answer(self, conversation: Conversation, outcome: SendOutcome) -> None:
        if conversation is self.conversation and isinstance(self.focused, ToolPanel | InterruptBlock):
            # the user was deciding: on to the next call that waits (another interrupt's), if any
            for entry in conversation.pending_interrupts:
                if entry.calls and self._focus_next_undecided(entry):
                    break
        if outcome.outcome is RunOutcome.ERROR and conversation.pending_interrupts:  # the answer was refused
            self.notify(
                "the server refused the answer (its reason is in the pane); your decisions are kept to change, "
                "or Ctrl+P → Reset the pending request asks again",
                severity="warning",
                markup=False,
                timeout=12,
            )
