"""A thread's turns as a scenario, any client's thread (``chat-tui test record``, and the app's
"save this thread as a test").

:func:`read_thread` reads what happened, once: the turns come from the server's list of the
thread's runs (what each was created with: its input, or its ``command.resume``), oldest first;
what each run did comes from the thread's checkpoints (each names the run that wrote it).
:meth:`ThreadRecord.scenario` then writes the scenario with the expectations
:class:`RecordOptions` keeps (no request: the save dialog's preview follows its switches):

* ``status`` (the server calls a run that stopped at an interrupt a success: the checkpoints tell);
* ``tool_calls``: each call's name, and its arguments compared by ``args_mode`` (``subset`` by
  default; ``ignore`` writes the names only);
* ``interrupt``: how many were pending and the first one's value, without ids (for the
  approval middleware, only the names of the calls it asks about);
* ``nodes: {in_order: [...]}``: the nodes that ran, from the checkpoints (a checkpoint written by
  the loop was written by its parent's tasks), ``__start__`` and the like left out;
* ``budget``: maxima with headroom over what the run took (:func:`headroom`): the runner measures
  a turn's wall time on the client, on whatever machine runs the suite;
* the final text only as ``min_length: 1`` (a model's wording varies; a test on it would be flaky).

Answers keyed by interrupt id are rewritten, because a new thread's interrupts have new ids:
decisions become ``decide``, one answer ``resume``, several ``resume_each`` matched on the
interrupt's value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, get_args

from chat_tui.testing.matchers import MATCHER_KEYS
from chat_tui.testing.model import SCENARIO_ID, ArgsMode

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient
    from chat_tui.client.models import Run, ThreadState

__all__ = [
    "ARGS_MODES",
    "RecordOptions",
    "RecordedTurn",
    "ThreadRecord",
    "default_test_file",
    "headroom",
    "read_thread",
    "record_scenario",
    "slug",
]

PAGE = 100
STATUS = {"success": "success", "interrupted": "interrupted", "error": "error", "timeout": "error"}
ARGS_MODES: tuple[str, ...] = get_args(ArgsMode)
TEST_FOLDER = Path("tests") / "agent"  # where the app offers to save a thread's test: tests/agent/<graph>.yaml
# Budgets: twice what the recorded run took, rounded up; a turn's latency at least LATENCY_FLOOR_MS,
# since the runner measures it on the client (the request, the stream, a busy CI machine).
HEADROOM = 2.0
LATENCY_FLOOR_MS = 5000
ROUND = {"latency_ms": 1000, "total_tokens": 100, "tool_calls": 1}


def headroom(kind: str, observed: float) -> int:
    """The budget written for a figure *observed* in the recorded run (``latency_ms``,
    ``total_tokens``, ``tool_calls``): ``HEADROOM`` times it, rounded up to a whole ``ROUND``
    (1 s, 100 tokens, 1 call); a latency at least ``LATENCY_FLOOR_MS``."""
    step = ROUND[kind]
    limit = math.ceil(observed * HEADROOM / step) * step
    return max(limit, LATENCY_FLOOR_MS) if kind == "latency_ms" else int(limit)


def slug(text: str, limit: int = 40) -> str:
    """*text* as a scenario id ([A-Za-z0-9_.-]+): lower case, other characters as ``-``."""
    cut = re.sub(r"[^a-z0-9_.]+", "-", text.lower()).strip("-.")[:limit].rstrip("-.")
    return cut


def default_test_file(graph: str | None) -> Path:
    """Where a thread's test is saved unless the user says otherwise: ``tests/agent/<graph>.yaml``
    (relative to the folder the app runs in)."""
    return TEST_FOLDER / f"{slug(graph or '') or 'agent'}.yaml"


@dataclass(frozen=True, slots=True)
class RecordOptions:
    """Which expectations a recorded scenario keeps, its id and ``repeat`` (``chat-tui test
    record``'s flags; the save dialog's switches and fields)."""

    scenario_id: str | None = None  # None: from the thread's first message (ThreadRecord.default_id)
    repeat: int | None = None  # None: the file's default (1)
    tool_calls: bool = True
    args_mode: ArgsMode = "subset"
    status: bool = True
    interrupts: bool = True
    nodes: bool = False
    budgets: bool = False

    def problem(self) -> str | None:
        """Why these options cannot make a scenario (one line), or None."""
        if self.scenario_id is not None and not re.fullmatch(SCENARIO_ID.strip("^$"), self.scenario_id):
            return "a scenario id is letters, digits, _ . and - (no spaces)"
        if self.repeat is not None and not 1 <= self.repeat <= 1000:
            return "repeat is a whole number from 1 to 1000"
        if self.args_mode not in ARGS_MODES:
            return f"args mode is one of {', '.join(ARGS_MODES)}"
        return None

    @staticmethod
    def parse_repeat(text: str) -> int | None:
        """``repeat`` as typed (empty: the file's default). Raises ValueError (one line)."""
        if not text.strip():
            return None
        if not text.strip().isdigit() or not 1 <= int(text) <= 1000:
            raise ValueError("repeat is a whole number from 1 to 1000")
        return int(text)


async def _all_runs(client: LangGraphClient, thread_id: str) -> list[Run]:
    runs: list[Run] = []
    while True:
        page = await client.runs.list(thread_id, limit=PAGE, offset=len(runs))
        runs.extend(page)
        if len(page) < PAGE:
            break
    return sorted(runs, key=lambda r: r.created_at or datetime.min.replace(tzinfo=UTC))


async def _all_checkpoints(client: LangGraphClient, thread_id: str) -> list[ThreadState]:
    """Oldest first."""
    states: list[ThreadState] = []
    before = None
    while True:
        page = await client.threads.get_history(thread_id, limit=PAGE, before=before)
        states.extend(page)
        if len(page) < PAGE or page[-1].checkpoint_id is None:
            break
        before = page[-1].checkpoint_id
    return states[::-1]


def _decision(item: Any) -> Any:
    if not isinstance(item, dict):
        return None
    kind, message = item.get("type"), item.get("message")
    if kind == "approve":
        return "approve"
    if kind == "reject":
        return {"reject": message} if message else "reject"
    if kind == "respond":
        return {"respond": message or ""}
    if kind == "edit":
        action = item.get("edited_action") or {}
        return {"edit": action.get("args") or {}}
    return None


def _decisions(value: Any) -> list[Any] | None:
    """Middleware decisions ({"decisions": [...]}, or one per-call decision) as ``decide`` items."""
    items = value.get("decisions") if isinstance(value, dict) and "decisions" in value else [value]
    if not isinstance(items, list) or not items:
        return None
    decided = [_decision(item) for item in items]
    return decided if all(d is not None for d in decided) else None


def _answer_turn(resume: Any, values_by_id: dict[str, Any]) -> dict[str, Any]:
    keyed = isinstance(resume, dict) and bool(resume) and set(resume) <= set(values_by_id)
    if not keyed:
        return {"resume": resume}
    if len(resume) == 1:
        (value,) = resume.values()
        decided = _decisions(value)
        return {"decide": decided} if decided is not None else {"resume": value}
    return {
        "resume_each": [
            {"match": {"value": _without_ids(values_by_id[key])}, "value": value} for key, value in resume.items()
        ]
    }


def _input_turn(run_input: Any) -> dict[str, Any]:
    messages = run_input.get("messages") if isinstance(run_input, dict) else None
    if isinstance(messages, list) and len(messages) == 1 and len(run_input) == 1:
        message = messages[0]
        role = message.get("role") or message.get("type") if isinstance(message, dict) else None
        if role in ("user", "human") and isinstance(message.get("content"), str):
            return {"user": message["content"]}
    return {"input": run_input}


def _without_ids(value: Any) -> Any:
    """Ids (``id``, ``*_id``) differ on every run: an expectation on them could never hold again."""
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if not (k == "id" or str(k).endswith("_id"))}
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def _interrupt_expect(value: Any) -> Any:
    if isinstance(value, dict) and isinstance(value.get("action_requests"), list):
        return {"action_requests": [{"name": r.get("name")} for r in value["action_requests"] if isinstance(r, dict)]}
    return _without_ids(value)


def _literal(value: Any) -> Any:
    """A recorded value as a test compares it: a one-key mapping that reads as a matcher
    (``{in: [...]}``, ``{regex: ...}``) is wrapped in ``{eq: ...}``."""
    if isinstance(value, dict):
        if len(value) == 1 and next(iter(value)) in MATCHER_KEYS:
            return {"eq": value}
        return {k: _literal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_literal(v) for v in value]
    return value


@dataclass(slots=True)
class RecordedTurn:
    """One run of the thread: what it sent (``user``/``input``/``decide``/``resume``/``resume_each``,
    ``config``, ``context``) and what it did."""

    sent: dict[str, Any]
    status: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # {name, args} of its AI messages
    interrupts: list[Any] = field(default_factory=list)  # the values pending at its end
    nodes: list[str] = field(default_factory=list)
    latency_ms: float | None = None
    total_tokens: int = 0
    tools_run: int = 0  # the calls the runner counts for the turn (its own, and earlier ones it ran)
    has_text: bool = False

    def expect(self, options: RecordOptions) -> dict[str, Any]:
        expect: dict[str, Any] = {}
        if options.status:
            expect["status"] = self.status
        if options.tool_calls and self.tool_calls:
            mode = options.args_mode
            expect["tool_calls"] = [
                {"name": call["name"]}
                if mode == "ignore"
                else {"name": call["name"], "args": _literal(call["args"])}
                | ({} if mode == "subset" else {"args_mode": mode})
                for call in self.tool_calls
            ]
        if options.interrupts and self.interrupts:
            expect["interrupt"] = {"count": len(self.interrupts), "value": _interrupt_expect(self.interrupts[0])}
        if options.nodes and self.nodes:
            expect["nodes"] = {"in_order": list(self.nodes)}
        if self.has_text and self.status == "success":
            expect["final_text"] = {"min_length": 1}
        if options.budgets:
            budget: dict[str, int] = {}
            if self.latency_ms is not None:
                budget["latency_ms"] = headroom("latency_ms", self.latency_ms)
            if self.total_tokens:
                budget["total_tokens"] = headroom("total_tokens", self.total_tokens)
            if self.tools_run:
                budget["tool_calls"] = headroom("tool_calls", self.tools_run)
            if budget:
                expect["budget"] = budget
        return expect


@dataclass(slots=True)
class ThreadRecord:
    """What :func:`read_thread` read of a thread: enough to write its scenario with any options."""

    thread_id: str
    graph: str | None
    first_message: str
    turns: list[RecordedTurn]

    @property
    def default_id(self) -> str:
        """The scenario id offered: the first message, slugified (else the thread's id)."""
        return slug(self.first_message) or f"thread-{slug(self.thread_id[:8]) or 'x'}"

    def scenario(self, options: RecordOptions | None = None) -> dict[str, Any]:
        """The scenario (a plain mapping, ready to dump) that replays the thread."""
        options = options or RecordOptions()
        scenario: dict[str, Any] = {"id": options.scenario_id or self.default_id}
        if self.graph:
            scenario["assistant"] = self.graph
        if options.repeat is not None:
            scenario["repeat"] = options.repeat
        turns = []
        for turn in self.turns:
            expect = turn.expect(options)
            turns.append({**turn.sent, "expect": expect} if expect else dict(turn.sent))
        scenario["turns"] = turns
        return scenario


def _nodes_by_run(checkpoints: list[ThreadState]) -> dict[str, list[str]]:
    """The nodes each run ran, in order: a checkpoint the loop wrote was written by the tasks of
    its parent (a resumed run's first one by the tasks that were interrupted)."""
    by_id = {c.checkpoint_id: c for c in checkpoints if c.checkpoint_id}
    nodes: dict[str, list[str]] = {}
    for state in checkpoints:
        metadata = state.metadata or {}
        parent = by_id.get(state.parent_checkpoint_id or "")
        if metadata.get("source") != "loop" or parent is None:
            continue
        names = [task.name for task in parent.tasks] or list(parent.next)
        ran = nodes.setdefault(str(metadata.get("run_id") or ""), [])
        ran.extend(str(name) for name in names if name and not str(name).startswith("__"))
    return nodes


def _latency_ms(run: Run) -> float | None:
    if run.created_at is None or run.updated_at is None:
        return None
    return max(0.0, (run.updated_at - run.created_at).total_seconds() * 1000)


def _observed(run: Run, messages: list[dict[str, Any]], pending: list[Any], nodes: list[str]) -> RecordedTurn:
    status = "interrupted" if pending else STATUS.get(run.status, run.status)
    ai = [m for m in messages if m.get("type") == "ai"]
    calls = [
        {"name": call.get("name"), "args": call.get("args") or {}}
        for message in ai
        for call in message.get("tool_calls") or []
        if isinstance(call, dict)
    ]
    own = {call.get("id") for message in ai for call in message.get("tool_calls") or [] if isinstance(call, dict)}
    carried = [m for m in messages if m.get("type") == "tool" and m.get("tool_call_id") not in own]
    tokens = sum(int((m.get("usage_metadata") or {}).get("total_tokens") or 0) for m in ai)
    last = ai[-1].get("content") if ai else None
    return RecordedTurn(
        sent={},
        status=status,
        tool_calls=calls,
        interrupts=list(pending),
        nodes=nodes,
        latency_ms=_latency_ms(run),
        total_tokens=tokens,
        tools_run=len(calls) + len(carried),
        has_text=isinstance(last, str) and bool(last.strip()),
    )


async def read_thread(client: LangGraphClient, thread_id: str) -> ThreadRecord:
    """Read *thread_id*'s runs and checkpoints. Raises ClientError (NotFound for an unknown thread),
    and ValueError when the thread cannot be a scenario (its first run answers an interrupt)."""
    thread = await client.threads.get(thread_id)
    runs = await _all_runs(client, thread_id)
    checkpoints = await _all_checkpoints(client, thread_id)
    seen: set[str] = set()
    written: dict[str, list[dict[str, Any]]] = {}  # run id -> the messages its checkpoints added
    pending_after: dict[str, list[Any]] = {}  # run id -> values of the interrupts pending at its end
    values_by_id: dict[str, Any] = {}
    first_message = ""
    for state in checkpoints:
        run_id = str((state.metadata or {}).get("run_id") or "")
        for message in state.messages:
            ident = message.get("id") if isinstance(message, dict) else None
            if ident and ident not in seen:
                seen.add(ident)
                written.setdefault(run_id, []).append(message)
                if not first_message and message.get("type") == "human" and isinstance(message.get("content"), str):
                    first_message = message["content"]
        interrupts = [i for task in state.tasks for i in task.interrupts] or list(state.interrupts)
        values_by_id.update({i.id: i.value for i in interrupts if i.id})
        pending_after[run_id] = [i.value for i in interrupts]
    nodes = _nodes_by_run(checkpoints)
    turns: list[RecordedTurn] = []
    for run in runs:
        kwargs = run.created_with
        command = kwargs.get("command") or {}
        if isinstance(command, dict) and "resume" in command:
            sent = _answer_turn(command["resume"], values_by_id)
        elif kwargs.get("input") is not None:
            sent = _input_turn(kwargs["input"])
        else:
            continue  # a run with no input (a rerun after a state edit) cannot be replayed from a new thread
        config = run.sent_config
        if config:
            sent["config"] = config
        context = kwargs.get("context")
        # (The server copies the configurable into the context, and refuses a run given both: the copy is not kept.)
        if context and context != (config or {}).get("configurable"):
            sent["context"] = context
        turn = _observed(run, written.get(run.run_id, []), pending_after.get(run.run_id, []), nodes.get(run.run_id, []))
        turn.sent = sent
        turns.append(turn)
    if turns and any(k in turns[0].sent for k in ("decide", "resume", "resume_each")):
        raise ValueError("the thread's first run answers an interrupt: a scenario cannot start there")
    graph = (thread.metadata or {}).get("graph_id") or (runs[0].assistant_id if runs else None)
    return ThreadRecord(thread_id, str(graph) if graph else None, first_message.strip(), turns)


async def record_scenario(
    client: LangGraphClient, thread_id: str, options: RecordOptions | None = None
) -> dict[str, Any]:
    """The scenario that replays *thread_id*, with the expectations *options* keep."""
    return (await read_thread(client, thread_id)).scenario(options)
