"""Playing a recording back, with no server: each recorded run folded into a conversation by the
same turn code that folds a live one (:class:`~chat_tui.service.turn.TurnBase`).

A :class:`ReplayTurn` starts the run as the live turn did (the user's message, from what the
run was sent), streams the recorded events (:class:`~chat_tui.client.playback.RecordedStream`,
at the recorded pace times ``speed``, or at once) and settles the conversation with the state the
live run was settled with. So what a front end shows or prints from a replay is what it showed or
printed live: ``chat-tui stream --replay`` gives the live run's ``--json`` document, and the app
can play a recording back through its usual views (a :class:`Playback`, which it can stop).
Nothing is sent anywhere: a cancel stops the playback.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chat_tui.client.errors import ClientError
from chat_tui.client.playback import RecordedStream, state_from_json
from chat_tui.client.recording import RecordedRun, Recording
from chat_tui.sanitize import clean_line
from chat_tui.service.outcomes import SendOutcome
from chat_tui.service.turn import TurnBase, TurnRequest, TurnResult

if TYPE_CHECKING:
    from chat_tui.client.events import StreamEvent
    from chat_tui.client.models import ThreadState
    from chat_tui.conversation import Conversation

__all__ = ["NotRecorded", "Playback", "ReplayTurn", "Replayed", "replay"]


class NotRecorded(ClientError):
    """The recording does not hold what the live turn read here (it could not read it either)."""


def _request(run: RecordedRun) -> TurnRequest:
    """The request the recorded run was sent with, as far as the recording says."""
    thread_id = clean_line(run.thread_id, 200) or None if run.thread_id else None  # (a file is no server)
    request = TurnRequest(clean_line(run.assistant_id or "", 200), thread_id)
    sent = run.input or {}
    command = sent.get("command")
    if isinstance(command, dict) and "resume" in command:
        request.resume = command["resume"]
    elif "input" in sent:
        value = sent["input"]
        messages = value.get("messages") if isinstance(value, dict) else None
        first = messages[0] if isinstance(messages, list) and len(messages) == 1 else None
        if isinstance(first, dict) and first.get("role") == "user" and isinstance(first.get("content"), str):
            request.text = first["content"]
            if isinstance(first.get("id"), str):
                request.message_id = first["id"]
        else:
            request.input = value if isinstance(value, dict) else {}
    else:
        request.no_input = True
    return request


class ReplayTurn(TurnBase):
    """One recorded run, played into a conversation."""

    def __init__(
        self,
        conversation: Conversation,
        run: RecordedRun,
        *,
        speed: float | None = None,
        on_event: Callable[[StreamEvent], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(conversation, _request(run), on_event=on_event)
        self.recorded = run
        self.speed = speed
        self.stopped = False
        self._sleep = sleep

    def stop(self) -> None:
        """Stop playing here: the conversation keeps what was played, as a run cancelled there (it
        is not settled with the recorded state, which is the whole run's)."""
        self.stopped = True
        if self.stream is not None:
            self.stream.request_cancel()
        else:
            self._pending_cancel = "interrupt"

    async def run(self) -> TurnResult:
        request = self.request
        conversation = self.conversation
        conversation.thread_id = self.thread_id
        human = None
        if request.text is not None and not request.is_resume:
            human = conversation.add_human(request.text, request.message_id)
        conversation.begin_run(request.assistant_id or None, human)
        stream = RecordedStream(self.recorded, speed=self.speed, sleep=self._sleep)
        self.stream = stream
        if request.is_resume:
            conversation.resolve_interrupts(request.resume)
        return await self._consume(stream)

    async def _thread_error(self) -> Any:
        if self.stopped or not self.recorded.thread_error_read:
            raise NotRecorded("the recording does not hold the thread's error")
        return self.recorded.thread_error

    async def _final_state(self) -> ThreadState:
        if self.stopped or self.recorded.state is None:
            raise NotRecorded("the recording does not hold the thread's state after the run")
        return state_from_json(self.recorded.state)

    async def _send_cancel(self) -> None:
        return None  # nothing runs anywhere: the playback stops at its next event


@dataclass(slots=True)
class Replayed:
    """One run played back: what ``ChatService.send`` would have said of it live."""

    run: RecordedRun
    outcome: SendOutcome


async def replay(
    conversation: Conversation,
    recording: Recording,
    *,
    speed: float | None = None,
    on_event: Callable[[StreamEvent], None] | None = None,
    on_run: Callable[[ReplayTurn], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> list[Replayed]:
    """Play every run of *recording* into *conversation*, one after another.

    *on_run* is told each turn before it plays (to cancel it, say: ``turn.cancel()``)."""
    playback = Playback(conversation, recording, speed=speed, on_event=on_event, on_run=on_run, sleep=sleep)
    return await playback.play()


class Playback:
    """A recording played into a conversation, run after run, that can be stopped at any moment
    (a front end's Esc): the run playing ends there, as cancelled, and the next ones do not play.
    A stop also ends a wait between two events at once."""

    def __init__(
        self,
        conversation: Conversation,
        recording: Recording,
        *,
        speed: float | None = None,
        on_event: Callable[[StreamEvent], None] | None = None,
        on_run: Callable[[ReplayTurn], None] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.conversation = conversation
        self.recording = recording
        self.speed = speed
        self.on_event = on_event
        self.on_run = on_run
        self.played: list[Replayed] = []
        self.turn: ReplayTurn | None = None  # the run playing
        self.stopped = False
        self._sleep = sleep
        self._stop = asyncio.Event()

    @property
    def position(self) -> tuple[int, int]:
        """(the number of the run playing or last played, from 1; how many runs the recording holds)."""
        return len(self.played) + (self.turn is not None), len(self.recording.runs)

    async def _wait(self, seconds: float) -> None:
        if seconds <= 0 or self.stopped:
            await self._sleep(0)
            return
        tasks = [asyncio.ensure_future(self._stop.wait()), asyncio.ensure_future(self._sleep(seconds))]
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()

    async def play(self) -> list[Replayed]:
        conversation = self.conversation
        for run in self.recording.runs:
            if self.stopped:
                break
            turn = ReplayTurn(conversation, run, speed=self.speed, on_event=self.on_event, sleep=self._wait)
            self.turn = turn
            if self.on_run is not None:
                self.on_run(turn)
            try:
                result = await turn.run()
            finally:
                self.turn = None
            if result.run_id is not None:
                conversation.branch_head = None
            outcome = SendOutcome(True, result.thread_id, result.run_id, result.outcome)
            if result.error is not None:
                outcome.problem = str(result.error)
            self.played.append(Replayed(run, outcome))
        return self.played

    def stop(self) -> None:
        """Stop the playback now (nothing happens once it is over)."""
        self.stopped = True
        self._stop.set()
        if self.turn is not None:
            self.turn.stop()
