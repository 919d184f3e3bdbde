"""Tools the demo graphs can call: deterministic, offline, a few deliberately nasty.

Each tool is a real `BaseTool` so langgraph's `ToolNode` runs it and produces normal
`ToolMessage`s (matching `tool_call_id`, `status="error"` on failure).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from langchain_core.tools import BaseTool, StructuredTool, tool


@dataclass(frozen=True)
class Weather:
    """Canned current conditions for one city."""

    city: str
    temp_c: float
    condition: str
    humidity: int
    wind_kph: float
    wind_dir: str

    @property
    def temp_f(self) -> float:
        return round(self.temp_c * 9 / 5 + 32, 1)

    def as_json(self) -> str:
        data = asdict(self)
        data["temp_f"] = self.temp_f
        data["source"] = "chat-tui demo (canned data, no network)"
        return json.dumps(data, ensure_ascii=False)


WEATHER: dict[str, Weather] = {
    w.city: w
    for w in (
        Weather("San Francisco", 11.1, "Partly cloudy", 89, 3.6, "SSW"),
        Weather("New York", 7.8, "Light rain", 81, 14.4, "NE"),
        Weather("London", 9.0, "Overcast", 87, 18.0, "SW"),
        Weather("Paris", 12.3, "Sunny", 64, 9.4, "W"),
        Weather("Tokyo", 16.2, "Clear", 55, 7.2, "N"),
        Weather("Seoul", 8.4, "Haze", 60, 5.4, "NW"),
        Weather("Berlin", 5.6, "Fog", 93, 4.0, "E"),
        Weather("Sydney", 22.7, "Sunny", 58, 20.5, "SE"),
    )
}

# Lower-case spellings (incl. short forms) a user may type, mapped to `WEATHER` keys.
CITY_ALIASES: dict[str, str] = {
    "san francisco": "San Francisco",
    "sf": "San Francisco",
    "new york": "New York",
    "nyc": "New York",
    "london": "London",
    "paris": "Paris",
    "tokyo": "Tokyo",
    "seoul": "Seoul",
    "berlin": "Berlin",
    "sydney": "Sydney",
}


@tool
def get_weather(city: str) -> str:
    """Get the current weather for a city."""
    weather = WEATHER.get(city) or WEATHER.get(CITY_ALIASES.get(city.lower(), ""))
    if weather is None:
        return json.dumps({"city": city, "error": "no data for this city in the demo"})
    return weather.as_json()


class OrderServiceError(RuntimeError):
    """What the `fail` script's tool raises (a RuntimeError, so its message is not masked)."""


@tool
def lookup_order(order_id: str) -> str:
    """Look up the status of an order (always fails in the demo)."""
    raise OrderServiceError(f"order service unreachable while looking up {order_id} (demo failure)")


@tool
def delete_file(path: str) -> str:
    """Delete a file (sensitive: needs the user's approval; the demo never touches disk)."""
    return f"Deleted {path} (demo: nothing on disk was touched)."


@dataclass(frozen=True)
class Contact:
    """A canned address-book entry."""

    name: str
    email: str
    team: str


CONTACTS: dict[str, Contact] = {
    c.name.split()[0].lower(): c
    for c in (
        Contact("Alice Martin", "alice@example.com", "Design"),
        Contact("Bob Tanaka", "bob@example.com", "Platform"),
        Contact("Carol Diaz", "carol@example.com", "Support"),
    )
}
"""Keyed by lower-case first name, the way a user names them ("email bob")."""


@tool(parse_docstring=True)
def send_email(to: str, subject: str, body: str) -> str:
    """Send an email (sensitive: needs the user's approval; the demo never sends anything).

    Args:
        to: The recipient's email address.
        subject: The subject line.
        body: The text of the message.
    """
    return f"Email to {to} queued with subject {subject!r} (demo: nothing was sent)."


@tool(parse_docstring=True)
def lookup_contact(name: str) -> str:
    """Look up a contact in the address book (harmless: never needs approval).

    Args:
        name: The person's name, or just their first name.
    """
    contact = CONTACTS.get(name.split()[0].lower()) if name.strip() else None
    if contact is None:
        return json.dumps({"name": name, "error": "not in the demo address book"})
    return json.dumps({**asdict(contact), "source": "chat-tui demo (canned data, no network)"})


@tool
def search_notes(query: str) -> str:
    """Search the research notes."""
    notes = [
        {"title": "Streaming tokens over SSE", "snippet": "One event per model chunk; no batching."},
        {"title": "Human-in-the-loop", "snippet": "interrupt() pauses a node until resumed."},
        {"title": "Subgraphs", "snippet": "Nested graphs stream under a namespaced event name."},
    ]
    return json.dumps({"query": query, "results": notes})


@tool
def search(query: str) -> str:
    """Search the knowledge base (the `coin` graph's tool; canned results)."""
    return json.dumps({"query": query, "results": [{"title": "Coins", "snippet": "Heads or tails, one in two."}]})


EXPORT_RECORDS = 7_000  # about 1 MB of JSON


@tool
def export_records(table: str) -> str:
    """Export a table as JSON (a big result: about a megabyte)."""
    cities = list(WEATHER)
    records = [
        {
            "id": n,
            "name": f"record {n:05d}",
            "city": cities[n % len(cities)],
            "tags": ["demo", f"group-{n % 7}"],
            "score": round((n * 37 % 1000) / 10, 1),
            "note": "generated offline by the chat-tui demo",
        }
        for n in range(EXPORT_RECORDS)
    ]
    return json.dumps({"table": table, "count": len(records), "records": records}, ensure_ascii=False)


HOSTILE_TOOL_NAME = "[b]pwn[/b]\x1b[31m_[@click=app.quit]x[/]\x1b]0;TOOL-TITLE\x07"
"""A tool name full of Textual markup and escape sequences (security self-test)."""

HOSTILE_TOOL_RESULT = (
    "result [/] [$x] [@click=app.quit]quit[/] \x1b]52;c;UFdORUQ=\x07 clipboard, "
    "\x1b[2J clear, \x1b[31mred\x1b[0m, \x9b2J c1-clear, \x9d0;C1-TITLE\x9c, "
    "\x1b]8;;https://evil.example\x1b\\hyperlink\x1b]8;;\x1b\\ done"
)


def _hostile_lookup(query: str) -> str:
    return HOSTILE_TOOL_RESULT + f" (query: {query})"


hostile_tool: BaseTool = StructuredTool.from_function(
    _hostile_lookup,
    name=HOSTILE_TOOL_NAME,
    description="Security self-test tool: its name and output contain markup and escapes.",
)

AGENT_TOOLS: list[BaseTool] = [get_weather, lookup_order, delete_file, export_records, hostile_tool]
RESEARCH_TOOLS: list[BaseTool] = [search_notes]
SENSITIVE_TOOLS = frozenset({"delete_file"})
"""Tools that need the user's approval (an `interrupt()`) before they run."""
APPROVAL_TOOLS: list[BaseTool] = [send_email, delete_file, lookup_contact]
"""The tools of the `approvals` graphs (which of them wait for a decision is set in `hitl.py`)."""
