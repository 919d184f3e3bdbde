"""The application service on the real demo server, for the service tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from chat_tui.connection import Connection
from chat_tui.service.chat import ChatService
from chat_tui.settings.userdata import UserData


@pytest.fixture
async def service(server_url: str, user_dirs: dict[str, Path]) -> AsyncIterator[ChatService]:
    connection = Connection(server_url)
    service = ChatService(connection, connection.client(), UserData(user_dirs["data"]), assistant_id="agent")
    yield service
    await service.aclose()
