"""Keyword routing and the scripted replies: what the demo model "decides" to say.

The behaviour is picked from the **last human message** (case-insensitive keywords); the
phase (first answer vs. summary after tool results) from the messages that follow it.
Nothing here streams or sleeps: `model.py` turns a `Reply` into chunks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from chat_tui.demo import texts
from chat_tui.demo.approval_scripts import approvals_reply
from chat_tui.demo.coin_script import coin_reply
from chat_tui.demo.context import RunSettings
from chat_tui.demo.replies import Reply, ToolCallSpec, find_path, last_human_index, last_human_text, message_text
from chat_tui.demo.tools import CITY_ALIASES, HOSTILE_TOOL_NAME


class Behaviour(StrEnum):
    """One demo scenario, chosen by keyword."""

    DEFAULT = "default"
    WEATHER = "weather"
    COMPARE = "compare"
    FAIL = "fail"
    CRASH = "crash"
    APPROVE = "approve"
    PLAN = "plan"
    RESEARCH = "research"
    CHINESE = "chinese"
    KOREAN = "korean"
    THINK = "think"
    LONG = "long"
    SLOW = "slow"
    CONFIG = "config"
    HOSTILE = "hostile"
    BIG = "big"


# First match wins, so the more specific scenarios come first ("compare the weather" compares).
KEYWORDS: tuple[tuple[Behaviour, re.Pattern[str]], ...] = tuple(
    (b, re.compile(p, re.IGNORECASE))
    for b, p in (
        (Behaviour.HOSTILE, r"\bhostile\b"),
        (Behaviour.CRASH, r"\bcrash\w*"),
        (Behaviour.FAIL, r"\bfail\w*|\bbroken\b"),
        (Behaviour.APPROVE, r"\bapprov\w*|\bdelet\w*"),
        (Behaviour.COMPARE, r"\bcompar\w*|\bparallel\w*"),
        (Behaviour.WEATHER, r"\bweather\b"),
        (Behaviour.PLAN, r"\bplan(?:s|ned|ning)?\b"),
        (Behaviour.RESEARCH, r"\bresearch\w*"),
        (Behaviour.THINK, r"\bthink\w*"),
        (Behaviour.CONFIG, r"\bconfig\w*|\becho\b"),
        (Behaviour.SLOW, r"\bslow\w*"),
        (Behaviour.LONG, r"\blong\b"),
        (Behaviour.BIG, r"\bbig\b|\bexport\w*"),
        (Behaviour.CHINESE, r"\bchinese\b|中文|你好"),
        (Behaviour.KOREAN, r"\bkorean\b|한국어|안녕"),
    )
)


def choose_behaviour(text: str) -> Behaviour:
    """The scenario for a user message (default when no keyword matches)."""
    for behaviour, pattern in KEYWORDS:
        if pattern.search(text):
            return behaviour
    return Behaviour.DEFAULT


# --- what a reply is made of ----------------------------------------------------------------


def find_cities(text: str, limit: int) -> list[str]:
    """Known cities named in `text`, in order of appearance (aliases such as "sf" included)."""
    lowered = text.lower()
    found: list[tuple[int, str]] = []
    for alias, city in CITY_ALIASES.items():
        m = re.search(rf"\b{re.escape(alias)}\b", lowered)
        if m and city not in (c for _, c in found):
            found.append((m.start(), city))
    found.sort()
    return [c for _, c in found][:limit]


def plan_reply(role: str, messages: Sequence[BaseMessage], settings: RunSettings) -> Reply:
    """Decide the next model turn for a node `role` from the conversation so far."""
    user_text = last_human_text(messages)
    behaviour = choose_behaviour(user_text)
    if role == "echo":
        return echo_reply(user_text, settings)
    if role == "planner":
        return Reply(text=texts.PLAN_TEXT)
    if role == "writer":
        return Reply(text=texts.WRITER_TEXT)
    if role == "researcher":
        return research_reply(messages)
    if role == "approvals":
        return approvals_reply(messages)
    if role == "coin":
        return coin_reply(messages)
    start = last_human_index(messages) + 1
    tail = list(messages[start:])
    tool_results = [m for m in tail if isinstance(m, ToolMessage)]
    if tail and isinstance(tail[-1], ToolMessage):
        return summary_reply(behaviour, user_text, tool_results)
    if tail and isinstance(tail[-1], AIMessage):
        return Reply(text="Is there anything else you would like to try?")
    return first_reply(behaviour, user_text, settings)


def first_reply(behaviour: Behaviour, user_text: str, settings: RunSettings) -> Reply:
    """The model's first turn after a user message."""
    match behaviour:
        case Behaviour.WEATHER:
            city = (find_cities(user_text, 1) or ["San Francisco"])[0]
            return Reply(
                text=f"Let me check the current weather in {city}.",
                tool_calls=(ToolCallSpec("get_weather", {"city": city}, "weather"),),
            )
        case Behaviour.COMPARE:
            cities = find_cities(user_text, 2)
            for extra in ("San Francisco", "Tokyo"):
                if len(cities) < 2 and extra not in cities:
                    cities.append(extra)
            return Reply(
                text=f"I'll look up {cities[0]} and {cities[1]} at the same time.",
                tool_calls=tuple(ToolCallSpec("get_weather", {"city": c}, f"weather{i}") for i, c in enumerate(cities)),
                interleave_tool_args=True,
            )
        case Behaviour.FAIL:
            return Reply(
                text="Let me look up that order for you.",
                tool_calls=(ToolCallSpec("lookup_order", {"order_id": "A-1042"}, "order"),),
            )
        case Behaviour.CRASH:
            return Reply(
                text="Let me think about this carefully and then",
                crash_after=5,
                crash_message="Scripted model crashed mid-stream (demo 'crash' keyword)",
            )
        case Behaviour.APPROVE:
            path = find_path(user_text)
            return Reply(
                text=f"I can delete {path}, but I need your permission first.",
                tool_calls=(ToolCallSpec("delete_file", {"path": path}, "delete"),),
            )
        case Behaviour.PLAN:
            return Reply(text=texts.PLAN_TEXT + "\n" + texts.WRITER_TEXT)
        case Behaviour.RESEARCH:
            return Reply(text=texts.RESEARCH_SUMMARY_TEXT)
        case Behaviour.CHINESE:
            return Reply(text=texts.CHINESE_TEXT)
        case Behaviour.KOREAN:
            return Reply(text=texts.KOREAN_TEXT)
        case Behaviour.THINK:
            return Reply(thinking=texts.THINKING_TEXT, text=texts.THINK_ANSWER_TEXT, provider_id=True)
        case Behaviour.LONG:
            # ~1,800 chunks: stream them fast (~5 ms apart), like a high-throughput model.
            return Reply(text=texts.long_markdown(), pace=0.25)
        case Behaviour.SLOW:
            return Reply(text=texts.SLOW_TEXT, pace=5.0)
        case Behaviour.CONFIG:
            return Reply(text=config_text(settings))
        case Behaviour.BIG:
            return Reply(
                text="Let me export the records table.",
                tool_calls=(ToolCallSpec("export_records", {"table": "records"}, "export"),),
            )
        case Behaviour.HOSTILE:
            return Reply(
                pieces=texts.HOSTILE_PIECES,
                tool_calls=(ToolCallSpec(HOSTILE_TOOL_NAME, {"query": "\x1b[2J[b]x[/b]"}, "x"),),
            )
        case _:
            return Reply(text=texts.default_reply(settings.persona))


def _tool_json(message: ToolMessage) -> dict[str, Any]:
    try:
        data = json.loads(message_text(message))
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _weather_sentence(data: dict[str, Any]) -> str:
    if "temp_c" not in data:
        return f"I have no weather data for {data.get('city', 'that city')}."
    return (
        f"It's currently {data['temp_c']} °C ({data['temp_f']} °F) and "
        f"{str(data['condition']).lower()} in {data['city']}, with {data['humidity']}% humidity "
        f"and wind from the {data['wind_dir']} at {data['wind_kph']} km/h."
    )


def summary_reply(behaviour: Behaviour, user_text: str, results: Sequence[ToolMessage]) -> Reply:
    """The model's turn once tool results are back."""
    last = results[-1]
    if behaviour == Behaviour.APPROVE or last.name == "delete_file":
        path = find_path(user_text)
        if last.status == "error":
            return Reply(text=f"Understood: I did **not** delete `{path}`. Nothing was changed.")
        return Reply(text=f"Done: `{path}` was deleted. (Demo only: no file was touched.)")
    if last.status == "error" or behaviour == Behaviour.FAIL:
        error = message_text(last).splitlines()[0] if message_text(last) else "unknown error"
        return Reply(text=(f"Sorry, I couldn't look that up: the tool failed.\n\n> {error}\n\nPlease try again later."))
    if behaviour == Behaviour.HOSTILE or last.name == HOSTILE_TOOL_NAME:
        return Reply(pieces=texts.HOSTILE_SUMMARY_PIECES)
    if last.name == "export_records":
        size = len(message_text(last).encode("utf-8"))
        count = _tool_json(last).get("count", 0)
        return Reply(text=f"The export holds {count:,} records ({size / 1024 / 1024:.1f} MB of JSON).")
    weather = [_tool_json(m) for m in results if m.name == "get_weather"]
    if len(weather) >= 2:
        rows = "\n".join(
            f"| {w.get('city')} | {w.get('temp_c')} °C | {w.get('condition')} | {w.get('humidity')}% |" for w in weather
        )
        warmest = max(weather, key=lambda w: float(w.get("temp_c", -273)))
        return Reply(
            text=(
                "Here's the comparison:\n\n| city | temp | conditions | humidity |\n"
                f"|---|---:|---|---:|\n{rows}\n\n{warmest.get('city')} is warmer right now."
            )
        )
    if weather:
        return Reply(text=_weather_sentence(weather[0]))
    return Reply(text="The tool finished: " + message_text(last)[:200])


def research_reply(messages: Sequence[BaseMessage]) -> Reply:
    """The research subgraph's model: search first, then report."""
    start = last_human_index(messages) + 1
    if any(isinstance(m, ToolMessage) for m in messages[start:]):
        return Reply(text=texts.RESEARCH_SUMMARY_TEXT)
    query = last_human_text(messages)[:80] or "demo"
    return Reply(
        text=texts.RESEARCH_START_TEXT,
        tool_calls=(ToolCallSpec("search_notes", {"query": query}, "search"),),
    )


def _fmt(value: Any) -> str:
    if isinstance(value, str):
        return f"`{value}`"
    return f"`{json.dumps(value, ensure_ascii=False, default=str)}`"


def config_text(settings: RunSettings) -> str:
    """Markdown list of the configuration this run received."""
    delay = (
        _fmt(settings.delay_ms)
        if settings.delay_ms is not None
        else f"{_fmt(settings.effective_delay_ms())} (server default)"
    )
    lines = [
        "This run received the following configuration:",
        "",
        f"- `model_name`: {_fmt(settings.model_name)}",
        f"- `persona`: {_fmt(settings.persona)}",
        f"- `delay_ms`: {delay}",
    ]
    lines += [f"- `{k}`: {_fmt(v)}" for k, v in sorted(settings.extras.items())]
    return "\n".join(lines)


def echo_reply(user_text: str, settings: RunSettings) -> Reply:
    """The `echo` graph: repeat the user's text, then the run's configuration."""
    return Reply(text=f"echo: {user_text}\n\n{config_text(settings)}")
