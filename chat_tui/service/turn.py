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

from chat_tui.client.errors import ClientError
from chat_tui.client.modes import DEFAULT_STREAM_MODES
from chat_tui.conversation import ErrorEntry, RunOutcome

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient, RunStream
    from chat_tui.client.events import StreamEvent
    from chat_tui.conversation import Conversation

__all__ = ["SendFailed", "Turn", "TurnRequest", "TurnResult"]

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


class Turn:
    """Runs one :class:`TurnRequest` into a :class:`Conversation`."""

    def __init__(
        self,
        client: LangGraphClient,
        conversation: Conversation,
        request: TurnRequest,
        *,
        on_event: Callable[[StreamEvent], None] | None = None,
        on_accepted: Callable[[str, str | None], Awaitable[None] | None] | None = None,
        idle_timeout: float | None = None,
    ) -> None:
        self.client = client
        self.conversation = conversation
        self.request = request
        self.on_event = on_event
        self.on_accepted = on_accepted
        self.idle_timeout = idle_timeout
        self.stream: RunStream | None = None  # owns the run id and the cancel request
        self.thread_id = request.thread_id
        self._pending_cancel: str | None = None  # asked before there was a stream to tell

    @property
    def run_id(self) -> str | None:
        return self.stream.run_id if self.stream is not None else None

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

    def _stream_options(self) -> dict[str, Any]:
        return {} if self.idle_timeout is None else {"idle_timeout": self.idle_timeout}

    async def _consume(self, stream: RunStream) -> TurnResult:
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
        error: ClientError | None = None
        ended = False
        events = conversation.events  # (the event inspector's log: a reference per event, O(1))
        events.begin_run(conversation.run.started_at if conversation.run is not None else None)
        try:
            async for event in stream:
                raw = getattr(event, "raw", None)
                if raw is not None:
                    events.append(raw)
                conversation.apply(event)
                if self.on_event is not None:
                    self.on_event(event)
                if isinstance(event, StreamEnd):
                    ended = True
        except ClientError as exc:
            error = exc
        finally:
            await stream.aclose()
        if not ended:
            conversation.finish_run(StreamEnd(None, cancelled=stream.cancel_requested))
        await self._settle()
        outcome = conversation.run.outcome if conversation.run else RunOutcome.UNKNOWN
        return TurnResult(self.thread_id, stream.run_id, outcome, error, stream.reconnects)

    async def _settle(self) -> None:
        """Bring the conversation in line with the server after the stream ended."""
        conversation = self.conversation
        run = conversation.run
        if self.thread_id is None:
            return
        try:
            if (
                run is not None
                and run.outcome is RunOutcome.ERROR
                and not any(isinstance(e, ErrorEntry) and e.run_id == run.run_id for e in conversation.entries)
            ):
                thread = await self.client.threads.get(self.thread_id)
                conversation.add_thread_error(thread.error)
            state = await self.client.threads.get_state(self.thread_id)
        except ClientError:
            return  # the view keeps what streamed; it is reconciled next time the thread opens
        conversation.reconcile(state)
        if run is not None and run.outcome is RunOutcome.UNKNOWN:
            run.outcome = RunOutcome.INTERRUPTED if conversation.pending_interrupts else RunOutcome.UNKNOWN

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

    async def _send_cancel(self) -> None:
        stream = self.stream
        if stream is None or stream.run_id is None or self.thread_id is None:
            return
        await self.client.runs.cancel(self.thread_id, stream.run_id, action=stream.cancel_action or "interrupt")
