"""Command line: ``chat-tui`` (the app; ``chat-tui replay``: on a recording), ``chat-tui stream``,
``inbox``, ``export``, ``store`` (headless), ``chat-tui config``.

Imports are deferred to the command that needs them so ``chat-tui --version`` and
``--help`` start in a few tens of milliseconds. Usage errors print one line (plus a
hint) and exit with status 2; no command ever ends in a traceback for bad input.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable
from typing import Any, NoReturn

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

__all__ = ["build_parser", "main"]

INBOX_MAX = 1000


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line error instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc.msg} at position {exc.pos})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError('must be a JSON object, e.g. \'{"configurable": {"model_name": "openai"}}\'')
    return value


def _json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text  # a bare word such as `yes` is sent as a string


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if not 1 <= value <= INBOX_MAX:
        raise argparse.ArgumentTypeError(f"must be between 1 and {INBOX_MAX}")
    return value


def _add_connection_args(
    parser: argparse.ArgumentParser, *, suppress: bool = False, thread_and_assistant: bool = True
) -> None:
    default = argparse.SUPPRESS if suppress else None
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", default=default, help="Agent Server URL, e.g. http://127.0.0.1:2024")
    where.add_argument(
        "--demo",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="start the embedded offline demo server (needs the `demo` extra)",
    )
    parser.add_argument("--profile", default=default, help="use a saved connection profile (flags override it)")
    parser.add_argument(
        "--api-key-env",
        metavar="NAME",
        default=default,
        help="environment variable holding the API key (sent as x-api-key)",
    )
    if thread_and_assistant:
        parser.add_argument("--assistant", metavar="ID_OR_GRAPH", default=default, help="assistant id or graph name")
        parser.add_argument("--thread", metavar="ID", default=default, help="open (or continue) this thread")


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
    """``chat-tui test record …`` and ``chat-tui test schema`` (not PATHs named record or schema)."""
    if "test" not in argv:
        return None
    at = argv.index("test")
    rest = argv[at + 1 :]
    if rest[:1] == ["schema"] and len(rest) == 1:
        from chat_tui.testing.command import print_schema

        return print_schema()
    if rest[:1] == ["record"]:
        from chat_tui.testing.arguments import record_parser

        args = record_parser(_Parser, _add_connection_args).parse_args(argv[:at] + rest[1:])
        return _with_connection(_run_record, args)
    return None


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

    def run(connection: Any, _args: argparse.Namespace) -> int:
        import asyncio

        from chat_tui.testing.command import run_tests

        for item in selected:  # scenarios that name no assistant: the profile's, else the default
            item.assistant = item.assistant or connection.assistant_id or "agent"

        return asyncio.run(run_tests(connection, options, selected))

    return _with_connection(run, args)


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
