"""The dialogs that ask where to write a file: recordings (``chat.record``) and exports (``chat.export``).

Both check the path before they close (:func:`~chat_tui.service.outfile.output_problem`): a
missing folder is one line under the field, and an existing file is replaced only after an
explicit question; the typed path stays in the field either way. They return what was chosen
(:class:`FileChoice`); writing is the chat screen's (:mod:`.chat_recordings`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, RadioButton, RadioSet, Static

from chat_tui.sanitize import clean_line
from chat_tui.service.outfile import output_problem
from chat_tui.ui.screens.dialogs import ConfirmScreen
from chat_tui.ui.textual_compat import PacedFrames

__all__ = ["EXPORT_FORMATS", "ExportScreen", "FileChoice", "RecordScreen"]

EXPORT_FORMATS = ("md", "json", "jsonl")
_FORMAT_HELP = {
    "md": "Markdown: who said what, tool calls and results, interrupts, errors",
    "json": "the messages as the server stores them, and the thread's metadata",
    "jsonl": "the stored messages, one a line",
}


@dataclass(slots=True, frozen=True)
class FileChoice:
    """What the user chose: *action* (``record``, ``save``, ``stop``; or an export format), the file
    (None for ``stop``) and whether it may replace an existing one (the user said so)."""

    action: str
    path: Path | None = None
    force: bool = False
    typed: str = ""  # the path as typed (offered again next time)


def shown_path(path: Path | str) -> str:
    return clean_line(str(path), 200)


def _check(typed: str) -> tuple[Path, str | None, bool]:
    """The path typed, why it cannot be written (a folder, or no folder: an existing file is
    asked about), and whether it exists."""
    path = Path(os.path.expanduser(typed))
    return path, output_problem(path, force=True), path.exists()


class FileDialog(PacedFrames, ModalScreen[FileChoice | None]):
    """A path field with its problem line; :meth:`choose` checks the path and closes the dialog."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="file-dialog.cancel")]

    def __init__(self, path: str) -> None:
        super().__init__(classes="dialog-screen")
        self.path_input = Input(path, id="file-path", select_on_focus=False)
        self.problem = Static(id="file-problem", classes="dialog-hint", markup=False)

    def path_rows(self) -> ComposeResult:
        yield Static(Content.styled("File", "bold"), classes="file-label")
        yield self.path_input
        yield self.problem

    def say(self, problem: str) -> None:
        self.problem.update(Content.styled(problem, "$error"))
        self.path_input.focus()

    @work(group="choose", exclusive=True, exit_on_error=False)
    async def choose(self, action: str) -> None:
        typed = self.path_input.value.strip()
        if not typed:
            self.say("give a file name")
            return
        path, problem, force = _check(typed)
        if problem is not None:
            self.say(problem)
            return
        if force:
            question = Content.assemble((shown_path(path), "bold"), " exists. Overwrite it?")
            if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Overwrite", no="Keep it", danger=True)):
                self.say(f"{shown_path(path)} was kept: give another name, or choose again to overwrite it")
                return
        self.dismiss(FileChoice(action, path, force, typed))

    def action_cancel(self) -> None:
        self.dismiss(None)


class RecordScreen(FileDialog):
    """Record the current and next runs to a file (or stop doing so), or save the last run."""

    def __init__(self, path: str, *, recording_to: str | None = None, runs: int = 0, can_save: bool = True) -> None:
        super().__init__(path)
        self.recording_to = recording_to
        self.runs = runs
        self.can_save = can_save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog record-dialog"):
            yield Static(Content.styled("Recordings", "bold $accent"), classes="dialog-text")
            yield Static(
                Content(
                    "A recording keeps each event of a run as the server sent it (.sse), with its timing; "
                    "never a key or a header. `chat-tui replay FILE` plays it back."
                ),
                classes="dialog-text",
            )
            if self.recording_to is not None:
                yield Static(
                    Content.assemble(
                        ("● REC ", "bold $error"),
                        f"recording to {shown_path(self.recording_to)}: {self.runs} run(s) so far",
                    ),
                    classes="dialog-text",
                )
            yield from self.path_rows()
            with Vertical(classes="choice-buttons"):
                if self.recording_to is not None:
                    yield Button(Content("Stop recording"), variant="error", id="stop", compact=True)
                else:
                    yield Button(
                        Content("Record the current and next runs to this file"),
                        variant="primary",
                        id="record",
                        compact=True,
                    )
                yield Button(
                    Content("Save the last run to this file"), id="save", disabled=not self.can_save, compact=True
                )
                yield Button(Content("Cancel (esc)"), id="cancel", compact=True)

    def on_mount(self) -> None:
        if self.recording_to is not None:
            self.query_one("#stop", Button).focus()
        else:
            self.path_input.focus()

    @on(Input.Submitted, "#file-path")
    def _submitted(self) -> None:
        self.choose("record" if self.recording_to is None else "save")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        action = event.button.id or "cancel"
        if action == "cancel":
            self.dismiss(None)
        elif action == "stop":
            self.dismiss(FileChoice("stop"))
        else:
            self.choose(action)


class ExportScreen(FileDialog):
    """Export the thread: a format and a file (its extension follows the format until edited)."""

    def __init__(self, stem: str, fmt: str = "md") -> None:
        super().__init__(f"{stem}.{fmt}")
        self.stem = stem
        self.format = fmt if fmt in EXPORT_FORMATS else "md"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog export-dialog"):
            yield Static(Content.styled("Export this thread", "bold $accent"), classes="dialog-text")
            with RadioSet(id="export-format", compact=True):
                for fmt in EXPORT_FORMATS:
                    label = Content.assemble((f"{fmt:<6}", "bold"), (_FORMAT_HELP[fmt], "$text-muted"))
                    yield RadioButton(label, value=fmt == self.format, id=f"format-{fmt}")
            yield from self.path_rows()
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Export"), variant="primary", id="export", compact=True)
                yield Button(Content("Cancel"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.path_input.focus()

    @on(RadioSet.Changed, "#export-format")
    def _format_changed(self, event: RadioSet.Changed) -> None:
        fmt = (event.pressed.id or "").removeprefix("format-") or "md"
        if self.path_input.value == f"{self.stem}.{self.format}":  # (not edited: it follows the format)
            self.path_input.value = f"{self.stem}.{fmt}"
        self.format = fmt

    @on(Input.Submitted, "#file-path")
    def _submitted(self) -> None:
        self.choose(self.format)

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self.choose(self.format)
        else:
            self.dismiss(None)
