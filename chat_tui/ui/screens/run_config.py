"""Edit the run configuration of the current thread: a form from the assistant's schema + JSON.

The form covers the properties the assistant publishes (``/assistants/{id}/schemas``:
``context_schema`` or ``config_schema``): enums become choices, booleans switches, numbers
validated inputs, with the schema's defaults filled in. Other keys go in the JSON field.
The values are sent as ``context`` or as ``config.configurable`` (the server refuses both
at once), on every run of this thread until changed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Select, Static, Switch, TextArea

from chat_tui.client import LangGraphClient
from chat_tui.client.errors import ClientError
from chat_tui.sanitize import clean_line

__all__ = ["RunConfig", "RunConfigScreen", "schema_fields"]

_UUID_LENGTH = 36


@dataclass(slots=True)
class RunConfig:
    """Values sent with each run, as ``context`` or as ``config.configurable``."""

    target: str = "context"  # or "configurable"
    values: dict[str, Any] = field(default_factory=dict)

    def request_kwargs(self) -> dict[str, Any]:
        if not self.values:
            return {}
        if self.target == "configurable":
            return {"config": {"configurable": dict(self.values)}}
        return {"context": dict(self.values)}

    def summary(self, limit: int = 60) -> str:
        text = ", ".join(f"{k}={v}" for k, v in self.values.items())
        return clean_line(f"{self.target}: {text}", limit)

    def to_json(self) -> dict[str, Any]:
        return {"target": self.target, "values": self.values}

    @classmethod
    def from_json(cls, data: Any) -> RunConfig | None:
        if not isinstance(data, dict) or not isinstance(data.get("values"), dict):
            return None
        target = "configurable" if data.get("target") == "configurable" else "context"
        return cls(target, dict(data["values"]))


@dataclass(slots=True)
class SchemaField:
    name: str
    kind: str  # enum | bool | int | float | str
    default: Any = None
    choices: list[Any] = field(default_factory=list)
    description: str = ""


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        return {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    for key in ("anyOf", "allOf", "oneOf"):
        options = node.get(key)
        if isinstance(options, list):
            concrete = [o for o in options if isinstance(o, dict) and o.get("type") != "null"]
            if concrete:
                return {**_resolve(schema, concrete[0]), **{k: v for k, v in node.items() if k != key}}
    return node


def schema_fields(schema: dict[str, Any] | None) -> list[SchemaField]:
    """The form fields a JSON schema's top-level properties call for (nested objects are left to JSON)."""
    if not isinstance(schema, dict):
        return []
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return []
    fields = []
    for name, raw in properties.items():
        if not isinstance(raw, dict):
            continue
        node = _resolve(schema, raw)
        default = node.get("default")
        description = clean_line(str(node.get("description") or node.get("title") or ""), 120)
        if isinstance(node.get("enum"), list):
            fields.append(SchemaField(name, "enum", default, list(node["enum"]), description))
        elif node.get("type") == "boolean":
            fields.append(SchemaField(name, "bool", bool(default) if default is not None else False, [], description))
        elif node.get("type") in ("integer", "number"):
            fields.append(SchemaField(name, "int" if node["type"] == "integer" else "float", default, [], description))
        elif node.get("type") == "string":
            fields.append(SchemaField(name, "str", default, [], description))
    return fields


async def fetch_schema(client: LangGraphClient, assistant: str) -> tuple[list[SchemaField], str]:
    """Fields for *assistant* (a graph name or an assistant id) and the target its schema suggests."""
    assistant_id = assistant
    if len(assistant) != _UUID_LENGTH:
        found = await client.assistants.search(graph_id=assistant, limit=1)
        if not found:
            return [], "configurable"
        assistant_id = found[0].assistant_id
    schemas = await client.assistants.schemas(assistant_id)
    if schemas.context_schema and schema_fields(schemas.context_schema):
        return schema_fields(schemas.context_schema), "context"
    return schema_fields(schemas.config_schema), "configurable"


class RunConfigScreen(ModalScreen[RunConfig | None]):
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
                with RadioSet(id="target"):
                    yield RadioButton("context", id="target-context", value=True)
                    yield RadioButton("config.configurable", id="target-configurable")
                yield Vertical(id="schema-fields")
                yield Label("Other keys (a JSON object)")
                yield TextArea("{}", language="json", id="extra-json", soft_wrap=True)
            yield Static(id="config-error", classes="dialog-hint")
            with Horizontal(classes="dialog-buttons"):
                yield Button("Apply (^s)", variant="primary", id="apply")
                yield Button("Clear", id="clear")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.load_schema()

    @work(exclusive=True)
    async def load_schema(self) -> None:
        status = self.query_one("#config-status", Static)
        status.update(Content.styled("reading the assistant's schema…", "$text-muted"))
        try:
            self.fields, target = await fetch_schema(self.client, self.assistant)
        except ClientError as exc:
            self.fields, target = [], "configurable"
            status.update(Content.styled(f"no schema ({exc}); use the JSON field", "$warning"))
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
        widgets: list[Widget] = []
        for spec in self.fields:
            value = values.pop(spec.name, spec.default)
            label = Label(
                Content.assemble(
                    (spec.name, "bold"), (f"  {spec.description}" if spec.description else "", "$text-muted")
                )
            )
            widget: Widget
            if spec.kind == "enum":
                widget = Select(
                    [(clean_line(str(c), 60), c) for c in spec.choices],
                    value=value if value in spec.choices else Select.BLANK,
                    allow_blank=True,
                    id=f"field-{spec.name}",
                )
            elif spec.kind == "bool":
                widget = Switch(bool(value), id=f"field-{spec.name}")
            else:
                kind = {"int": "integer", "float": "number"}.get(spec.kind, "text")
                widget = Input("" if value is None else str(value), type=kind, id=f"field-{spec.name}")  # type: ignore[arg-type]
            widgets += [label, widget]
        await self.query_one("#schema-fields").mount_all(widgets)
        self.query_one("#extra-json", TextArea).text = json.dumps(values, indent=2, ensure_ascii=False)

    def _collect(self) -> RunConfig:
        values: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.query_one(f"#field-{spec.name}")
            if isinstance(widget, Select):
                if widget.value is not Select.BLANK:
                    values[spec.name] = widget.value
            elif isinstance(widget, Switch):
                values[spec.name] = widget.value
            elif isinstance(widget, Input):
                text = widget.value.strip()
                if not text:
                    continue
                try:
                    values[spec.name] = (
                        int(text) if spec.kind == "int" else float(text) if spec.kind == "float" else text
                    )
                except ValueError:
                    raise ValueError(f"{spec.name} must be a number") from None
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
