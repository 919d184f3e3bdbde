"""Run context of the demo graphs and how per-run settings are resolved.

The server publishes `DemoContext` as the graphs' `context_schema`. A client may send the same
values either as `context={...}` or, like older docs, as `config={"configurable": {...}}`; both
end up here as one `RunSettings`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

DELAY_ENV_VAR = "CHAT_TUI_DEMO_DELAY_MS"
"""Per-chunk delay in milliseconds for the whole server process (read at run time)."""

DEFAULT_DELAY_MS = 20

ModelName = Literal["scripted-fast", "scripted-careful", "openai", "anthropic"]
Persona = Literal["friendly", "terse", "pirate"]


@dataclass
class DemoContext:
    """Per-run settings a client can choose (published by `GET /assistants/{id}/schemas`)."""

    model_name: ModelName = "scripted-fast"
    """Which (pretend) model answers; only changes the reported model name."""
    persona: Persona = "friendly"
    """Tone of the opening line of some replies."""
    delay_ms: int = DEFAULT_DELAY_MS
    """Milliseconds between streamed chunks (0 = as fast as possible)."""


CONTEXT_KEYS = frozenset(f.name for f in fields(DemoContext))

# Keys the server or langgraph put into `configurable` by themselves: never echoed back.
_INTERNAL_PREFIXES = ("__", "langgraph_", "checkpoint_", "x-", "langsmith")
_INTERNAL_KEYS = frozenset(
    {
        "thread_id",
        "run_id",
        "assistant_id",
        "graph_id",
        "user_id",
        "cron_id",
        "run_attempt",
        "checkpoint_ns",
        "checkpoint_id",
        "checkpoint_map",
        "user-agent",
        "host",
        "origin",
        "referer",
        "authorization",
        "cookie",
    }
)


def is_internal_key(key: str) -> bool:
    """True for configurable keys the server or langgraph added (not the user's settings)."""
    k = key.lower()
    return k in _INTERNAL_KEYS or k.startswith(_INTERNAL_PREFIXES)


@dataclass(frozen=True)
class RunSettings:
    """Everything the scripted model needs to know about the run it is part of."""

    model_name: str = "scripted-fast"
    persona: str = "friendly"
    delay_ms: int | None = None
    """Explicit per-run delay; None means "use the env var or the default"."""
    extras: Mapping[str, Any] = field(default_factory=dict)
    """Other user-supplied configurable keys (echoed by the `config` script)."""

    def effective_delay_ms(self) -> int:
        """Per-run value, else `CHAT_TUI_DEMO_DELAY_MS`, else 20 ms (read now, not at import)."""
        if self.delay_ms is not None:
            return max(0, self.delay_ms)
        return env_delay_ms()


def env_delay_ms() -> int:
    """The process-wide delay from the environment, or the default when unset or invalid."""
    raw = os.environ.get(DELAY_ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_DELAY_MS
    try:
        return max(0, int(float(raw)))
    except ValueError:
        return DEFAULT_DELAY_MS


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(float(value))
        except ValueError:
            return None
    return None


def resolve_settings(context: Any, configurable: Mapping[str, Any] | None) -> RunSettings:
    """Merge the typed runtime context and the raw `configurable` of one run.

    On the Agent Server `configurable` mirrors whatever the client sent (as `context` or as
    `configurable`), so it tells explicit values apart from dataclass defaults; in-process
    callers usually pass only a `DemoContext`, whose non-default values count as explicit.
    """
    conf = dict(configurable or {})
    user_conf = {k: v for k, v in conf.items() if not is_internal_key(str(k))}
    ctx: dict[str, Any]
    if isinstance(context, DemoContext):
        ctx = {f.name: getattr(context, f.name) for f in fields(DemoContext)}
    elif isinstance(context, Mapping):
        ctx = dict(context)
    else:
        ctx = {}

    def pick(key: str, default: Any) -> Any:
        if key in user_conf:
            return user_conf[key]
        return ctx.get(key, default)

    delay_explicit: int | None = None
    if "delay_ms" in user_conf:
        delay_explicit = _as_int(user_conf["delay_ms"])
    elif "delay_ms" in ctx and ctx["delay_ms"] != DEFAULT_DELAY_MS:
        delay_explicit = _as_int(ctx["delay_ms"])
    elif isinstance(context, Mapping) and "delay_ms" in context:
        delay_explicit = _as_int(context["delay_ms"])

    extras = {k: v for k, v in user_conf.items() if k not in CONTEXT_KEYS}
    extras.update({k: v for k, v in ctx.items() if k not in CONTEXT_KEYS})
    return RunSettings(
        model_name=str(pick("model_name", "scripted-fast")),
        persona=str(pick("persona", "friendly")),
        delay_ms=delay_explicit,
        extras=extras,
    )
