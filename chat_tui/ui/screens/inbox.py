"""The inbox: every thread on the server waiting for a human, newest first; Enter opens one at its question."""

from __future__ import annotations

from datetime import UTC, datetime
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
from chat_tui.service.approvals import INBOX_PAGE
from chat_tui.ui.format import relative_time
from chat_tui.ui.textual_compat import PacedFrames

if TYPE_CHECKING:
    from chat_tui.service.approvals import InboxRow
    from chat_tui.service.chat import ChatService

__all__ = ["InboxScreen"]

_KINDS = {"hitl": "approve tools", "tool_approval": "approve a tool", "legacy": "review", "value": "answer"}


class InboxScreen(PacedFrames, ModalScreen[str | None]):
    """Returns the thread to open, or None."""

    BINDINGS = [
        Binding("escape", "dismiss_none", "Close", id="inbox.close"),
        Binding("f5", "reload", "Refresh", id="inbox.refresh"),
    ]

    def __init__(self, service: ChatService) -> None:
        super().__init__(classes="dialog-screen")
        self.service = service
        self.rows: list[InboxRow] = []
        self.cursor = service.inbox_cursor()
        self.more = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Static(Content.styled("Waiting for you", "bold $accent"), classes="dialog-text")
            yield OptionList(id="inbox-list")
            yield Static(id="inbox-status", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.action_reload()

    def action_reload(self) -> None:
        self.rows, self.cursor = [], self.service.inbox_cursor()
        self.query_one(OptionList).clear_options()
        self.load()

    @work(group="inbox", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        status = self.query_one("#inbox-status", Static)
        status.update(Content.styled("asking the server…", "$text-muted"))
        try:
            page = await self.cursor.next_page(INBOX_PAGE)
        except ClientError as exc:
            status.update(Content.styled(f"could not list the waiting threads: {exc}", "$error"))
            return
        self.more = self.cursor.more
        known = {row.thread.thread_id for row in self.rows}
        fresh = [row for row in page if row.thread.thread_id not in known]
        self.rows += fresh
        now = datetime.now(UTC)
        self.query_one(OptionList).add_options(self._option(row, now) for row in fresh)
        count = len(self.rows)
        said = f"{count} thread{'s' if count != 1 else ''} waiting" if count else "no thread is waiting for you"
        status.update(Content.styled(f"{said} · Enter opens · F5 refreshes · Esc closes", "$text-muted"))

    @staticmethod
    def _option(row: InboxRow, now: datetime) -> Option:
        title = clean_line(row.thread.title or row.preview, 60)
        prompt = Content.assemble(
            (title, "bold"),
            "\n    ",
            (relative_time(row.since, now), "$text-muted"),
            ("  " + _KINDS.get(str(row.kind), str(row.kind)), "$accent"),
            ("  " + clean_line(row.preview, 80), "$text-muted"),
        )
        return Option(prompt, id=row.thread.thread_id)

    @on(OptionList.OptionHighlighted)
    def _near_the_end(self, event: OptionList.OptionHighlighted) -> None:
        if self.more and event.option_index >= len(self.rows) - 5:
            self.more = False
            self.load()

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
