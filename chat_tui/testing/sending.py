"""One turn's send, bounded: back-off while the server says "not now", and the turn's timeout.

``ChatService.send`` never creates a run twice on its own (a run creation is not retried: the
server gives runs fresh ids). A test runner can do a little more for the two answers that mean
"not now": 429 (nothing was started) and 503 (the thread's runs are listed first: a run this turn
did not know of means the server started it anyway, and nothing is sent again). Waits follow the
client's rules: ``Retry-After`` when the server gave one (a wait over :data:`RETRY_WAIT_MAX` is
not waited), else 0.5, 1, 2 … seconds.

At ``turn_timeout``, a run that streams here is cancelled on the server and given
:data:`CANCEL_GRACE` to end. A turn whose run never streamed here (still backing off, or the server
has not answered its creation yet) has nothing to wait for: its local send is cancelled at once, and
any run the server did start in the thread since is cancelled there (found by listing its runs).
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chat_tui.client.errors import ClientError, Conflict, RateLimited, ServerError

if TYPE_CHECKING:
    from collections.abc import Callable

    from chat_tui.client import LangGraphClient
    from chat_tui.client.events import StreamEvent
    from chat_tui.client.models import Thread
    from chat_tui.service.chat import ChatService
    from chat_tui.service.outcomes import Accepted, Outgoing, SendOutcome

__all__ = ["CANCEL_GRACE", "TurnSend", "create_thread", "retry_delay", "send_turn"]

SEND_ATTEMPTS = 4  # the first try and three after a 429/503
RETRY_WAIT_MAX = 10.0  # seconds; the client's own limit on an automatic wait
CANCEL_GRACE = 30.0  # seconds a cancelled turn may take to end before the run is abandoned
LIVE = ("pending", "running")


@dataclass(slots=True)
class TurnSend:
    """How sending one turn went."""

    outcome: SendOutcome | None = None  # None: the timeout ended it before it ended by itself
    accepted: bool = False  # the server accepted a run and it streamed here
    timed_out: bool = False
    refusals: list[str] = field(default_factory=list)  # the 429/503 answers that were waited out
    cancelled_runs: list[str] = field(default_factory=list)  # runs found and cancelled after a local cancel


def retry_delay(error: BaseException | None, attempt: int) -> float | None:
    """Seconds to wait before trying again after *error*; None: do not try again."""
    if isinstance(error, RateLimited):
        wait = error.retry_after
        if wait is not None and wait > RETRY_WAIT_MAX:
            return None
        return wait if wait is not None else _backoff(attempt)
    if isinstance(error, ServerError) and error.status_code == 503:
        return _backoff(attempt)
    return None


def _backoff(attempt: int) -> float:
    return float(min(8.0, 0.5 * 2.0**attempt))


async def create_thread(client: LangGraphClient, metadata: dict[str, Any]) -> Thread:
    """A new thread, with back-off on 429/503. Its id is chosen here, so creating it again after a
    refusal cannot make a second thread (a 409 then means the first try did create it)."""
    thread_id = str(uuid.uuid4())
    for attempt in range(SEND_ATTEMPTS):
        try:
            return await client.threads.create(thread_id=thread_id, metadata=metadata)
        except Conflict:
            if attempt == 0:
                raise
            return await client.threads.get(thread_id)
        except ClientError as exc:
            delay = retry_delay(exc, attempt)
            if delay is None or attempt == SEND_ATTEMPTS - 1:
                raise
        await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def _runs_beyond(client: LangGraphClient, thread_id: str, known: set[str]) -> list[tuple[str, str]]:
    """The thread's runs this turn did not know of: (run id, status)."""
    runs = await client.runs.list(thread_id, limit=20)
    return [(run.run_id, run.status) for run in runs if run.run_id not in known]


async def _abandon(task: asyncio.Task[SendOutcome]) -> None:
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled():
        task.exception()  # (read, so it is not reported as never retrieved)


async def send_turn(
    service: ChatService,
    outgoing: Outgoing,
    *,
    seconds: float,
    known_runs: set[str],
    on_event: Callable[[StreamEvent], None] | None = None,
) -> TurnSend:
    """Send *outgoing* (its thread exists) and stream its run, within *seconds* (the turn's timeout)."""
    thread_id = outgoing.request.thread_id or ""
    client = service.client
    result = TurnSend()

    def on_accepted(_: Accepted) -> None:
        result.accepted = True

    async def attempts() -> SendOutcome:
        attempt = 0
        while True:
            sent = await service.send(outgoing, on_event=on_event, on_accepted=on_accepted)
            delay = None if sent.sent or attempt == SEND_ATTEMPTS - 1 else retry_delay(sent.error, attempt)
            if delay is None:
                return sent
            if isinstance(sent.error, ServerError):  # (a 503 may come after the server made the run)
                try:
                    if await _runs_beyond(client, thread_id, known_runs):
                        return sent
                except ClientError:
                    return sent  # (unknown: never risk a second run)
            result.refusals.append(sent.problem or "")
            await asyncio.sleep(delay)
            attempt += 1

    task = asyncio.create_task(attempts())
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        result.timed_out = True
        try:
            streaming = await service.cancel(thread_id)
        except ClientError:
            streaming = True  # the server refused the cancel: the run goes on, and may still end
        if not streaming:  # nothing streams here: nothing would end the send but its own retries
            await _abandon(task)
            try:
                for run_id, status in await _runs_beyond(client, thread_id, known_runs):
                    if status in LIVE:
                        await client.runs.cancel(thread_id, run_id)
                        result.cancelled_runs.append(run_id)
            except ClientError:
                pass  # (best effort: the thread is the test's own)
            return result
        done, _ = await asyncio.wait({task}, timeout=CANCEL_GRACE)
        if not done:
            await _abandon(task)
            return result
    result.outcome = task.result()
    return result
