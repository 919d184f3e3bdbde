"""The client object: one Agent Server, ``.assistants``, ``.threads``, ``.runs`` over one HTTP client."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httpx

from chat_tui.client.assistants import AssistantsAPI
from chat_tui.client.auth import ApiKey
from chat_tui.client.errors import NotFound
from chat_tui.client.http import HttpCore
from chat_tui.client.models import JSON_OBJECT, Health
from chat_tui.client.runs import RunsAPI
from chat_tui.client.store import StoreAPI
from chat_tui.client.threads import ThreadsAPI

__all__ = ["LangGraphClient"]


class LangGraphClient:
    """One Agent Server: ``.assistants``, ``.threads``, ``.runs``, ``.store`` over one HTTP client."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: ApiKey | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        connect_retries: int = 2,
        read_retries: int = 3,
    ) -> None:
        self.http = HttpCore(
            base_url,
            api_key=api_key,
            headers=headers,
            timeout=timeout,
            transport=transport,
            connect_retries=connect_retries,
            read_retries=read_retries,
        )
        self.assistants = AssistantsAPI(self.http)
        self.threads = ThreadsAPI(self.http)
        self.runs = RunsAPI(self.http)
        self.store = StoreAPI(self.http)
        self._has_ok = True  # until the server answers 404 to ``GET /ok``

    @property
    def base_url(self) -> str:
        return self.http.base_url

    @property
    def host(self) -> str:
        return self.http.host

    async def ok(self) -> bool:
        """True when the server answers: ``GET /ok`` (langgraph-api).

        Other Agent Protocol servers have no ``/ok`` (Aegra answers 404): then ``GET /info``,
        and without that ``POST /assistants/search``, answering at all is the health check.
        A 404 from ``/ok`` is remembered, so later checks go straight to the fallback. Any
        other failure (unreachable, 401, 5xx, a 404 from every probe) raises its ClientError.
        """
        if self._has_ok:
            try:
                health = await self.http.parsed(Health, "GET", "/ok", what="health check")
            except NotFound:
                self._has_ok = False
            else:
                return health.ok
        try:
            await self.info()
        except NotFound:
            await self.assistants.search(limit=1)
        return True

    async def info(self) -> dict[str, Any]:
        """``GET /info``: server version and feature flags."""
        return await self.http.parsed(JSON_OBJECT, "GET", "/info", what="server info")

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> LangGraphClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"LangGraphClient(host={self.host!r})"
