"""The dialog that saves the open thread as a test (``chat.save-test``).

It shows the scenario ``chat-tui test record`` would write for the thread, as the YAML that will be
appended, and follows its switches as they change: which expectations to keep (tool calls and how
their arguments are compared, status, interrupts, the node path, budgets), the scenario's id and
``repeat``, and the file. Enter (or Save) appends it through the use case it is given; what is
wrong (a bad id or repeat, an id the file has, a file that cannot be written) is one line under
the fields, and everything typed stays. It decides nothing: the scenario is
:meth:`~chat_tui.testing.record.ThreadRecord.scenario`'s, the writing :mod:`chat_tui.testing.yaml_edit`'s.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Select, Static

from chat_tui.errors import ChatTuiError
from chat_tui.sanitize import clean, clean_line
from chat_tui.testing.record import ARGS_MODES, RecordOptions, ThreadRecord
from chat_tui.testing.yaml_edit import dump_yaml
from chat_tui.ui.textual_compat import PacedFrames

__all__ = ["SaveTestScreen", "SavedTest"]

Save = Callable[[Path, dict[str, Any]], int]  # (file, scenario) -> the line it landed on

_SWITCHES = (  # (widget id, RecordOptions field, label)
    ("keep-tools", "tool_calls", "tool calls"),
    ("keep-status", "status", "status"),
    ("keep-interrupts", "interrupts", "interrupts"),
    ("keep-nodes", "nodes", "node path"),
    ("keep-budgets", "budgets", "budgets (2× what it took)"),
)


@dataclass(frozen=True, slots=True)
class SavedTest:
    """What was saved, where (the line of its ``- id:``), and the choices to offer next time."""

    scenario_id: str
    path: Path
    line: int
    typed_path: str
    options: RecordOptions


class SaveTestScreen(PacedFrames, ModalScreen[SavedTest | None]):
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="save-test.cancel")]

    def __init__(self, record: ThreadRecord, path: str, options: RecordOptions, save: Save) -> None:
        super().__init__(classes="dialog-screen")
        self.record = record
        self.save = save
        self.options = options
        self.path_input = Input(path, id="test-file", select_on_focus=False)
        self.id_input = Input(options.scenario_id or record.default_id, id="test-id", select_on_focus=False)
        repeat = "" if options.repeat is None else str(options.repeat)
        self.repeat_input = Input(repeat, id="test-repeat", placeholder="1", select_on_focus=False)
        self.preview = Static(id="test-preview", markup=False)
        self.problem = Static(id="test-problem", classes="dialog-hint", markup=False)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog save-test-dialog"):
            yield Static(Content.styled("Save this thread as a test", "bold $accent"), classes="dialog-text")
            with Horizontal(classes="save-test-row"):
                yield Static(Content.styled("File", "bold"), classes="save-test-label")
                yield self.path_input
            with Horizontal(classes="save-test-row"):
                yield Static(Content.styled("Scenario id", "bold"), classes="save-test-label")
                yield self.id_input
                yield Static(Content.styled("Repeat", "bold"), classes="save-test-label save-test-repeat-label")
                yield self.repeat_input
            with Horizontal(classes="save-test-row save-test-keep"):
                yield Static(Content.styled("Keep", "bold"), classes="save-test-label")
                for widget_id, field, label in _SWITCHES[:1]:
                    yield Checkbox(Content(label), getattr(self.options, field), id=widget_id, compact=True)
                yield Select(
                    [(Content(f"args: {mode}"), mode) for mode in ARGS_MODES],
                    value=self.options.args_mode,
                    allow_blank=False,
                    id="args-mode",
                    compact=True,
                )
            with Horizontal(classes="save-test-row save-test-keep"):
                yield Static("", classes="save-test-label")
                for widget_id, field, label in _SWITCHES[1:]:
                    yield Checkbox(Content(label), getattr(self.options, field), id=widget_id, compact=True)
            with VerticalScroll(id="test-preview-box"):
                yield self.preview
            yield self.problem
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Save (enter)"), variant="primary", id="save", compact=True)
                yield Button(Content("Cancel (esc)"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.show_preview()
        self.id_input.focus()

    def chosen(self) -> RecordOptions:
        """The options as the fields say. Raises ValueError (one line) for a bad id or repeat."""
        switches = {field: self.query_one(f"#{widget_id}", Checkbox).value for widget_id, field, _ in _SWITCHES}
        mode = self.query_one("#args-mode", Select).value
        options = RecordOptions(
            scenario_id=self.id_input.value.strip() or None,
            repeat=RecordOptions.parse_repeat(self.repeat_input.value),
            args_mode=mode if isinstance(mode, str) and mode in ARGS_MODES else "subset",  # type: ignore[arg-type]
            **switches,
        )
        problem = options.problem()
        if problem is not None:
            raise ValueError(problem)
        return options

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def show_preview(self) -> None:
        try:
            options = self.chosen()
        except ValueError as exc:
            self.say(str(exc))
            return
        self.say("")
        text = textwrap.dedent(dump_yaml([self.record.scenario(options)]))
        self.preview.update(Content(clean(text)))  # (the thread's strings are the server's)

    def say(self, problem: str) -> None:
        self.problem.update(Content.styled(problem, "$error") if problem else Content(""))

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.dismiss(None)

    def action_save(self) -> None:
        typed = self.path_input.value.strip()
        if not typed:
            self.say("give a file name")
            self.path_input.focus()
            return
        try:
            options = self.chosen()
        except ValueError as exc:
            self.say(str(exc))
            return
        path = Path(os.path.expanduser(typed))
        scenario = self.record.scenario(options)
        try:
            line = self.save(path, scenario)
        except ChatTuiError as exc:  # (ScenarioFileError: one line; nothing was written)
            self.say(clean_line(str(exc), 300))
            return
        self.dismiss(SavedTest(scenario["id"], path, line, typed, options))

    def action_cancel(self) -> None:
        self.dismiss(None)
