"""The threads waiting for a human, newest first, a page at a time, without listing every thread.

The server filters by status only: ``interrupted`` (which also follows a cancel, with nothing
pending) and ``error`` (a refused answer can leave its interrupt pending). So each status is
read in batches of light rows (``select``: no values), the ones with a pending interrupt are
kept, and the two are merged newest first. (A thread in ``error`` whose refused answer left its
interrupt pending lists nothing itself: its state is read, for a bounded number per batch.) A
page stops when it is full; the scan stops after ``scan_limit`` threads per status, so a server
with many cancelled threads costs a bounded number of requests.
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from chat_tui.conversation.interrupts import InterruptEntry, InterruptKind

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient
    from chat_tui.client.models import Thread, ThreadState

__all__ = ["InboxCursor", "InboxRow", "inbox_row"]

STATUSES = ("interrupted", "error")
BATCH = 100  # threads per search request
STATE_CHECKS = 20  # failed threads per batch whose state is read (they list no interrupt of their own)
_OLDEST = datetime.min.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class InboxRow:
    """A thread waiting for a human."""

    thread: Thread
    kind: InterruptKind
    preview: str  # the tool(s) or the question
    since: datetime | None
    entries: tuple[InterruptEntry, ...] = ()  # every pending interrupt, classified


def inbox_row(thread: Thread, state: ThreadState | None = None) -> InboxRow | None:
    """*thread* as an inbox row, or None when nothing in it waits for a human. *state*: the thread's
    state, the truth for a thread in ``error`` that lists no interrupt of its own."""
    if state is not None and thread.status == "error" and state.interrupts:
        pending = list(state.interrupts)
    elif thread.waiting_for_human:
        pending = [i for items in thread.interrupts.values() for i in items]
    else:
        return None
    entries = tuple(
        InterruptEntry.from_server(0, item.id, item.value, response_schema=item.response_schema) for item in pending
    )
    first = entries[0]
    preview = ", ".join(call.name for call in first.calls) if first.calls else first.question
    if len(entries) > 1:
        preview = f"{preview} (+{len(entries) - 1} more)"
    return InboxRow(thread, first.kind, preview, thread.updated_at, entries)


class InboxCursor:
    """Pages of waiting threads, newest first (a merge of the two statuses' newest-first lists)."""

    def __init__(self, client: LangGraphClient, *, batch: int = BATCH, scan_limit: int = 5000) -> None:
        self._client = client
        self._batch = batch
        self._scan_limit = scan_limit
        self._rows: dict[str, deque[InboxRow]] = {status: deque() for status in STATUSES}
        self._offsets = dict.fromkeys(STATUSES, 0)
        self._done = dict.fromkeys(STATUSES, False)
        self.requests = 0  # search requests made (what paging costs)

    @property
    def more(self) -> bool:
        """Rows may follow (some are read and not yet given, or a status is not read to its end)."""
        return any(self._rows[s] or not self._done[s] for s in STATUSES)

    @property
    def complete(self) -> bool:
        """Every thread of both statuses was looked at (not cut short by ``scan_limit``)."""
        return all(self._done.values()) and all(o < self._scan_limit for o in self._offsets.values())

    async def next_page(self, size: int = 50) -> list[InboxRow]:
        rows: list[InboxRow] = []
        while len(rows) < size:
            for status in STATUSES:
                await self._fill(status)
            heads = [status for status in STATUSES if self._rows[status]]
            if not heads:
                break
            newest = max(heads, key=lambda s: self._rows[s][0].since or _OLDEST)
            rows.append(self._rows[newest].popleft())
        return rows

    async def _fill(self, status: str) -> None:
        rows = self._rows[status]
        while not rows and not self._done[status]:
            threads = await self._client.threads.search(status=status, limit=self._batch, offset=self._offsets[status])
            self.requests += 1
            self._offsets[status] += len(threads)
            if len(threads) < self._batch or self._offsets[status] >= self._scan_limit:
                self._done[status] = True
            states = await self._states_of_failed(threads) if status == "error" else {}
            rows.extend(row for t in threads if (row := inbox_row(t, states.get(t.thread_id))) is not None)

    async def _states_of_failed(self, threads: list[Thread]) -> dict[str, ThreadState]:
        """A refused answer leaves the thread in ``error`` listing no interrupt, while its state still
        waits (and a reset can recover it): those threads' states, a few at most per batch."""
        quiet = [t.thread_id for t in threads if not any(t.interrupts.values())][:STATE_CHECKS]
        found = await asyncio.gather(*(self._client.threads.get_state(t) for t in quiet), return_exceptions=True)
        self.requests += len(quiet)
        return {t: state for t, state in zip(quiet, found, strict=True) if not isinstance(state, BaseException)}
