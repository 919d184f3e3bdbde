"""``/assistants``: search, get, schemas, graph."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from chat_tui.client.http import HttpCore
from chat_tui.client.models import COUNT, JSON_OBJECT, Assistant, GraphSchemas

__all__ = ["AssistantsAPI"]

_ASSISTANTS = TypeAdapter(list[Assistant])


class AssistantsAPI:
    def __init__(self, core: HttpCore) -> None:
        self._core = core

    async def search(
        self,
        *,
        graph_id: str | None = None,
        name: str | None = None,
        metadata: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str | None = None,
        sort_order: str | None = None,
    ) -> list[Assistant]:
        body: dict[str, Any] = {"limit": limit, "offset": offset}
        for key, value in (
            ("graph_id", graph_id),
            ("name", name),
            ("metadata", metadata),
            ("sort_by", sort_by),
            ("sort_order", sort_order),
        ):
            if value is not None:
                body[key] = value
        return await self._core.parsed(
            _ASSISTANTS, "POST", "/assistants/search", json=body, idempotent=True, what="list assistants"
        )

    async def count(self, *, graph_id: str | None = None) -> int:
        body = {"graph_id": graph_id} if graph_id else {}
        return await self._core.parsed(
            COUNT, "POST", "/assistants/count", json=body, idempotent=True, what="count assistants"
        )

    async def get(self, assistant_id: str) -> Assistant:
        """``assistant_id`` must be a UUID here (the server answers 422 for a graph name)."""
        return await self._core.parsed(Assistant, "GET", f"/assistants/{assistant_id}", what="get assistant")

    async def schemas(self, assistant_id: str) -> GraphSchemas:
        return await self._core.parsed(
            GraphSchemas, "GET", f"/assistants/{assistant_id}/schemas", what="get assistant schemas"
        )

    async def graph(self, assistant_id: str, *, xray: bool = False) -> dict[str, Any]:
        params = {"xray": "true"} if xray else None
        return await self._core.parsed(
            JSON_OBJECT, "GET", f"/assistants/{assistant_id}/graph", params=params, what="get graph"
        )
