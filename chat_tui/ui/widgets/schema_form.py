"""Form fields from a JSON schema's top-level properties (enums as choices, booleans as switches,
numbers as validated inputs): the run configuration form and an interrupt's answer form share them."""

from __future__ import annotations

from typing import Any

from textual.content import Content
from textual.dom import DOMNode
from textual.widget import Widget
from textual.widgets import Input, Label, Select, Switch

from chat_tui.run_config import SchemaField
from chat_tui.sanitize import clean_line

__all__ = ["collect_fields", "field_widgets"]


def field_widgets(fields: list[SchemaField], values: dict[str, Any]) -> list[Widget]:
    """A label and an input for each field (ids ``field-<n>``), filled from *values*, else the default.
    The values used are removed from *values* (what is left has no field)."""
    widgets: list[Widget] = []
    for n, spec in enumerate(fields):
        value = values.pop(spec.name, spec.default)
        label = Label(
            Content.assemble((spec.label, "bold"), (f"  {spec.description}" if spec.description else "", "$text-muted"))
        )
        widget: Widget
        if spec.kind == "enum":
            widget = Select(
                [(Content(clean_line(str(c), 60)), c) for c in spec.choices],  # Content: never markup
                value=value if value in spec.choices else Select.NULL,
                allow_blank=True,
                id=f"field-{n}",
                compact=True,
            )
        elif spec.kind == "bool":
            widget = Switch(bool(value), id=f"field-{n}")
        else:
            kind = {"int": "integer", "float": "number"}.get(spec.kind, "text")
            widget = Input(
                "" if value is None else str(value),
                type=kind,  # type: ignore[arg-type]
                id=f"field-{n}",
                compact=True,
            )
        widgets += [label, widget]
    return widgets


def collect_fields(root: DOMNode, fields: list[SchemaField]) -> dict[str, Any]:
    """The values the user gave (an empty input is left out); ValueError with one line for a bad number."""
    values: dict[str, Any] = {}
    for n, spec in enumerate(fields):
        widget = root.query_one(f"#field-{n}")
        if isinstance(widget, Select):
            if widget.value is not Select.NULL:
                values[spec.name] = widget.value
        elif isinstance(widget, Switch):
            values[spec.name] = widget.value
        elif isinstance(widget, Input):
            text = widget.value.strip()
            if not text:
                continue
            try:
                values[spec.name] = int(text) if spec.kind == "int" else float(text) if spec.kind == "float" else text
            except ValueError:
                raise ValueError(f"{spec.label} must be a number") from None
    return values
