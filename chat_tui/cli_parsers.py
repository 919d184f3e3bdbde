"""Help texts and the parsers of the thread-history commands (``history``, ``state``, ``runs``),
of ``export``, and ``stream``'s recording options: argparse only, so ``chat-tui --help`` stays fast."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

__all__ = [
    "DECIDE_HELP",
    "EXAMPLES",
    "INBOX_MAX",
    "RECORDING_HELP",
    "Parser",
    "add_connection_args",
    "add_export_parser",
    "add_headless_parsers",
    "add_history_parsers",
    "add_recording_args",
    "add_replay_parser",
    "add_store_parser",
    "answer_problem",
    "json_object",
    "json_value",
    "limit",
    "replay_problem",
]

DECIDE_HELP = """\
answering an interrupt (with --thread; the thread is read first, and nothing is sent when the
answer is wrong: exit 2 with one line on stderr):
  --decide DECISION, once per gated tool call, in order (batched approvals), or once for the
  chosen per-call or legacy interrupt. DECISION is one of
    approve              run the call as it is
    reject[=REASON]      do not run it (the reason is returned to the model)
    respond=TEXT         do not run it; TEXT is returned as the tool's result
    edit=JSON            run it with these arguments (a JSON object)
  and must be one the call allows (`stream --json` lists them as "allowed").
  --resume JSON answers with a raw value (a bare word is sent as a string), keyed by the
  interrupt's id for you; a JSON object keyed by pending interrupt ids is sent as it is.
  --interrupt ID picks one of several pending interrupts (required when several wait).

exit codes: 0 success, 1 the run failed or was cancelled, 2 bad usage (nothing was sent),
3 the run waits at an interrupt, 4 the server could not be reached or refused the request,
5 nothing ran (--replay of a recording without a run)
"""

EXAMPLES = """\
examples:
  chat-tui --demo                          open the app on the embedded offline demo server
  chat-tui --url http://127.0.0.1:2024     open the app on a local `langgraph dev`
  chat-tui --url https://my-deployment.example.com --api-key-env LANGSMITH_API_KEY --assistant agent
  chat-tui stream --demo "what's the weather in sf"
  chat-tui stream --url http://127.0.0.1:2024 --assistant agent --json "hello"
  chat-tui stream --demo --thread <id> --resume '{"approved": true}'
  chat-tui stream --url … --thread <id> --decide approve --decide 'reject=keep the report'
  chat-tui inbox --url … --json            the threads waiting for a human, newest first
  chat-tui history --url … --thread <id>   its checkpoints, newest first (forks included)
  chat-tui stream --url … --thread <id> --checkpoint <checkpoint id> "new text"   an edit, as a branch
  chat-tui stream --url … --record run.sse "hello"   record the run's events, as received
  chat-tui stream --replay run.sse --json  the run's --json document again, with no server
  chat-tui replay run.sse --speed 4        play a recording in the app, 4 times faster (no server)
  chat-tui export --url … --thread <id> -o thread.md   the thread as Markdown (or --format json|jsonl)
  chat-tui store ls --url … users.alice    the items of a store namespace (see chat-tui store --help)
  chat-tui test examples/ --demo           run scripted agent tests (see chat-tui test --help)
  chat-tui config path                     where settings, data and logs live
  chat-tui config show                     the effective settings, secrets masked
"""


HISTORY_EXIT = """
exit codes: 0 ok, 2 bad usage (a thread or checkpoint the server does not have), 4 the server could
not be reached or refused the request
"""


def _limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if not 1 <= value <= 10000:
        raise argparse.ArgumentTypeError("must be between 1 and 10000")
    return value


def add_history_parsers(commands: Any, add_connection_args: Callable[..., None]) -> None:
    """``chat-tui history``, ``chat-tui state`` and ``chat-tui runs``."""
    raw = argparse.RawDescriptionHelpFormatter
    history = commands.add_parser(
        "history",
        help="list a thread's checkpoints, newest first (no UI)",
        description="A thread's checkpoints, newest first, every branch: checkpoint id, parent, step, source\n"
        "(input, loop, update, fork), the nodes to run next, when, the run that wrote it, messages.",
        epilog=HISTORY_EXIT,
        formatter_class=raw,
    )
    state = commands.add_parser(
        "state",
        help="print a thread's values, at its head or at a checkpoint (no UI)",
        description="The thread's values (all of them, not only messages), at the newest checkpoint or at\n"
        "--checkpoint ID: one line (checkpoint id, step, source, what runs next), then the values as\n"
        "indented JSON. --json prints one object: checkpoint_id, parent_checkpoint_id, step, source,\n"
        "next, created_at, run_id, messages (how many) and values.",
        epilog=HISTORY_EXIT,
        formatter_class=raw,
    )
    runs = commands.add_parser(
        "runs",
        help="list a thread's runs, newest first (no UI)",
        description="A thread's runs, newest first: id, status, start, duration, what it was sent, multitask\n"
        "strategy and config.",
        epilog=HISTORY_EXIT,
        formatter_class=raw,
    )
    for parser in (history, state, runs):
        add_connection_args(parser, suppress=True, thread_and_assistant=False)
        parser.add_argument("--thread", metavar="ID", required=True, help="the thread")
        parser.add_argument("--json", action="store_true", help="print JSON")
    # (Everything by default, read a page at a time: a long thread's history is listed whole.)
    history.add_argument("--limit", type=_limit, metavar="N", help="at most N checkpoints, the newest (default: all)")
    runs.add_argument("--limit", type=_limit, metavar="N", help="at most N runs, the newest (default: all)")
    state.add_argument("--checkpoint", metavar="CHECKPOINT_ID", help="the values at this checkpoint")


def _speed(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a number, e.g. 1 (the recorded pace) or 10") from None
    if not 0 < value <= 1000:
        raise argparse.ArgumentTypeError("must be more than 0 and at most 1000")
    return value


RECORDING_HELP = """\
recordings (a run's raw event stream, as received, in a .sse file any SSE reader can read):
  --record FILE   record this command's run (its first line names the server's host, the
                  assistant, thread, run and time; never a key or a header). An existing FILE is
                  refused (exit 2, nothing sent) unless --force.
  --replay FILE   play a recording back, with no server: the same --json document and --raw
                  events as the live run, at once or at the recorded pace times --speed N.
"""


def add_recording_args(stream: argparse.ArgumentParser) -> None:
    """``stream --record FILE [--force]`` and ``stream --replay FILE [--speed N]``."""
    where = stream.add_mutually_exclusive_group()
    where.add_argument("--record", type=Path, metavar="FILE", help="record the run's events in FILE (.sse)")
    where.add_argument(
        "--replay", type=Path, metavar="FILE", help="play a recording back instead of sending (no server)"
    )
    stream.add_argument("--force", action="store_true", help="with --record: overwrite an existing FILE")
    stream.add_argument(
        "--speed",
        type=_speed,
        metavar="N",
        help="with --replay: play at the recorded pace times N (default: at once)",
    )


def add_replay_parser(commands: Any) -> None:
    """``chat-tui replay FILE [--speed N | --instant]``."""
    replay = commands.add_parser(
        "replay",
        help="play a recording back in the app, with no server (read-only)",
        description="Open the app on a recording (F10 in the app, or `chat-tui stream --record`): its runs play\n"
        "into the message pane as they streamed (messages, tool panels, interrupts), at the recorded\n"
        "pace, --speed N times faster, or --instant. Nothing is sent anywhere. Esc stops the playback,\n"
        "q or Ctrl+C quits.\n\n"
        "exit codes: 0, 2 a FILE that cannot be read as a recording (one line, before the app starts),\n"
        "5 a recording that holds no run",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument("file", type=Path, metavar="FILE", help="the recording (.sse)")
    pace = replay.add_mutually_exclusive_group()
    pace.add_argument("--speed", type=_speed, metavar="N", help="the recorded pace times N (default 1)")
    pace.add_argument("--instant", action="store_true", help="play everything at once")


EXPORT_EXIT = """
exit codes: 0 ok, 2 bad usage (a thread the server does not have, a FILE that exists without
--force: nothing is written), 4 the server could not be reached or refused the request
"""


def add_export_parser(commands: Any, add_connection_args: Callable[..., None]) -> None:
    """``chat-tui export --thread ID [--format md|json|jsonl] [-o FILE] [--force]``."""
    export = commands.add_parser(
        "export",
        help="export a thread as Markdown, JSON or JSONL (no UI)",
        description="A thread, for a bug report or an archive:\n"
        "  md     Markdown: a heading per speaker (with the node), tool calls and results as fenced JSON,\n"
        "         interrupts and errors marked; control characters removed\n"
        "  json   the thread's messages as the server stores them, with the thread's metadata\n"
        "  jsonl  one stored message per line\n"
        "Written to stdout, or to FILE with -o (an existing FILE only with --force).",
        epilog=EXPORT_EXIT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_args(export, suppress=True, thread_and_assistant=False)
    export.add_argument("--thread", metavar="ID", required=True, help="the thread")
    export.add_argument("--format", choices=["md", "json", "jsonl"], default="md", help="md (default), json, jsonl")
    export.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE instead of stdout")
    export.add_argument("--force", action="store_true", help="overwrite FILE if it exists")


def answer_problem(args: argparse.Namespace) -> str | None:
    """What is wrong with the combination of MESSAGE, --decide, --resume, --interrupt and --thread."""
    answer = "--decide" if args.decide else "--resume" if args.resume is not None else None
    if args.checkpoint is not None:
        if not getattr(args, "thread", None):
            return "--checkpoint is a checkpoint of a thread: add --thread ID"
        if answer is not None:
            return f"--checkpoint runs from a checkpoint with a MESSAGE or nothing, not {answer}"
        return None
    if args.decide and args.resume is not None:
        return "give either --decide or --resume, not both"
    if answer is None and args.interrupt is not None:
        return "--interrupt picks the interrupt to answer: add --decide DECISION or --resume JSON"
    if answer is None and args.message is None:
        return "give a MESSAGE to send (or --decide DECISION / --resume JSON to answer an interrupt)"
    if answer is not None and args.message is not None:
        return f"give either a MESSAGE or {answer}, not both"
    if answer is not None and not getattr(args, "thread", None):
        return f"{answer} answers a pending interrupt: add --thread ID"
    return None


NOT_WITH_REPLAY = (
    ("message", "MESSAGE"),
    ("decide", "--decide"),
    ("resume", "--resume"),
    ("interrupt", "--interrupt"),
    ("checkpoint", "--checkpoint"),
    ("config", "--config"),
    ("context", "--context"),
    ("subgraphs", "--subgraphs"),
    ("force", "--force"),
    ("thread", "--thread"),
    ("assistant", "--assistant"),
    ("url", "--url"),
    ("demo", "--demo"),
    ("profile", "--profile"),
    ("api_key_env", "--api-key-env"),
)


def replay_problem(args: argparse.Namespace) -> str | None:
    """``stream --replay`` sends nothing and needs no server: what would send is refused."""
    given = [flag for name, flag in NOT_WITH_REPLAY if getattr(args, name, None) not in (None, False)]
    return f"--replay plays a recording back with no server: drop {', '.join(given)}" if given else None


STORE_HELP = """\
The server's store (long-term memory): namespaces, items, values.

A NAMESPACE is written with dots, its labels in order: users.alice.memories (a label cannot hold a
period, so this is unambiguous); "" or . is the root. A VALUE is a JSON object. What the server would
refuse (an empty label, a period in one, a value that is not a JSON object) is refused before
anything is sent.

exit codes: 0 ok, 1 the server failed the request, 2 bad usage (a bad NAMESPACE, KEY or VALUE:
nothing was sent), 4 the server could not be reached or refused the request, 5 nothing found
(`get` or `rm` of an item that does not exist)

examples:
  chat-tui store ns --url http://127.0.0.1:2024            every namespace
  chat-tui store ns --url … users                          the namespaces under users
  chat-tui store ls --url … users.alice --limit 20         the items under users.alice
  chat-tui store ls --url … users --query tea --json       ranked by the query, if the store has an index
  chat-tui store get --url … users.alice prefs
  chat-tui store put --url … users.alice prefs '{"tea": "green"}'
  chat-tui store rm --url … users.alice prefs
"""


def _store_limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if not 1 <= value <= 100000:
        raise argparse.ArgumentTypeError("must be between 1 and 100000")
    return value


def add_store_parser(commands: Any, add_connection_args: Callable[..., None], parser_class: Any) -> None:
    """``chat-tui store ns|ls|get|put|rm``."""
    raw = argparse.RawDescriptionHelpFormatter
    store = commands.add_parser(
        "store",
        help="browse and edit the server's store: namespaces, items (no UI)",
        description=STORE_HELP,
        formatter_class=raw,
    )
    actions = store.add_subparsers(dest="store_command", metavar="ACTION", parser_class=parser_class, required=True)
    ns = actions.add_parser("ns", help="list namespaces (under PREFIX)", description=STORE_HELP, formatter_class=raw)
    ns.add_argument("prefix", nargs="?", default="", metavar="PREFIX", help="e.g. users (default: all)")
    ls = actions.add_parser("ls", help="list the items under NAMESPACE", description=STORE_HELP, formatter_class=raw)
    ls.add_argument("namespace", metavar="NAMESPACE", help='e.g. users.alice ("" for every item)')
    ls.add_argument("--query", metavar="Q", help="rank by Q (a store with an index; ignored by others)")
    ls.add_argument("--limit", type=_store_limit, default=100, metavar="N", help="at most N items (100)")
    get = actions.add_parser("get", help="print one item", description=STORE_HELP, formatter_class=raw)
    put = actions.add_parser("put", help="create or replace one item", description=STORE_HELP, formatter_class=raw)
    rm = actions.add_parser("rm", help="delete one item", description=STORE_HELP, formatter_class=raw)
    for parser in (get, put, rm):
        parser.add_argument("namespace", metavar="NAMESPACE", help="e.g. users.alice")
        parser.add_argument("key", metavar="KEY", help="the item's key")
    put.add_argument("value", metavar="VALUE", help='the value, a JSON object, e.g. \'{"tea": "green"}\'')
    for parser in (ns, ls, get, put, rm):
        add_connection_args(parser, suppress=True, thread_and_assistant=False)
        parser.add_argument("--json", action="store_true", help="print JSON")


def add_headless_parsers(commands: Any, add_connection_args: Callable[..., None], parser_class: Any) -> None:
    """The headless commands on one server: ``history``, ``state``, ``runs``, ``export``, ``store``."""
    add_history_parsers(commands, add_connection_args)
    add_export_parser(commands, add_connection_args)
    add_store_parser(commands, add_connection_args, parser_class)


# -- the argparse pieces every command shares (cli.py builds the commands from them) ------------

INBOX_MAX = 1000


class Parser(argparse.ArgumentParser):
    """argparse with a one-line error instead of the usage block."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON ({exc.msg} at position {exc.pos})") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError('must be a JSON object, e.g. \'{"configurable": {"model_name": "openai"}}\'')
    return value


def json_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text  # a bare word such as `yes` is sent as a string


def limit(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a whole number") from None
    if not 1 <= value <= INBOX_MAX:
        raise argparse.ArgumentTypeError(f"must be between 1 and {INBOX_MAX}")
    return value


def add_connection_args(
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
