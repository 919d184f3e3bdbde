"""A small JSON Schema check: what a tool's arguments or an interrupt's expected answer usually say."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["schema_problem"]


def schema_problem(schema: Mapping[str, Any], value: Any, where: str = "") -> str | None:
    """A small JSON Schema check (type, required, properties, enum, const, items, the size and range
    keywords, pattern): what a tool's argument schema usually says. One line, or None when *value* fits."""
    expected = schema.get("type")
    types = {
        "object": Mapping,
        "array": list,
        "string": str,
        "boolean": bool,
        "null": type(None),
    }
    label = where or "the value"
    if isinstance(expected, str):
        if expected in ("integer", "number"):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            ok = ok and (expected == "number" or float(value).is_integer())
        else:
            ok = isinstance(value, types.get(expected, object))
        if not ok:
            return f"{label} must be {'an' if expected[0] in 'aeiou' else 'a'} {expected}"
    if "const" in schema and value != schema["const"]:
        return f"{label} must be {schema['const']!r}"
    if isinstance(schema.get("enum"), list) and value not in schema["enum"]:
        return f"{label} must be one of {', '.join(map(str, schema['enum']))}"
    problem = _bounds_problem(schema, value, label)
    if problem:
        return problem
    if isinstance(value, Mapping):
        for key in schema.get("required", []) or []:
            if key not in value:
                return f"{key!r} is required"
        properties = schema.get("properties")
        if isinstance(properties, Mapping):
            for key, sub in properties.items():
                if key in value and isinstance(sub, Mapping):
                    problem = schema_problem(sub, value[key], f"{where}.{key}" if where else str(key))
                    if problem:
                        return problem
    if isinstance(value, list) and isinstance(schema.get("items"), Mapping):
        for index, item in enumerate(value):
            problem = schema_problem(schema["items"], item, f"{where}[{index}]")
            if problem:
                return problem
    return None


_SIZES = (("minItems", "maxItems", list, "item(s)"), ("minLength", "maxLength", str, "character(s)"))


def _bounds_problem(schema: Mapping[str, Any], value: Any, label: str) -> str | None:
    for low_key, high_key, kind, unit in _SIZES:
        if isinstance(value, kind):
            low, high = schema.get(low_key), schema.get(high_key)
            if isinstance(low, int) and len(value) < low:
                return f"{label} has {len(value)} {unit}, at least {low} expected"
            if isinstance(high, int) and len(value) > high:
                return f"{label} has {len(value)} {unit}, at most {high} expected"
    if isinstance(value, int | float) and not isinstance(value, bool):
        low, high = schema.get("minimum"), schema.get("maximum")
        if isinstance(low, int | float) and value < low:
            return f"{label} must be at least {low}"
        if isinstance(high, int | float) and value > high:
            return f"{label} must be at most {high}"
    pattern = schema.get("pattern")
    if isinstance(value, str) and isinstance(pattern, str):
        try:
            if re.search(pattern, value) is None:
                return f"{label} must match {pattern}"
        except re.error:
            return None
    return None
