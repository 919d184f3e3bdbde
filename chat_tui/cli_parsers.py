"""Help texts and the parsers of the thread-history commands (``history``, ``state``, ``runs``):
argparse only, so ``chat-tui --help`` stays fast."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

__all__ = ["DECIDE_HELP", "EXAMPLES", "add_history_parsers"]

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
3 the run waits at an interrupt, 4 the server could not be reached or refused the request
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
        description="The thread's values (all of them, not only messages) as JSON: at the newest checkpoint,\n"
        "or at --checkpoint ID.",
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
    history.add_argument("--limit", type=_limit, default=100, metavar="N", help="at most N checkpoints (100)")
    runs.add_argument("--limit", type=_limit, default=100, metavar="N", help="at most N runs (100)")
    state.add_argument("--checkpoint", metavar="CHECKPOINT_ID", help="the values at this checkpoint")
