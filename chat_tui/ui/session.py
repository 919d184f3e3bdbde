"""What the UI needs to talk to one server: the client, the assistant, user data, runs in flight.

No widgets here: screens hold a :class:`Session` and ask it for things.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chat_tui.connection import Connection
from chat_tui.settings.userdata import UserData
from chat_tui.turn import Turn

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient
    from chat_tui.conversation import Conversation

__all__ = ["LiveTurn", "Session"]


@dataclass(eq=False)
class LiveTurn:
    """A turn that is streaming, with the conversation it feeds (shown or not)."""

    conversation: Conversation
    turn: Turn
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(eq=False)
class Session:
    connection: Connection
    client: LangGraphClient
    userdata: UserData
    assistant_id: str = "agent"
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    stream_subgraphs: bool = False
    live: dict[str, LiveTurn] = field(default_factory=dict)  # thread id -> streaming turn

    @property
    def server_key(self) -> str:
        """Scopes drafts and UI state; a normalised URL, which never holds credentials."""
        return self.connection.url

    @property
    def host(self) -> str:
        return self.connection.host

    async def aclose(self) -> None:
        await self.client.aclose()
