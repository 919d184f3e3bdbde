"""What one turn did, as the assertions see it: built from the conversation the turn fed (the same
state the app shows) and the ``updates`` events of its run (which nodes ran)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from chat_tui.client.events import Updates
from chat_tui.conversation import ErrorEntry, RunOutcome
from chat_tui.headless_answers import interrupt_json
from chat_tui.sanitize import clean

if TYPE_CHECKING:
    from chat_tui.client.events import StreamEvent
    from chat_tui.conversation import Conversation
    from chat_tui.conversation.entries import ToolCallEntry
    from chat_tui.conversation.interrupts import Decision

__all__ = ["NodeTrail", "ToolCallSeen", "TurnObservation", "decided_calls", "observe", "status_of"]

STATUS = {
    RunOutcome.SUCCESS: "success",
    RunOutcome.INTERRUPTED: "interrupted",
    RunOutcome.ERROR: "error",
    RunOutcome.CANCELLED: "cancelled",
    RunOutcome.STOPPED: "cancelled",
}
INTERRUPT_KEY = "__interrupt__"


def status_of(outcome: RunOutcome | None) -> str:
    """The status an expectation names; an outcome nobody could learn counts as an error."""
    return STATUS.get(outcome or RunOutcome.UNKNOWN, "error")


class NodeTrail:
    """Collects the nodes that ran from a run's ``updates`` events (subgraph nodes as ``parent:node``),
    and beside each node the names of the tool calls its update's AI messages asked for.

    *known* holds the call ids already seen in the run's earlier turns (shared across them): a
    node may write an AI message again (a subgraph's output, a middleware after a resume), and a
    call counts only where it was first asked for.
    """

    def __init__(self, known: set[str] | None = None) -> None:
        self.nodes: list[str] = []
        self.calls: list[list[str]] = []  # aligned with nodes
        self.known = known if known is not None else set()

    def __call__(self, event: StreamEvent) -> None:
        if not isinstance(event, Updates):
            return
        prefix = ":".join(part.split(":", 1)[0] for part in event.namespace)
        for key, update in event.data.items():
            if key != INTERRUPT_KEY:
                self.nodes.append(f"{prefix}:{key}" if prefix else str(key))
                self.calls.append(self._new_calls(update))

    def _new_calls(self, update: Any) -> list[str]:
        messages = update.get("messages") if isinstance(update, dict) else None
        names: list[str] = []
        for message in messages if isinstance(messages, list) else []:
            calls = message.get("tool_calls") if isinstance(message, dict) else None
            for call in calls if isinstance(calls, list) else []:
                if not isinstance(call, dict) or not isinstance(call.get("name"), str):
                    continue
                call_id = call.get("id")
                if isinstance(call_id, str):
                    if call_id in self.known:
                        continue
                    self.known.add(call_id)
                names.append(clean(call["name"]))
        return names


@dataclass(slots=True)
class ToolCallSeen:
    name: str
    args: Any
    id: str | None = None
    node: str | None = None
    group: int = 0  # the AI message that made it
    result_status: str | None = None  # success | error; None: no result (not run, or gated)
    result_text: str | None = None


@dataclass(slots=True)
class TurnObservation:
    index: int
    kind: str
    sent: str  # what the turn sent, on one line
    request: dict[str, Any] | None = None  # the run's input or command exactly as sent (answers keyed by id)
    status: str = "error"
    thread_id: str | None = None
    run_id: str | None = None
    latency_ms: float = 0.0
    ttft_ms: float | None = None
    usage: dict[str, int] = field(default_factory=lambda: {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0})
    nodes: list[str] = field(default_factory=list)
    node_calls: list[list[str]] = field(default_factory=list)  # beside each node: the tool calls it asked for
    tool_calls: list[ToolCallSeen] = field(default_factory=list)
    interrupts: list[dict[str, Any]] = field(default_factory=list)
    final_text: str | None = None
    state: Any = None  # the thread's values after the turn (read only when an expectation needs them)
    problem: str | None = None  # the run's error, or what kept the turn from running

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def decided_calls(conversation: Conversation) -> dict[str, Decision]:
    """The decision chosen for each gated call, by call id: read before the answer is sent, while
    the calls still know their gate. (The stored call keeps its first arguments after an edit.)"""
    decided: dict[str, Decision] = {}
    for message in conversation.run_messages():
        for call in message.tool_calls:
            if call.gate is None or call.id is None:
                continue
            entry, position = call.gate
            chosen = entry.decisions[position] if position < len(entry.decisions) else None
            if chosen is not None:
                decided[call.id] = chosen
    return decided


def _seen(call: ToolCallEntry, node: str | None, group: int, decision: Decision | None = None) -> ToolCallSeen:
    result = call.result
    args = call.args if call.args_valid else call.args_text
    if decision is not None and decision.type == "edit" and decision.args is not None:
        args = dict(decision.args)  # what ran
    return ToolCallSeen(
        name=call.name,
        args=args,
        id=call.id,
        node=node,
        group=group,
        result_status=(result.tool_status or "success") if result is not None else None,
        result_text=result.text if result is not None else None,
    )


def observe(
    observation: TurnObservation,
    conversation: Conversation,
    run_id: str | None,
    outcome: RunOutcome | None,
    decided: dict[str, Decision] | None = None,
) -> TurnObservation:
    """Fill *observation* from what *conversation* holds of the run *run_id*.

    The turn's tool calls are the calls its model made, then the calls made earlier that ran in it
    (gated calls approved or edited by this turn's answer: their results arrived in this run);
    calls the answer declined (reject, respond) did not run.
    """

    observation.run_id = run_id
    observation.thread_id = conversation.thread_id
    observation.status = status_of(outcome)
    run = conversation.run
    if run is not None and run.time_to_first_token is not None:
        observation.ttft_ms = round(run.time_to_first_token * 1000, 1)
    decided = decided or {}
    everything = conversation.run_messages()
    carried = [
        _seen(call, message.node, message.seq, decided.get(call.id or ""))
        for message in everything
        if message.role == "ai" and message.run_id != run_id
        for call in message.tool_calls
        if call.result is not None
        and call.result.run_id == run_id
        and getattr(decided.get(call.id or ""), "type", None) not in ("reject", "respond")
    ]
    observation.tool_calls.extend(carried)
    for message in everything:
        if message.role != "ai" or message.run_id != run_id or run_id is None:
            continue
        for key in observation.usage:
            observation.usage[key] += getattr(message.usage, key)
        observation.final_text = message.text
        observation.tool_calls.extend(_seen(call, message.node, message.seq) for call in message.tool_calls)
    observation.interrupts = [interrupt_json(entry) for entry in conversation.pending_interrupts]
    errors = [e for e in conversation.entries if isinstance(e, ErrorEntry) and e.run_id == run_id]
    if errors and observation.status == "error":
        last = errors[-1]
        observation.problem = clean(f"{last.error}: {last.message}" if last.message else last.error)
    return observation
