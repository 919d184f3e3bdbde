"""The Textual application: theme, palette, bindings, and connecting. Features live in screens."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from chat_tui.client.errors import ClientError
from chat_tui.connection import Connection
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.model import StreamOptions
from chat_tui.settings.paths import data_dir
from chat_tui.settings.userdata import UserData
from chat_tui.ui.collector import CollectorPolicy
from chat_tui.ui.commands import ThreadCommands
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.session import Session
from chat_tui.ui.styles import stylesheets
from chat_tui.ui.textual_compat import CrashReportWithoutLocals

__all__ = ["ChatApp", "LaunchPlan"]

RETRY_SECONDS = 3.0


@dataclass(slots=True)
class LaunchPlan:
    """What the command line asked for."""

    connection: Connection | None = None
    demo: bool = False
    assistant: str | None = None
    thread: str | None = None
    profile: str | None = None  # the saved profile the connection came from
    problem: str | None = None  # why the last used profile could not be used (the connect screen opens)


class ChatApp(CrashReportWithoutLocals, App[int]):
    TITLE = "chat-tui"
    CSS_PATH = stylesheets()
    COMMANDS = App.COMMANDS | {ThreadCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    def __init__(
        self,
        plan: LaunchPlan,
        *,
        userdata: UserData | None = None,
        settings: SettingsManager | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.plan = plan
        self.userdata = userdata or UserData()
        self.settings = settings or SettingsManager()
        self.options = StreamOptions()
        self.session: Session | None = None
        self.demo_server: Any = None
        self._theme_restored = False
        self._collector = CollectorPolicy()

    @property
    def chat(self) -> ChatScreen:
        return next(s for s in self.screen_stack if isinstance(s, ChatScreen))

    async def on_mount(self) -> None:
        self._collector.apply()
        theme = self.userdata.ui("theme")
        if isinstance(theme, str) and theme in self.available_themes:
            self.theme = theme
        self._theme_restored = True
        settings = self.settings.load()
        self.options = settings.options
        if settings.keymap:
            self.set_keymap(settings.keymap)
        await self.push_screen(ChatScreen(None, thread_id=self.plan.thread))
        if not self.is_headless:  # a terminal closing or `kill` ends the app cleanly: drafts are saved
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGHUP):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(signum, self.exit, None, 128 + signum)
        self.settings_notices()
        if self.plan.problem:
            self.notify(self.plan.problem, severity="error", markup=False)
        if self.plan.connection is None and not self.plan.demo:
            self.choose_connection(first_run=True)
        else:  # after the first frame: connecting imports the HTTP stack (~0.1 s)
            self.call_after_refresh(self.connect)

    def settings_notices(self) -> None:
        """Say what the settings files reported (moved aside, read-only, not saved), once each."""
        for notice in self.settings.take_notices():
            self.notify(notice.message, severity="warning", markup=False)

    @work(group="choose-connection", exclusive=True, exit_on_error=False)
    async def choose_connection(self, first_run: bool = False) -> None:
        """The connect screen: pick or add a profile, or start the demo; then (re)connect."""
        from chat_tui.ui.screens.connect import ConnectScreen  # (imported when needed: start-up time)

        choice = await self.push_screen_wait(ConnectScreen(self.settings, can_cancel=not first_run))
        self.settings_notices()
        if choice is None:
            return
        if not first_run:
            await self._disconnect()
            await self.switch_screen(ChatScreen(None))
        self.plan.connection = choice.connection
        self.plan.profile = choice.profile
        self.plan.demo = choice.demo
        self.plan.thread = None
        if not first_run:
            self.plan.assistant = None
        self.connect()

    async def _disconnect(self) -> None:
        if self.session is not None:
            session, self.session = self.session, None
            await session.aclose()

    def watch_theme(self, theme: str) -> None:
        if self._theme_restored:  # remember the user's choice, not the start-up default
            self.userdata.set_ui("theme", theme)

    @work(group="connect", exclusive=True, exit_on_error=False)
    async def connect(self) -> None:
        """Start the demo server if asked, reach the server (retrying), then start the session."""
        chat = self.chat
        connection = self.plan.connection
        if self.plan.demo:
            connection = await self._start_demo(chat)
            if connection is None:
                return
        if connection is None:
            chat.set_connection_note("no server: start with --url URL or --demo")
            return
        client = connection.client()
        while True:
            try:
                await client.ok()
                assistant = await self._pick_assistant(client, connection)
                break
            except ClientError as exc:
                chat.set_connection_note(f"{exc} — retrying…")
                await asyncio.sleep(RETRY_SECONDS)
        if connection.api_key is not None and connection.plaintext_remote:
            self.notify(
                f"the API key is sent unencrypted to {connection.host} (http://)", severity="warning", markup=False
            )
        self.session = Session(
            connection, client, self.userdata, assistant_id=assistant, stream_subgraphs=self.options.stream_subgraphs
        )
        await chat.start_session(self.session)

    async def _start_demo(self, chat: ChatScreen) -> Connection | None:
        from chat_tui.demo.launcher import DemoServer, DemoServerError

        if self.demo_server is not None and self.demo_server.is_running:
            return Connection(self.demo_server.url, name="demo")
        chat.set_connection_note("starting the demo server…")
        # A stable working directory: the demo's threads survive restarts, like a real server's.
        server = DemoServer(workdir=data_dir() / "demo-server")
        self.demo_server = server
        try:
            await asyncio.to_thread(server.start)
            await server.await_ready()
        except DemoServerError as exc:
            chat.set_connection_note(str(exc))
            return None
        return Connection(server.url, name="demo")

    async def _pick_assistant(self, client: Any, connection: Connection) -> str:
        remembered = self.userdata.ui(f"assistant:{connection.url}")
        wanted = self.plan.assistant or connection.assistant_id or (remembered if isinstance(remembered, str) else None)
        if wanted:
            return wanted
        assistants = await client.assistants.search(limit=20)
        graphs = [a.graph_id for a in assistants]
        return "agent" if "agent" in graphs or not graphs else graphs[0]

    def remember_assistant(self, assistant_id: str) -> None:
        """New runs use *assistant_id*; remembered per profile (or per server without one)."""
        session = self.session
        if session is None:
            return
        session.assistant_id = assistant_id
        if self.plan.profile:
            self.settings.set_profile_assistant(self.plan.profile, assistant_id)
            self.settings_notices()
        else:
            self.userdata.set_ui(f"assistant:{session.connection.url}", assistant_id)

    def set_options(self, options: StreamOptions) -> None:
        for key, value in options.to_dict().items():
            if getattr(self.options, key) != value:
                self.settings.set_option(key, value)
        self.settings_notices()
        self.options = options
        if self.session is not None:
            self.session.stream_subgraphs = options.stream_subgraphs

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(
            "Connect / switch profile",
            "Pick, add or edit a connection profile, or the demo",
            lambda: self.choose_connection(),
        )
        for name in sorted(self.settings.load().profiles):
            if name != self.plan.profile:
                yield SystemCommand(
                    f"Switch to profile: {name}",
                    "Reconnect using this saved profile",
                    partial(self.switch_profile, name),
                )
        if isinstance(screen, ChatScreen):
            yield SystemCommand("New thread", "Start a new conversation (ctrl+n)", screen.action_new_thread)
            yield SystemCommand("Threads", "Focus the thread sidebar (ctrl+t)", screen.action_focus_threads)
            yield SystemCommand("Messages", "Focus the message pane (ctrl+o)", screen.action_focus_messages)
            yield SystemCommand("Toggle sidebar", "Show or hide the thread list (ctrl+b)", screen.action_toggle_sidebar)
            yield SystemCommand("Refresh threads", "Reload the thread list (f5 in the sidebar)", screen.load_threads)
            yield SystemCommand(
                "Filter threads", "Filter the thread list by title (/ in the sidebar)", screen.threads.action_filter
            )
            yield SystemCommand(
                "Pick assistant", "Choose the assistant new runs use (f2)", screen.action_pick_assistant
            )
            yield SystemCommand(
                "Run configuration", "Edit this thread's configurable / context (f3)", screen.action_run_config
            )
            yield SystemCommand("Stream options", "Tool panels, node labels, subgraphs (f4)", screen.action_options)
            if screen.check_action("cancel_run", ()):
                yield SystemCommand(
                    "Cancel run", "Cancel the streaming run on the server (esc)", screen.action_cancel_run
                )
            if screen.conversation.thread_id:
                yield SystemCommand("Rename thread", "Set this thread's title", screen.action_rename_current)
                yield SystemCommand("Delete thread", "Delete this thread on the server", screen.action_delete_current)
            yield SystemCommand("Copy last answer", "Copy the last assistant message", screen.action_copy_last)
        yield SystemCommand("Help", "Show all keys", self.action_help)

    @work(group="choose-connection", exclusive=True, exit_on_error=False)
    async def switch_profile(self, name: str) -> None:
        try:
            connection = self.settings.connection(name)
        except ClientError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        self.settings.use_profile(name)
        self.settings_notices()
        await self._disconnect()
        await self.switch_screen(ChatScreen(None))
        self.plan.connection, self.plan.profile, self.plan.demo, self.plan.thread = connection, name, False, None
        self.plan.assistant = None
        self.connect()

    def action_help(self) -> None:
        from chat_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def on_unmount(self) -> None:
        self._collector.restore()
        if self.session is not None:
            await self.session.aclose()
        if self.demo_server is not None:
            await asyncio.to_thread(self.demo_server.stop)
