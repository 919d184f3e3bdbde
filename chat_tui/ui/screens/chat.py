"""The chat screen: thread sidebar, message pane, composer, status line.

It maps what the user asks for to the application service (:mod:`chat_tui.service.chat`)
and what the service returns to widgets, dialogs and notifications; the use cases
themselves (open, send, attach, cancel, and the stores they update) live in the service.
Stream workers belong to the screen, not to the message pane, so a run keeps streaming
into its conversation when the user switches to another thread, and shows again, live,
when they come back. Pickers, clipboard and links are in :mod:`.chat_extras`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import var
from textual.widgets import Footer, Static

from chat_tui.client.errors import ClientError, RateLimited
from chat_tui.sanitize import clean_line
from chat_tui.service.outcomes import Accepted, BusyChoice
from chat_tui.service.threads import stored_outcome
from chat_tui.ui.screens.chat_extras import NARROW
from chat_tui.ui.screens.chat_recordings import ChatRecordings
from chat_tui.ui.screens.chat_tests import ChatTests
from chat_tui.ui.screens.dialogs import ChoiceScreen
from chat_tui.ui.widgets.composer import Composer
from chat_tui.ui.widgets.conversation_view import ConversationView
from chat_tui.ui.widgets.sidebar import ThreadSidebar
from chat_tui.ui.widgets.status_line import StatusLine
from chat_tui.ui.widgets.thread_list import ThreadList

if TYPE_CHECKING:
    from chat_tui.conversation import Conversation
    from chat_tui.run_config import RunConfig
    from chat_tui.service.chat import ChatService
    from chat_tui.service.outcomes import Outgoing, SendOutcome

__all__ = ["ChatScreen"]

FLUSH_HZ = 30
WAITING_SECONDS = 30  # how often the count of threads waiting for a human is refreshed
BUSY_CHOICES = [
    ("q", "Queue it: send when the running run ends", BusyChoice.ENQUEUE.value),
    ("i", "Interrupt the running run, then send", BusyChoice.INTERRUPT.value),
    ("r", "Roll back the running run, then send", BusyChoice.ROLLBACK.value),
    ("c", "Cancel: keep my text in the composer", "cancel"),
]


def new_conversation(thread_id: str | None = None) -> Conversation:
    """An empty conversation. (The state module, and the typed protocol and pydantic with it,
    is imported on first use, which is after the first frame: ~0.1 s of start-up.)"""
    from chat_tui.conversation.state import Conversation

    return Conversation(thread_id)


def start_hint(*, demo: bool) -> Content:
    """What a new, empty thread shows."""
    parts: list[str | tuple[str, str]] = [
        ("Type a message and press Enter", "bold"),
        " to start a new thread (Ctrl+J for a newline).\n",
        "Ctrl+T threads · F2 assistant · F3 run configuration · Ctrl+P commands · F1 every key",
    ]
    if demo:
        parts.append("\n\nThis is the offline demo agent. Try: ")
        for keyword in ("what's the weather in sf", "compare paris and tokyo", "delete the report", "plan a trip"):
            parts += [(keyword, "$accent"), " · "]
        parts += [("think", "$accent"), " · ", ("slow", "$accent"), " (Esc cancels)"]
    return Content.assemble(*parts)


class ChatScreen(ChatRecordings, ChatTests):
    BINDINGS = [
        Binding("escape", "cancel_run", "Cancel", tooltip="Cancel the run on the server", id="chat.cancel", show=True),
        Binding("ctrl+n", "new_thread", "New", tooltip="New thread", id="chat.new-thread"),
        Binding("ctrl+t", "focus_threads", "Threads", id="chat.threads"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", show=False, id="chat.toggle-sidebar"),
        Binding("ctrl+o", "focus_messages", "Messages", show=False, id="chat.messages"),  # (Tab, help, palette)
        Binding("f2", "pick_assistant", "Assistant", id="chat.assistant"),
        Binding("f3", "run_config", "Config", show=False, tooltip="Run configuration", id="chat.run-config"),
        Binding("f4", "options", "Options", show=False, id="chat.options"),
        Binding(  # (priority: the composer's TextArea takes F6 for "select line")
            "f6", "inbox", "Inbox", show=False, priority=True, tooltip="Threads waiting for you", id="chat.inbox"
        ),
        Binding("pageup", "scroll_messages(-1)", "Page up", show=False, id="chat.page-up"),
        Binding("pagedown", "scroll_messages(1)", "Page down", show=False, id="chat.page-down"),
    ]

    sidebar_visible: var[bool] = var(True)

    def __init__(self, service: ChatService | None = None, *, thread_id: str | None = None) -> None:
        super().__init__()
        self.service = service
        self.initial_thread = thread_id
        self._conversation: Conversation | None = None  # made on first use (see new_conversation)
        self.connection_note = "connecting…" if service is None else ""
        self.run_config: RunConfig | None = None  # the shown thread's; a new thread inherits it
        self.started = False  # the service has started here (tests and benchmarks wait for it)
        # The main widgets, held directly: they are needed while the screen unmounts too.
        self.view = ConversationView(id="conversation")
        self.view.typed_away = self.typed_away
        self.composer = Composer(id="composer", placeholder="Message the assistant — Enter sends, Ctrl+J newline")
        self.sidebar = ThreadSidebar(id="sidebar")
        self.threads = self.sidebar.threads
        self.status = StatusLine(id="status")

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield self.sidebar
            with Vertical(id="chat"):
                yield self.status
                with Vertical(id="pane"):  # (the marker floats over the pane's last row)
                    yield self.view
                    yield Static(id="new-output")
                yield self.composer
        yield Footer(compact=True, show_command_palette=False)  # (fits 80 columns; F1 lists every key)

    async def on_mount(self) -> None:
        self.query_one("#new-output").display = False
        self.sidebar_visible = self.chat_app.preferences.sidebar and self.app.size.width >= NARROW
        # Asleep while no run streams (an idle app does not wake 30 times a second).
        self._flush_timer = self.set_interval(1 / FLUSH_HZ, self._flush, pause=True)
        self.composer.focus()
        if self.service is not None:
            await self.start_service(self.service)
        else:  # (the app's refresh, not this screen's: this one is not current yet, so it would not wait)
            self.app.call_after_refresh(self._after_first_frame)

    async def _after_first_frame(self) -> None:
        """The empty conversation, unless the service already showed one: not needed for the first frame."""
        if self.view.conversation is None:
            await self.view.show(self.conversation)
            self._update_status()

    @property
    def conversation(self) -> Conversation:
        """The conversation on screen."""
        if self._conversation is None:
            self._conversation = new_conversation()
        return self._conversation

    async def start_service(self, service: ChatService) -> None:
        """Connected: load the thread list and open the first thread (or a new one)."""
        self.service = service
        self.connection_note = ""
        self.status.host = service.host
        self.view.set_hint(start_hint(demo=service.connection.demo))
        self.apply_options()
        self.sidebar_visible = self.chat_app.preferences.sidebar and self.app.size.width >= NARROW
        if service.userdata is not None:
            for notice in service.userdata.notices():
                self.notify(notice.message, severity="warning", markup=False)
        self.composer.drafts = service.drafts
        self.sidebar.attach(service)
        self.refresh_waiting()
        self.set_interval(WAITING_SECONDS, self.refresh_waiting)
        interrupted = service.interrupted_threads()
        if self.initial_thread or interrupted:  # (the app stopped while a run streamed: go back to it)
            self.open_thread(self.initial_thread or interrupted[0])  # what was typed stays the new-thread draft
        else:
            assert service.drafts is not None
            text = service.drafts.adopt(self.composer.text)
            if text != self.composer.text:
                self.composer.replace_text(text)
            await self._show(new_conversation())
        self._update_status()
        self.started = True

    def set_connection_note(self, note: str) -> None:
        self.connection_note = note
        self._update_status()

    # -- rendering ------------------------------------------------------------------------------

    def wake_flush(self) -> None:
        """A run starts streaming: render what it changes at up to 30 Hz until it is over."""
        self._flush_timer.resume()
        self.chat_app.collector.streaming(True)

    async def _flush(self) -> None:
        changes = None
        if self.view.conversation is self.conversation:
            changes = await self.view.flush()
            if changes is not None:
                for fault in changes.faults:
                    self.notify(clean_line(fault, 200), severity="warning", markup=False)
            run = self.conversation.run
            if (changes is not None and changes.run_changed) or (run is not None and run.outcome == "running"):
                self._update_status()
        if changes is None and not self.view.busy and not (self.service and self.service.live):
            self._flush_timer.pause()  # nothing streams and everything is rendered
            self.chat_app.collector.streaming(False)

    def _update_status(self) -> None:
        status = self.status
        status.connection_state = self.connection_note
        status.extra = self.run_config.summary(200) if self.run_config else ""  # (the line cuts it, not we)
        if self.service is not None:
            status.assistant = clean_line(self.service.assistant_label(self.conversation.thread_id), 40)
        status.show(self.conversation.run, stored=stored_outcome(self.conversation))

    async def _show(self, conversation: Conversation) -> None:
        self._conversation = conversation
        self.refresh_bindings()
        if self.service is not None:  # the thread's own run configuration; a new thread keeps the current one
            self.run_config = self.service.run_config_for(conversation.thread_id, self.run_config)
        self.threads.set_current(conversation.thread_id)
        await self.view.show(conversation)
        self.graph_follows_thread()
        self._set_history()
        self.query_one("#new-output").display = False
        self._update_status()

    def _set_history(self) -> None:
        if self.service is not None:
            self.composer.set_history(self.service.prompt_history(self.conversation))

    # -- threads --------------------------------------------------------------------------------

    @on(ThreadList.Open)
    def _open_requested(self, event: ThreadList.Open) -> None:
        self.open_thread(event.thread_id)
        self.composer.focus()
        if self.app.size.width < NARROW:  # the chat gets the whole width back
            self.sidebar_visible = False

    @work(group="open-thread", exclusive=True, exit_on_error=False)
    async def open_thread(self, thread_id: str) -> None:
        await self.load_thread(thread_id)

    async def load_thread(self, thread_id: str) -> None:
        service = self.service
        if service is None:
            return
        self.composer.switch_draft(thread_id)
        self.status.connection_state = "loading thread…"
        self.status.show(None)
        try:
            opened = await service.open(thread_id)
        except ClientError as exc:
            self.notify(f"could not open the thread: {exc}", severity="error", markup=False)
            self._update_status()
            return
        if opened.thread is not None:
            self.threads.upsert(opened.thread)
            self.threads.set_first_message(thread_id, opened.first_message)
        await self._show(opened.conversation)
        if opened.problem:
            self.notify(
                f"could not look up the thread's running run: {opened.problem}", severity="warning", markup=False
            )
        self.after_open()
        if opened.running_run is not None:
            self.attach(opened.conversation, opened.running_run)
        elif opened.thread is not None and await service.recall(opened.conversation):
            self.wake_flush()  # node labels, answered interrupts, errors: rendered as they arrive

    @work(group="stream", exit_on_error=False)
    async def attach(self, conversation: Conversation, run_id: str) -> None:
        """Follow a run that is already going, live, as if this app had started it."""
        assert self.service is not None
        if self.service.is_live(conversation.thread_id):
            return
        self.wake_flush()
        self.notify("this thread is running on the server: following it live", markup=False)
        self.call_later(self.refresh_bindings)  # (Esc cancels once it is registered)
        outcome = await self.service.attach(conversation, run_id)
        if outcome.problem:
            what = "stream problem" if outcome.followed else "could not follow the running run"
            self.notify(f"{what}: {outcome.problem}", severity="warning", markup=False)
        self._after_run(conversation.thread_id)

    async def new_thread(self) -> None:
        self.composer.switch_draft(None)
        await self._show(new_conversation())

    async def action_new_thread(self) -> None:
        await self.new_thread()
        self.composer.focus()

    @on(ThreadList.NewThread)
    async def _new_from_list(self) -> None:
        await self.action_new_thread()

    @on(ThreadSidebar.Deleted)
    async def _deleted(self, event: ThreadSidebar.Deleted) -> None:
        if self.conversation.thread_id == event.thread_id:
            await self.new_thread()

    def on_unmount(self) -> None:
        self.composer.save_draft()

    # -- sending --------------------------------------------------------------------------------

    @on(Composer.Submitted)
    def _submitted(self, event: Composer.Submitted) -> None:
        if self.service is None:
            self.notify("not connected yet — your message is kept in the composer", severity="warning", markup=False)
            return
        if self.composer_mode != "message":
            self.submit_special(event.text)  # (it clears the composer when it sent)
            return
        self.send(self.service.prepare(self.conversation, event.text, self.run_config))
        self.composer.clear()

    async def _ask_busy(self, ours: bool) -> BusyChoice | None:
        """The thread is running a task: what should happen to this message?"""
        who = "This thread is still running" if ours else "This thread is running a task (started elsewhere)"
        question = Content.assemble((who, "bold"), ". What should happen to your message?")
        answer = await self.app.push_screen_wait(ChoiceScreen(question, BUSY_CHOICES))
        choice = next((c for c in BusyChoice if c.value == answer), None)
        if choice is BusyChoice.ENQUEUE:
            self.notify("queued: it will be sent when the running run ends", markup=False)
        return choice

    @work(group="stream", exit_on_error=False)
    async def send(self, outgoing: Outgoing) -> None:
        service = self.service
        assert service is not None
        if not await self.confirm_dropping(outgoing):
            return
        self.wake_flush()
        self.status.rate_limited(None)  # (the user said to send again)
        if outgoing.conversation is self.conversation:
            await self.view.action_bottom()  # sending always brings the view to the new turn
        conversation = outgoing.conversation
        outcome = await service.send(
            outgoing,
            ask_busy=self._ask_busy,
            composer_text=lambda: self.composer.text if conversation is self.conversation else None,
            on_accepted=self._accepted,
        )
        self._show_outcome(conversation, outcome)

    def _accepted(self, accepted: Accepted) -> None:
        self.wake_flush()  # (it may have gone to sleep while the server was being asked)
        if accepted.new_thread:
            self.threads.set_current(accepted.thread_id)
            self.threads.set_first_message(accepted.thread_id, accepted.first_message)
        self._update_status()
        self.refresh_bindings()  # Esc now cancels

    def _show_outcome(self, conversation: Conversation, outcome: SendOutcome) -> None:
        if outcome.restored_text is not None and conversation is self.conversation:
            self.composer.replace_text(outcome.restored_text)
        if outcome.problem and outcome.sent:
            self.notify(f"stream problem: {outcome.problem}", severity="warning", markup=False)
        elif outcome.problem:
            self.notify(f"not sent: {outcome.problem}", severity="error", markup=False)
        limited = outcome.error if isinstance(outcome.error, RateLimited) and not outcome.sent else None
        self.status.rate_limited(None if limited is None else limited.retry_after or 0.0)
        if outcome.titled is not None:
            self.threads.upsert(outcome.titled)
        self.after_answer(conversation, outcome)
        self._after_run(outcome.thread_id)

    def _after_run(self, thread_id: str | None) -> None:
        self.refresh_waiting()
        self._update_status()
        self.refresh_bindings()
        self.sidebar.refresh_statuses()
        if thread_id and self.conversation.thread_id == thread_id:
            self._set_history()

    @work(group="cancel", exclusive=True, exit_on_error=False)
    async def action_cancel_run(self) -> None:
        service = self.service
        thread_id = self.conversation.thread_id
        if self.leave_mode():
            return
        if service is None or not service.is_live(thread_id):
            if self.focused is not self.composer:
                self.composer.focus()
            return
        self.notify("cancelling the run…", markup=False)
        try:
            await service.cancel(thread_id)
        except ClientError as exc:
            self.notify(f"could not cancel: {exc}", severity="error", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            # (not self.conversation: asked while the first frame is drawn, it would import the state)
            thread_id = self._conversation.thread_id if self._conversation is not None else None
            return bool(self.service and self.service.is_live(thread_id)) or self.composer_mode != "message"
        return super().check_action(action, parameters)
