"""``chat-tui history``, ``chat-tui state`` and ``chat-tui runs``: a thread's past, for scripts.

* ``history``: its checkpoints newest first, every branch (``--json``: a list of
  ``{"checkpoint_id", "parent_checkpoint_id", "step", "source", "next", "created_at", "run_id",
  "messages"}``, ``messages`` being how many the checkpoint holds);
* ``state``: its values, at the newest checkpoint or at ``--checkpoint`` (which must be in the
  thread's history: an unknown id is a usage error, never sent as a state read that would answer an
  empty state): one line (checkpoint, step, source, what runs next), then the values as indented
  JSON; ``--json``: one object ``{"checkpoint_id", "parent_checkpoint_id", "step", "source", "next",
  "created_at", "run_id", "values"}``;
* ``runs``: its runs newest first (``--json``: id, status, created and updated, the input or
  command, the config the client sent, the multitask strategy).

``history`` and ``runs`` list everything unless ``--limit N``, a page at a time (``RUNS_PAGE`` runs,
``Timeline``'s pages of checkpoints), so a thread with any number of either is listed whole.

Exit 0, 2 for a thread or checkpoint the server does not have, 4 when it cannot be reached.
Everything printed from the server is cleaned of control characters.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any, TextIO

from chat_tui.client.errors import ClientError, NotFound
from chat_tui.client.models import Run, ThreadState
from chat_tui.connection import Connection
from chat_tui.sanitize import clean, clean_line
from chat_tui.service.timeline import CheckpointInfo, Timeline

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient

__all__ = ["all_runs", "run_history_command", "run_json", "state_json"]

EXIT_OK, EXIT_USAGE, EXIT_CONNECTION = 0, 2, 4
RUNS_PAGE = 100
HISTORY_PAGE = 100  # (checkpoints: a script wants few requests)


def _dumps(value: Any) -> str:
    return clean(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _checkpoint_line(info: CheckpointInfo) -> str:
    when = info.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S") if info.created_at else "?"
    step = "-" if info.step is None else str(info.step)
    nxt = ",".join(info.next) or "-"
    return (
        f"{info.checkpoint_id}  {(info.parent_id or '-')[:13]:<13}  {step:>4}  {info.source or '?':<6}  "
        f"{clean_line(nxt, 30):<12}  {when}  {len(info.message_ids):>4}  {info.preview}"
    )


def run_json(run: Run) -> dict[str, Any]:
    """One run, as ``chat-tui runs --json`` prints it."""
    kwargs = run.created_with
    duration = None
    if run.created_at and run.updated_at and run.status not in ("pending", "running"):
        duration = round((run.updated_at - run.created_at).total_seconds(), 3)
    return {
        "run_id": run.run_id,
        "status": run.status,
        "created_at": run.created_at.isoformat() if run.created_at else None,
        "duration_s": duration,
        "input": kwargs.get("input"),
        "command": kwargs.get("command"),
        "checkpoint_id": run.fork_checkpoint,
        "config": run.sent_config,
        "multitask_strategy": run.multitask_strategy,
    }


def _run_line(run: dict[str, Any]) -> str:
    sent = run["input"] if run["input"] is not None else run["command"]
    text = json.dumps(sent, ensure_ascii=False, default=str) if sent is not None else "(no input: a rerun)"
    duration = f"{run['duration_s']:.1f}s" if run["duration_s"] is not None else "-"
    return (
        f"{run['run_id']}  {run['status']:<11}  {(run['created_at'] or '?')[:19]}  {duration:>7}  "
        f"{run['multitask_strategy'] or '-':<9}  {clean_line(text, 80)}"
    )


async def all_runs(client: LangGraphClient, thread_id: str, limit: int | None = None) -> list[Run]:
    """The thread's runs newest first, a page at a time (*limit*: at most that many)."""
    runs: dict[str, Run] = {}
    while limit is None or len(runs) < limit:
        page = RUNS_PAGE if limit is None else min(RUNS_PAGE, limit - len(runs))
        batch = await client.runs.list(thread_id, limit=page, offset=len(runs))
        for run in batch:
            runs.setdefault(run.run_id, run)  # (a run started meanwhile shifts the pages by one)
        if len(batch) < page:
            break
    return list(runs.values())[:limit]


def state_json(state: ThreadState) -> dict[str, Any]:
    """What ``chat-tui state --json`` prints: where the values are from, and the values."""
    info = CheckpointInfo.from_state(state)
    return {**info.to_json(), "values": state.values}


def _state_text(state: ThreadState) -> str:
    info = CheckpointInfo.from_state(state)
    step = "-" if info.step is None else info.step
    nxt = clean_line(", ".join(info.next), 200) or "nothing (the run ended)"
    header = f"checkpoint {info.checkpoint_id or '?'} · step {step} · {info.source or '?'} · next: {nxt}"
    return f"{clean_line(header, 400)}\n{_dumps(state.values)}\n"


async def _history(timeline: Timeline, limit: int | None, as_json: bool, out: TextIO) -> None:
    while (limit is None or len(timeline) < limit) and not timeline.complete:
        await timeline.more()
    shown = [timeline.by_id[c] for c in timeline.order[:limit]]
    if as_json:
        out.write(_dumps([info.to_json() for info in shown]) + "\n")
        return
    out.write(
        "checkpoint                            parent         step  source  next          created at"
        "           msgs  last message\n"
    )
    out.write("".join(_checkpoint_line(info) + "\n" for info in shown))


async def run_history_command(
    connection: Connection, args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """``history``, ``state`` or ``runs`` (``args.command``); returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    thread_id = args.thread
    async with connection.client() as client:
        try:
            await client.threads.get(thread_id)
            timeline = Timeline(client, thread_id, page=HISTORY_PAGE)
            if args.command == "history":
                await _history(timeline, args.limit, args.json, out)
            elif args.command == "state":
                if args.checkpoint is not None and await timeline.get(args.checkpoint) is None:
                    err.write(
                        f"chat-tui: error: thread {clean_line(thread_id, 60)} has no checkpoint "
                        f"{clean_line(args.checkpoint, 60)}\n"
                    )
                    return EXIT_USAGE
                if args.checkpoint is not None:
                    state = await client.threads.get_state_at(thread_id, args.checkpoint)
                else:
                    state = await client.threads.get_state(thread_id)
                out.write(_dumps(state_json(state)) + "\n" if args.json else _state_text(state))
            else:
                runs = [run_json(r) for r in await all_runs(client, thread_id, args.limit)]
                if args.json:
                    out.write(_dumps(runs) + "\n")
                else:
                    out.write("".join(_run_line(run) + "\n" for run in runs))
        except NotFound:
            err.write(f"chat-tui: error: {connection.host} has no thread {clean_line(thread_id, 60)}\n")
            return EXIT_USAGE
        except ClientError as exc:
            err.write(f"chat-tui: error: {exc}\n")
            return EXIT_CONNECTION
    out.flush()
    return EXIT_OK
