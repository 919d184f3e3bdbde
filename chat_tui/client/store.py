"""``/store``: the server's long-term memory: namespaces, items, search, put, delete.

The store's answers have odd shapes, read here so no caller meets them
(``protocol-wave2.md`` §5):

* a missing item is ``200 null`` (not 404): :meth:`StoreAPI.get_item` returns None;
* ``GET /store/items`` takes the namespace joined with ``.``, so a label holding a ``.`` cannot be
  read back: labels are checked by :mod:`chat_tui.service.store` before anything is sent (the
  server answers such a label with a text/plain 422);
* a search without ``namespace_prefix`` is a 500: the prefix is always sent (``[]`` for all);
* ``POST /store/namespaces`` answers ``{"namespaces": [...]}`` (openapi says a bare array): both
  are read;
* ``PUT`` and ``DELETE`` answer 204 (``DELETE`` also for an item that did not exist).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, TypeAdapter

from chat_tui.client.http import HttpCore
from chat_tui.client.responses import validated

__all__ = ["StoreAPI", "StoreItem"]


class StoreItem(BaseModel):
    """One stored item; ``score`` only in search answers (None without an index or a query)."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any]
    created_at: datetime | None = None
    updated_at: datetime | None = None
    score: float | None = None


class _SearchAnswer(BaseModel):
    model_config = ConfigDict(extra="ignore", defer_build=True)

    items: list[StoreItem]


_ITEM_OR_NULL = TypeAdapter(StoreItem | None)
_NAMESPACES = TypeAdapter(list[tuple[str, ...]])


class StoreAPI:
    def __init__(self, core: HttpCore) -> None:
        self._core = core

    async def list_namespaces(
        self,
        *,
        prefix: tuple[str, ...] | list[str] | None = None,
        suffix: tuple[str, ...] | list[str] | None = None,
        max_depth: int | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[tuple[str, ...]]:
        """Namespaces under *prefix* (all of them without), cut at *max_depth* labels."""
        body: dict[str, Any] = {"limit": limit, "offset": offset}
        if prefix:
            body["prefix"] = list(prefix)
        if suffix:
            body["suffix"] = list(suffix)
        if max_depth is not None:
            body["max_depth"] = max_depth
        data = await self._core.json(
            "POST", "/store/namespaces", json=body, idempotent=True, what="list store namespaces"
        )
        if isinstance(data, dict):
            data = data.get("namespaces")
        return validated(_NAMESPACES, data, what="list store namespaces", host=self._core.host)

    async def search_items(
        self,
        namespace_prefix: tuple[str, ...] | list[str],
        *,
        query: str | None = None,
        filter: dict[str, Any] | None = None,
        limit: int = 10,
        offset: int = 0,
    ) -> list[StoreItem]:
        """Items under *namespace_prefix* (``()`` for all: the prefix is always sent, a search
        without one is a 500), ranked by *query* when the store has an index (else in listing order)."""
        body: dict[str, Any] = {"namespace_prefix": list(namespace_prefix), "limit": limit, "offset": offset}
        if query:
            body["query"] = query
        if filter:
            body["filter"] = filter
        answer = await self._core.parsed(
            _SearchAnswer, "POST", "/store/items/search", json=body, idempotent=True, what="search the store"
        )
        return answer.items

    async def get_item(self, namespace: tuple[str, ...] | list[str], key: str) -> StoreItem | None:
        """The item, or None when there is none (the server answers ``200 null``)."""
        params = {"namespace": ".".join(namespace), "key": key}
        return await self._core.parsed(_ITEM_OR_NULL, "GET", "/store/items", params=params, what="read a store item")

    async def put_item(
        self,
        namespace: tuple[str, ...] | list[str],
        key: str,
        value: dict[str, Any],
        *,
        index: bool | list[str] | None = None,
        ttl: float | None = None,
    ) -> None:
        """Create or replace an item (a PUT with the same body twice stores the same thing)."""
        body: dict[str, Any] = {"namespace": list(namespace), "key": key, "value": value}
        if index is not None:
            body["index"] = index
        if ttl is not None:
            body["ttl"] = ttl
        await self._core.request("PUT", "/store/items", json=body, idempotent=True, what="save a store item")

    async def delete_item(self, namespace: tuple[str, ...] | list[str], key: str) -> None:
        """Delete an item (no error when it did not exist)."""
        body = {"namespace": list(namespace), "key": key}
        await self._core.request("DELETE", "/store/items", json=body, idempotent=True, what="delete a store item")
