"""The Textual application: theme, palette, bindings, and connecting. Features live in screens."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from textual import events, on, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from chat_tui.client.errors import ClientError
from chat_tui.connection import Connection
from chat_tui.errors import ChatTuiError
from chat_tui.process import end_process_after
from chat_tui.sanitize import clean_line
from chat_tui.service.assistants import ResolvedAssistant, resolve_assistant
from chat_tui.service.chat import ChatService
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.model import DisplayOptions, Preferences
from chat_tui.settings.paths import data_dir
from chat_tui.settings.userdata import UserData
from chat_tui.ui.app_tests import TestResultsHost
from chat_tui.ui.collector import CollectorPolicy
from chat_tui.ui.commands import ThreadCommands, chat_commands
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.styles import stylesheets
from chat_tui.ui.textual_compat import CrashReportWithoutLocals, divide_without_cycles

__all__ = ["ChatApp", "LaunchPlan"]

RETRY_SECONDS = 3.0
EXIT_GRACE = 3.0  # seconds from SIGTERM/SIGHUP to the end of the process, clean exit or not

# Textual delivers a worker's StateChanged only to the node that runs it (the message does not
# bubble), and most workers here run on screens and widgets. Letting it bubble is what gives
# every worker the one policy below (ChatApp._worker_state_changed); tests/ui/test_worker_policy.py
# fails if a Textual upgrade undoes it.
Worker.StateChanged.bubble = True


@dataclass(slots=True)
class LaunchPlan:
    """What the command line asked for."""

    connection: Connection | None = None
    demo: bool = False
    assistant: str | None = None
    thread: str | None = None
    profile: str | None = None  # the saved profile the connection came from
    problem: str | None = None  # why the last used profile could not be used (the connect screen opens)
    tests: Any = None  # a TestLaunch: `chat-tui test --tui` or `chat-tui test view` (the results view)


class ChatApp(CrashReportWithoutLocals, TestResultsHost):
    TITLE = "chat-tui"
    CSS_PATH = stylesheets()
    COMMANDS = App.COMMANDS | {ThreadCommands}
    BINDINGS = [
        Binding("f1", "help", "Help", id="app.help"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
    ]

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded:
            takes_typing = getattr(self.screen, "takes_typing", None)
            if takes_typing is not None:
                takes_typing(event)  # (moves the focus to the composer before the key is forwarded)
        await super().on_event(event)

    def __init__(
        self,
        plan: LaunchPlan,
        *,
        userdata: UserData | None = None,
        settings: SettingsManager | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        divide_without_cycles()  # (most of a stream's garbage otherwise: see there)
        self.plan = plan
        self.userdata = userdata or UserData()
        self.settings = settings or SettingsManager()
        self.options = DisplayOptions()
        self.preferences = Preferences()  # theme, sidebar (from settings.json; kept as they change)
        self.service: ChatService | None = None
        self.demo_server: Any = None
        self._theme_restored = False
        self.collector = CollectorPolicy()  # (the chat screen says when a run streams)
        self.init_tests(plan.tests)

    @property
    def chat(self) -> ChatScreen:
        return next(s for s in self.screen_stack if isinstance(s, ChatScreen))

    async def on_mount(self) -> None:
        self.collector.apply()
        settings = self.settings.load()
        self.preferences = settings.ui
        theme = self.preferences.theme
        if theme is not None and theme in self.available_themes:
            self.theme = theme
        self._theme_restored = True
        self.options = settings.options
        if settings.keymap:
            self.set_keymap(settings.keymap)
        await self.push_screen(self.first_screen())
        self.install_test_results()
        if not self.is_headless:  # a terminal closing or `kill` ends the app cleanly: drafts are saved
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGTERM, signal.SIGHUP):
                with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                    loop.add_signal_handler(signum, self._terminate, signum)
        self.settings_notices()
        self.start_session()

    def first_screen(self) -> ChatScreen:
        """The screen the app opens on (``chat-tui replay`` opens on a recording's)."""
        return ChatScreen(None, thread_id=self.plan.thread)

    def start_session(self) -> None:
        """After the first screen: connect, or ask where to."""
        if self.plan.problem:
            self.notify(self.plan.problem, severity="error", markup=False)
        if self.plan.connection is None and not self.plan.demo:
            self.choose_connection(first_run=True)
        else:  # after the first frame: connecting imports the HTTP stack (~0.1 s)
            self.call_after_refresh(self.connect)

    def _terminate(self, signum: int) -> None:
        """SIGTERM, or SIGHUP (the terminal closed): exit cleanly, drafts saved, and for certain.

        A clean exit can wait on something that never ends once the terminal is gone (seen once
        in CI: an app told to hang up while idle still ran 5 s later), so the process ends
        ``EXIT_GRACE`` seconds after the signal whatever happens.
        """
        end_process_after(EXIT_GRACE, 128 + signum)
        self.exit(None, 128 + signum)

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
        if self.service is not None:
            service, self.service = self.service, None
            self.service_connected(False)
            await service.aclose()

    def watch_theme(self, theme: str) -> None:
        if self._theme_restored and theme != self.preferences.theme:  # the user's choice, not the default
            self.preferences.theme = theme
            self.settings.set_preference("theme", theme)
            self.settings_notices()

    def remember_sidebar(self, visible: bool) -> None:
        """The chat screen's sidebar was shown or hidden by the user."""
        if visible != self.preferences.sidebar:
            self.preferences.sidebar = visible
            self.settings.set_preference("sidebar", visible)
            self.settings_notices()

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
        self.service = ChatService(
            connection,
            client,
            self.userdata,
            assistant_id=assistant.assistant_id,
            stream_subgraphs=self.options.stream_subgraphs,
            stream_tasks=self.options.stream_tasks,
        )
        self.service.assistant_names[assistant.assistant_id] = assistant.label
        from chat_tui.service.recording import Recorder  # (F10 saves the last run, or records the next)

        self.service.recorder = Recorder(connection.host, keep=1)
        chat.threads.show_graphs = assistant.several
        await chat.start_service(self.service)
        self.service_connected(True)
        if not assistant.found:  # said at once, with the ones there are (not at the first send)
            available = ", ".join(assistant.available) or "none"
            self.notify(
                f"{connection.host} has no assistant {assistant.wanted!r} (it has: {available}); "
                f"new threads use {assistant.label}: F2 picks another",
                severity="error",
                markup=False,
                timeout=15,
            )
            chat.action_pick_assistant()

    async def _start_demo(self, chat: ChatScreen) -> Connection | None:
        from chat_tui.demo.launcher import DemoServer, DemoServerError

        if self.demo_server is not None and self.demo_server.is_running():  # (a dead one is started again)
            return Connection.for_demo(self.demo_server.url)
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
        if server.shared_with is not None:
            self.notify(
                "another chat-tui demo server has the demo's threads: this one starts empty",
                severity="warning",
                markup=False,
            )
        return Connection.for_demo(server.url)

    async def _pick_assistant(self, client: Any, connection: Connection) -> ResolvedAssistant:
        wanted = self.plan.assistant or connection.assistant_id or self.settings.remembered_assistant(connection)
        return await resolve_assistant(client, wanted)

    def remember_assistant(self, assistant_id: str) -> None:
        """New threads use *assistant_id*; remembered in the connection's profile, or for its server
        (see ``SettingsManager.remember_assistant``)."""
        service = self.service
        if service is None:
            return
        service.assistant_id = assistant_id
        self.settings.remember_assistant(service.connection, assistant_id)
        self.settings_notices()

    def set_options(self, options: DisplayOptions) -> None:
        for key, value in options.to_dict().items():
            if getattr(self.options, key) != value:
                self.settings.set_option(key, value)
        self.settings_notices()
        self.options = options
        if self.service is not None:
            self.service.stream_subgraphs = options.stream_subgraphs
            self.service.stream_tasks = options.stream_tasks

    @on(Worker.StateChanged)
    def _worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one policy for failed workers, whichever node runs them: the traceback goes to the
        log file, the user gets one line, and the app goes on (every worker is declared with
        ``exit_on_error=False``). Failures a worker expects it handles itself, in its own words."""
        if event.state is not WorkerState.ERROR or event.worker.error is None:
            return
        from chat_tui.logfile import log_failure  # (logging is imported on the first failure only)

        error = event.worker.error
        what = event.worker.name.removeprefix("action_").strip("_").replace("_", " ") or "a task"
        where = log_failure(what, error, secrets=self._secrets())
        if isinstance(error, ChatTuiError):  # its message is one safe line
            line = f"{what} failed: {error}"
        else:  # a bug: its message may hold anything, so only its type is shown
            line = f"{what} failed unexpectedly ({type(error).__name__})"
        if where is not None:
            line += f"; details in {where}"
        self.notify(clean_line(line, 400), severity="error", markup=False)

    def _secrets(self) -> list[str]:
        """The values the log must not show: the API key and the extra headers' values."""
        connections = [self.plan.connection, self.service.connection if self.service is not None else None]
        values: list[str] = []
        for connection in connections:
            if connection is None:
                continue
            if connection.api_key is not None:
                values.append(connection.api_key.secret.get_secret_value())
            values.extend(connection.headers.values())
        return values

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
            yield from chat_commands(screen)
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

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """Screenshots go to the data directory (a Downloads folder may not exist); the notice says where."""
        if path is None:
            folder = data_dir() / "screenshots"
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                reason = f"could not save the screenshot in {folder}: {exc.strerror}"
                self.notify(reason, severity="error", markup=False)
                return None
            path = str(folder)
        return super().deliver_screenshot(filename, path, time_format)

    def action_help(self) -> None:
        from chat_tui.ui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    async def on_unmount(self) -> None:
        self.collector.restore()
        if self.service is not None:
            await self.service.aclose()
        if self.demo_server is not None:
            await asyncio.to_thread(self.demo_server.stop)
