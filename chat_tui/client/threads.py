"""``/threads``: create, search, count, get, patch, delete, copy, state, history."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from chat_tui.client.http import HttpCore
from chat_tui.client.models import COUNT, JSON_OBJECT, Thread, ThreadState

__all__ = ["THREAD_LIST_FIELDS", "ThreadsAPI"]

_THREADS = TypeAdapter(list[Thread])
_STATES = TypeAdapter(list[ThreadState])

# What a thread list needs; without ``select`` every row carries all of its messages.
THREAD_LIST_FIELDS = (
    "thread_id",
    "status",
    "metadata",
    "updated_at",
    "created_at",
    "interrupts",
)  # (small; tells waiting from stopped)


class ThreadsAPI:
    def __init__(self, core: HttpCore) -> None:
        self._core = core

    async def create(
        self,
        *,
        thread_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        if_exists: str | None = None,
    ) -> Thread:
        body: dict[str, Any] = {}
        if thread_id:
            body["thread_id"] = thread_id
        if metadata:
            body["metadata"] = metadata
        if if_exists:
            body["if_exists"] = if_exists
        return await self._core.parsed(Thread, "POST", "/threads", json=body, what="create thread")

    async def search(
        self,
        *,
        metadata: dict[str, Any] | None = None,
        values: dict[str, Any] | None = None,
        status: str | None = None,
        ids: list[str] | None = None,
        limit: int = 10,
        offset: int = 0,
        sort_by: str | None = "updated_at",
        sort_order: str | None = "desc",
        select: tuple[str, ...] | list[str] | None = THREAD_LIST_FIELDS,
    ) -> list[Thread]:
        body: dict[str, Any] = {"limit": limit, "offset": offset}
        for key, value in (
            ("metadata", metadata),
            ("values", values),
            ("status", status),
            ("ids", ids),
            ("sort_by", sort_by),
            ("sort_order", sort_order),
        ):
            if value is not None:
                body[key] = value
        if select:
            body["select"] = list(select)
        return await self._core.parsed(
            _THREADS, "POST", "/threads/search", json=body, idempotent=True, what="list threads"
        )

    async def count(self, *, metadata: dict[str, Any] | None = None, status: str | None = None) -> int:
        body: dict[str, Any] = {}
        if metadata is not None:
            body["metadata"] = metadata
        if status is not None:
            body["status"] = status
        return await self._core.parsed(
            COUNT, "POST", "/threads/count", json=body, idempotent=True, what="count threads"
        )

    async def get(self, thread_id: str) -> Thread:
        return await self._core.parsed(Thread, "GET", f"/threads/{thread_id}", what="open thread")

    async def update(self, thread_id: str, *, metadata: dict[str, Any]) -> Thread:
        """PATCH metadata; the server shallow-merges it (``None`` stores null, it does not delete)."""
        return await self._core.parsed(
            Thread, "PATCH", f"/threads/{thread_id}", json={"metadata": metadata}, idempotent=True, what="update thread"
        )

    async def delete(self, thread_id: str) -> None:
        # (The answer's body is not read: the status says it all, and servers send none.)
        await self._core.request("DELETE", f"/threads/{thread_id}", idempotent=True, what="delete thread")

    async def copy(self, thread_id: str) -> Thread:
        """Copy a thread (the server answers 409, not 404, for a missing source)."""
        return await self._core.parsed(Thread, "POST", f"/threads/{thread_id}/copy", json={}, what="copy thread")

    async def get_state(self, thread_id: str, *, subgraphs: bool = False) -> ThreadState:
        params = {"subgraphs": "true"} if subgraphs else None
        return await self._core.parsed(
            ThreadState, "GET", f"/threads/{thread_id}/state", params=params, what="load thread"
        )

    async def get_state_at(self, thread_id: str, checkpoint_id: str, *, subgraphs: bool = False) -> ThreadState:
        """The values at one checkpoint (``subgraphs``: a pending subgraph's own state in its task's
        ``state``). (An unknown id is answered 200 with an empty state: callers check
        ``checkpoint_id`` against the thread's history before asking.)"""
        params = {"subgraphs": "true"} if subgraphs else None
        return await self._core.parsed(
            ThreadState, "GET", f"/threads/{thread_id}/state/{checkpoint_id}", params=params, what="load checkpoint"
        )

    async def update_state(
        self, thread_id: str, values: dict[str, Any] | None, *, as_node: str | None = None
    ) -> dict[str, Any]:
        """Write state as if *as_node* had returned *values* (the thread needs a graph: a run,
        or ``graph_id`` in its metadata). ``values=None`` writes nothing but moves the thread on:
        as ``__end__`` it ends a pending interrupt; as the node before an approval it asks again."""
        body: dict[str, Any] = {"values": values}
        if as_node:
            body["as_node"] = as_node
        return await self._core.parsed(
            JSON_OBJECT, "POST", f"/threads/{thread_id}/state", json=body, what="update state"
        )

    async def get_history(self, thread_id: str, *, limit: int = 10, before: str | None = None) -> list[ThreadState]:
        """Checkpoints newest first. Uses the GET form: ``POST /history`` with a bare
        ``before`` checkpoint id fails on this server (422, or 500 for the documented form).
        """
        params: dict[str, Any] = {"limit": limit}
        if before:
            params["before"] = before
        return await self._core.parsed(
            _STATES, "GET", f"/threads/{thread_id}/history", params=params, what="load history"
        )

    async def get_subgraph_history(self, thread_id: str, checkpoint_ns: str, *, limit: int = 20) -> list[ThreadState]:
        """A subgraph's own checkpoints, newest first: ``POST /history`` with its ``checkpoint_ns``
        (``researcher:<task id>``, from the parent's history ``tasks[].checkpoint``)."""
        body = {"limit": limit, "checkpoint": {"checkpoint_ns": checkpoint_ns}}
        return await self._core.parsed(
            _STATES, "POST", f"/threads/{thread_id}/history", json=body, idempotent=True, what="load subgraph history"
        )
