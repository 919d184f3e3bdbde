"""Command line: ``chat-tui`` (the app; ``chat-tui replay``: on a recording), ``chat-tui stream``,
``inbox``, ``export``, ``store`` (headless), ``chat-tui config``.

Imports are deferred to the command that needs them so ``chat-tui --version`` and
``--help`` start in a few tens of milliseconds. Usage errors print one line (plus a
hint) and exit with status 2; no command ever ends in a traceback for bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable
from typing import Any

from chat_tui import __version__
from chat_tui.cli_parsers import (
    DECIDE_HELP,
    EXAMPLES,
    RECORDING_HELP,
    add_headless_parsers,
    add_recording_args,
    add_replay_parser,
    answer_problem,
    replay_problem,
)
from chat_tui.cli_parsers import Parser as _Parser
from chat_tui.cli_parsers import add_connection_args as _add_connection_args
from chat_tui.cli_parsers import json_object as _json_object
from chat_tui.cli_parsers import json_value as _json_value
from chat_tui.cli_parsers import limit as _limit

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="chat-tui",
        description="A keyboard-first terminal client for LangGraph Agent Server deployments.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"chat-tui {__version__}")
    _add_connection_args(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    stream = commands.add_parser(
        "stream",
        help="send one message and stream the answer to the terminal, or play a recording back (no UI)",
        description="Send MESSAGE to an assistant (or answer a pending interrupt) and print the streamed\n"
        "answer as it arrives.",
        epilog=DECIDE_HELP + "\n" + RECORDING_HELP + "\n" + EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_connection_args(stream, suppress=True)
    stream.add_argument("--config", type=_json_object, metavar="JSON", help="the run's `config`, as a JSON object")
    stream.add_argument("--context", type=_json_object, metavar="JSON", help="the run's `context`, as a JSON object")
    stream.add_argument(
        "--resume",
        type=_json_value,
        metavar="JSON",
        help="answer a pending interrupt with a value (instead of MESSAGE)",
    )
    stream.add_argument(
        "--decide",
        action="append",
        metavar="DECISION",
        help="a decision on a gated tool call, once per call in order: approve, reject[=REASON], respond=TEXT, "
        "edit=JSON (see below)",
    )
    stream.add_argument("--interrupt", metavar="ID", help="the pending interrupt to answer, when several wait")
    stream.add_argument(
        "--checkpoint",
        metavar="CHECKPOINT_ID",
        help="run from this checkpoint of --thread (see `chat-tui history`): with MESSAGE an edit (a new branch), "
        "without one a regenerate or replay",
    )
    stream.add_argument("--subgraphs", action="store_true", help="also stream tokens from inside subgraphs")
    output = stream.add_mutually_exclusive_group()
    output.add_argument("--raw", action="store_true", help="print every SSE event as it arrives")
    output.add_argument("--json", action="store_true", help="print one JSON document when the run ends")
    add_recording_args(stream)
    stream.add_argument("message", nargs="?", metavar="MESSAGE", help="the message to send")

    inbox = commands.add_parser(
        "inbox",
        help="list the threads waiting for a human (no UI)",
        description="List the threads on the server waiting for a human (a pending interrupt), newest first:\n"
        "thread id, since when (how long ago), the kind of interrupt and what it asks. Cancelled and\n"
        "finished threads are not listed.\n\n"
        "exit codes: 0 (also when no thread waits: an empty list), 4 the server could not be reached\n"
        "or refused the request, 2 bad usage",
        epilog="examples:\n  chat-tui inbox --url http://127.0.0.1:2024\n  chat-tui inbox --demo --json --limit 10\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_connection_args(inbox, suppress=True, thread_and_assistant=False)
    inbox.add_argument(
        "--json",
        action="store_true",
        help='print a JSON list: {"thread_id", "status", "since", "kind", "preview", "interrupts"} per thread',
    )
    inbox.add_argument(
        "--limit", type=_limit, default=50, metavar="N", help="at most N threads, the newest (default 50)"
    )

    add_headless_parsers(commands, _add_connection_args, _Parser)
    add_replay_parser(commands)
    from chat_tui.testing.arguments import add_test_parser

    add_test_parser(commands, _add_connection_args)

    config = commands.add_parser("config", help="show where settings live, or the effective settings")
    config.add_argument("action", choices=["path", "show"], help="`path`: where things live; `show`: settings")
    return parser


def _fail(message: str, code: int = 2) -> int:
    sys.stderr.write(f"chat-tui: error: {message}\n")
    return code


def _test_subcommand(argv: list[str]) -> int | None:
    """``chat-tui test record|diff …`` and ``test schema`` (not PATHs named so)."""
    if "test" not in argv:
        return None
    at = argv.index("test")
    rest = argv[at + 1 :]
    if rest == ["schema"]:
        from chat_tui.testing.command import print_schema

        return print_schema()
    if rest[:1] == ["diff"]:
        from chat_tui.testing.diff import diff_main

        return diff_main(rest[1:], _Parser)
    if rest[:1] == ["record"]:
        from chat_tui.testing.arguments import record_parser

        args = record_parser(_Parser, _add_connection_args).parse_args(argv[:at] + rest[1:])
        return _with_connection(_run_record, args)
    if rest[:1] == ["view"]:
        from chat_tui.testing.arguments import view_parser

        args = view_parser(_Parser, _add_connection_args).parse_args(argv[:at] + rest[1:])
        return _test_view(args)
    return None


def _test_view(args: argparse.Namespace) -> int:
    """``chat-tui test view RESULTS.jsonl``: a file that cannot be read is one line and exit 2."""
    from chat_tui.launch import run_test_app
    from chat_tui.testing.result_file import ResultFileError, read_result_file
    from chat_tui.testing.session import SuiteSession, TestLaunch, read_results

    try:
        board = read_results(args.results)
        base = read_result_file(args.compare) if args.compare is not None else None
    except ResultFileError as exc:
        return _fail(str(exc))
    session = SuiteSession.from_results(board)
    launch = TestLaunch(session, source=str(args.results), run_now=False, concurrency=args.concurrency, base=base)
    return run_test_app(args, launch)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    try:
        special = _test_subcommand(argv)
        if special is not None:
            return special
    except KeyboardInterrupt:
        sys.stderr.write("chat-tui: interrupted\n")
        return 130
    args = parser.parse_args(argv)
    try:
        if args.command == "test":
            return _test(args)
        if args.command in ("history", "state", "runs"):
            return _with_connection(_run_history, args)
        if args.command == "stream":
            return _stream(args)
        if args.command == "inbox":
            return _with_connection(_run_inbox, args)
        if args.command == "store":
            from chat_tui.store_command import store_main

            return store_main(args, _with_connection, _fail)
        if args.command == "export":
            return _export(args)
        if args.command == "config":
            from chat_tui.settings.commands import config_command

            return config_command(args.action)
        from chat_tui.launch import run_app, run_replay

        return run_replay(args) if args.command == "replay" else run_app(args)
    except KeyboardInterrupt:
        sys.stderr.write("chat-tui: interrupted\n")
        return 130
    except BrokenPipeError:  # `chat-tui config show | head`: the reader left, nothing to report
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (so the exit flush does not raise again)
        return 141


def _stream(args: argparse.Namespace) -> int:
    if args.replay is not None:
        return _replay(args)
    problem = answer_problem(args) or _record_problem(args)
    if problem:
        return _fail(problem)
    return _with_connection(_run_stream, args)


def _record_problem(args: argparse.Namespace) -> str | None:
    if args.speed is not None:
        return "--speed is the pace of a --replay"
    if args.record is None:
        return "--force overwrites the FILE of --record: add --record FILE" if args.force else None
    from chat_tui.headless_record import output_problem

    problem = output_problem(args.record, force=args.force)
    return f"{problem} (nothing was sent)" if problem else None


def _replay(args: argparse.Namespace) -> int:
    """``stream --replay FILE``: no server, nothing sent, so nothing that would send is taken."""
    import asyncio

    from chat_tui.headless_record import replay_stream

    problem = replay_problem(args)
    if problem:
        return _fail(problem)
    output = "raw" if args.raw else "json" if args.json else "human"
    return asyncio.run(replay_stream(args.replay, output, speed=args.speed))


def _export(args: argparse.Namespace) -> int:
    if args.output is not None:
        from chat_tui.export_command import output_problem

        problem = output_problem(args.output, force=args.force)
        if problem:
            return _fail(f"{problem} (nothing was written)")
    elif args.force:
        return _fail("--force overwrites the FILE of -o: add -o FILE")
    return _with_connection(_run_export, args)


def _run_export(connection: Any, args: argparse.Namespace) -> int:
    import asyncio

    from chat_tui.export_command import run_export

    return asyncio.run(run_export(connection, args.thread, args.format, output=args.output, force=args.force))


def _with_connection(run: Callable[[Any, argparse.Namespace], int], args: argparse.Namespace) -> int:
    from chat_tui.client.errors import ClientError
    from chat_tui.connection import Overrides
    from chat_tui.settings.profiles import resolve_command_line

    try:
        launch = resolve_command_line(Overrides.from_args(args))
    except ClientError as exc:
        return _fail(str(exc))
    if launch.demo:
        return _on_demo(run, args)
    if launch.connection is None:  # no terminal to ask in: the last profile failing is an error here
        return _fail(launch.problem or "no server given: pass --url URL or --demo (or save a profile in the app)")
    return run(launch.connection, args)


def _test(args: argparse.Namespace) -> int:
    from chat_tui.testing.command import TestOptions, load_selection

    options = TestOptions.from_args(args)
    for report in (options.junit, options.jsonl, options.markdown):
        if report is not None and not report.resolve().parent.is_dir():
            return _fail(f"cannot write {report}: its folder does not exist")
    selected = load_selection(options, sys.stderr, fallback_assistant="")
    if isinstance(selected, int):
        return selected
    if args.tui:
        return _test_in_app(args, options, selected)
    if args.compare is not None:
        return _fail("--compare goes with --tui (or see `chat-tui test diff BASE.jsonl NEW.jsonl`)")

    def run(connection: Any, _args: argparse.Namespace) -> int:
        import asyncio

        from chat_tui.testing.command import run_tests

        for item in selected:  # scenarios that name no assistant: the profile's, else the default
            item.assistant = item.assistant or connection.assistant_id or "agent"

        return asyncio.run(run_tests(connection, options, selected))

    return _with_connection(run, args)


def _test_in_app(args: argparse.Namespace, options: Any, selected: list[Any]) -> int:
    """``chat-tui test … --tui``: the suite runs in the app's results view; the reports asked for
    are written after its first full run, and the exit code is the suite's."""
    from chat_tui.launch import run_test_app
    from chat_tui.testing.command import report_writer
    from chat_tui.testing.result_file import ResultFileError, read_result_file
    from chat_tui.testing.session import SuiteSession, TestLaunch

    try:
        base = read_result_file(args.compare) if args.compare is not None else None
    except ResultFileError as exc:
        return _fail(str(exc))
    for item in selected:  # (as below: the profile's assistant is applied once connected)
        item.assistant = item.assistant or "agent"
    source = " ".join(options.paths)
    launch = TestLaunch(
        SuiteSession(selected),
        source=source,
        concurrency=options.concurrency,
        write_reports=report_writer(options),
        base=base,
    )
    return run_test_app(args, launch)


def _run_history(connection: Any, args: argparse.Namespace) -> int:
    import asyncio

    from chat_tui.history_command import run_history_command

    return asyncio.run(run_history_command(connection, args))


def _run_record(connection: Any, args: argparse.Namespace) -> int:
    from chat_tui.testing.record_command import options_from_args, run_record

    options = options_from_args(args)
    return run_record(connection, args.thread, options, output=args.output, force=args.force, append=args.append)


def _on_demo(run: Callable[[Any, argparse.Namespace], int], args: argparse.Namespace) -> int:
    from chat_tui.connection import Connection
    from chat_tui.demo.launcher import DemoServer, DemoServerError
    from chat_tui.settings.paths import data_dir

    sys.stderr.write("starting the demo server…\n")
    try:
        # The app's demo threads: a thread started here can be answered by the next command, or in the app.
        with DemoServer(workdir=data_dir() / "demo-server") as server:
            if server.shared_with is not None:
                sys.stderr.write("another chat-tui demo server has the demo's threads: this one starts empty\n")
            return run(Connection.for_demo(server.url), args)
    except DemoServerError as exc:
        return _fail(str(exc), 4)


def _run_inbox(connection: Any, args: argparse.Namespace) -> int:
    import asyncio

    from chat_tui.inbox_command import run_inbox

    return asyncio.run(run_inbox(connection, as_json=args.json, limit=args.limit))


def _run_stream(connection: Any, args: argparse.Namespace) -> int:
    import asyncio

    from chat_tui.headless import StreamCommand, run_stream

    if args.config and args.context:
        return _fail("give either --config or --context (the server rejects both at once)")
    output = "raw" if args.raw else "json" if args.json else "human"
    options = StreamCommand(
        message=args.message,
        assistant_id=getattr(args, "assistant", None) or connection.assistant_id or "agent",
        explicit_assistant=bool(getattr(args, "assistant", None)),
        thread_id=getattr(args, "thread", None),
        config=args.config,
        context=args.context,
        resume=args.resume,
        has_resume=args.resume is not None,
        decisions=tuple(args.decide or ()),
        interrupt_id=args.interrupt,
        output=output,
        stream_subgraphs=args.subgraphs,
        checkpoint_id=args.checkpoint,
    )
    if args.record is not None:
        from chat_tui.headless_record import record_stream

        return asyncio.run(record_stream(connection, options, args.record, force=args.force))
    return asyncio.run(run_stream(connection, options))
