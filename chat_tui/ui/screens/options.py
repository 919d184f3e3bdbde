"""Stream options a tester switches often: tool panels, node labels, subgraph streaming, tasks mode."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, Switch

from chat_tui.settings.model import DisplayOptions
from chat_tui.ui.textual_compat import PacedFrames

__all__ = ["OptionsScreen"]

_LABELS = {
    "show_tool_panels": "Show tool-call panels",
    "show_node_labels": "Label messages with their node (when a graph has several)",
    "stream_subgraphs": "Stream tokens from inside subgraphs (stream_subgraphs)",
    "stream_tasks": "Node starts and ends on every run (tasks mode: +~1 KB per message, per node)",
}


class OptionsScreen(PacedFrames, ModalScreen[DisplayOptions]):
    """Each switch applies at once; Esc closes and returns the options."""

    BINDINGS = [Binding("escape", "close", "Close", id="options.close")]

    def __init__(self, options: DisplayOptions) -> None:
        super().__init__(classes="dialog-screen")
        self.options = options.copy()

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content.styled("Stream options", "bold $accent"), classes="dialog-text")
            for name, label in _LABELS.items():
                with Horizontal(classes="option-row"):
                    yield Switch(getattr(self.options, name), id=name)
                    yield Static(Content(label), classes="option-label")
            yield Static(Content.styled("Space toggles · Esc closes", "$text-muted"), classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Switch).focus()

    @on(Switch.Changed)
    def _changed(self, event: Switch.Changed) -> None:
        if event.switch.id:
            setattr(self.options, event.switch.id, event.value)

    def action_close(self) -> None:
        self.dismiss(self.options)
