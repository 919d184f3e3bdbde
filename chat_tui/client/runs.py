"""``/threads/{id}/runs``: stream, create, get, list, cancel, join."""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter

from chat_tui.client.http import HttpCore
from chat_tui.client.models import Run
from chat_tui.client.modes import DEFAULT_STREAM_MODES
from chat_tui.client.stream import DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_RECONNECTS, RunStream

if TYPE_CHECKING:
    import httpx

__all__ = ["DEFAULT_STREAM_MODES", "RunsAPI"]

_RUNS = TypeAdapter(list[Run])


def _run_body(
    assistant_id: str,
    *,
    input: Any,
    command: dict[str, Any] | None,
    config: dict[str, Any] | None,
    context: dict[str, Any] | None,
    metadata: dict[str, Any] | None,
    multitask_strategy: str | None,
    if_not_exists: str | None,
    on_disconnect: str,
    extra: dict[str, Any],
) -> dict[str, Any]:
    # ``on_disconnect`` is always sent: langgraph-api defaults to "continue", other servers
    # (Aegra) to "cancel", which would end the run at the first dropped connection, before
    # the stream could be rejoined.
    body: dict[str, Any] = {"assistant_id": assistant_id, "on_disconnect": on_disconnect}
    if command is not None:
        body["command"] = command
    else:
        body["input"] = input
    for key, value in (
        ("config", config),
        ("context", context),
        ("metadata", metadata),
        ("multitask_strategy", multitask_strategy),
        ("if_not_exists", if_not_exists),
    ):
        if value is not None:
            body[key] = value
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


class RunsAPI:
    def __init__(self, core: HttpCore) -> None:
        self._core = core

    def stream(
        self,
        thread_id: str,
        assistant_id: str,
        *,
        input: Any = None,
        command: dict[str, Any] | None = None,
        config: dict[str, Any] | None = None,
        context: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        stream_mode: Sequence[str] = DEFAULT_STREAM_MODES,
        stream_subgraphs: bool = False,
        stream_resumable: bool = True,
        multitask_strategy: str | None = None,
        on_disconnect: str = "continue",
        if_not_exists: str | None = None,
        interrupt_before: list[str] | str | None = None,
        interrupt_after: list[str] | str | None = None,
        checkpoint_id: str | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
    ) -> RunStream:
        """Start a run and stream it: ``async with client.runs.stream(...) as s: async for e in s``.

        The POST is sent once and never retried; a dropped stream is rejoined instead.
        """
        body = _run_body(
            assistant_id,
            input=input,
            command=command,
            config=config,
            context=context,
            metadata=metadata,
            multitask_strategy=multitask_strategy,
            if_not_exists=if_not_exists,
            on_disconnect=on_disconnect,
            extra={
                "stream_mode": list(stream_mode),
                "stream_subgraphs": stream_subgraphs or None,
                "stream_resumable": stream_resumable,
                "interrupt_before": interrupt_before,
                "interrupt_after": interrupt_after,
                "checkpoint_id": checkpoint_id,
            },
        )

        def open_first(headers: dict[str, str]) -> AbstractAsyncContextManager[httpx.Response]:
            return self._core.open_stream(
                "POST", f"/threads/{thread_id}/runs/stream", json=body, headers=headers, what="send message"
            )

        return RunStream(
            self._core,
            open_first,
            thread_id=thread_id,
            resumable=stream_resumable,
            idle_timeout=idle_timeout,
            max_reconnects=max_reconnects,
        )

    def join_stream(
        self,
        thread_id: str,
        run_id: str,
        *,
        last_event_id: str | None = None,
        stream_mode: Sequence[str] | None = None,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
    ) -> RunStream:
        """Attach to a run that is already going (started elsewhere, or before a restart).

        ``last_event_id="-"`` replays everything from the start. Stream modes go as one JSON
        array: repeated ``stream_mode`` parameters keep only the last one on this server.
        Note that a filtered join also hides ``metadata`` and ``error`` events.
        """
        params = {"stream_mode": json.dumps(list(stream_mode))} if stream_mode else None

        def open_first(headers: dict[str, str]) -> AbstractAsyncContextManager[httpx.Response]:
            merged = dict(headers)
            if last_event_id is not None:
                merged["Last-Event-ID"] = last_event_id
            return self._core.open_stream(
                "GET",
                f"/threads/{thread_id}/runs/{run_id}/stream",
                params=params,
                headers=merged,
                what="join run",
            )

        return RunStream(
            self._core,
            open_first,
            thread_id=thread_id,
            run_id=run_id,
            resumable=True,
            idle_timeout=idle_timeout,
            max_reconnects=max_reconnects,
            join_params=params,
        )

    async def create(
        self,
        thread_id: str,
        assistant_id: str,
        *,
        input: Any = None,
        command: dict[str, Any] | None = None,
        config: dict[str, Any] | None = None,
        context: dict[str, Any] | None = None,
        metadata: dict[str, Any] | None = None,
        stream_mode: Sequence[str] | None = DEFAULT_STREAM_MODES,
        stream_resumable: bool = True,
        multitask_strategy: str | None = None,
        if_not_exists: str | None = None,
        on_disconnect: str = "continue",
    ) -> Run:
        """Start a background run (not streamed; join it with :meth:`join_stream`)."""
        body = _run_body(
            assistant_id,
            input=input,
            command=command,
            config=config,
            context=context,
            metadata=metadata,
            multitask_strategy=multitask_strategy,
            if_not_exists=if_not_exists,
            on_disconnect=on_disconnect,
            extra={
                "stream_mode": list(stream_mode) if stream_mode else None,
                "stream_resumable": stream_resumable,
            },
        )
        return await self._core.parsed(Run, "POST", f"/threads/{thread_id}/runs", json=body, what="start run")

    async def get(self, thread_id: str, run_id: str) -> Run:
        return await self._core.parsed(Run, "GET", f"/threads/{thread_id}/runs/{run_id}", what="get run")

    async def list(self, thread_id: str, *, limit: int = 10, offset: int = 0, status: str | None = None) -> list[Run]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status:
            params["status"] = status
        return await self._core.parsed(_RUNS, "GET", f"/threads/{thread_id}/runs", params=params, what="list runs")

    async def cancel(self, thread_id: str, run_id: str, *, action: str = "interrupt", wait: bool = False) -> None:
        """Cancel a run on the server (``action``: ``interrupt`` keeps its input, ``rollback``
        deletes the run). Its open stream then simply ends, with no event. The answer's body is
        not read (the server sends none)."""
        params = {"action": action, "wait": "1" if wait else "0"}
        await self._core.request(
            "POST",
            f"/threads/{thread_id}/runs/{run_id}/cancel",
            params=params,
            idempotent=True,
            what="cancel run",
        )
