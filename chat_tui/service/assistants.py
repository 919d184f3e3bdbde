"""Which assistant new threads use: the one asked for, checked against the server, or a default."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chat_tui.client.errors import NotFound, Unprocessable
from chat_tui.run_config import UUID_LENGTH
from chat_tui.sanitize import clean_line

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient

__all__ = ["DEFAULT_ASSISTANT", "ResolvedAssistant", "resolve_assistant"]

DEFAULT_ASSISTANT = "agent"  # the graph name `langgraph new` templates and the demo use
SHOWN = 8  # assistants named when the one asked for does not exist


@dataclass(slots=True)
class ResolvedAssistant:
    assistant_id: str  # what runs send (an id, or a graph name, which the server accepts too)
    label: str  # its graph name, for people
    found: bool = True  # False: *wanted* is not on the server, and assistant_id is the default
    wanted: str | None = None
    available: list[str] = field(default_factory=list)  # graph names, for the message
    several: bool = False  # the server has more than one graph (so threads say which they talk to)


async def resolve_assistant(client: LangGraphClient, wanted: str | None) -> ResolvedAssistant:
    """The assistant for new threads: *wanted* if the server has it (by id, graph or name), else the default.

    Raises :class:`~chat_tui.client.errors.ClientError` when the server cannot be asked.
    """
    several = await _several(client) if wanted else False  # (the default path lists them anyway)
    if wanted:
        if len(wanted) == UUID_LENGTH:
            try:
                assistant = await client.assistants.get(wanted)
                return ResolvedAssistant(assistant.assistant_id, assistant.graph_id or wanted, several=several)
            except (NotFound, Unprocessable):
                pass
        try:
            by_graph = await client.assistants.search(graph_id=wanted, limit=1)
        except NotFound:  # (langgraph-api answers an unknown graph with 404, others with [])
            by_graph = []
        if by_graph:
            return ResolvedAssistant(wanted, wanted, several=several)
        by_name = await client.assistants.search(name=wanted, limit=1)
        if by_name:
            return ResolvedAssistant(by_name[0].assistant_id, by_name[0].graph_id or wanted, several=several)
    listed = await client.assistants.search(limit=20)
    graphs = list(dict.fromkeys(a.graph_id for a in listed if a.graph_id))
    default = DEFAULT_ASSISTANT if DEFAULT_ASSISTANT in graphs or not graphs else graphs[0]
    if not wanted:
        return ResolvedAssistant(default, default, several=len(graphs) > 1)
    names = sorted(graphs)  # (by name: the server lists the newest first, which says nothing to a reader)
    available = [clean_line(g, 40) for g in names[:SHOWN]]
    if len(names) > SHOWN:
        available.append(f"and {len(names) - SHOWN} more")
    wanted = clean_line(wanted, 60)
    return ResolvedAssistant(default, default, found=False, wanted=wanted, available=available, several=len(graphs) > 1)


async def _several(client: LangGraphClient) -> bool:
    """More than one assistant on the server (False when it cannot say: the rows then name none)."""
    from chat_tui.client.errors import ClientError

    try:
        return await client.assistants.count() > 1
    except ClientError:
        return False
