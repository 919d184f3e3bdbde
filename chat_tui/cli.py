"""Command line: ``chat-tui`` (the app), ``chat-tui stream`` (headless), ``chat-tui config``.

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
from typing import Any, NoReturn

from chat_tui import __version__

__all__ = ["build_parser", "main"]

EXAMPLES = """\
examples:
  chat-tui --demo                          open the app on the embedded offline demo server
  chat-tui --url http://127.0.0.1:2024     open the app on a local `langgraph dev`
  chat-tui --url https://my-deployment.example.com --api-key-env LANGSMITH_API_KEY --assistant agent
  chat-tui stream --demo "what's the weather in sf"
  chat-tui stream --url http://127.0.0.1:2024 --assistant agent --json "hello"
  chat-tui stream --demo --thread <id> --resume '{"approved": true}'
  chat-tui config path                     where settings, data and logs live
  chat-tui config show                     the effective settings, secrets masked
"""


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


def _add_connection_args(parser: argparse.ArgumentParser, *, suppress: bool = False) -> None:
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
        help="send one message and stream the answer to the terminal (no UI)",
        description="Send MESSAGE to an assistant and print the streamed answer as it arrives.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_connection_args(stream, suppress=True)
    stream.add_argument("--config", type=_json_object, metavar="JSON", help="the run's `config`, as a JSON object")
    stream.add_argument("--context", type=_json_object, metavar="JSON", help="the run's `context`, as a JSON object")
    stream.add_argument(
        "--resume", type=_json_value, metavar="JSON", help="answer a pending interrupt (instead of MESSAGE)"
    )
    stream.add_argument("--subgraphs", action="store_true", help="also stream tokens from inside subgraphs")
    output = stream.add_mutually_exclusive_group()
    output.add_argument("--raw", action="store_true", help="print every SSE event as it arrives")
    output.add_argument("--json", action="store_true", help="print one JSON document when the run ends")
    stream.add_argument("message", nargs="?", metavar="MESSAGE", help="the message to send")

    config = commands.add_parser("config", help="show where settings live, or the effective settings")
    config.add_argument("action", choices=["path", "show"], help="`path`: where things live; `show`: settings")
    return parser


def _fail(message: str, code: int = 2) -> int:
    sys.stderr.write(f"chat-tui: error: {message}\n")
    return code


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "stream":
            return _stream(args)
        if args.command == "config":
            from chat_tui.settings.commands import config_command

            return config_command(args.action)
        from chat_tui.launch import run_app

        return run_app(args)
    except KeyboardInterrupt:
        sys.stderr.write("chat-tui: interrupted\n")
        return 130
    except BrokenPipeError:  # `chat-tui config show | head`: the reader left, nothing to report
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (so the exit flush does not raise again)
        return 141


def _stream(args: argparse.Namespace) -> int:
    from chat_tui.client.errors import ClientError
    from chat_tui.connection import Overrides
    from chat_tui.settings.profiles import resolve_command_line

    if args.message is None and args.resume is None:
        return _fail("give a MESSAGE to send (or --resume JSON to answer an interrupt)")
    if args.message is not None and args.resume is not None:
        return _fail("give either a MESSAGE or --resume, not both")
    try:
        launch = resolve_command_line(Overrides.from_args(args))
    except ClientError as exc:
        return _fail(str(exc))
    if launch.demo:
        return _stream_on_demo(args)
    if launch.connection is None:  # no terminal to ask in: the last profile failing is an error here
        return _fail(launch.problem or "no server given: pass --url URL or --demo (or save a profile in the app)")
    return _run_stream(launch.connection, args)


def _stream_on_demo(args: argparse.Namespace) -> int:
    from chat_tui.connection import Connection
    from chat_tui.demo.launcher import DemoServer, DemoServerError

    sys.stderr.write("starting the demo server…\n")
    try:
        with DemoServer() as server:
            return _run_stream(Connection.for_demo(server.url), args)
    except DemoServerError as exc:
        return _fail(str(exc), 4)


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
        output=output,
        stream_subgraphs=args.subgraphs,
    )
    return asyncio.run(run_stream(connection, options))
