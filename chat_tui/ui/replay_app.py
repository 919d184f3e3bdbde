"""The app of ``chat-tui replay FILE``: the chat app on a recording (:class:`~.screens.replay.ReplayScreen`),
connecting nowhere. Theme, keymap and display options are the user's, as in the app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.screen import Screen

from chat_tui.ui.app import ChatApp, LaunchPlan
from chat_tui.ui.screens.replay import ReplayScreen

if TYPE_CHECKING:
    from chat_tui.client.recording import Recording

__all__ = ["ReplayApp"]


class ReplayApp(ChatApp):
    TITLE = "chat-tui replay"

    def __init__(self, recording: Recording, *, source: str, speed: float | None = None, **kwargs: Any) -> None:
        super().__init__(LaunchPlan(), **kwargs)
        self.recording = recording
        self.source = source
        self.speed = speed

    def first_screen(self) -> ReplayScreen:
        return ReplayScreen(self.recording, source=self.source, speed=self.speed)

    def start_session(self) -> None:
        return None  # (no server: the screen plays the recording)

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from App.get_system_commands(self, screen)  # (themes, keys, screenshot, quit: no profiles)
        replay = next((s for s in self.screen_stack if isinstance(s, ReplayScreen)), None)
        if replay is not None:
            if replay.check_action("cancel_run", ()):
                yield SystemCommand("Stop the playback", "Stop here (esc)", replay.action_cancel_run)
            yield SystemCommand("Messages", "Focus the message pane (ctrl+o)", replay.action_focus_messages)
            yield SystemCommand("Stream options", "Tool panels, node labels (f4)", replay.action_options)
            yield SystemCommand("Copy thread as Markdown", "The conversation shown (ctrl+g)", replay.action_copy_thread)
        yield SystemCommand("Help", "Show all keys", self.action_help)
