"""Answer a question whose interrupt describes the answer (``response_schema``): a form built from
the schema, checked against it before it is sent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from chat_tui.conversation.schema_check import schema_problem
from chat_tui.run_config import schema_fields
from chat_tui.ui.textual_compat import PacedFrames
from chat_tui.ui.widgets.schema_form import collect_fields, field_widgets

__all__ = ["AnswerFormScreen"]


class AnswerFormScreen(PacedFrames, ModalScreen[dict[str, Any] | None]):
    """Returns the answer (a JSON object that fits the schema), or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "send", "Send", id="answer-form.send"),
        Binding("escape", "cancel", "Cancel", id="answer-form.cancel"),
    ]

    def __init__(self, question: str, schema: Mapping[str, Any]) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question
        self.schema = schema
        self.fields = schema_fields(dict(schema))

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog run-config"):
            yield Static(Content.styled(self.question, "bold $accent"), classes="dialog-text")
            with VerticalScroll(id="answer-form"):
                yield from field_widgets(self.fields, {})
            yield Static(id="answer-error", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Send (^s)", variant="primary", id="send", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.focus_next()

    @on(Button.Pressed, "#send")
    def action_send(self) -> None:
        try:
            answer = collect_fields(self, self.fields)
        except ValueError as exc:
            self._say(str(exc))
            return
        problem = schema_problem(self.schema, answer)
        if problem:
            self._say(problem)
            return
        self.dismiss(answer)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _say(self, problem: str) -> None:
        self.query_one("#answer-error", Static).update(Content.styled(problem, "$error"))
