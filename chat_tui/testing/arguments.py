"""The command line of ``chat-tui test``: its options, help and examples (no imports of the runner:
``chat-tui --help`` builds these parsers)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["add_test_parser", "record_parser"]

AddConnection = Callable[..., None]

TEST_HELP = """\
scenario files (YAML, version: 1) are described in the README ("Testing agents");
`chat-tui test schema` prints their JSON Schema, `chat-tui test record --thread ID` writes one from a thread.

exit codes: 0 every scenario met its pass rate, 1 at least one did not, 2 bad usage or an invalid
scenario file (FILE:LINE: message; nothing was run), 4 the server could not be reached or refused
(or more than 20% of runs were infrastructure errors) and no assertion failed, 5 nothing was selected;
--junit/--jsonl/--md are written even when nothing ran (one error testcase, one suite line, one line).
marks: . pass, F a failed check, E an error (no verdict, or the run failed where the turn did not
expect `status: error`: never a pass).
"""

TEST_EXAMPLES = """\
examples:
  chat-tui test examples/ --demo
  chat-tui test tests/scenarios/ --url http://127.0.0.1:2024 -k weather --repeat 5 --pass-rate 0.8
  chat-tui test suite.yaml --profile staging --junit results.xml --jsonl results.jsonl --md summary.md
  chat-tui test record --demo --thread <id> -o regression.yaml
  chat-tui test schema > chat-tui-test.schema.json
"""


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError("must be a number between 0 and 1") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def _bounded(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError("must be a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low} and {high}")
        return value

    return parse


def add_test_parser(commands: Any, add_connection_args: AddConnection) -> None:
    """``chat-tui test`` (its PATHs and options) under the command line's subcommands."""
    test = commands.add_parser(
        "test",
        help="run scripted agent tests (YAML scenarios) against a server",
        description="Run the scenarios in PATH (files, or folders of *.yaml/*.yml) against a server: each run\n"
        "is a new thread, tagged in its metadata; interrupts are answered by the script.\n"
        "Also: `chat-tui test record --thread ID [-o FILE]`, `chat-tui test schema`.",
        epilog=TEST_HELP + "\n" + TEST_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_args(test, suppress=True, thread_and_assistant=False)
    test.add_argument("--assistant", metavar="ID_OR_GRAPH", help="the assistant of scenarios that name none")
    test.add_argument("-k", dest="keyword", metavar="SUBSTRING", help="only scenarios whose id contains it")
    test.add_argument("--tag", action="append", default=[], metavar="TAG", help="only scenarios with this tag")
    test.add_argument("--repeat", type=_bounded(1, 1000), metavar="N", help="runs per scenario (overrides files)")
    test.add_argument("--pass-rate", type=_fraction, metavar="R", help="share of runs that must pass, 0..1")
    test.add_argument("-j", dest="concurrency", type=_bounded(1, 64), default=4, metavar="N", help="runs at a time (4)")
    test.add_argument("--junit", type=Path, metavar="FILE", help="write a JUnit XML report")
    test.add_argument("--jsonl", type=Path, metavar="FILE", help="write one JSON line per run, scenario and suite")
    test.add_argument("--md", type=Path, metavar="FILE", help="write the summary table as Markdown")
    test.add_argument("-v", "--verbose", action="store_true", help="a line per run and per turn instead of marks")
    test.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or folders")


def record_parser(
    parser_class: type[argparse.ArgumentParser], add_connection_args: AddConnection
) -> argparse.ArgumentParser:
    """``chat-tui test record`` (parsed on its own: ``test`` takes PATHs)."""
    record = parser_class(
        prog="chat-tui test record",
        description="Write a scenario that replays a thread's turns (from the server's list of its runs), with\n"
        "expectations derived from what happened: status, tool calls (args_mode: subset), interrupts,\n"
        "and the final text only as a minimum length.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_args(record, thread_and_assistant=False)
    record.add_argument("--thread", metavar="ID", required=True, help="the thread to turn into a test")
    record.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE (default: print it)")
    record.add_argument("--force", action="store_true", help="overwrite FILE when it exists")
    record.add_argument("--id", dest="scenario_id", metavar="NAME", help="the scenario's id (default: from the thread)")
    return record
