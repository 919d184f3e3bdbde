"""Edit the run configuration of the current thread: a form from the assistant's schema + JSON.

The form covers the properties the assistant publishes (``/assistants/{id}/schemas``:
``context_schema`` or ``config_schema``): enums become choices, booleans switches, numbers
validated inputs, with the schema's defaults filled in. Other keys go in the JSON field.
The values are sent as ``context`` or as ``config.configurable`` (the server refuses both
at once), on every run of this thread until changed.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, RadioButton, RadioSet, Static, TextArea

from chat_tui.client.errors import ClientError
from chat_tui.run_config import UUID_LENGTH, RunConfig, SchemaField, schema_fields
from chat_tui.ui.textual_compat import PacedFrames
from chat_tui.ui.widgets.schema_form import collect_fields, field_widgets

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient

__all__ = ["RunConfigScreen", "fetch_schema"]


async def fetch_schema(client: LangGraphClient, assistant: str) -> tuple[list[SchemaField], str]:
    """Fields for *assistant* (a graph name or an assistant id) and the target its schema suggests."""
    assistant_id = assistant
    if len(assistant) != UUID_LENGTH:
        found = await client.assistants.search(graph_id=assistant, limit=1)
        if not found:
            return [], "configurable"
        assistant_id = found[0].assistant_id
    schemas = await client.assistants.schemas(assistant_id)
    if schemas.context_schema and schema_fields(schemas.context_schema):
        return schema_fields(schemas.context_schema), "context"
    return schema_fields(schemas.config_schema), "configurable"


class RunConfigScreen(PacedFrames, ModalScreen[RunConfig | None]):
    """Returns the new configuration (empty values = clear it), or None when cancelled."""

    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply", id="run-config.apply"),
        Binding("escape", "cancel", "Cancel", id="run-config.cancel"),
    ]

    def __init__(self, client: LangGraphClient, assistant: str, current: RunConfig | None, *, label: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.client = client
        self.assistant = assistant
        self.label = label or assistant
        self.current = current
        self.fields: list[SchemaField] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog run-config"):
            yield Static(
                Content.assemble(("Run configuration", "bold $accent"), (f"  ·  {self.label}", "$text-muted")),
                classes="dialog-text",
            )
            yield Static(id="config-status", classes="dialog-hint")
            with VerticalScroll(id="config-form"):
                yield Label("Send as")
                with RadioSet(id="target", compact=True):
                    yield RadioButton("context", id="target-context", value=True)
                    yield RadioButton("config.configurable", id="target-configurable")
                yield Vertical(id="schema-fields")
                yield Label("Other keys (a JSON object)")
                yield TextArea("{}", language="json", id="extra-json", soft_wrap=True)
            yield Static(id="config-error", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                # Compact widgets throughout: at 80x24 the whole form is in view, not one field at a time.
                yield Button("Apply (^s)", variant="primary", id="apply", compact=True)
                yield Button("Clear", id="clear", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.load_schema()

    @work(exclusive=True, exit_on_error=False)
    async def load_schema(self) -> None:
        status = self.query_one("#config-status", Static)
        status.update(Content.styled("reading the assistant's schema…", "$text-muted"))
        try:
            self.fields, target = await fetch_schema(self.client, self.assistant)
        except ClientError as exc:
            self.fields, target = [], "configurable"
            status.update(Content.styled(f"no schema ({exc}); use the JSON field", "$warning"))
        except Exception as exc:  # a schema we cannot read is the server's problem: the JSON field still works
            self.fields, target = [], "configurable"
            status.update(Content.styled(f"unreadable schema ({type(exc).__name__}); use the JSON field", "$warning"))
        else:
            status.update(
                Content.styled(
                    f"{len(self.fields)} field(s) from the assistant's schema; defaults filled in"
                    if self.fields
                    else "the assistant publishes no schema fields; use the JSON field",
                    "$text-muted",
                )
            )
        current = self.current
        if current is not None:
            target = current.target
        self.query_one(f"#target-{target}", RadioButton).value = True
        values = dict(current.values) if current else {}
        widgets = field_widgets(self.fields, values)
        await self.query_one("#schema-fields").mount_all(widgets)
        self.query_one("#extra-json", TextArea).text = json.dumps(values, indent=2, ensure_ascii=False)

    def _collect(self) -> RunConfig:
        values = collect_fields(self, self.fields)
        raw = self.query_one("#extra-json", TextArea).text.strip() or "{}"
        try:
            extra = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ValueError(f"the JSON field is not valid JSON ({exc.msg}, line {exc.lineno})") from None
        if not isinstance(extra, dict):
            raise ValueError('the JSON field must be an object, e.g. {"model_name": "openai"}')
        values.update(extra)
        pressed = self.query_one("#target", RadioSet).pressed_index
        return RunConfig("configurable" if pressed == 1 else "context", values)

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        try:
            config = self._collect()
        except ValueError as exc:
            self.query_one("#config-error", Static).update(Content.styled(str(exc), "$error"))
            return
        self.dismiss(config)

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss(RunConfig())

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
