"""``chat-tui test``: load, select, check against the server, run, report; the exit code.

Nothing is sent when the command cannot work: an invalid scenario file (exit 2, ``FILE:LINE:
message``), nothing selected (exit 5), an assistant the server does not have (exit 2, at the line
that names it), a server that cannot be reached (exit 4).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from chat_tui import __version__
from chat_tui.client.errors import ClientError
from chat_tui.sanitize import clean_line
from chat_tui.service.assistants import resolve_assistant
from chat_tui.service.chat import ChatService
from chat_tui.testing.aborted import write_aborted
from chat_tui.testing.coverage import fetch_coverage
from chat_tui.testing.loader import InvalidSuite, Selected, load_paths, select
from chat_tui.testing.model import json_schema
from chat_tui.testing.reports import console_table, write_jsonl, write_junit, write_markdown
from chat_tui.testing.result_file import RunRecord
from chat_tui.testing.results import EXIT, RunResult, SuiteResult
from chat_tui.testing.runner import Runner

if TYPE_CHECKING:
    from chat_tui.connection import Connection

__all__ = ["TestOptions", "load_selection", "run_tests"]


@dataclass(slots=True)
class TestOptions:
    paths: list[str]
    assistant: str | None = None
    keyword: str | None = None
    tags: list[str] = field(default_factory=list)
    repeat: int | None = None
    pass_rate: float | None = None
    concurrency: int = 4
    junit: Path | None = None
    jsonl: Path | None = None
    markdown: Path | None = None
    verbose: bool = False
    subgraphs: bool = False  # stream subgraphs (their interrupts arrive twice, and count once)

    @classmethod
    def from_args(cls, args: Any) -> TestOptions:
        """From the parsed ``chat-tui test`` command line."""
        return cls(
            paths=args.paths,
            assistant=args.assistant,
            keyword=args.keyword,
            tags=args.tag,
            repeat=args.repeat,
            pass_rate=args.pass_rate,
            concurrency=args.concurrency,
            subgraphs=getattr(args, "subgraphs", False),
            junit=args.junit,
            jsonl=args.jsonl,
            markdown=args.md,
            verbose=args.verbose,
        )


def load_selection(options: TestOptions, err: TextIO, fallback_assistant: str = "agent") -> list[Selected] | int:
    """The scenarios to run, or the exit code when there are none to run."""
    if not options.paths:
        err.write("chat-tui: error: give a scenario file or folder (see chat-tui test --help)\n")
        return EXIT["usage"]
    try:
        files = load_paths(options.paths)
    except InvalidSuite as exc:
        err.write("".join(f"{problem}\n" for problem in exc.problems))
        err.write(f"chat-tui: error: {len(exc.problems)} problem(s) in the scenario files; nothing was run\n")
        return write_aborted(options, EXIT["usage"], exc.problems, err)
    selected = select(
        files,
        keyword=options.keyword,
        tags=options.tags,
        assistant=options.assistant,
        fallback_assistant=fallback_assistant,
        repeat=options.repeat,
        pass_rate=options.pass_rate,
    )
    problems = [
        f"{s.where}: give either config or context (the server refuses a run with both)"
        for s in selected
        if s.config and s.context
    ]
    if problems:
        err.write("".join(f"{p}\n" for p in problems))
        return write_aborted(options, EXIT["usage"], problems, err)
    if not selected:
        total = sum(len(f.suite.scenarios) for f in files)
        how = " by -k/--tag" if options.keyword or options.tags else ""
        reason = f"no scenario selected{how} ({total} in {len(files)} file(s))"
        err.write(f"chat-tui: {reason}; nothing was run\n")
        return write_aborted(options, EXIT["nothing"], [reason], err)
    return selected


async def _check_assistants(client: Any, selected: list[Selected], err: TextIO) -> list[str]:
    """The assistants named that the server does not have (one line each on *err*, at the scenario)."""
    known: dict[str, str | None] = {}
    for item in selected:
        if item.assistant not in known:
            resolved = await resolve_assistant(client, item.assistant)
            known[item.assistant] = resolved.assistant_id if resolved.found else None
            if not resolved.found:
                available = ", ".join(resolved.available) or "none"
                err.write(
                    f"{item.where}: the server has no assistant {clean_line(item.assistant, 60)!r} "
                    f"(graphs: {available})\n"
                )
    return [clean_line(name, 60) for name, value in known.items() if value is None]


def _progress(out: TextIO, verbose: bool) -> Any:
    def on_run(run: RunResult) -> None:
        if not verbose:
            out.write(run.mark)
        else:
            status = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}[run.outcome]
            line = f"{status:<5} {run.scenario.id} #{run.index + 1}  thread {run.thread_id or '-'}  "
            line += f"{run.duration_ms / 1000:.1f}s"
            out.write(line + (f"  {clean_line(run.reason, 200)}" if run.reason else "") + "\n")
            for turn in run.turns:
                sent = clean_line(turn.sent, 100)
                out.write(f"      turn {turn.index + 1}: {sent} -> {turn.status} ({turn.latency_ms:.0f} ms)\n")
                if turn.request is not None and "command" in turn.request:  # what the answer became
                    body = json.dumps(turn.request["command"], ensure_ascii=False, default=str)
                    out.write(f"        sent command: {clean_line(body, 300)}\n")
        out.flush()

    return on_run


async def run_tests(
    connection: Connection,
    options: TestOptions,
    selected: list[Selected],
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run *selected* on *connection* and write the reports; returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr  # (at call time: a test may have replaced them)
    if connection.api_key is not None and connection.plaintext_remote:
        err.write(f"warning: the API key is sent unencrypted to {connection.host} (http://)\n")
    started = time.monotonic()
    async with connection.client() as client:
        try:
            info = await client.info()
            missing = await _check_assistants(client, selected, err)
            if missing:
                err.write("chat-tui: error: nothing was run\n")
                reason = f"the server has no assistant {', '.join(map(repr, missing))}"
                return write_aborted(options, EXIT["usage"], [reason], err, {"server": connection.host})
        except ClientError as exc:
            err.write(f"chat-tui: error: {exc}\n")
            return write_aborted(options, EXIT["unreachable"], [str(exc)], err, {"server": connection.host})
        runs = sum(s.repeat for s in selected)
        out.write(f"{len(selected)} scenario(s), {runs} run(s) on {connection.host}, {options.concurrency} at a time\n")
        out.flush()
        service = ChatService(connection, client, stream_subgraphs=options.subgraphs)
        runner = Runner(service, concurrency=options.concurrency, on_run=_progress(out, options.verbose))
        scenarios = await runner.run(selected)
        duration_ms = (time.monotonic() - started) * 1000
        # One graph request per assistant (milliseconds): cheap enough to need no switch to turn it off.
        coverage = await fetch_coverage(client, [RunRecord.from_json(r.to_json()) for s in scenarios for r in s.runs])
    suite = SuiteResult(scenarios, duration_ms=duration_ms, coverage=coverage)
    out.write("\n\n" if not options.verbose else "\n")
    out.write(console_table(suite))
    out.flush()
    header = {
        "server": connection.host,
        "server_version": info.get("version") if isinstance(info, dict) else None,
        "chat_tui_version": __version__,
    }
    written = []
    writers: list[tuple[Path | None, Callable[[Path], None]]] = [
        (options.junit, lambda p: write_junit(suite, p)),
        (options.jsonl, lambda p: write_jsonl(suite, p, header)),
        (options.markdown, lambda p: write_markdown(suite, p)),
    ]
    for path, write in writers:
        if path is None:
            continue
        try:
            write(path)
            written.append(str(path))
        except OSError as exc:
            err.write(f"chat-tui: error: cannot write {path}: {clean_line(str(exc), 200)}\n")
    if written:
        err.write(f"wrote {', '.join(written)}\n")
    return suite.exit_code


def print_schema(out: TextIO | None = None) -> int:
    out = out or sys.stdout
    out.write(json.dumps(json_schema(), indent=2) + "\n")
    return EXIT["ok"]


def report_writer(options: TestOptions) -> Callable[[SuiteResult], list[str]] | None:
    """What ``--tui`` calls after the suite's first full run: the reports asked for, written; the
    paths written, and one line for each that could not be."""
    if options.junit is None and options.jsonl is None and options.markdown is None:
        return None

    def write(suite: SuiteResult) -> list[str]:
        header = {"chat_tui_version": __version__}
        done: list[str] = []
        for path, writer in (
            (options.junit, write_junit),
            (options.jsonl, lambda s, p: write_jsonl(s, p, header)),
            (options.markdown, write_markdown),
        ):
            if path is None:
                continue
            try:
                writer(suite, path)
                done.append(str(path))
            except OSError as exc:
                done.append(f"not {path} ({clean_line(str(exc), 100)})")
        return done

    return write
