"""The chat screen: thread sidebar, message pane, composer, status line.

Widgets post what the user asked for; this screen decides and runs the network work in
workers (``exit_on_error=False``: a failed request shows a one-line notice, it never
ends the app). Stream workers belong to the screen, not to the message pane, so a run
keeps streaming into its conversation when the user switches to another thread, and
shows again, live, when they come back.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.reactive import var
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from chat_tui.client.errors import ClientError, Conflict, NotFound
from chat_tui.conversation import ErrorEntry
from chat_tui.run_config import RunConfig
from chat_tui.sanitize import clean_line
from chat_tui.turn import SendFailed, Turn, TurnRequest
from chat_tui.ui.clipboard import copy_text
from chat_tui.ui.drafts import Drafts
from chat_tui.ui.format import thread_title
from chat_tui.ui.screens.dialogs import ChoiceScreen, ConfirmScreen
from chat_tui.ui.session import LiveTurn, Session
from chat_tui.ui.widgets.composer import Composer
from chat_tui.ui.widgets.conversation_view import ConversationView
from chat_tui.ui.widgets.sidebar import ThreadSidebar
from chat_tui.ui.widgets.status_line import StatusLine
from chat_tui.ui.widgets.thread_list import ThreadList

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from chat_tui.conversation import Conversation

__all__ = ["ChatScreen"]

FLUSH_HZ = 30
DRAFT_DELAY = 0.4  # seconds of quiet before a draft is written
NARROW = 90  # columns below which the sidebar starts hidden


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
        parts += [
            "\n\nThis is the offline demo agent. Try: ",
            ("what's the weather in sf", "$accent"),
            " · ",
            ("compare paris and tokyo", "$accent"),
            " · ",
            ("delete the report", "$accent"),
            " · ",
            ("plan a trip", "$accent"),
            " · ",
            ("think", "$accent"),
            " · ",
            ("slow", "$accent"),
            " (Esc cancels)",
        ]
    return Content.assemble(*parts)


def parse_answer(text: str) -> Any:
    """An interrupt answer: JSON when it parses, else the text (``yes`` stays ``"yes"``)."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except ValueError:
        return stripped


class ChatScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "cancel_run", "Cancel run", id="chat.cancel", show=True),
        Binding("ctrl+n", "new_thread", "New thread", id="chat.new-thread"),
        Binding("ctrl+t", "focus_threads", "Threads", id="chat.threads"),
        Binding("ctrl+b", "toggle_sidebar", "Sidebar", show=False, id="chat.toggle-sidebar"),
        Binding("ctrl+o", "focus_messages", "Messages", show=False, id="chat.messages"),  # (Tab, help, palette)
        Binding("f2", "pick_assistant", "Assistant", id="chat.assistant"),
        Binding("f3", "run_config", "Config", tooltip="Run configuration", id="chat.run-config"),
        Binding("f4", "options", "Options", show=False, id="chat.options"),
        Binding("pageup", "scroll_messages(-1)", "Page up", show=False, id="chat.page-up"),
        Binding("pagedown", "scroll_messages(1)", "Page down", show=False, id="chat.page-down"),
    ]

    sidebar_visible: var[bool] = var(True)

    def __init__(self, session: Session | None = None, *, thread_id: str | None = None) -> None:
        super().__init__()
        self.session = session
        self.initial_thread = thread_id
        self._conversation: Conversation | None = None  # made on first use (see new_conversation)
        self.connection_note = "connecting…" if session is None else ""
        self._draft_timer: Timer | None = None
        self.drafts: Drafts | None = None
        self.run_config: RunConfig | None = None  # this thread's; a new thread inherits it
        self._loading_thread: str | None = None
        self.started = False  # the session has started here (tests and benchmarks wait for it)
        # The main widgets, held directly: they are needed while the screen unmounts too.
        self.view = ConversationView(id="conversation")
        self.composer = Composer(id="composer", placeholder="Message the assistant — Enter sends, Ctrl+J newline")
        self.sidebar = ThreadSidebar(id="sidebar")
        self.threads = self.sidebar.threads
        self.status = StatusLine(id="status")

    # -- layout -------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield self.sidebar
            with Vertical(id="chat"):
                yield self.status
                yield self.view
                yield Static(id="new-output")
                yield self.composer
        yield Footer()

    async def on_mount(self) -> None:
        self.query_one("#new-output").display = False
        userdata_sidebar = self.app_userdata_sidebar()
        self.sidebar_visible = userdata_sidebar and self.app.size.width >= NARROW
        # Asleep while no run streams (an idle app does not wake 30 times a second).
        self._flush_timer = self.set_interval(1 / FLUSH_HZ, self._flush, pause=True)
        self.composer.focus()
        if self.session is not None:
            await self.start_session(self.session)
        else:  # (the app's refresh, not this screen's: this one is not current yet, so it would not wait)
            self.app.call_after_refresh(self._after_first_frame)

    async def _after_first_frame(self) -> None:
        """The empty conversation, unless a session already showed one: not needed for the first frame."""
        if self.view.conversation is None:
            await self.view.show(self.conversation)
            self._update_status()

    @property
    def conversation(self) -> Conversation:
        """The conversation on screen."""
        if self._conversation is None:
            self._conversation = new_conversation()
        return self._conversation

    @conversation.setter
    def conversation(self, conversation: Conversation) -> None:
        self._conversation = conversation

    def app_userdata_sidebar(self) -> bool:
        session = self.session
        if session is None:
            return True
        return bool(session.userdata.ui("sidebar", True))

    async def start_session(self, session: Session) -> None:
        """Connected: load the thread list and open the first thread (or a new one)."""
        self.session = session
        self.connection_note = ""
        self.drafts = Drafts(session.userdata, session.server_key)
        self.status.host = session.host
        self.status.assistant = clean_line(session.assistant_id, 40)
        self.view.set_hint(start_hint(demo=session.connection.name == "demo"))
        self.apply_options()
        self.sidebar_visible = bool(session.userdata.ui("sidebar", True)) and self.app.size.width >= NARROW
        for notice in session.userdata.notices():
            self.notify(notice.message, severity="warning", markup=False)
        self.sidebar.attach(session)
        interrupted = session.userdata.active_runs(session.server_key)
        if self.initial_thread:
            self.open_thread(self.initial_thread)  # keeps what was typed as the new-thread draft
        elif interrupted:  # the app stopped while a run streamed: go back to it
            self.open_thread(next(iter(interrupted)))
        else:
            text = self.drafts.adopt(self.composer.text)
            if text != self.composer.text:
                self.composer.replace_text(text)
            await self._show(new_conversation())
        self._update_status()
        self.started = True

    def set_connection_note(self, note: str) -> None:
        self.connection_note = note
        self._update_status()

    def watch_sidebar_visible(self, visible: bool) -> None:
        self.sidebar.display = visible

    def on_resize(self) -> None:
        if self.app.size.width < NARROW and self.sidebar_visible and self.focused is not self.threads:
            self.sidebar_visible = False

    # -- flushing -----------------------------------------------------------------------------

    def wake_flush(self) -> None:
        """A run starts streaming: render what it changes at up to 30 Hz until it is over."""
        self._flush_timer.resume()

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
        session = self.session
        if changes is None and not self.view.busy and not (session and session.live):
            self._flush_timer.pause()  # nothing streams and everything is rendered

    def _update_status(self) -> None:
        status = self.status
        status.connection_state = self.connection_note
        status.extra = self.run_config.summary() if self.run_config and self.run_config.values else ""
        conversation = self.conversation
        stored = None
        if conversation.run is None and conversation.entries:  # opened from history
            if conversation.pending_interrupts:
                stored = "interrupted"
            elif isinstance(conversation.entries[-1], ErrorEntry):
                stored = "error"
        status.show(conversation.run, stored=stored)

    @on(ConversationView.NewOutputBelow)
    def _new_output(self, event: ConversationView.NewOutputBelow) -> None:
        marker = self.query_one("#new-output", Static)
        marker.display = event.below
        if event.below:
            marker.update(Content.styled("▼ new output below — press End (in messages) or Ctrl+O, End", "$accent"))

    # -- threads ------------------------------------------------------------------------------

    def load_threads(self) -> None:
        """Reload the sidebar (the palette's "Refresh threads")."""
        self.sidebar.load()

    @on(ThreadList.Open)
    def _open_requested(self, event: ThreadList.Open) -> None:
        self.open_thread(event.thread_id)
        self.composer.focus()

    @work(group="open-thread", exclusive=True, exit_on_error=False)
    async def open_thread(self, thread_id: str) -> None:
        session = self.session
        if session is None:
            return
        self._switch_draft(thread_id)
        live = session.live.get(thread_id)
        if live is not None:
            await self._show(live.conversation)
            return
        self._loading_thread = thread_id
        self.status.connection_state = "loading thread…"
        self.status.show(None)
        try:
            thread = await session.client.threads.get(thread_id)
            state = await session.client.threads.get_state(thread_id)
        except ClientError as exc:
            self.notify(f"could not open the thread: {exc}", severity="error", markup=False)
            self._update_status()
            return
        finally:
            self._loading_thread = None
        conversation = new_conversation(thread_id)
        conversation.load(state, thread)
        self.threads.upsert(thread)
        self.threads.set_first_message(thread_id, conversation.first_human_text() or "")
        await self._show(conversation)
        run_id = await self._running_run(thread_id, busy=thread.status == "busy")
        if run_id is not None:
            self.attach(conversation, run_id)

    async def _running_run(self, thread_id: str, *, busy: bool) -> str | None:
        """The run going on in *thread_id*: the one this app was streaming, or one the server lists."""
        session = self.session
        assert session is not None
        hint = session.userdata.active_run(session.server_key, thread_id)
        try:
            if hint is not None:
                run = await session.client.runs.get(thread_id, hint)
                if run.status in ("pending", "running"):
                    return hint
                session.userdata.set_active_run(session.server_key, thread_id, None)
            if busy:
                for status in ("running", "pending"):
                    runs = await session.client.runs.list(thread_id, limit=1, status=status)
                    if runs:
                        return runs[0].run_id
        except ClientError as exc:
            session.userdata.set_active_run(session.server_key, thread_id, None)
            if not isinstance(exc, NotFound):  # (a remembered run may be gone: nothing to say then)
                self.notify(f"could not look up the thread's running run: {exc}", severity="warning", markup=False)
        return None

    @work(group="stream", exit_on_error=False)
    async def attach(self, conversation: Conversation, run_id: str) -> None:
        """Follow a run that is already going, live, as if this app had started it."""
        session = self.session
        thread_id = conversation.thread_id
        if session is None or thread_id is None or thread_id in session.live:
            return
        turn = Turn(session.client, conversation, TurnRequest(session.assistant_id, thread_id))
        live = LiveTurn(conversation, turn)
        session.live[thread_id] = live
        self.wake_flush()
        session.userdata.set_active_run(session.server_key, thread_id, run_id)
        self.refresh_bindings()
        self.notify("this thread is running on the server: following it live", markup=False)
        try:
            result = await turn.attach(run_id)
            if result.error is not None:
                self.notify(f"stream problem: {result.error}", severity="warning", markup=False)
        except SendFailed as failed:
            self.notify(f"could not follow the running run: {failed.error}", severity="warning", markup=False)
        finally:
            session.live.pop(thread_id, None)
            live.done.set()
            session.userdata.set_active_run(session.server_key, thread_id, None)
        self._after_run(thread_id)

    async def _show(self, conversation: Conversation) -> None:
        self.conversation = conversation
        self.refresh_bindings()
        session = self.session
        if session is not None:  # the thread's own run configuration; a new thread keeps the current one
            stored = RunConfig.from_json(session.userdata.run_config(session.server_key, conversation.thread_id))
            if stored is not None or conversation.thread_id is not None:
                self.run_config = stored
        await self.view.show(conversation)
        self.threads.set_current(conversation.thread_id)
        self._set_history()
        self.query_one("#new-output").display = False
        self._update_status()

    async def new_thread(self) -> None:
        self._switch_draft(None)
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

    @on(ThreadSidebar.Left)
    def _left_sidebar(self) -> None:
        self.composer.focus()
        if self.app.size.width < NARROW:
            self.sidebar_visible = False

    def action_focus_threads(self) -> None:
        if self.focused is self.threads:
            self.composer.focus()
            return
        self.sidebar_visible = True
        self.threads.focus()

    def action_focus_messages(self) -> None:
        if self.focused is not None and self.view in self.focused.ancestors_with_self:
            self.composer.focus()
        else:
            self.view.focus()

    def action_rename_current(self) -> None:
        thread_id = self.conversation.thread_id
        if thread_id:
            self.sidebar.rename(thread_id)

    def action_delete_current(self) -> None:
        thread_id = self.conversation.thread_id
        if thread_id:
            self.sidebar.delete(thread_id)

    def action_copy_last(self) -> None:
        answers = [m for m in self.conversation.messages if m.role == "ai" and m.text]
        if answers:
            self.post_message(ConversationView.CopyRequested(answers[-1].text, "last answer"))

    def action_toggle_sidebar(self) -> None:
        self.sidebar_visible = not self.sidebar_visible
        if self.session is not None:
            self.session.userdata.set_ui("sidebar", self.sidebar_visible)
        if not self.sidebar_visible and self.focused is self.threads:
            self.composer.focus()

    def action_scroll_messages(self, direction: int) -> None:
        if direction < 0:
            self.view.scroll_page_up(animate=False)
        else:
            self.view.scroll_page_down(animate=False)

    # -- drafts ---------------------------------------------------------------------------------

    def _switch_draft(self, thread_id: str | None) -> None:
        """The composer now belongs to *thread_id*: save what it holds, show that thread's draft."""
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if self.drafts is not None:
            self.composer.replace_text(self.drafts.switch(self.composer.text, thread_id))

    @on(Composer.Changed)
    def _draft_changed(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self._save_draft_now)

    def _save_draft_now(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
        if self.drafts is not None and not self.drafts.save(self.composer.text):
            self.notify("could not save the draft to disk (it is kept in memory)", severity="warning", markup=False)

    def on_unmount(self) -> None:
        self._save_draft_now()

    # -- sending --------------------------------------------------------------------------------

    @on(Composer.Submitted)
    def _submitted(self, event: Composer.Submitted) -> None:
        session = self.session
        if session is None:
            self.notify("not connected yet — your message is kept in the composer", severity="warning", markup=False)
            return
        conversation = self.conversation
        running = session.live.get(conversation.thread_id) if conversation.thread_id else None
        text = event.text
        config = self.run_config.request_kwargs() if self.run_config else {}
        request = TurnRequest(
            assistant_id=session.assistant_id,
            thread_id=conversation.thread_id,
            config=config.get("config", session.config),
            context=config.get("context", session.context),
            stream_subgraphs=session.stream_subgraphs,
            multitask_strategy="reject",  # a busy thread answers 409, and the user chooses what to do
        )
        if conversation.pending_interrupts:
            request.resume = parse_answer(text)
        else:
            request.text = text
        assert self.drafts is not None
        draft_key = self.drafts.key
        self.drafts.sending(draft_key, text)  # on disk until the server accepted it
        self.composer.clear()
        self.send(conversation, request, text, draft_key, running)

    async def _ask_busy(self, *, ours: bool) -> str | None:
        """The thread is running a task: what should happen to this message?"""
        who = "This thread is still running" if ours else "This thread is running a task (started elsewhere)"
        question = Content.assemble((who, "bold"), ". What should happen to your message?")
        choices = [
            ("q", "Queue it: send when the running run ends", "enqueue"),
            ("i", "Interrupt the running run, then send", "interrupt"),
            ("r", "Roll back the running run, then send", "rollback"),
            ("c", "Cancel: keep my text in the composer", "cancel"),
        ]
        return await self.app.push_screen_wait(ChoiceScreen(question, choices))

    @work(group="stream", exit_on_error=False)
    async def send(
        self,
        conversation: Conversation,
        request: TurnRequest,
        text: str,
        draft_key: str | None,
        running: LiveTurn | None = None,
    ) -> None:
        session = self.session
        drafts = self.drafts
        assert session is not None and drafts is not None
        self.wake_flush()
        new_thread = request.thread_id is None
        if running is not None:  # our own run (or one we follow) is streaming in this thread
            choice = await self._ask_busy(ours=True)
            if choice not in ("enqueue", "interrupt", "rollback"):
                self._give_back(conversation, draft_key, text)
                return
            if choice == "enqueue":
                self.notify("queued: it will be sent when the running run ends", markup=False)
            else:
                await running.turn.cancel(choice)
            await running.done.wait()  # one turn at a time feeds a conversation
            # The same strategy on the new run: a cancel the server has not finished yet is not a 409.
            request.multitask_strategy = choice

        turn = Turn(session.client, conversation, request)
        live = LiveTurn(conversation, turn)

        async def accepted(thread_id: str, run_id: str | None) -> None:
            session.live[thread_id] = live
            self.wake_flush()  # (it may have gone to sleep while the server was being asked)
            drafts.accepted(draft_key, thread_id)
            if not request.is_resume:
                session.userdata.add_prompt(session.server_key, text)
            if self.run_config is not None and conversation is self.conversation:
                session.userdata.set_run_config(session.server_key, thread_id, self.run_config.to_json())
            if run_id:
                session.userdata.set_active_run(session.server_key, thread_id, run_id)
            if new_thread:
                self.threads.set_current(thread_id)
                self.threads.set_first_message(thread_id, text if not request.is_resume else "")
            self._update_status()
            self.refresh_bindings()  # Esc now cancels

        turn.on_accepted = accepted
        self._update_status()
        try:
            while True:
                try:
                    result = await turn.run()
                    break
                except SendFailed as failed:
                    busy = isinstance(failed.error, Conflict) and request.multitask_strategy == "reject"
                    choice = await self._ask_busy(ours=False) if busy else None
                    if choice not in ("enqueue", "interrupt", "rollback"):
                        self._give_back(conversation, draft_key, text)
                        if choice is None:
                            self.notify(f"not sent: {failed.error}", severity="error", markup=False)
                        self._update_status()
                        return
                    request.multitask_strategy = choice  # the 409 created nothing: sending again is safe
                    turn = Turn(session.client, conversation, request, on_accepted=accepted)
                    live.turn = turn
        finally:
            if turn.thread_id:
                session.live.pop(turn.thread_id, None)
            live.done.set()
        if result.thread_id:
            session.userdata.set_active_run(session.server_key, result.thread_id, None)
        if result.error is not None:
            self.notify(f"stream problem: {result.error}", severity="warning", markup=False)
        if new_thread and result.thread_id and request.text:
            await self._title_new_thread(result.thread_id, request.text)
        self._after_run(result.thread_id)

    def _give_back(self, conversation: Conversation, draft_key: str | None, text: str) -> None:
        """The message was not sent: its text goes back where the user left it."""
        drafts = self.drafts
        if drafts is None:
            return
        shown = conversation is self.conversation
        restored = drafts.failed(draft_key, text, self.composer.text if shown else "x")
        if restored is not None and shown:
            self.composer.replace_text(restored)

    async def _title_new_thread(self, thread_id: str, text: str) -> None:
        session = self.session
        if session is None:
            return
        try:
            thread = await session.client.threads.update(thread_id, metadata={"title": thread_title(None, text, 80)})
        except ClientError:
            return
        self.threads.upsert(thread)

    def _after_run(self, thread_id: str | None) -> None:
        self._update_status()
        self.refresh_bindings()
        self.sidebar.refresh_statuses()
        if thread_id and self.conversation.thread_id == thread_id:
            self._set_history()

    def _set_history(self) -> None:
        """Up recalls this thread's messages first, then what was sent elsewhere (remembered on disk)."""
        mine = [m.text for m in self.conversation.messages if m.role == "human" and m.text.strip()]
        sent = self.session.userdata.prompts(self.session.server_key) if self.session is not None else []
        seen = set(mine)
        self.composer.set_history([p for p in sent if p not in seen] + mine)

    @work(group="cancel", exclusive=True, exit_on_error=False)
    async def action_cancel_run(self) -> None:
        session = self.session
        thread_id = self.conversation.thread_id
        live = session.live.get(thread_id) if session and thread_id else None
        if live is None:
            if self.focused is not self.composer:
                self.composer.focus()
            return
        self.notify("cancelling the run…", markup=False)
        try:
            await live.turn.cancel()
        except ClientError as exc:
            self.notify(f"could not cancel: {exc}", severity="error", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            session = self.session
            # (not self.conversation: asked while the first frame is drawn, it would import the state)
            thread_id = self._conversation.thread_id if self._conversation is not None else None
            return bool(session and thread_id and thread_id in session.live)
        return True

    # -- assistant, run configuration, options --------------------------------------------------

    @work(group="assistant", exclusive=True, exit_on_error=False)
    async def action_pick_assistant(self) -> None:
        session = self.session
        if session is None:
            return
        from chat_tui.ui.screens.assistants import AssistantPicker  # (not needed before the first frame)

        chosen = await self.app.push_screen_wait(AssistantPicker(session.client, session.assistant_id))
        if chosen is None:
            return
        self.app.remember_assistant(chosen.assistant_id)  # type: ignore[attr-defined]
        self.status.assistant = clean_line(chosen.name or chosen.graph_id, 40)
        self._update_status()
        self.notify(f"new runs use the assistant {self.status.assistant}", markup=False)

    @work(group="run-config", exclusive=True, exit_on_error=False)
    async def action_run_config(self) -> None:
        session = self.session
        if session is None:
            return
        from chat_tui.ui.screens.run_config import RunConfigScreen

        result = await self.app.push_screen_wait(
            RunConfigScreen(session.client, session.assistant_id, self.run_config, label=self.status.assistant)
        )
        if result is None:
            return
        self.run_config = result if result.values else None
        session.userdata.set_run_config(
            session.server_key, self.conversation.thread_id, result.to_json() if result.values else None
        )
        self._update_status()

    @work(group="options", exclusive=True, exit_on_error=False)
    async def action_options(self) -> None:
        app = self.app
        from chat_tui.ui.screens.options import OptionsScreen

        options = await app.push_screen_wait(OptionsScreen(app.options))  # type: ignore[attr-defined]
        app.set_options(options)  # type: ignore[attr-defined]
        self.apply_options()

    def apply_options(self) -> None:
        options = getattr(self.app, "options", None)
        if options is None:
            return
        self.view.set_class(not options.show_tool_panels, "-hide-tools")
        self.view.set_node_labels(options.show_node_labels)

    # -- clipboard and links --------------------------------------------------------------------

    @on(ConversationView.CopyRequested)
    def _copy(self, event: ConversationView.CopyRequested) -> None:
        if not event.text:
            self.notify("nothing to copy", markup=False)
            return
        path = copy_text(self.app, event.text)
        where = f"; also saved to {path}" if path else ""
        self.notify(f"copied the {event.what} ({len(event.text):,} chars) via OSC 52{where}", markup=False)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        # (A handler by name, not @on(Markdown.LinkClicked): Markdown is imported when first needed.)
        self._open_link(event.href)

    @work(group="link", exit_on_error=False)
    async def _open_link(self, href: str) -> None:
        href = clean_line(href, 500)
        scheme = href.split(":", 1)[0].lower() if ":" in href else ""
        if scheme not in ("http", "https"):
            self.notify(f"not opening a {scheme or 'relative'} link: {href}", severity="warning", markup=False)
            return
        question = Content.assemble("Open this link in your browser?\n\n", (href, "bold underline"))
        if await self.app.push_screen_wait(ConfirmScreen(question, yes="Open")):
            self.app.open_url(href)
