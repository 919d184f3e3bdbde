"""A thread's runs, newest first: status, start, duration, what it was sent, multitask strategy and
config. Enter re-runs one: from its input checkpoint with no input (the server applies the turn's
stored input again, as a new branch). A page of runs at a time, the next as the cursor nears the end
(as the timeline does), so any number of runs can be browsed."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from chat_tui.client.errors import ClientError
from chat_tui.sanitize import clean_line
from chat_tui.ui.textual_compat import PacedFrames

if TYPE_CHECKING:
    from chat_tui.client.models import Run
    from chat_tui.service.chat import ChatService

__all__ = ["RunsScreen", "run_row"]

PAGE = 50
NEAR_END = 10
_STATUS = {"success": "$success", "error": "$error", "interrupted": "$warning", "timeout": "$error"}


def run_row(run: Run) -> Content:
    kwargs = run.created_with
    sent = kwargs.get("input") if kwargs.get("input") is not None else kwargs.get("command")
    text = json.dumps(sent, ensure_ascii=False, default=str) if sent is not None else "(no input: a re-run)"
    when = run.created_at.astimezone().strftime("%m-%d %H:%M:%S") if run.created_at else "?"
    took = "-"
    if run.created_at and run.updated_at and run.status not in ("pending", "running"):
        took = f"{(run.updated_at - run.created_at).total_seconds():.1f}s"
    sent_config = run.sent_config
    config = f"  config {json.dumps(sent_config, ensure_ascii=False, default=str)}" if sent_config else ""
    return Content.assemble(
        (f"{run.status:<11}", _STATUS.get(run.status, "$text-muted")),
        (f"{when}  ", "$text-muted"),
        f"{took:>7}  ",
        (f"{run.multitask_strategy or '-':<9} ", "$text-secondary"),
        clean_line(text, 90),
        (clean_line(config, 80), "$text-muted"),
    )


class RunsScreen(PacedFrames, ModalScreen[str | None]):
    """Returns the checkpoint to re-run from (the run's input checkpoint), or None."""

    BINDINGS = [Binding("escape", "dismiss_none", "Close", id="runs.close")]

    def __init__(self, service: ChatService, thread_id: str) -> None:
        super().__init__(classes="dialog-screen")
        self.service = service
        self.thread_id = thread_id
        self.runs: dict[str, Run] = {}  # newest first, as loaded
        self.complete = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker wide"):
            yield Static(Content.styled("Runs of this thread, newest first", "bold $accent"), classes="dialog-text")
            yield OptionList(id="runs-list")
            yield Static(id="runs-status", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(group="runs", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        """The next page (the offset is how many are shown: a run started meanwhile shifts the
        pages by one, and is then listed once)."""
        if self.complete:
            return
        status = self.query_one("#runs-status", Static)
        try:
            runs = await self.service.client.runs.list(self.thread_id, limit=PAGE, offset=len(self.runs))
        except ClientError as exc:
            status.update(Content.styled(f"could not list the runs: {exc}", "$error"))
            return
        new = [run for run in runs if run.run_id not in self.runs]
        self.complete = len(runs) < PAGE or not new
        self.runs.update((run.run_id, run) for run in new)
        options = self.query_one(OptionList)
        options.add_options(Option(run_row(run), id=run.run_id) for run in new)
        if options.highlighted is None and self.runs:
            options.highlighted = 0
        more = "" if self.complete else " (more below)"
        status.update(Content.styled(f"{len(self.runs)} runs{more} · Enter re-runs one · Esc closes", "$text-muted"))

    @on(OptionList.OptionHighlighted)
    def _near_end(self, event: OptionList.OptionHighlighted) -> None:
        if not self.complete and event.option_index >= len(self.runs) - NEAR_END:
            self.load()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.rerun(event.option.id)

    @work(group="runs-rerun", exclusive=True, exit_on_error=False)
    async def rerun(self, run_id: str) -> None:
        try:
            checkpoint = await self.service.input_checkpoint(self.thread_id, run_id)
        except ClientError as exc:
            self.notify(f"could not find the run's checkpoints: {exc}", severity="error", markup=False)
            return
        if checkpoint is None:
            self.notify("this run left no input checkpoint to re-run from (an answer to an interrupt?)", markup=False)
            return
        self.dismiss(checkpoint)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
