"""Edit a gated tool call's arguments as JSON, checked before it is accepted."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static, TextArea

from chat_tui.conversation.schema_check import schema_problem
from chat_tui.ui.textual_compat import PacedFrames

__all__ = ["EditArgsScreen"]


class EditArgsScreen(PacedFrames, ModalScreen[dict[str, Any] | None]):
    """Returns the edited arguments (a JSON object that fits the tool's schema, when it has one), or None."""

    BINDINGS = [
        Binding("ctrl+s", "accept", "Accept", id="edit-args.accept"),
        Binding("escape", "cancel", "Cancel", id="edit-args.cancel"),
    ]

    def __init__(self, tool: str, args: Any, schema: Mapping[str, Any] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.tool = tool
        self.args = args if isinstance(args, Mapping) else {}
        self.schema = schema

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog edit-args"):
            yield Static(
                Content.assemble(("Edit the arguments of ", "bold"), (self.tool, "bold $accent")),
                classes="dialog-text",
            )
            yield TextArea(json.dumps(self.args, indent=2, ensure_ascii=False), language="json", id="edit-args-json")
            yield Static(id="edit-args-error", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Accept (^s)", variant="primary", id="accept", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    @on(Button.Pressed, "#accept")
    def action_accept(self) -> None:
        text = self.query_one(TextArea).text
        try:
            value = json.loads(text)
        except ValueError as exc:
            self._say(f"not valid JSON: {exc}")
            return
        if not isinstance(value, dict):
            self._say("the arguments must be a JSON object")
            return
        problem = schema_problem(self.schema, value) if self.schema else None
        if problem:
            self._say(f"does not fit the tool's schema: {problem}")
            return
        self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _say(self, problem: str) -> None:
        self.query_one("#edit-args-error", Static).update(Content.styled(problem, "$error"))
