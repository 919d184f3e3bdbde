"""A recorded run played back as a stream: what :class:`~chat_tui.client.stream.RunStream` yields
live, from a :class:`~chat_tui.client.recording.RecordedRun`, with no server.

:class:`RecordedStream` has the stream's interface (``async with``, ``async for``, ``run_id``,
``request_cancel``…), so the turn that folds a live run into a conversation folds a recorded
one the same way: each recorded event is parsed with the same :func:`parse_event`, a rejoin or a
warning the live stream reported comes where it came, and the stream ends with the
:class:`StreamEnd` the live stream ended with. At ``speed`` N the events
come at the recorded pace divided by N; without one, at once (yielding to the event loop now
and then, so a UI stays responsive). A cancel stops the playback at the next event.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from chat_tui.client.errors import ClientError
from chat_tui.client.events import Fault, Metadata, Reconnecting, StreamEnd, StreamEvent, parse_event
from chat_tui.client.models import ThreadState
from chat_tui.client.recording import RecordedRun, StreamNote
from chat_tui.sanitize import clean_line

__all__ = ["RecordedFailure", "RecordedStream", "state_from_json", "state_to_json"]

_BATCH = 256  # events played between two yields to the event loop, at full speed


def _clean_id(value: str | None) -> str | None:
    return clean_line(value, 200) or None if value else None


class RecordedFailure(ClientError):
    """What the live stream failed with after the server accepted the run (as it was recorded)."""


def state_to_json(state: ThreadState) -> dict[str, Any]:
    """What a recording keeps of the thread's state after a run: what the run was reconciled with."""
    return {
        "messages": state.messages,
        "interrupts": [interrupt.model_dump(mode="json") for interrupt in state.interrupts],
        "next": state.next,
        "checkpoint_id": state.checkpoint_id,
    }


def state_from_json(data: dict[str, Any]) -> ThreadState:
    """The :class:`ThreadState` a recording's ``: state`` holds (lenient, as the live one is read)."""
    return ThreadState.model_validate(
        {
            "values": {"messages": data.get("messages") or []},
            "interrupts": data.get("interrupts") or [],
            "next": data.get("next") or [],
            "checkpoint_id": data.get("checkpoint_id"),
        }
    )


class RecordedStream:
    """A recorded run's events, as a run stream yields them."""

    def __init__(
        self,
        run: RecordedRun,
        *,
        speed: float | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if speed is not None and speed <= 0:
            raise ValueError("speed must be positive")
        self.recorded = run
        self.speed = speed
        # (A file is no server: what it says is cleaned like anything a server says.)
        self.thread_id = _clean_id(run.thread_id)
        self.run_id = _clean_id(run.run_id)
        self.reconnects = 0
        self.gap = False
        self.cancel_action: str | None = None
        self.played = 0  # events yielded so far
        self._sleep = sleep

    async def __aenter__(self) -> RecordedStream:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        return None

    def request_cancel(self, action: str = "interrupt") -> None:
        self.cancel_action = action

    @property
    def cancel_requested(self) -> bool:
        return self.cancel_action is not None

    @property
    def last_event_id(self) -> str | None:
        events = self.recorded.events[: self.played]
        return events[-1].raw.id if events else None

    def _noted(self, note: StreamNote) -> StreamEvent:
        """What the client said about the live stream at this point (a rejoin, a warning)."""
        detail = note.detail
        if note.kind == "reconnecting":
            self.reconnects += 1
            attempt, delay = detail.get("attempt"), detail.get("delay")
            return Reconnecting(
                attempt if isinstance(attempt, int) else 1,
                float(delay) if isinstance(delay, int | float) else 0.0,
                clean_line(str(detail.get("reason") or ""), 400),
            )
        return Fault(clean_line(str(detail.get("reason") or note.kind), 400))

    async def __aiter__(self) -> AsyncIterator[StreamEvent]:
        run = self.recorded
        clock = asyncio.get_running_loop().time
        started = clock()
        notes = iter(run.notes)
        note = next(notes, None)
        for number, timed in enumerate(run.events):
            while note is not None and note.before <= number:
                yield self._noted(note)
                note = next(notes, None)
            if self.cancel_requested:
                yield StreamEnd("interrupted", cancelled=True)
                return
            if self.speed is not None:
                wait = started + timed.t / self.speed - clock()
                if wait > 0:
                    await self._sleep(wait)
            elif self.played % _BATCH == _BATCH - 1:
                await self._sleep(0)
            event = parse_event(timed.raw)
            if isinstance(event, Metadata) and event.run_id and self.run_id is None:
                self.run_id = _clean_id(event.run_id)
            self.played += 1
            yield event
        while note is not None:
            yield self._noted(note)
            note = next(notes, None)
        end = run.end
        if self.cancel_requested:
            yield StreamEnd("interrupted", cancelled=True)
        elif end is not None and end.error is not None:
            raise RecordedFailure(end.error)
        elif end is not None:
            yield StreamEnd(end.status, cancelled=end.cancelled)
        # (no end recorded: the recording was cut short, and so is this stream)
