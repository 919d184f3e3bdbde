"""Small modal dialogs: confirm, and one-line text input."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from chat_tui.ui.textual_compat import PacedFrames

__all__ = ["ChoiceScreen", "ConfirmScreen", "TextPromptScreen"]


class ConfirmScreen(PacedFrames, ModalScreen[bool]):
    """Yes/no. ``y``/Enter confirm, ``n``/Esc cancel. Text is shown literally."""

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: Content | str, *, yes: str = "Yes", no: str = "Cancel", danger: bool = False) -> None:
        super().__init__(classes="dialog-screen")
        self.question = question if isinstance(question, Content) else Content(question)
        self.yes, self.no, self.danger = yes, no, danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-text")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content(f"{self.yes} (y)"), variant="error" if self.danger else "primary", id="yes")
                yield Button(Content(f"{self.no} (n)"), id="no")

    def on_mount(self) -> None:
        self.query_one("#no" if self.danger else "#yes", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class TextPromptScreen(PacedFrames, ModalScreen[str | None]):
    """Ask for one line of text (Enter accepts, Esc cancels)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, question: str, value: str = "", *, placeholder: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.question, self.value, self.placeholder = question, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.question), classes="dialog-text")
            # The current value starts selected: typing replaces it, arrows edit it.
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input", select_on_focus=True)
            yield Static(Content.styled("Enter to save · Esc to cancel", "$text-muted"), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceScreen(PacedFrames, ModalScreen[str | None]):
    """Pick one of a few answers by key or button; Esc picks nothing."""

    BINDINGS = [Binding("escape", "choose(None)", "Cancel", id="choice.cancel")]

    def __init__(self, question: Content | str, choices: list[tuple[str, str, str]]) -> None:
        """*choices*: (key, label, value)."""
        super().__init__(classes="dialog-screen")
        self.question = question if isinstance(question, Content) else Content(question)
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.question, classes="dialog-text")
            with Vertical(classes="choice-buttons"):
                for key, label, value in self.choices:
                    yield Button(Content(f"{label} ({key})"), id=f"choice-{value}")

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_key(self, event: events.Key) -> None:
        for key, _label, value in self.choices:
            if event.key == key:
                event.stop()
                self.dismiss(value)
                return

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss((event.button.id or "").removeprefix("choice-") or None)

    def action_choose(self, value: str | None) -> None:
        self.dismiss(value)
