"""The chat use cases for one server, shared by every front end.

Open a thread, send a message or an answer, follow a run that is already going, cancel.
The chat screen, ``chat-tui stream`` and the test runner call these and map what they
return (:mod:`.outcomes`) to widgets, printed lines or verdicts; nothing here knows about
Textual. The stores (drafts, prompt history, run configuration per thread, runs in flight)
are written here and only here, so "what happens when the server accepts a run" is
answered by reading :meth:`ChatService.send`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chat_tui.client.errors import ClientError, Conflict, NotFound
from chat_tui.conversation.interrupts import InterruptKind
from chat_tui.conversation.run import RunInfo, RunOutcome
from chat_tui.run_config import RunConfig
from chat_tui.service.approvals import Approvals
from chat_tui.service.drafts import Drafts
from chat_tui.service.outcomes import (
    Accepted,
    AskBusy,
    AttachOutcome,
    BusyChoice,
    LiveTurn,
    OpenedThread,
    Outgoing,
    SendOutcome,
)
from chat_tui.service.threads import ThreadActions
from chat_tui.service.timetravel import TimeTravel
from chat_tui.service.turn import SendFailed, Turn, TurnRequest

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient
    from chat_tui.client.events import StreamEvent
    from chat_tui.connection import Connection
    from chat_tui.conversation import Conversation
    from chat_tui.conversation.event_log import EventLog
    from chat_tui.service.recording import Recorder
    from chat_tui.settings.userdata import UserData

__all__ = ["ChatService", "parse_answer"]

# After a rollback, how often (and how far apart) the server is asked whether the run is gone.
ROLLBACK_CHECKS = 20
ROLLBACK_CHECK_INTERVAL = 0.1

EVENT_LOGS_KEPT = 8  # threads whose streamed events are remembered (each log is bounded)
OnAccepted = Callable[[Accepted], None]
OnEvent = Callable[["StreamEvent"], None]


def parse_answer(text: str) -> Any:
    """An interrupt answer typed as text: JSON when it parses, else the text (``yes`` stays ``"yes"``)."""
    stripped = text.strip()
    try:
        return json.loads(stripped)
    except ValueError:
        return stripped


class ChatService(Approvals, ThreadActions, TimeTravel):
    """One connected server: the client, the assistant new runs use, and the runs in flight.

    ``userdata`` is None for front ends that remember nothing between runs (``chat-tui stream``,
    the test runner): then no draft, prompt or run configuration is stored.
    """

    def __init__(
        self,
        connection: Connection,
        client: LangGraphClient,
        userdata: UserData | None = None,
        *,
        assistant_id: str = "agent",
        config: dict[str, Any] | None = None,
        context: dict[str, Any] | None = None,
        stream_subgraphs: bool = False,
        stream_tasks: bool = False,
    ) -> None:
        self.connection = connection
        self.client = client
        self.userdata = userdata
        self.assistant_id = assistant_id
        self.config = config
        self.context = context
        self.stream_subgraphs = stream_subgraphs
        self.stream_tasks = stream_tasks
        self.graph_open = False
        self.live: dict[str, LiveTurn] = {}  # thread id -> its streaming turn
        # A thread continues with the assistant that made it (the server keeps it in the thread's
        # metadata); the chosen assistant_id is for new threads, or for a thread switched explicitly.
        self.thread_assistants: dict[str, str] = {}
        self.assistant_names: dict[str, str] = {}  # assistant id -> its graph (what the status line shows)
        self.drafts = Drafts(userdata, self.data_key) if userdata is not None else None
        self.recorder: Recorder | None = None  # records the runs of this service's turns (``--record``)
        # The event inspector's logs of the threads that streamed here, newest last (a thread
        # opened again gets its log back); each is bounded, and only the last few are kept.
        self.event_logs: dict[str, EventLog] = {}

    @property
    def data_key(self) -> str:
        """Scopes what is remembered for this server; never holds credentials."""
        return self.connection.data_key

    @property
    def host(self) -> str:
        return self.connection.host

    async def aclose(self) -> None:
        await self.client.aclose()

    # -- sending ----------------------------------------------------------------------------------

    def prepare(self, conversation: Conversation, text: str, run_config: RunConfig | None = None) -> Outgoing:
        """What typing *text* into *conversation* sends: the answer to a pending interrupt that takes a
        value (by its id), else a new message (``drops_interrupts`` says when one would drop a pending
        approval: the front end asks first; the server would drop it silently).

        Call it when the user submits (before clearing the composer): from then on the text is
        kept as the draft of the composer's thread until the server has it.
        """
        pending = conversation.pending_interrupts
        asks_value = next((entry for entry in pending if entry.kind is InterruptKind.VALUE), None)
        if asks_value is not None:
            outgoing = self.answer(conversation, asks_value, parse_answer(text), run_config)
        else:
            outgoing = Outgoing(conversation, self.request(conversation, run_config), run_config=run_config)
            outgoing.request.text = text
            outgoing.drops_interrupts = len(pending)
        outgoing.text = text
        if self.drafts is not None:
            outgoing.draft_key = self.drafts.key
            self.drafts.sending(outgoing.draft_key, text)  # on disk until the server accepted it
        return outgoing

    def withdraw(self, outgoing: Outgoing, composer_text: str | None) -> str | None:
        """The user chose not to send after all: the text goes back (or into the stored draft)."""
        if self.drafts is None:
            return None
        return self.drafts.failed(outgoing.draft_key, outgoing.text, composer_text)

    async def send(
        self,
        outgoing: Outgoing,
        *,
        ask_busy: AskBusy | None = None,
        composer_text: Callable[[], str | None] = lambda: None,
        on_accepted: OnAccepted | None = None,
        on_event: OnEvent | None = None,
    ) -> SendOutcome:
        """Send and stream the run to its end.

        *composer_text* tells what the composer shows for this conversation now (None when it
        shows another one), so an unsent message goes back to an empty composer and is
        otherwise merged into the stored draft. *ask_busy* answers "the thread is running a
        task"; without it a busy thread is a failure.
        """
        conversation, request, text, run_config = (
            outgoing.conversation,
            outgoing.request,
            outgoing.text,
            outgoing.run_config,
        )
        drafts = self.drafts
        draft_key = outgoing.draft_key
        new_thread = request.thread_id is None

        def not_sent(problem: str | None, *, declined: bool = False, error: ClientError | None = None) -> SendOutcome:
            restored = drafts.failed(draft_key, text, composer_text()) if drafts is not None else None
            return SendOutcome(
                False, request.thread_id, restored_text=restored, problem=problem, declined=declined, error=error
            )

        running = self.live.get(request.thread_id) if request.thread_id else None
        if running is not None:  # our own run (or one we follow) is streaming in this thread
            choice = await ask_busy(True) if ask_busy is not None else None
            if choice is None:
                return not_sent(None if ask_busy else "the thread is still running", declined=ask_busy is not None)
            doomed = running.conversation.run
            if choice is not BusyChoice.ENQUEUE:
                try:
                    await running.turn.cancel(choice)
                except ClientError as exc:  # the running run goes on; this message stays unsent
                    verb = "roll back" if choice is BusyChoice.ROLLBACK else "interrupt"
                    return not_sent(f"could not {verb} the running run: {exc}", error=exc)
            await running.done.wait()  # one turn at a time feeds a conversation
            if choice is BusyChoice.ROLLBACK and doomed is not None:
                await self._forget_rolled_back(running.conversation, doomed)
            # The same strategy on the new run: a cancel the server has not finished yet is not a 409.
            request.multitask_strategy = choice

        async def accepted(thread_id: str, run_id: str | None) -> None:
            self.live[thread_id] = live
            self.keep_events(thread_id, conversation)
            self.thread_assistants[thread_id] = request.assistant_id
            if drafts is not None:
                drafts.accepted(draft_key, thread_id)
            if self.userdata is not None:
                if not request.is_resume:
                    self.userdata.add_prompt(self.data_key, text)
                if run_config is not None:
                    self.userdata.set_run_config(self.data_key, thread_id, run_config.to_json())
                if run_id:
                    self.userdata.set_active_run(self.data_key, thread_id, run_id)
            if on_accepted is not None:
                first = request.text or "" if new_thread else ""
                on_accepted(Accepted(thread_id, run_id, new_thread, first))

        turn = Turn(self.client, conversation, request, on_event=on_event, on_accepted=accepted, recorder=self.recorder)
        live = LiveTurn(conversation, turn)
        try:
            while True:
                try:
                    result = await turn.run()
                    break
                except SendFailed as failed:
                    busy = isinstance(failed.error, Conflict) and request.multitask_strategy == "reject"
                    choice = await ask_busy(False) if busy and ask_busy is not None else None
                    if choice is None:
                        declined = busy and ask_busy is not None
                        problem = None if declined else str(failed.error)
                        return not_sent(problem, declined=declined, error=failed.error)
                    request.multitask_strategy = choice  # the 409 created nothing: sending again is safe
                    turn = Turn(
                        self.client,
                        conversation,
                        request,
                        on_event=on_event,
                        on_accepted=accepted,
                        recorder=self.recorder,
                    )
                    live.turn = turn
        finally:
            if turn.thread_id:
                self.live.pop(turn.thread_id, None)
            live.done.set()
        if result.thread_id and self.userdata is not None:
            self.userdata.set_active_run(self.data_key, result.thread_id, None)
        if result.run_id is not None:
            conversation.branch_head = None  # the run's branch is now the server's newest
        self._keep_partial(conversation, result.run_id, result.outcome)
        outcome = SendOutcome(True, result.thread_id, result.run_id, result.outcome)
        if result.error is not None:
            outcome.problem = str(result.error)
        if new_thread and result.thread_id and request.text:
            outcome.titled = await self.title_thread(result.thread_id, request.text)
        return outcome

    # -- following and cancelling ---------------------------------------------------------------

    async def attach(
        self, conversation: Conversation, run_id: str, *, on_event: OnEvent | None = None
    ) -> AttachOutcome:
        """Follow a run that is already going, live, as if this app had started it."""
        thread_id = conversation.thread_id
        if thread_id is None or thread_id in self.live:
            return AttachOutcome(False)
        request = TurnRequest(self.assistant_for(thread_id), thread_id)
        turn = Turn(self.client, conversation, request, on_event=on_event, recorder=self.recorder)
        live = LiveTurn(conversation, turn)
        self.live[thread_id] = live
        self.keep_events(thread_id, conversation)
        if self.userdata is not None:
            self.userdata.set_active_run(self.data_key, thread_id, run_id)
        try:
            result = await turn.attach(run_id)
        except SendFailed as failed:
            return AttachOutcome(False, problem=str(failed.error))
        finally:
            self.live.pop(thread_id, None)
            live.done.set()
            if self.userdata is not None:
                self.userdata.set_active_run(self.data_key, thread_id, None)
        self._keep_partial(conversation, result.run_id, result.outcome)
        problem = str(result.error) if result.error is not None else None
        return AttachOutcome(True, result.outcome, problem)

    async def _forget_rolled_back(self, conversation: Conversation, run: RunInfo) -> None:
        """The server erased a rolled-back run's turn: so does the view, once the thread's state
        says so (langgraph-api 0.16.7 erases the input from the state before, or without, deleting
        the run; it has also been seen to keep both, the run "interrupted")."""
        thread_id = conversation.thread_id
        said = run.input_message.id if run.input_message is not None else None
        if run.run_id is None or thread_id is None or said is None:
            return
        for _ in range(ROLLBACK_CHECKS):  # (the server erases it just after the cancel returned)
            try:
                state = await self.client.threads.get_state(thread_id)
            except ClientError:
                return  # (unknown: the view keeps it; reopening the thread shows what the server has)
            if not any(isinstance(m, dict) and m.get("id") == said for m in state.messages):
                conversation.drop_run(run)
                if self.userdata is not None:
                    self.userdata.forget_unsaved_answer(self.data_key, thread_id, run.run_id)
                return
            await asyncio.sleep(ROLLBACK_CHECK_INTERVAL)

    def _keep_partial(self, conversation: Conversation, run_id: str | None, outcome: RunOutcome) -> None:
        if outcome in (RunOutcome.CANCELLED, RunOutcome.ERROR, RunOutcome.STOPPED):
            self.keep_unsaved(conversation, run_id, failed=outcome is RunOutcome.ERROR)

    def keep_events(self, thread_id: str, conversation: Conversation, *, adopt: bool = False) -> None:
        """Remember *conversation*'s event log as *thread_id*'s; with *adopt*, a log remembered
        before becomes the conversation's (a thread opened again shows its runs' events)."""
        logs = self.event_logs
        known = logs.pop(thread_id, None)
        if adopt and known is not None:
            conversation.events = known
        logs[thread_id] = conversation.events
        while len(logs) > EVENT_LOGS_KEPT:
            del logs[next(iter(logs))]

    def is_live(self, thread_id: str | None) -> bool:
        return thread_id is not None and thread_id in self.live

    async def cancel(self, thread_id: str | None, action: str = "interrupt") -> bool:
        """Cancel the run streaming in *thread_id* on the server. False when nothing streams there.

        Raises :class:`ClientError` when the server refused the cancel.
        """
        live = self.live.get(thread_id) if thread_id else None
        if live is None:
            return False
        await live.turn.cancel(action)
        return True

    async def running_run(self, thread_id: str, *, busy: bool) -> str | None:
        """The run going on in *thread_id*: the one this app was streaming, or one the server lists.

        Raises :class:`ClientError` when the server could not say (a remembered run that is gone,
        404, is no error: it is forgotten).
        """
        userdata = self.userdata
        hint = userdata.active_run(self.data_key, thread_id) if userdata is not None else None
        try:
            if hint is not None:
                run = await self.client.runs.get(thread_id, hint)
                if run.status in ("pending", "running"):
                    return hint
                self._forget_run(thread_id)
            if busy:
                for status in ("running", "pending"):
                    runs = await self.client.runs.list(thread_id, limit=1, status=status)
                    if runs:
                        return runs[0].run_id
        except NotFound:
            self._forget_run(thread_id)
        except ClientError:
            self._forget_run(thread_id)
            raise
        return None

    def _forget_run(self, thread_id: str) -> None:
        if self.userdata is not None:
            self.userdata.set_active_run(self.data_key, thread_id, None)

    def interrupted_threads(self) -> list[str]:
        """Threads whose run this app was streaming when it last stopped (to go back to)."""
        return list(self.userdata.active_runs(self.data_key)) if self.userdata is not None else []

    async def open(self, thread_id: str) -> OpenedThread:
        """A thread to show: the live one if it streams here, else its stored state, and its running run."""
        live = self.live.get(thread_id)
        if live is not None:
            return OpenedThread(live.conversation, None)
        from chat_tui.conversation.state import Conversation  # (after the first frame: pydantic)

        thread = await self.client.threads.get(thread_id)
        self.learn_thread(thread)
        state = await self.client.threads.get_state(thread_id)
        nested = self.stream_subgraphs  # (subgraphs streamed: their work shows nested, on reopening too)
        if nested and any(t.checkpoint_ns and t.state is None for t in state.tasks):  # a pending subgraph's
            with contextlib.suppress(ClientError):  # messages are in its own state only (until it ends)
                state = await self.client.threads.get_state(thread_id, subgraphs=True)
        conversation = Conversation(thread_id)
        conversation.load(state, thread, subgraphs=nested)
        self.keep_events(thread_id, conversation, adopt=True)
        opened = OpenedThread(conversation, thread, first_message=conversation.first_human_text() or "")
        try:
            opened.running_run = await self.running_run(thread_id, busy=thread.status == "busy")
        except ClientError as exc:  # the thread itself opened: show it, and say what is unknown
            opened.problem = str(exc)
        return opened
