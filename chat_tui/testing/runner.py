"""Running scenarios: each run a new thread, its turns in order, ``-j`` runs at a time over one client.

A run's thread carries ``{"chat_tui_test": {"suite", "file", "scenario", "run"}}`` in its metadata,
so it can be found and opened in the app. Turns go through :meth:`ChatService.send`, the app's own
send path (with its retries, rejoins and the reconciliation with the stored state), with back-off
on 429/503 and the turn's timeout around it (:mod:`.sending`). A turn still going after
``turn_timeout`` is cancelled on the server and the run is an error. After a turn whose status is
not the expected one the run stops: what follows depends on it. Never a false green: a turn whose
run failed (or could not complete) where the turn did not expect ``status: error`` makes the run an
error (``E``), not a failed check; the server's or the network's fault when the run's end could
not be learned, the agent's when the server said the run failed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from chat_tui.client.errors import BadRequest, ClientError, Conflict, NotFound, Unprocessable
from chat_tui.conversation import RunOutcome
from chat_tui.conversation.state import Conversation
from chat_tui.headless_answers import Refused, interrupt_json
from chat_tui.testing.answers import turn_outgoing
from chat_tui.testing.checks import CheckResult, check_turn, needs_state
from chat_tui.testing.loader import Selected
from chat_tui.testing.observe import NodeTrail, TurnObservation, decided_calls, observe
from chat_tui.testing.results import RunResult, ScenarioResult
from chat_tui.testing.sending import CANCEL_GRACE, create_thread, send_turn
from chat_tui.testing.tags import METADATA_KEY

if TYPE_CHECKING:
    from chat_tui.service.chat import ChatService

__all__ = ["METADATA_KEY", "Runner", "is_infrastructure"]

OnRun = Callable[[RunResult], None]


def is_infrastructure(error: BaseException | None) -> bool:
    """The server or the network is to blame (not the scenario: a 4xx about what it sent)."""
    return not isinstance(error, BadRequest | Unprocessable | NotFound | Conflict)


class Runner:
    """Runs selected scenarios on one :class:`ChatService` (one HTTP client for every run)."""

    def __init__(self, service: ChatService, *, concurrency: int = 4, on_run: OnRun | None = None) -> None:
        self.service = service
        self.concurrency = max(1, concurrency)
        self.on_run = on_run

    async def run(self, selected: Sequence[Selected]) -> list[ScenarioResult]:
        """Every run of every scenario; results in the order of the scenarios, not of completion."""
        gate = asyncio.Semaphore(self.concurrency)
        results = {(n, i): RunResult(s, i) for n, s in enumerate(selected) for i in range(s.repeat)}

        async def one(key: tuple[int, int]) -> None:
            async with gate:
                result = results[key]
                started = time.monotonic()
                try:
                    await self._run(result)
                except ClientError as exc:  # (a failure outside a turn: creating the thread, reading state)
                    result.error, result.infrastructure = str(exc), is_infrastructure(exc)
                if result.error is None and not result.checks:  # (never a pass with nothing checked)
                    result.error = "no turn reached a verdict"
                result.duration_ms = (time.monotonic() - started) * 1000
                if self.on_run is not None:
                    self.on_run(result)

        await asyncio.gather(*(one(key) for key in results))
        return [ScenarioResult(s, [results[(n, i)] for i in range(s.repeat)]) for n, s in enumerate(selected)]

    async def _run(self, result: RunResult) -> None:
        selected = result.scenario
        client = self.service.client
        metadata = {
            METADATA_KEY: {
                "suite": selected.file.name,
                "file": str(selected.file.path),
                "scenario": selected.id,
                "run": result.index,
            },
            "title": f"test: {selected.id} #{result.index + 1}",  # (the sidebar names it without a lookup)
        }
        thread = await create_thread(client, metadata)
        result.thread_id = thread.thread_id
        conversation = Conversation(thread.thread_id)
        turns = selected.scenario.turns
        known_calls: set[str] = set()  # the run's tool call ids seen so far (a path names each once)
        for n, turn in enumerate(turns):
            seen = TurnObservation(n, turn.kind, turn.describe(), thread_id=thread.thread_id)
            result.turns.append(seen)
            try:
                outgoing = turn_outgoing(
                    self.service,
                    conversation,
                    turn,
                    assistant=selected.assistant,
                    config=selected.config,
                    context=selected.context,
                )
            except Refused as exc:  # nothing pending to answer, or an answer that does not fit: nothing sent
                seen.problem = f"{exc}; nothing was sent"
                seen.interrupts = [interrupt_json(entry) for entry in conversation.pending_interrupts]
                answer = CheckResult("answer", False, seen.problem, expected=turn.describe(), actual=seen.interrupts)
                answer.turn = n
                result.checks.append(answer)
                return
            request = outgoing.request
            if request.is_resume:
                seen.request = {"command": {"resume": request.resume}}
            else:
                message = {"role": "user", "content": request.text, "id": request.message_id}
                seen.request = {"input": request.input if request.input is not None else {"messages": [message]}}
            decided = decided_calls(conversation)
            trail = NodeTrail(known_calls)
            started = time.monotonic()
            known = {t.run_id for t in result.turns if t.run_id}
            sending = await send_turn(
                self.service, outgoing, seconds=selected.turn_timeout, known_runs=known, on_event=trail
            )
            seen.latency_ms = round((time.monotonic() - started) * 1000, 1)
            sent = sending.outcome
            if sent is None:
                seen.run_id = next(iter(sending.cancelled_runs), None)
                if sending.accepted:
                    result.error = f"turn {n + 1} did not end {CANCEL_GRACE:g} s after it was cancelled"
                    return
                refused = f" (the server answered: {sending.refusals[-1]})" if sending.refusals else ""
                result.error = (
                    f"turn {n + 1}: no run started within turn_timeout ({selected.turn_timeout:g} s){refused}"
                )
                result.infrastructure = True  # the server did not start the run in time: not the agent's doing
                return
            if not sent.sent:
                result.error = f"turn {n + 1} was not accepted: {sent.problem or 'the server refused it'}"
                result.infrastructure = is_infrastructure(sent.error)
                seen.problem = sent.problem
                return
            observe(seen, conversation, sent.run_id, sent.outcome, decided)
            seen.nodes, seen.node_calls = trail.nodes, trail.calls
            if sending.timed_out:
                result.error = (
                    f"turn {n + 1} ran past turn_timeout ({selected.turn_timeout:g} s): cancelled on the server"
                )
                return
            if sent.problem and seen.status == "error" and not seen.problem:
                seen.problem = sent.problem
            if needs_state(turn.expect):
                state = await client.threads.get_state(thread.thread_id)
                seen.state = state.values
            next_answers = n + 1 < len(turns) and turns[n + 1].answers
            checks = check_turn(turn.expect, seen, next_answers=next_answers)
            result.checks.extend(checks)
            status = checks[0]
            if not status.passed:
                if seen.status == "error":  # the run failed where the turn expected it not to
                    failed = sent.outcome is RunOutcome.ERROR  # (the server said so; else its end is unknown)
                    what = "errored" if failed else "could not complete"
                    cause = f": {seen.problem}" if seen.problem else ""
                    result.error = f"turn {n + 1} {what} (expected {status.expected}){cause}"
                    result.infrastructure = not failed
                return  # the status was not the expected one: the turns after it would test something else
