"""An open run stream that survives drops: rejoin, replay filtering, stall detection.

What the Agent Server does (``notes/protocol.md`` §3-4) and what this module does about it:

* There is no ``end`` event; a finished, cancelled or interrupted run, a proxy timeout
  and a dropped connection all look like the body closing. On a clean close the run's
  status is fetched: still ``pending``/``running`` means the stream is rejoined, anything
  else ends the iteration with :class:`~chat_tui.client.events.StreamEnd`.
* A dropped connection (reset, truncated chunked body, silence) is rejoined with
  ``GET /threads/{tid}/runs/{rid}/stream`` and ``Last-Event-ID``. The path is built from
  the ids, never taken from a ``Location`` header, so a hostile ``Location`` can never
  send the API key elsewhere.
* The dev server's event ids are ``<unix ms>-0`` and repeat within a millisecond; resuming
  from the last id would lose the events that share it. The stream resumes from the
  previous *distinct* id and :class:`ReplayFilter` drops what was already delivered.
* The server sends ``: heartbeat`` every 5 s, so a connection silent for ``idle_timeout``
  seconds (default 20) is dead even if TCP has not noticed; it is rejoined.
"""

from __future__ import annotations

import asyncio
import random
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from typing import Any

import httpx

from chat_tui.client.errors import (
    ClientError,
    ConnectError,
    NotFound,
    RateLimited,
    RequestTimeout,
    ServerError,
    StreamDropped,
    StreamStalled,
)
from chat_tui.client.events import Fault, Metadata, Reconnecting, RunFailed, StreamEnd, StreamEvent, parse_event
from chat_tui.client.http import HttpCore
from chat_tui.client.sse import DEFAULT_MAX_EVENT_SIZE, EventDecoder, RawEvent
from chat_tui.client.urls import same_origin

__all__ = ["DEFAULT_IDLE_TIMEOUT", "ReplayFilter", "RunStream", "event_id_key"]

DEFAULT_IDLE_TIMEOUT = 20.0  # > 3 heartbeats of 5 s
DEFAULT_MAX_RECONNECTS = 5
_RUN_PATH = re.compile(r"/threads/([0-9A-Fa-f-]{32,36})/runs/([0-9A-Fa-f-]{32,36})")
_ACTIVE = frozenset({"pending", "running"})


def event_id_key(event_id: str) -> tuple[int, int] | None:
    """Order key of an ``<ms>-<seq>`` id (dev server and Redis streams); None otherwise."""
    head, sep, tail = event_id.partition("-")
    if not sep or not head.isdigit() or not tail.isdigit():
        return None
    return int(head), int(tail)


class ReplayFilter:
    """Decides which events of a rejoined stream were already delivered.

    Before a reconnect every event passes and only the bookkeeping runs: the id of the
    last event, the previous distinct id, and how many times each payload was delivered
    under the last id (two identical tokens can legitimately share an id). After
    :meth:`resume_from` picked the resume point, replayed events with an older id are
    dropped, and events under the last id are dropped until their count is used up.
    """

    def __init__(self) -> None:
        self.last_id: str | None = None
        self.previous_id: str | None = None
        self._last_key: tuple[int, int] | None = None
        self._at_last: Counter[str] = Counter()
        self._replaying = False
        self._to_skip: Counter[str] = Counter()

    def resume_from(self) -> str | None:
        """The ``Last-Event-ID`` to send on rejoin, and switch to replay filtering."""
        if self.last_id is None:
            return None
        self._replaying = True
        self._to_skip = Counter(self._at_last)
        if self._last_key is None:  # opaque ids: assume they are unique
            self._to_skip.clear()
            return self.last_id
        return self.previous_id if self.previous_id is not None else "-"

    def admit(self, raw: RawEvent) -> bool:
        """True if *raw* is new and should be delivered (records it when it is)."""
        event_id = raw.id
        if event_id is None:
            return True
        key = event_id_key(event_id)
        if self._replaying and self.last_id is not None:
            if key is not None and self._last_key is not None:
                if key < self._last_key:
                    return False
                if key == self._last_key and self._to_skip[raw.data] > 0:
                    self._to_skip[raw.data] -= 1
                    return False
                if key > self._last_key:
                    self._replaying = False
            elif event_id == self.last_id:
                return False
            else:
                self._replaying = False
        if event_id != self.last_id:
            self.previous_id = self.last_id
            self.last_id = event_id
            self._last_key = key
            self._at_last.clear()
        self._at_last[raw.data] += 1
        return True


OpenResponse = Callable[[dict[str, str]], AbstractAsyncContextManager[httpx.Response]]


class RunStream:
    """Typed events of one run; use ``async with`` then ``async for``.

    ``run_id``/``thread_id`` are known as soon as the response headers arrive (before the
    first event), which is what a cancel needs.
    """

    def __init__(
        self,
        core: HttpCore,
        open_first: OpenResponse,
        *,
        thread_id: str | None,
        run_id: str | None = None,
        resumable: bool = True,
        max_reconnects: int = DEFAULT_MAX_RECONNECTS,
        idle_timeout: float | None = DEFAULT_IDLE_TIMEOUT,
        max_event_size: int = DEFAULT_MAX_EVENT_SIZE,
        join_params: dict[str, Any] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._core = core
        self._open_first = open_first
        self.thread_id = thread_id
        self.run_id = run_id
        self.resumable = resumable
        self.max_reconnects = max_reconnects
        self.idle_timeout = idle_timeout
        self.max_event_size = max_event_size
        self.join_params = join_params or {}
        self.reconnects = 0  # total successful rejoins, for the status line and tests
        self.gap = False  # events may be missing (rejoined without replay)
        self.filter = ReplayFilter()
        self._sleep = sleep
        self._stack = AsyncExitStack()
        self._response: httpx.Response | None = None
        self._cancel_requested = False
        self._location_warning: str | None = None

    # -- lifecycle ----------------------------------------------------------------------

    async def __aenter__(self) -> RunStream:
        await self._open(self._open_first({}))
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._stack.aclose()
        self._response = None

    def mark_cancel_requested(self) -> None:
        """Tell the stream the user asked to cancel, so a silent close means 'cancelled'."""
        self._cancel_requested = True

    @property
    def last_event_id(self) -> str | None:
        return self.filter.last_id

    @property
    def can_rejoin(self) -> bool:
        return self.thread_id is not None and self.run_id is not None

    async def _open(self, manager: AbstractAsyncContextManager[httpx.Response]) -> None:
        await self._stack.aclose()
        self._stack = AsyncExitStack()
        self._response = await self._stack.enter_async_context(manager)
        self._learn_ids(self._response)

    def _learn_ids(self, response: httpx.Response) -> None:
        """Take thread and run ids from ``Content-Location`` (available before any event)."""
        for header in ("content-location", "location"):
            value = response.headers.get(header)
            if not value:
                continue
            match = _RUN_PATH.search(value)
            if match and self.run_id is None:
                self.thread_id = self.thread_id or match.group(1)
                self.run_id = match.group(2)
            if header == "location" and "://" in value and not same_origin(value, self._core.base_url):
                self._location_warning = "ignored a reconnect location that points to another server"

    # -- iteration ------------------------------------------------------------------------

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        failures = 0
        if self._location_warning:
            yield Fault(self._location_warning)
        while True:
            reason: str
            try:
                failed = False
                async for raw in self._read():
                    failures = 0
                    if not self.filter.admit(raw):
                        continue
                    event = parse_event(raw)
                    if isinstance(event, Metadata) and event.run_id and self.run_id is None:
                        self.run_id = event.run_id
                    elif isinstance(event, RunFailed):
                        failed = True
                    yield event
                if failed:
                    yield StreamEnd("error", cancelled=self._cancel_requested)
                    return
                status = await self.run_status()
                if status in _ACTIVE and self.can_rejoin and not self._cancel_requested:
                    reason = "the stream closed while the run was still going"
                else:
                    yield StreamEnd(status, cancelled=self._cancel_requested)
                    return
            except StreamStalled as exc:
                reason = exc.message
            except ConnectError as exc:
                reason = exc.message
            # The connection is gone: rejoin, a bounded number of times in a row.
            await self._stack.aclose()
            while True:
                if self._cancel_requested:
                    yield StreamEnd(await self.run_status(), cancelled=True)
                    return
                if not self.can_rejoin or failures >= self.max_reconnects:
                    raise StreamDropped(f"the stream broke ({reason}) and could not be rejoined")
                failures += 1
                delay = min(5.0, 0.5 * 2 ** (failures - 1)) * (1 + random.uniform(0, 0.25))
                yield Reconnecting(failures, delay, reason)
                await self._sleep(delay)
                try:
                    await self._open(self._rejoin())
                except (ConnectError, RequestTimeout, ServerError, RateLimited) as exc:
                    reason = exc.message
                    continue
                self.reconnects += 1
                break

    def _rejoin(self) -> AbstractAsyncContextManager[httpx.Response]:
        headers: dict[str, str] = {}
        resume = self.filter.resume_from() if self.resumable else None
        if resume is not None:
            headers["Last-Event-ID"] = resume
        elif self.filter.last_id is not None or not self.resumable:
            self.gap = True  # without ids the server cannot replay what was missed
        else:
            headers["Last-Event-ID"] = "-"  # nothing delivered yet: replay from the start
        return self._core.open_stream(
            "GET",
            f"/threads/{self.thread_id}/runs/{self.run_id}/stream",
            params=self.join_params or None,
            headers=headers,
            what="rejoin stream",
        )

    async def _read(self) -> AsyncIterator[RawEvent]:
        """Raw events from the current response; transport failures become ClientErrors."""
        response = self._response
        assert response is not None
        decoder = EventDecoder(self.max_event_size)
        chunks = response.aiter_bytes().__aiter__()
        idle = self.idle_timeout
        while True:
            try:
                # The timeout covers only the wait for the socket, never the consumer's
                # work between yields (this generator runs in the consumer's task).
                async with asyncio.timeout(idle):
                    chunk = await chunks.__anext__()
            except StopAsyncIteration:
                break
            except TimeoutError:
                raise StreamStalled(idle or 0) from None
            except httpx.TimeoutException:
                raise StreamStalled(idle or 0) from None
            except httpx.HTTPError:
                raise ConnectError(self._core.host, "the stream connection was interrupted") from None
            for raw in decoder.feed(chunk):
                yield raw
        decoder.close()

    async def run_status(self) -> str | None:
        """The run's status on the server (None when unknown; ``"deleted"`` after a rollback)."""
        if not self.can_rejoin:
            return None
        try:
            data = await self._core.json(
                "GET", f"/threads/{self.thread_id}/runs/{self.run_id}", what="check run status"
            )
        except NotFound:
            return "deleted"
        except ClientError:
            return None
        status = data.get("status") if isinstance(data, dict) else None
        return status if isinstance(status, str) else None
