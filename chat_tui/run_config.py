"""A thread's run configuration (sent as ``context`` or ``config.configurable``) and the form
fields an assistant's published JSON schema calls for. Pure data: the screen that edits it is
``chat_tui.ui.screens.run_config``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from chat_tui.sanitize import clean_line

__all__ = ["UUID_LENGTH", "RunConfig", "SchemaField", "schema_fields"]

UUID_LENGTH = 36  # an assistant id (a graph name is shorter)


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

    @property
    def label(self) -> str:
        """The name as shown: a schema is server text, and a property name may hold anything."""
        return clean_line(self.name, 60) or "(unnamed)"


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
        if isinstance(default, str):  # shown in an input: no terminal control sequences from a server
            default = clean_line(default)
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
