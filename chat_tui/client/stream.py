"""An open run stream that survives drops: rejoin, replay filtering, stall detection.

What the Agent Server does and what this module does about it:

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
  previous *distinct* id and :class:`~chat_tui.client.replay.ReplayFilter` drops what was
  already delivered, and the span the server repeats after a rejoin.
* After the user asked to cancel, an ``error`` event is the server's word for that cancel
  (Aegra sends "Run was interrupted", then ``end``): it ends the run as cancelled, not failed.
* langgraph-api sends ``: heartbeat`` every 5 s, so a connection silent for ``idle_timeout``
  seconds (default 16) is dead even if TCP has not noticed; it is rejoined. Not every server
  sends heartbeats (Aegra does not), and there silence is only a node thinking: so the stall
  timer runs only once the server has shown that it sends them (a comment on this stream or
  an earlier one of the same client, ``HttpCore.sends_heartbeats``).
"""

from __future__ import annotations

import asyncio
import random
import re
from collections.abc import AsyncIterable, AsyncIterator, Awaitable, Callable
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
from chat_tui.client.events import (
    Fault,
    MessageChunk,
    Metadata,
    Other,
    Reconnecting,
    RunFailed,
    StreamEnd,
    StreamEvent,
    parse_event,
)
from chat_tui.client.http import HttpCore
from chat_tui.client.replay import ReplayFilter
from chat_tui.client.sse import DEFAULT_MAX_EVENT_SIZE, EventDecoder, RawEvent
from chat_tui.client.urls import same_origin

__all__ = ["DEFAULT_IDLE_TIMEOUT", "RunStream"]

DEFAULT_IDLE_TIMEOUT = 16.0  # about 3 heartbeats of 5 s, and a second for a late one
DEFAULT_MAX_RECONNECTS = 5
_RUN_PATH = re.compile(r"/threads/([0-9A-Fa-f-]{32,36})/runs/([0-9A-Fa-f-]{32,36})")
_ACTIVE = frozenset({"pending", "running"})


class _IdleWatchdog:
    """Cancels the reading task when one wait for the socket lasts *idle* seconds.

    It is ``asyncio.timeout`` around each read, with one timer per idle period instead of
    one per read: a stream delivers one read per event, and creating, scheduling and
    cancelling a timer for each cost about 10 µs an event, a quarter of the client's
    whole per-event cost (``BENCHMARKS.md``, ingest). The reader sets ``waiting_since``
    before it awaits the socket and clears it after; the timer only fires while a wait
    is in progress, so the cancellation always lands in that await.
    """

    __slots__ = ("_cancelling", "_handle", "_loop", "_task", "fired", "idle", "waiting_since")

    def __init__(self, idle: float) -> None:
        self._loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        self._task = task
        self._cancelling = task.cancelling()
        self.idle = idle
        self.waiting_since: float | None = None
        self.fired = False
        self._handle = self._loop.call_later(idle, self._check)

    def _check(self) -> None:
        since = self.waiting_since
        if since is None:  # not waiting: any wait that starts now ends after the next check
            self._handle = self._loop.call_later(self.idle, self._check)
        elif self._loop.time() - since >= self.idle - 0.001:
            self.fired = True
            self._task.cancel()
        else:
            self._handle = self._loop.call_at(since + self.idle, self._check)

    def expired(self) -> bool:
        """After a CancelledError: True when this watchdog caused it (and nobody else asked)."""
        return self.fired and self._task.uncancel() <= self._cancelling

    def stop(self) -> None:
        self._handle.cancel()


class _Reader:
    """Raw events from one response, a read at a time; transport failures become ClientErrors.

    An object with an ``async def read()`` rather than an async generator: the stream
    yields each typed event from one generator frame instead of passing it through two.
    """

    def __init__(self, response: httpx.Response, core: HttpCore, max_event_size: int, idle: float | None) -> None:
        # Not compressed (SSE never is, in practice): the body as the transport yields it
        # (``Response.stream``, which httpx's transport already maps errors for), without
        # ``aiter_raw``'s re-chunking generator around each of the thousands of reads.
        encoding = response.headers.get("content-encoding", "identity").strip().lower()
        stream = response.stream
        chunks: AsyncIterable[bytes] = (
            stream
            if encoding in ("", "identity") and isinstance(stream, httpx.AsyncByteStream)
            else response.aiter_bytes()
        )
        self._chunks = chunks.__aiter__()
        self._decoder = EventDecoder(max_event_size)
        self._core = core
        self._host = core.host
        self._idle = idle
        # Created on the first read, in the task that reads (the one the watchdog cancels).
        self._watchdog: _IdleWatchdog | None = None
        self._clock = asyncio.get_running_loop().time

    async def read(self) -> list[RawEvent] | None:
        """The events completed by the next read from the socket; None at the end of the body."""
        idle = self._idle
        watchdog = self._watchdog
        if watchdog is None and idle and self._core.sends_heartbeats:
            watchdog = self._watchdog = _IdleWatchdog(idle)
        # The watchdog covers only the wait for the socket, never the consumer's work
        # between reads (the consumer runs in this same task).
        if watchdog is not None:
            watchdog.waiting_since = self._clock()
        try:
            chunk = await self._chunks.__anext__()
        except StopAsyncIteration:
            self._decoder.close()
            return None
        except asyncio.CancelledError:
            if watchdog is not None and watchdog.expired():
                raise StreamStalled(idle or 0) from None
            raise
        except httpx.TimeoutException:
            raise StreamStalled(idle or 0) from None
        except httpx.HTTPError:
            raise ConnectError(self._host, "the stream connection was interrupted") from None
        finally:
            if watchdog is not None:
                watchdog.waiting_since = None
        events = self._decoder.feed(chunk)
        if watchdog is None and self._decoder.comments:  # a heartbeat: silence means something from now on
            self._core.sends_heartbeats = True
        return events

    def close(self) -> None:
        if self._watchdog is not None:
            self._watchdog.stop()


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
        self.cancel_action: str | None = None  # what the user asked ("interrupt" or "rollback"), once asked
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

    def request_cancel(self, action: str = "interrupt") -> None:
        """The user asked to cancel: a silent close now means 'cancelled', and nothing is rejoined.

        The stream is the one owner of the run's id and of this request; the turn reads both."""
        self.cancel_action = action

    @property
    def cancel_requested(self) -> bool:
        return self.cancel_action is not None

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
                reader = self._reader()
                select = self.filter.select
                try:
                    ended = False
                    while not ended:
                        raws = await reader.read()
                        if raws is None:  # the body's end: events held back were new after all
                            ended, raws = True, self.filter.finish()
                        else:
                            failures = 0
                            raws = select(raws)
                        for raw in raws:
                            event = parse_event(raw)
                            if type(event) is MessageChunk:  # nearly all of them: skip the checks below
                                yield event
                                continue
                            if isinstance(event, Metadata) and event.run_id and self.run_id is None:
                                self.run_id = event.run_id
                            elif isinstance(event, RunFailed):
                                if self.cancel_requested:
                                    # The server's word for the user's own cancel (Aegra: an ``error``
                                    # "Run was interrupted", then ``end``): the run was cancelled, it
                                    # did not fail. Passed on uninterpreted (``--raw`` still shows it).
                                    event = Other(raw.event, event.message, (), raw)
                                else:
                                    failed = True
                            yield event
                finally:
                    reader.close()
                if failed:
                    yield StreamEnd("error", cancelled=self.cancel_requested)
                    return
                status = await self.run_status()
                if status in _ACTIVE and self.can_rejoin and not self.cancel_requested:
                    reason = "the stream closed while the run was still going"
                else:
                    yield StreamEnd(status, cancelled=self.cancel_requested)
                    return
            except StreamStalled as exc:
                reason = exc.message
            except ConnectError as exc:
                reason = exc.message
            # The connection is gone: rejoin, a bounded number of times in a row.
            await self._stack.aclose()
            while True:
                if self.cancel_requested:
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
        elif self.filter.delivered_without_id or not self.resumable:
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

    def _reader(self) -> _Reader:
        assert self._response is not None
        return _Reader(self._response, self._core, self.max_event_size, self.idle_timeout)

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
