"""Pick the assistant new runs use: the deployment's assistants with name, graph and description."""

from __future__ import annotations

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
from chat_tui.client.models import Assistant
from chat_tui.sanitize import clean_line
from chat_tui.ui.textual_compat import PacedFrames

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient

__all__ = ["AssistantPicker"]


class AssistantPicker(PacedFrames, ModalScreen[Assistant | None]):
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel", id="assistants.cancel")]

    def __init__(self, client: LangGraphClient, current: str | None) -> None:
        super().__init__(classes="dialog-screen")
        self.client = client
        self.current = current
        self.assistants: list[Assistant] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker"):
            yield Static(Content.styled("Assistant for new runs", "bold $accent"), classes="dialog-text")
            yield OptionList(id="assistant-list")
            yield Static(id="assistant-status", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.load()

    @work(exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        status = self.query_one("#assistant-status", Static)
        status.update(Content.styled("loading…", "$text-muted"))
        try:
            self.assistants = await self.client.assistants.search(limit=100, sort_by="name", sort_order="asc")
        except ClientError as exc:
            status.update(Content.styled(str(exc), "$error"))
            return
        options = []
        highlight = 0
        for index, assistant in enumerate(self.assistants):
            current = self.current in (assistant.assistant_id, assistant.graph_id)
            if current:
                highlight = index
            name = clean_line(assistant.name or assistant.graph_id, 60)
            description = clean_line(assistant.description or "", 200)
            prompt = Content.assemble(
                ("● " if current else "  ", "$accent"),
                (name, "bold"),
                (f"  graph {clean_line(assistant.graph_id, 60)}", "$text-muted"),
                ("\n    " + description if description else "", "$text-muted italic"),
            )
            options.append(Option(prompt, id=assistant.assistant_id))
        option_list = self.query_one(OptionList)
        option_list.add_options(options)
        if not options:
            status.update(Content.styled("the server lists no assistants · Esc goes back", "$text-muted"))
            return
        option_list.highlighted = highlight
        status.update(Content.styled("Enter picks · Esc cancels", "$text-muted"))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        chosen = next((a for a in self.assistants if a.assistant_id == event.option.id), None)
        self.dismiss(chosen)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
