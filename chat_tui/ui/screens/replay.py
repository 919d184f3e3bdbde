"""``chat-tui replay FILE``: the chat screen on a recording, with no server, read-only.

The recording's runs play into one conversation through the same turn code and the same views as
live runs (:class:`~chat_tui.service.replay.Playback`): messages, tool panels, interrupts, and
whatever else the chat screen shows of a run, at the recorded pace times ``--speed``, or at
once. Nothing can be sent: the composer is off, the actions that ask a server are too, and
decisions and edits say so. Esc stops the playback; q or Ctrl+C quits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding

from chat_tui.sanitize import clean_line
from chat_tui.ui.screens.chat import ChatScreen, new_conversation
from chat_tui.ui.widgets.entries_base import MessageAction
from chat_tui.ui.widgets.interrupt_block import InterruptBlock
from chat_tui.ui.widgets.tool_panel import ToolPanel

if TYPE_CHECKING:
    from textual import events
    from textual.message import Message

    from chat_tui.client.events import StreamEvent
    from chat_tui.client.recording import Recording
    from chat_tui.service.replay import Playback, ReplayTurn

__all__ = ["READ_ONLY", "ReplayScreen"]

READ_ONLY = "replay: read-only"
# What a replay cannot do: each needs a server, or a thread other than the recording's.
_OFF = frozenset(
    {
        "new_thread",
        "focus_threads",
        "toggle_sidebar",
        "pick_assistant",
        "run_config",
        "inbox",
        "timeline",
        "run_history",
        "json_input",
        "record",
        "export",
        "focus_composer",
    }
)


class ReplayScreen(ChatScreen):
    BINDINGS = [
        Binding("q", "app.quit", "Quit", id="replay.quit"),
        Binding("ctrl+c", "app.quit", "Quit", show=False, priority=True, id="replay.quit-ctrl-c"),
    ]

    def __init__(self, recording: Recording, *, source: str, speed: float | None = None) -> None:
        super().__init__(None)
        self.replayed = recording
        self.source = clean_line(source, 80)
        self.speed = speed
        self.connection_note = ""
        self.playback: Playback | None = None
        self.finished = False  # the playback is over, played through or stopped (tests wait for it)

    async def on_mount(self) -> None:
        # (The chat screen's own on_mount runs after this one: the rest waits for the first frame.)
        first = self.replayed.runs[0].thread_id if self.replayed.runs else None
        self._conversation = new_conversation(clean_line(first, 200) or None if first else None)
        self.app.call_after_refresh(self._begin)

    async def _begin(self) -> None:
        self.sidebar_visible = False
        self.composer.disabled = True
        self.composer.set_placeholder(f"{READ_ONLY} · Esc stops the playback · q quits")
        self.status.marker_style = "bold $accent"
        await self._show(self.conversation)
        self.view.focus(scroll_visible=False)
        self.play()

    def _position(self) -> str:
        played, total = self.playback.position if self.playback is not None else (0, len(self.replayed.runs))
        return f"{played}/{total}"

    def _mark(self) -> None:
        what = f"REPLAY {self.source} · run {self._position()}"
        self.status.marker = f"■ {what} · read-only" if self.finished else f"▶ {what}"
        self._update_status()

    @work(group="replay", exclusive=True, exit_on_error=False)
    async def play(self) -> None:
        from chat_tui.service.replay import Playback

        playback = Playback(
            self.conversation, self.replayed, speed=self.speed, on_event=self._played, on_run=self._run_begins
        )
        self.playback = playback
        self.refresh_bindings()  # (Esc stops it)
        try:
            played = await playback.play()
        finally:
            self.finished = True
            self.wake_flush()
            self.refresh_bindings()
            self._mark()
        if playback.stopped:
            self.notify(f"playback stopped at run {self._position()}", markup=False)
        else:
            problems = [p.outcome.problem for p in played if p.outcome.problem]
            for problem in problems[-1:]:
                self.notify(f"the recorded run ended with a problem: {problem}", severity="warning", markup=False)

    def _run_begins(self, _turn: ReplayTurn) -> None:
        self.wake_flush()
        self._mark()

    def _played(self, _event: StreamEvent) -> None:
        self.wake_flush()  # (the pane sleeps between two events of a paced replay)

    @work(group="cancel", exclusive=True, exit_on_error=False)
    async def action_cancel_run(self) -> None:
        if self.playback is not None and not self.finished:
            self.playback.stop()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cancel_run":
            return self.playback is not None and not self.finished
        if action in _OFF:
            return False
        return super().check_action(action, parameters)

    def takes_typing(self, event: events.Key) -> bool:
        return False  # (nothing is typed in a replay: letters are the message pane's keys, or nothing)

    def _read_only(self, event: Message) -> None:
        event.stop()
        event.prevent_default()  # (the chat screen's handler would act on it)
        self.notify(f"{READ_ONLY}: nothing is sent", severity="warning", markup=False)

    @on(MessageAction)
    def _no_message_action(self, event: MessageAction) -> None:
        self._read_only(event)

    @on(ToolPanel.Decide)
    def _no_decision(self, event: ToolPanel.Decide) -> None:
        self._read_only(event)

    @on(InterruptBlock.FormRequested)
    def _no_form(self, event: InterruptBlock.FormRequested) -> None:
        self._read_only(event)
