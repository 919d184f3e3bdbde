"""``chat-tui test record --thread ID [-o FILE [--append | --force]] [--id NAME] [--repeat N] ...``,
and the one use case behind it and the app's "save this thread as a test": :func:`save_scenario`.

The scenario is :mod:`.record`'s; where it goes is :mod:`.yaml_edit`'s (appended to a file with
its comments and formatting kept, or a new file).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from chat_tui.client.errors import ClientError, NotFound
from chat_tui.sanitize import clean_line
from chat_tui.service.outfile import write_atomic
from chat_tui.testing.loader import InvalidSuite, load_text
from chat_tui.testing.record import RecordOptions, ThreadRecord, read_thread
from chat_tui.testing.results import EXIT

if TYPE_CHECKING:
    from chat_tui.connection import Connection

__all__ = ["options_from_args", "recorded_header", "run_record", "save_scenario"]


def recorded_header(thread_id: str, host: str) -> str:
    """The comment a new file starts with: where its first scenario came from."""
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"# recorded by chat-tui test record from thread {clean_line(thread_id, 80)} on {host}, {when}\n"


def save_scenario(path: Path, scenario: dict[str, Any], *, thread_id: str, host: str) -> int:
    """Append *scenario* to the scenario file *path* (created, with its folder, when missing);
    returns the line where it landed. Raises :class:`~chat_tui.testing.yaml_edit.ScenarioFileError`
    (one line; the file untouched): an id the file has, a file that is not a scenario file, one
    that cannot be written."""
    from chat_tui.testing.yaml_edit import append_scenario  # (ruamel.yaml: only when a file is edited)

    return append_scenario(path, scenario, header=recorded_header(thread_id, host))


def options_from_args(args: argparse.Namespace) -> RecordOptions:
    """From the parsed ``chat-tui test record`` command line."""
    return RecordOptions(
        scenario_id=args.scenario_id,
        repeat=args.repeat,
        tool_calls=args.tools,
        args_mode=args.args_mode,
        status=args.status,
        interrupts=args.interrupts,
        nodes=args.nodes,
        budgets=args.budgets,
    )


async def _read(connection: Connection, thread_id: str, err: TextIO) -> ThreadRecord | int:
    async with connection.client() as client:
        try:
            return await read_thread(client, thread_id)
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
    options: RecordOptions,
    *,
    output: Path | None = None,
    force: bool = False,
    append: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Write (or print, or append) the scenario of *thread_id*; returns the exit code."""
    from chat_tui.testing.yaml_edit import ScenarioFileError, dump_yaml

    out, err = out or sys.stdout, err or sys.stderr
    problem = options.problem()
    if problem is None and append and (output is None or force):
        problem = "--append adds to the FILE of -o FILE (and never overwrites it: drop --force)"
    if problem is None and output is not None and output.exists() and not (force or append):
        problem = f"{output} exists (pass --append to add the scenario to it, --force to overwrite it)"
    if problem is not None:
        err.write(f"chat-tui: error: {problem}; nothing was written\n")
        return EXIT["usage"]
    record = asyncio.run(_read(connection, thread_id, err))
    if isinstance(record, int):
        return record
    if not record.turns:
        err.write(f"chat-tui: thread {clean_line(thread_id, 60)} has no run to replay; nothing was written\n")
        return EXIT["nothing"]
    scenario = record.scenario(options)
    try:
        if append:
            assert output is not None
            line = save_scenario(output, scenario, thread_id=thread_id, host=connection.host)
            err.write(f"added scenario {scenario['id']} to {output}:{line}; run it with chat-tui test {output}\n")
            return EXIT["ok"]
        text = recorded_header(thread_id, connection.host) + dump_yaml({"version": 1, "scenarios": [scenario]})
        load_text(text, output or Path("<stdout>"))  # what we write must load (InvalidSuite: a bug, said)
        if output is None:
            out.write(text)
            return EXIT["ok"]
        write_atomic(output, text)  # (as every scenario file write: whole or not at all)
    except ScenarioFileError as exc:
        err.write(f"chat-tui: error: {exc}\n")
        return EXIT["usage"]
    except InvalidSuite as exc:
        err.write(f"chat-tui: error: the recorded scenario would not load: {exc.problems[0]}; nothing was written\n")
        return EXIT["usage"]
    except OSError as exc:
        err.write(f"chat-tui: error: cannot write {output}: {clean_line(str(exc), 200)}\n")
        return EXIT["usage"]
    err.write(f"wrote {output}: {len(scenario['turns'])} turn(s); run it with chat-tui test {output}\n")
    return EXIT["ok"]
