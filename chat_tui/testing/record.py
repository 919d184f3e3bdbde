"""``chat-tui test record --thread ID``: a thread's turns as a scenario, any client's thread.

The turns come from the server's list of the thread's runs (what each was created with: its
input, or its ``command.resume``), oldest first; what each run did comes from the thread's
checkpoints (each names the run that wrote it). Expectations are derived from what happened:
the status, the tool calls (``args_mode: subset``, the default), the pending interrupts, and the
final text only as a minimum length (a model's wording varies; a test on it would be flaky).

Answers keyed by interrupt id are rewritten, because a new thread's interrupts have new ids:
decisions become ``decide``, one answer ``resume``, several ``resume_each`` matched on the
interrupt's value.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import yaml

from chat_tui.client.errors import ClientError, NotFound
from chat_tui.sanitize import clean_line
from chat_tui.testing.model import Suite
from chat_tui.testing.results import EXIT

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient
    from chat_tui.client.models import Run, ThreadState
    from chat_tui.connection import Connection

__all__ = ["record_scenario", "run_record"]

PAGE = 100
STATUS = {"success": "success", "interrupted": "interrupted", "error": "error", "timeout": "error"}


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


def _expect(run: Run, messages: list[dict[str, Any]], pending: list[Any]) -> dict[str, Any]:
    # (The server calls a run that stopped at an interrupt a success: the checkpoints tell.)
    status = "interrupted" if pending else STATUS.get(run.status, run.status)
    expect: dict[str, Any] = {"status": status}
    calls = [
        {"name": call.get("name"), "args": call.get("args") or {}}
        for message in messages
        if message.get("type") == "ai"
        for call in message.get("tool_calls") or []
        if isinstance(call, dict)
    ]
    if calls:
        expect["tool_calls"] = calls
    if pending:
        expect["interrupt"] = {"count": len(pending), "value": _interrupt_expect(pending[0])}
    texts = [m for m in messages if m.get("type") == "ai"]
    last = texts[-1].get("content") if texts else None
    if isinstance(last, str) and last.strip() and status == "success":
        expect["final_text"] = {"min_length": 1}
    return expect


async def record_scenario(client: LangGraphClient, thread_id: str, scenario_id: str | None = None) -> dict[str, Any]:
    """The scenario (a plain mapping, ready to dump) that replays *thread_id*."""
    thread = await client.threads.get(thread_id)
    runs = await _all_runs(client, thread_id)
    checkpoints = await _all_checkpoints(client, thread_id)
    seen: set[str] = set()
    written: dict[str, list[dict[str, Any]]] = {}  # run id -> the messages its checkpoints added
    pending_after: dict[str, list[Any]] = {}  # run id -> values of the interrupts pending at its end
    values_by_id: dict[str, Any] = {}
    for state in checkpoints:
        run_id = str((state.metadata or {}).get("run_id") or "")
        for message in state.messages:
            ident = message.get("id") if isinstance(message, dict) else None
            if ident and ident not in seen:
                seen.add(ident)
                written.setdefault(run_id, []).append(message)
        interrupts = [i for task in state.tasks for i in task.interrupts] or list(state.interrupts)
        values_by_id.update({i.id: i.value for i in interrupts if i.id})
        pending_after[run_id] = [i.value for i in interrupts]
    turns: list[dict[str, Any]] = []
    for run in runs:
        kwargs = run.created_with
        command = kwargs.get("command") or {}
        if isinstance(command, dict) and "resume" in command:
            turn = _answer_turn(command["resume"], values_by_id)
        elif kwargs.get("input") is not None:
            turn = _input_turn(kwargs["input"])
        else:
            continue  # a run with no input (a rerun after a state edit) cannot be replayed from a new thread
        config = run.sent_config
        if config:
            turn["config"] = config
        context = kwargs.get("context")
        # (The server copies the configurable into the context, and refuses a run given both: the copy is not kept.)
        if context and context != (config or {}).get("configurable"):
            turn["context"] = context
        turn["expect"] = _expect(run, written.get(run.run_id, []), pending_after.get(run.run_id, []))
        turns.append(turn)
    if turns and any(k in turns[0] for k in ("decide", "resume", "resume_each")):
        raise ValueError("the thread's first run answers an interrupt: a scenario cannot start there")
    graph = (thread.metadata or {}).get("graph_id") or (runs[0].assistant_id if runs else None)
    scenario: dict[str, Any] = {"id": scenario_id or f"thread-{thread_id[:8]}"}
    if graph:
        scenario["assistant"] = graph
    scenario["turns"] = turns
    return scenario


async def _fetch(connection: Connection, thread_id: str, scenario_id: str | None, err: TextIO) -> dict[str, Any] | int:
    async with connection.client() as client:
        try:
            return await record_scenario(client, thread_id, scenario_id)
        except NotFound:
            err.write(f"chat-tui: error: {connection.host} has no thread {clean_line(thread_id, 60)}\n")
            return EXIT["usage"]
        except ClientError as exc:
            err.write(f"chat-tui: error: {exc}\n")
            return EXIT["unreachable"]
        except ValueError as exc:
            err.write(f"chat-tui: error: {exc}\n")
            return EXIT["usage"]


def run_record(
    connection: Connection,
    thread_id: str,
    *,
    output: Path | None = None,
    force: bool = False,
    scenario_id: str | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Write (or print) the scenario of *thread_id*; returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    if output is not None and output.exists() and not force:
        err.write(f"chat-tui: error: {output} exists (pass --force to overwrite it); nothing was written\n")
        return EXIT["usage"]
    scenario = asyncio.run(_fetch(connection, thread_id, scenario_id, err))
    if isinstance(scenario, int):
        return scenario
    if not scenario["turns"]:
        err.write(f"chat-tui: thread {clean_line(thread_id, 60)} has no run to replay; nothing was written\n")
        return EXIT["nothing"]
    document = {"version": 1, "scenarios": [scenario]}
    Suite.model_validate(document)  # what we write must load
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    header = f"# recorded by chat-tui test record from thread {thread_id} on {connection.host}, {when}\n"
    text = header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    if output is None:
        out.write(text)
        return EXIT["ok"]
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        err.write(f"chat-tui: error: cannot write {output}: {clean_line(str(exc), 200)}\n")
        return EXIT["usage"]
    err.write(f"wrote {output}: {len(scenario['turns'])} turn(s); run it with chat-tui test {output}\n")
    return EXIT["ok"]
