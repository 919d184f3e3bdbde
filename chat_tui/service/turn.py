"""One turn of a conversation against a server: send (or resume), stream, settle.

Shared by the headless ``chat-tui stream`` command and the app's stream worker, so both
behave the same. The turn owns the network side; the :class:`Conversation` it feeds is
pure state. Nothing here touches the UI: a caller that wants to react to events passes
``on_event`` (called after each event is applied) and ``on_accepted`` (called once the
server accepted the run, with its id, which is when a cancel becomes possible).

A run creation is sent exactly once. Failures before the server accepted it raise
:class:`SendFailed` (the caller restores the user's text); failures after it never
resend the prompt: the stream is rejoined, and in the end the conversation is
reconciled with ``GET /threads/{id}/state``.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chat_tui.client.errors import ClientError, ConnectError, RequestTimeout
from chat_tui.client.modes import DEFAULT_STREAM_MODES
from chat_tui.conversation import ErrorEntry, RunOutcome

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient
    from chat_tui.client.events import StreamEvent
    from chat_tui.client.models import ThreadState
    from chat_tui.client.playback import RecordedStream
    from chat_tui.client.stream import RunStream
    from chat_tui.conversation import Conversation
    from chat_tui.service.recording import Recorder

    EventStream = RunStream | RecordedStream

__all__ = ["SendFailed", "Turn", "TurnBase", "TurnRequest", "TurnResult"]

_NO_RESUME = object()


@dataclass(slots=True)
class TurnRequest:
    """What to send: a user message (``text``) or an answer to an interrupt (``resume``)."""

    assistant_id: str
    thread_id: str | None = None
    text: str | None = None
    resume: Any = _NO_RESUME
    config: dict[str, Any] | None = None
    context: dict[str, Any] | None = None
    stream_mode: Sequence[str] = DEFAULT_STREAM_MODES
    stream_subgraphs: bool = False
    multitask_strategy: str | None = None
    message_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    no_input: bool = False  # a run with neither input nor command (after a state update: it runs what is next)
    input: dict[str, Any] | None = None  # the run's input as it is (graphs without a messages key), instead of text
    checkpoint_id: str | None = None  # run from this checkpoint (a branch: edit, regenerate, a shown branch)

    @property
    def is_resume(self) -> bool:
        return self.resume is not _NO_RESUME


@dataclass(slots=True)
class TurnResult:
    thread_id: str | None
    run_id: str | None
    outcome: RunOutcome
    error: ClientError | None = None  # a failure after acceptance (the run may have gone on)
    reconnects: int = 0


class SendFailed(Exception):
    """The server did not accept the run; nothing was started. ``error`` says why."""

    def __init__(self, error: ClientError, thread_id: str | None) -> None:
        self.error = error
        self.thread_id = thread_id
        super().__init__(str(error))


class TurnBase:
    """What every turn does once its stream is open: fold each event into the conversation, then
    settle it with the thread's stored state. A live :class:`Turn` reads both from the server; a
    replay (:class:`~chat_tui.service.replay.ReplayTurn`) from a recording, through the same code.

    With a *recorder*, each event the conversation is given is recorded, with what settled the run.
    """

    def __init__(
        self,
        conversation: Conversation,
        request: TurnRequest,
        *,
        on_event: Callable[[StreamEvent], None] | None = None,
        on_accepted: Callable[[str, str | None], Awaitable[None] | None] | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        self.conversation = conversation
        self.request = request
        self.on_event = on_event
        self.on_accepted = on_accepted
        self.recorder = recorder
        self.stream: EventStream | None = None  # owns the run id and the cancel request
        self.thread_id = request.thread_id
        self._pending_cancel: str | None = None  # asked before there was a stream to tell

    @property
    def run_id(self) -> str | None:
        return self.stream.run_id if self.stream is not None else None

    # What a live turn asks the server, and a replay its recording (ClientError: nothing known).

    async def _thread_error(self) -> Any:
        raise NotImplementedError

    async def _final_state(self) -> ThreadState:
        raise NotImplementedError

    async def _send_cancel(self) -> None:
        raise NotImplementedError

    def _sent(self) -> dict[str, Any] | None:
        """What the run was created with, as a recording keeps it: its input or command, never its
        config or context (which may carry secrets)."""
        request = self.request
        if request.is_resume:
            return {"command": {"resume": request.resume}}
        if request.no_input:
            return None
        if request.input is not None:
            return {"input": request.input}
        text = request.text or ""
        return {"input": {"messages": [{"role": "user", "content": text, "id": request.message_id}]}}

    async def _consume(self, stream: EventStream) -> TurnResult:
        # (Imported here: the app imports this module before its first frame, the typed
        # events, and pydantic with them, only when it first streams.)
        from chat_tui.client.events import StreamEnd

        conversation = self.conversation
        if conversation.run is not None:
            conversation.run.run_id = stream.run_id
        if self._pending_cancel is not None:
            stream.request_cancel(self._pending_cancel)
        if stream.cancel_requested:  # cancel pressed before the run id was known
            await self._send_cancel()
        if self.on_accepted is not None:  # (a cancel from now on is sent at once)
            pending = self.on_accepted(self.thread_id or "", stream.run_id)
            if pending is not None:
                await pending
        tap = None
        if self.recorder is not None:
            assistant = conversation.run.assistant_id if conversation.run else self.request.assistant_id
            tap = self.recorder.begin(self.thread_id, stream.run_id, assistant, self._sent())
        error: ClientError | None = None
        end: StreamEnd | None = None
        events = conversation.events  # (the event inspector's log: a reference per event, O(1))
        events.begin_run(conversation.run.started_at if conversation.run is not None else None)
        try:
            async for event in stream:
                raw = getattr(event, "raw", None)
                if raw is not None:
                    events.append(raw)
                conversation.apply(event)
                if tap is not None:
                    tap.event(event)
                if self.on_event is not None:
                    self.on_event(event)
                if isinstance(event, StreamEnd):
                    end = event
        except ClientError as exc:
            error = exc
        except BaseException:
            if tap is not None:  # (the task was cancelled: the recording keeps what came, with no end)
                tap.cut()
            raise
        finally:
            await stream.aclose()
        if end is None:
            conversation.finish_run(StreamEnd(None, cancelled=stream.cancel_requested))
        state, thread_error = await self._settle()
        if tap is not None:
            tap.finish(end, error, cancelled=stream.cancel_requested, state=state, thread_error=thread_error)
        outcome = conversation.run.outcome if conversation.run else RunOutcome.UNKNOWN
        return TurnResult(self.thread_id, stream.run_id, outcome, error, stream.reconnects)

    async def _settle(self) -> tuple[ThreadState | None, tuple[Any] | None]:
        """Bring the conversation in line with the server after the stream ended; returns what was
        read: the state, and the thread's error (in a tuple: it may be None) when it was needed."""
        conversation = self.conversation
        run = conversation.run
        if self.thread_id is None:
            return None, None
        thread_error: tuple[Any] | None = None
        try:
            if (
                run is not None
                and run.outcome is RunOutcome.ERROR
                and not any(isinstance(e, ErrorEntry) and e.run_id == run.run_id for e in conversation.entries)
            ):
                thread_error = (await self._thread_error(),)
                conversation.add_thread_error(thread_error[0])
            state = await self._final_state()
        except ClientError:
            return None, thread_error  # the view keeps what streamed; it is reconciled next time the thread opens
        conversation.reconcile(state)
        if run is not None and run.outcome is RunOutcome.UNKNOWN:
            run.outcome = RunOutcome.INTERRUPTED if conversation.pending_interrupts else RunOutcome.UNKNOWN
        return state, thread_error

    async def cancel(self, action: str = "interrupt") -> None:
        """Cancel the run on the server (not only locally); the stream then just ends.

        Raises :class:`ClientError` when the server refused (e.g. a server without ``rollback``
        answers 422): the run goes on, and its stream is followed (and rejoined) as before.
        """
        stream = self.stream
        if stream is None:
            self._pending_cancel = action
            return
        before = stream.cancel_action
        stream.request_cancel(action)
        if stream.run_id is not None:
            try:
                await self._send_cancel()
            except ClientError:
                stream.cancel_action = before
                raise


class Turn(TurnBase):
    """Runs one :class:`TurnRequest` into a :class:`Conversation`, against the server."""

    def __init__(
        self,
        client: LangGraphClient,
        conversation: Conversation,
        request: TurnRequest,
        *,
        on_event: Callable[[StreamEvent], None] | None = None,
        on_accepted: Callable[[str, str | None], Awaitable[None] | None] | None = None,
        idle_timeout: float | None = None,
        recorder: Recorder | None = None,
    ) -> None:
        super().__init__(conversation, request, on_event=on_event, on_accepted=on_accepted, recorder=recorder)
        self.client = client
        self.idle_timeout = idle_timeout

    async def run(self) -> TurnResult:
        """Send and stream to the end. Raises :class:`SendFailed` if the run never started."""
        request = self.request
        conversation = self.conversation
        human = None
        try:
            kwargs: dict[str, Any] = {}
            if self.thread_id is None:
                # The run creates the thread, so a rejected first message leaves no empty thread.
                self.thread_id = str(uuid.uuid4())
                kwargs["if_not_exists"] = "create"
            conversation.thread_id = self.thread_id
            if request.is_resume:
                kwargs["command"] = {"resume": request.resume}
            elif request.no_input:
                pass
            elif request.input is not None:
                kwargs["input"] = request.input
            else:
                content = request.text or ""
                kwargs["input"] = {"messages": [{"role": "user", "content": content, "id": request.message_id}]}
                human = conversation.add_human(content, request.message_id)
            conversation.begin_run(request.assistant_id, human)
            stream = self.client.runs.stream(
                self.thread_id,
                request.assistant_id,
                config=request.config,
                context=request.context,
                stream_mode=request.stream_mode,
                stream_subgraphs=request.stream_subgraphs,
                multitask_strategy=request.multitask_strategy,
                checkpoint_id=request.checkpoint_id,
                **kwargs,
                **self._stream_options(),
            )
            self.stream = stream
            await stream.__aenter__()
        except ClientError as exc:
            run_id = await self._accepted_anyway(exc) if human is not None else None
            if run_id is not None:  # the server has the message: follow its run, never send it twice
                return await self._follow(run_id)
            if human is not None:
                conversation.remove(human)
            if kwargs.get("if_not_exists"):
                self.thread_id = conversation.thread_id = request.thread_id  # nothing was created
            if conversation.run is not None:
                conversation.run.outcome = RunOutcome.ERROR
            self.stream = None
            raise SendFailed(exc, self.thread_id) from None
        # Accepted: from here on the prompt is never sent again.
        if request.is_resume:
            conversation.resolve_interrupts(request.resume)
        return await self._consume(stream)

    async def attach(self, run_id: str) -> TurnResult:
        """Join a run that is already going (started elsewhere, or before a restart).

        The conversation holds the thread's stored history; the run is replayed from its first
        event (``Last-Event-ID: -``) and what the history already holds is skipped.
        """
        conversation = self.conversation
        if self.thread_id is None:
            raise ValueError("attach needs a thread id")
        conversation.thread_id = self.thread_id
        conversation.begin_run(self.request.assistant_id, attaching=True)
        if conversation.run is not None:
            conversation.run.run_id = run_id
        stream = self.client.runs.join_stream(self.thread_id, run_id, last_event_id="-", **self._stream_options())
        self.stream = stream
        try:
            await stream.__aenter__()
        except ClientError as exc:
            if conversation.run is not None:
                conversation.run.outcome = RunOutcome.UNKNOWN
            self.stream = None
            raise SendFailed(exc, self.thread_id) from None
        return await self._consume(stream)

    async def _accepted_anyway(self, exc: ClientError) -> str | None:
        """The run the server created although sending failed, if any.

        A timeout, or a connection closed before the answer came, can happen after the server
        accepted the run: sending the message again would start a second run. The thread's
        newest runs are asked for one created with this message (by its id).
        """
        message_id = self.request.message_id
        if not isinstance(exc, ConnectError | RequestTimeout) or self.thread_id is None:
            return None
        try:
            runs = await self.client.runs.list(self.thread_id, limit=5)
        except ClientError:  # (unreachable, or no such thread: nothing was created)
            return None
        for run in runs:
            payload = run.created_with.get("input")
            messages = payload.get("messages") if isinstance(payload, dict) else None
            if isinstance(messages, list) and any(isinstance(m, dict) and m.get("id") == message_id for m in messages):
                return run.run_id
        return None

    async def _follow(self, run_id: str) -> TurnResult:
        """Stream the run the server accepted from its first event (the message is already shown)."""
        conversation = self.conversation
        if conversation.run is not None:
            conversation.run.run_id = run_id
        stream = self.client.runs.join_stream(self.thread_id or "", run_id, last_event_id="-", **self._stream_options())
        self.stream = stream
        try:
            await stream.__aenter__()
        except ClientError as exc:  # accepted, but not followable now: what it did shows when the thread reopens
            self.stream = None
            if conversation.run is not None:
                conversation.run.outcome = RunOutcome.UNKNOWN
            return TurnResult(self.thread_id, run_id, RunOutcome.UNKNOWN, exc, 0)
        return await self._consume(stream)

    def _stream_options(self) -> dict[str, Any]:
        return {} if self.idle_timeout is None else {"idle_timeout": self.idle_timeout}

    async def _thread_error(self) -> Any:
        thread_id = self.thread_id or ""
        return (await self.client.threads.get(thread_id)).error

    async def _final_state(self) -> ThreadState:
        return await self.client.threads.get_state(self.thread_id or "")

    async def _send_cancel(self) -> None:
        stream = self.stream
        if stream is None or stream.run_id is None or self.thread_id is None:
            return
        action = stream.cancel_action or "interrupt"
        # A rollback waits until the server has erased the run: a run sent right after one still
        # being cancelled raced it (the erased run was left "interrupted", with its checkpoints).
        await self.client.runs.cancel(self.thread_id, stream.run_id, action=action, wait=action == "rollback")
