"""Keyword routing and the scripted replies: what the demo model "decides" to say.

The behaviour is picked from the **last human message** (case-insensitive keywords); the
phase (first answer vs. summary after tool results) from the messages that follow it.
Nothing here streams or sleeps: `model.py` turns a `Reply` into chunks.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from chat_tui.demo import texts
from chat_tui.demo.chunking import split_text
from chat_tui.demo.context import RunSettings
from chat_tui.demo.tools import CITY_ALIASES, CONTACTS, HOSTILE_TOOL_NAME, Contact


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


@dataclass(frozen=True)
class ToolCallSpec:
    """A tool call the model will stream (`id` and `name` first, then argument deltas)."""

    name: str
    args: dict[str, Any]
    id_hint: str = ""
    """Suffix of the generated call id, for readability (`call_<hint>_<random>`)."""


@dataclass(frozen=True)
class Reply:
    """One scripted model turn."""

    text: str = ""
    pieces: tuple[str, ...] = ()
    """Explicit chunking of `text` (used when exact chunk boundaries matter)."""
    tool_calls: tuple[ToolCallSpec, ...] = ()
    interleave_tool_args: bool = False
    """Stream the argument deltas of all tool calls alternately (parallel tool calls)."""
    thinking: str = ""
    """When set, stream list content blocks: `thinking` (index 0) then `text` (index 1)."""
    provider_id: bool = False
    """Give the first chunk a provider-style id (`msg_demo_…`) and leave the rest to langchain."""
    crash_after: int | None = None
    """Raise `ValueError(crash_message)` after this many text chunks."""
    crash_message: str = ""
    pace: float = 1.0
    """Multiplier of the per-chunk delay (`slow` uses 5, i.e. ~100 ms; `long` 0.25)."""

    def text_pieces(self) -> list[str]:
        if self.pieces:
            return list(self.pieces)
        return split_text(self.text) if self.text else []


# --- reading the conversation ----------------------------------------------------------------


def message_text(message: BaseMessage) -> str:
    """Plain text of a message whose content is a string or a list of blocks."""
    content = message.content
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and isinstance(block.get("text"), str):
            parts.append(block["text"])
    return "".join(parts)


def last_human_index(messages: Sequence[BaseMessage]) -> int:
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage):
            return i
    return -1


def last_human_text(messages: Sequence[BaseMessage]) -> str:
    i = last_human_index(messages)
    return message_text(messages[i]) if i >= 0 else ""


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


_PATH_RE = re.compile(r"(?<![\w/:])(/[\w.\-/]+|~/[\w.\-/]+)")


def find_path(text: str, default: str = "/tmp/report.txt") -> str:
    """The first file path in `text` (e.g. "delete /tmp/x.txt."), else `default`."""
    m = _PATH_RE.search(text)
    path = m.group(1).rstrip(".") if m else ""
    return path if len(path) > 1 else default


# --- the scripts ---------------------------------------------------------------------------


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


# --- the `approvals` graphs (langchain's create_agent + HumanInTheLoopMiddleware) -----------

_EMAIL_RE = re.compile(r"\be-?mail\w*", re.IGNORECASE)
_DELETE_RE = re.compile(r"\bdelet\w*|\bremov\w*", re.IGNORECASE)
_BOTH_RE = re.compile(r"\bboth\b", re.IGNORECASE)
_LOOKUP_RE = re.compile(r"\blook\w*\s+up\b|\bcontact\w*", re.IGNORECASE)

# How langchain's middleware marks the ToolMessages it writes itself (reject, respond) and the
# result of a call a reviewer edited: the summary reads them to say what the human decided.
_DECISION_SOURCE = "hitl_interrupt_decision"
_REJECT_REASON = "with reason: "
_EDITED_MARK = "Executed instead:"
_EDITED_RESULT = "Tool response:"


def find_contact(text: str) -> Contact:
    """The first known contact named in `text` (by first name), else Alice."""
    found = [(m.start(), c) for key, c in CONTACTS.items() if (m := re.search(rf"\b{key}\b", text, re.IGNORECASE))]
    return min(found, key=lambda pair: pair[0])[1] if found else CONTACTS["alice"]


def _email_call(contact: Contact) -> ToolCallSpec:
    first = contact.name.split()[0]
    return ToolCallSpec(
        "send_email",
        {
            "to": contact.email,
            "subject": "Status update",
            "body": f"Hi {first}, the report is done and the draft is in the shared folder.",
        },
        "email",
    )


def approvals_reply(messages: Sequence[BaseMessage]) -> Reply:
    """The `approvals` graphs' model: gated tool calls first, then what became of each."""
    start = last_human_index(messages) + 1
    tail = list(messages[start:])
    if tail and isinstance(tail[-1], ToolMessage):
        asked = next((m for m in tail if isinstance(m, AIMessage) and m.tool_calls), None)
        return approvals_summary(asked, [m for m in tail if isinstance(m, ToolMessage)])
    if tail and isinstance(tail[-1], AIMessage):
        return Reply(text="Is there anything else you would like me to do?")
    return approvals_first_reply(last_human_text(messages))


def approvals_first_reply(user_text: str) -> Reply:
    """The first turn: which tools to call, from the words of the user's message."""
    contact = find_contact(user_text)
    path = find_path(user_text)
    email = bool(_EMAIL_RE.search(user_text))
    delete = bool(_DELETE_RE.search(user_text))
    if _BOTH_RE.search(user_text) or (email and delete):
        # The ungated lookup comes first, so a gated call's place among the tool calls (1, 2)
        # differs from its place in the interrupt's `action_requests` (0, 1): a client must
        # answer by the latter.
        return Reply(
            text=(
                f"I'll look up {contact.name}, email {contact.name.split()[0]} and delete `{path}`. "
                "The lookup runs straight away; sending and deleting wait for your decision."
            ),
            tool_calls=(
                ToolCallSpec("lookup_contact", {"name": contact.name}, "lookup"),
                _email_call(contact),
                ToolCallSpec("delete_file", {"path": path}, "delete"),
            ),
        )
    if email:
        return Reply(
            text=f"I'll email {contact.name} at {contact.email}. Sending waits for your decision.",
            tool_calls=(_email_call(contact),),
        )
    if delete:
        return Reply(
            text=f"I'll delete `{path}`. Deleting waits for your decision (approve or reject only).",
            tool_calls=(ToolCallSpec("delete_file", {"path": path}, "delete"),),
        )
    if _LOOKUP_RE.search(user_text):
        return Reply(
            text=f"Looking up {contact.name}; that needs no approval.",
            tool_calls=(ToolCallSpec("lookup_contact", {"name": contact.name}, "lookup"),),
        )
    return Reply(text=texts.APPROVALS_HELP_TEXT)


def _decision(message: ToolMessage) -> str:
    """What the human decided for a call: approve, edit, reject or respond (from its result)."""
    kwargs = message.additional_kwargs
    data = kwargs.get("lc_data")
    if kwargs.get("lc_source") == _DECISION_SOURCE and isinstance(data, dict):
        return str(data.get("decision", "reject"))
    text = message_text(message)
    if _EDITED_MARK in text:
        return "edit"
    return "error" if message.status == "error" else "approve"


def _tool_outcome(name: str, message: ToolMessage | None) -> str:
    if message is None:
        return f"**{name}**: no result came back."
    text = message_text(message).strip()
    match _decision(message):
        case "reject":
            if _REJECT_REASON in text:
                reason = text.split(_REJECT_REASON, 1)[1].strip()
                return f"**{name}**: I did **not** do it. You rejected it: “{reason}”"
            return f"**{name}**: I did **not** do it. You rejected it without a reason."
        case "respond":
            return f"**{name}**: not run. You answered for it: “{text}”"
        case "edit":
            result = text.rsplit(_EDITED_RESULT, 1)[1].strip() if _EDITED_RESULT in text else text
            return f"**{name}**: done with your edits. {result}"
        case "error":
            return f"**{name}**: failed. {text.splitlines()[0] if text else 'unknown error'}"
        case _:
            return f"**{name}**: done. {_contact_sentence(text) if name == 'lookup_contact' else text}"


def _contact_sentence(result: str) -> str:
    try:
        data = json.loads(result)
    except ValueError:
        return result
    if not isinstance(data, dict) or "email" not in data:
        return result
    return f"{data.get('name')} is on the {data.get('team')} team, at {data.get('email')}."


def approvals_summary(asked: AIMessage | None, results: Sequence[ToolMessage]) -> Reply:
    """One line per tool call the model made, in its order, saying what became of it."""
    by_id = {m.tool_call_id: m for m in results}
    calls = [(c["name"], c["id"] or "") for c in asked.tool_calls] if asked else []
    if not calls:
        calls = [(m.name or "tool", m.tool_call_id) for m in results]
    lines = "\n".join(f"- {_tool_outcome(name, by_id.get(call_id))}" for name, call_id in calls)
    return Reply(text=f"Here's what happened:\n\n{lines}")
