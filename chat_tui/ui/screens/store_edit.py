"""Write one store item: its key (fixed when editing) and its value as JSON, checked before anything
is sent (:mod:`chat_tui.service.store`); what is wrong, or what the server said, is one line under the
text, which is kept."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static, TextArea

from chat_tui.client.errors import ClientError
from chat_tui.sanitize import clean_line
from chat_tui.service.store import StoreProblem, check_key, namespace_text, parse_value
from chat_tui.ui.textual_compat import PacedFrames

__all__ = ["StoreItemEditor"]

Save = Callable[[str, dict[str, Any]], Awaitable[None]]


class StoreItemEditor(PacedFrames, ModalScreen[str | None]):
    """Returns the key saved, or None. *save* sends the item (its errors are shown here)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="store-edit.save"),
        Binding("escape", "cancel", "Cancel", id="store-edit.cancel"),
    ]

    def __init__(self, namespace: tuple[str, ...], save: Save, *, key: str | None = None, text: str = "{}") -> None:
        super().__init__(classes="dialog-screen")
        self.namespace, self.save, self.key, self.text = namespace, save, key, text

    def compose(self) -> ComposeResult:
        verb = "Edit" if self.key is not None else "New item in"
        with Vertical(classes="dialog store-edit"):
            yield Static(
                Content.assemble((f"{verb} ", "bold"), (namespace_text(self.namespace), "bold $accent")),
                classes="dialog-text",
            )
            yield Input(self.key or "", placeholder="key", id="store-edit-key", disabled=self.key is not None)
            yield TextArea(self.text, language="json", id="store-edit-json")
            yield Static(id="store-edit-error", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Save (^s)", variant="primary", id="save", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        if self.key is None:
            self.query_one(Input).focus()
        else:
            self.query_one(TextArea).focus()

    @on(Input.Submitted)
    def _to_value(self) -> None:
        self.query_one(TextArea).focus()

    @on(Button.Pressed, "#save")
    @work(group="store-save", exclusive=True, exit_on_error=False)
    async def action_save(self) -> None:
        try:
            key = check_key(self.query_one(Input).value if self.key is None else self.key)
            value = parse_value(self.query_one(TextArea).text)
        except StoreProblem as exc:
            self._say(str(exc))
            return
        self._say("saving…", "$text-muted")
        try:
            await self.save(key, value)
        except ClientError as exc:
            self._say(str(exc))
            return
        self.dismiss(key)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _say(self, problem: str, style: str = "$error") -> None:
        self.query_one("#store-edit-error", Static).update(Content.styled(clean_line(problem, 300), style))
