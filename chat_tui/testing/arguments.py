"""The command line of ``chat-tui test``: its options, help and examples (no imports of the runner:
``chat-tui --help`` builds these parsers)."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["add_test_parser", "diff_parser", "record_parser", "view_parser"]

AddConnection = Callable[..., None]

TEST_HELP = """\
scenario files (YAML, version: 1) are described in the README ("Testing agents");
`chat-tui test schema` prints their JSON Schema, `chat-tui test record --thread ID` writes one from a thread.
--tui shows the runs in the app as they finish; `chat-tui test view RESULTS.jsonl` opens a --jsonl file there.

After the table: each flaky scenario's runs grouped by the path they took (nodes, and the tools each
node's model asked for) with their verdicts, and each assistant's graph coverage (the nodes and edges
of `GET /assistants/ID/graph` no run went through; one request per assistant, never a verdict).
`chat-tui test diff BASE.jsonl NEW.jsonl` compares two --jsonl files (see its --help).

exit codes: 0 every scenario met its pass rate, 1 at least one did not, 2 bad usage or an invalid
scenario file (FILE:LINE: message; nothing was run), 4 the server could not be reached or refused
(or more than 20% of runs were infrastructure errors) and no assertion failed, 5 nothing was selected;
`test diff`: 0 no scenario regressed, 1 at least one regressed, 2 a file cannot be read, 5 no scenario in common
--junit/--jsonl/--md are written even when nothing ran (one error testcase, one suite line, one line).
marks: . pass, F a failed check, E an error (no verdict, or the run failed where the turn did not
expect `status: error`: never a pass).
"""

TEST_EXAMPLES = """\
examples:
  chat-tui test examples/ --demo
  chat-tui test tests/scenarios/ --url http://127.0.0.1:2024 -k weather --repeat 5 --pass-rate 0.8
  chat-tui test suite.yaml --profile staging --junit results.xml --jsonl results.jsonl --md summary.md
  chat-tui test examples/ --demo --tui
  chat-tui test view results.jsonl --demo
  chat-tui test record --demo --thread <id> -o regression.yaml
  chat-tui test record --demo --thread <id> -o tests/agent/agent.yaml --append --nodes --budgets
  chat-tui test schema > chat-tui-test.schema.json
  chat-tui test diff main.jsonl branch.jsonl      pass rate, latency and token changes, regressions first
"""

DIFF_HELP = """Compare two results files written by `chat-tui test --jsonl`, scenario by scenario (matched by the
scenario file's name and the scenario's id): pass rate before → after, p50 latency (NEW / BASE),
tokens per run, and a status: regressed (it passed and now does not, or its pass rate dropped),
fixed (it did not pass and now does), new, gone, same. Regressions come first.

exit codes: 0 no scenario regressed, 1 at least one regressed, 2 a file cannot be read (one line:
FILE:LINE: message), 5 no scenario is in both files
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
        "Also: `chat-tui test record --thread ID [-o FILE]`, `chat-tui test view RESULTS.jsonl`,\n"
        "`chat-tui test schema`, `chat-tui test diff BASE.jsonl NEW.jsonl [--json]`.",
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
    test.add_argument("--subgraphs", action="store_true", help="stream subgraphs (stream_subgraphs) in every run")
    test.add_argument(
        "--tui",
        action="store_true",
        help="run in the app's results view (Enter opens a run's thread at the failing turn); exits as without it",
    )
    test.add_argument(
        "--compare",
        type=Path,
        metavar="BASE.jsonl",
        help="with --tui: each scenario against an earlier --jsonl file, regressions first (as `test diff`)",
    )
    test.add_argument("paths", nargs="*", metavar="PATH", help="scenario files or folders")


def record_parser(
    parser_class: type[argparse.ArgumentParser], add_connection_args: AddConnection
) -> argparse.ArgumentParser:
    """``chat-tui test record`` (parsed on its own: ``test`` takes PATHs)."""
    record = parser_class(
        prog="chat-tui test record",
        description="Write a scenario that replays a thread's turns (from the server's list of its runs), with\n"
        "expectations derived from what happened: by default status, tool calls (args_mode: subset),\n"
        "interrupts, and the final text only as a minimum length; --nodes and --budgets add the node\n"
        "path and maxima with headroom (twice what the run took, rounded up; latency at least 5 s).",
        epilog="examples:\n"
        "  chat-tui test record --demo --thread <id> -o regression.yaml\n"
        "  chat-tui test record --url … --thread <id> -o tests/agent/agent.yaml --append --id weather --repeat 3\n"
        "  chat-tui test record --url … --thread <id> --no-tools --nodes --budgets   (printed)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_args(record, thread_and_assistant=False)
    record.add_argument("--thread", metavar="ID", required=True, help="the thread to turn into a test")
    record.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE (default: print it)")
    where = record.add_mutually_exclusive_group()
    where.add_argument("--force", action="store_true", help="overwrite FILE when it exists")
    where.add_argument(
        "--append",
        action="store_true",
        help="add the scenario to FILE's scenarios (its comments and formatting kept; created if missing)",
    )
    record.add_argument("--id", dest="scenario_id", metavar="NAME", help="the scenario's id (default: from the thread)")
    record.add_argument("--repeat", type=_bounded(1, 1000), metavar="N", help="runs of the scenario (default: 1)")
    keep = record.add_argument_group("expectations to keep")
    keep.add_argument("--no-tools", dest="tools", action="store_false", help="no tool_calls expectations")
    keep.add_argument(
        "--args-mode",
        choices=["subset", "exact", "superset", "ignore"],
        default="subset",
        help="how tool call arguments are compared (default subset; ignore: names only)",
    )
    keep.add_argument("--no-status", dest="status", action="store_false", help="no status expectations")
    keep.add_argument("--no-interrupts", dest="interrupts", action="store_false", help="no interrupt expectations")
    keep.add_argument("--nodes", action="store_true", help="the nodes that ran, as nodes: {in_order: [...]}")
    keep.add_argument("--budgets", action="store_true", help="latency, tokens and tool calls as maxima with headroom")
    return record


def view_parser(
    parser_class: type[argparse.ArgumentParser], add_connection_args: AddConnection
) -> argparse.ArgumentParser:
    """``chat-tui test view RESULTS.jsonl`` (parsed on its own: ``test`` takes PATHs)."""
    view = parser_class(
        prog="chat-tui test view",
        description="Open a results file written by `chat-tui test --jsonl FILE` in the app's results view:\n"
        "scenarios, their runs, each run's checks with expected against actual. Enter opens a run's thread\n"
        "at the failing turn (on the server given here), r reruns a scenario (its file must still be there),\n"
        "R the failures, y copies a command that reproduces a run, a accepts the actual value into the file.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_connection_args(view, thread_and_assistant=False)
    view.add_argument("results", type=Path, metavar="RESULTS.jsonl", help="a file written by chat-tui test --jsonl")
    view.add_argument(
        "--compare", type=Path, metavar="BASE.jsonl", help="each scenario against an earlier file, regressions first"
    )
    view.add_argument("-j", dest="concurrency", type=_bounded(1, 64), default=4, metavar="N", help="runs at a time (4)")
    return view


def diff_parser(parser_class: type[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """``chat-tui test diff BASE NEW [--json]`` (parsed on its own, like ``test record``)."""
    diff = parser_class(
        prog="chat-tui test diff", description=DIFF_HELP, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    diff.add_argument("base", type=Path, metavar="BASE.jsonl", help="the results to compare against")
    diff.add_argument("new", type=Path, metavar="NEW.jsonl", help="the newer results")
    diff.add_argument("--json", action="store_true", help="print one JSON object instead of the table")
    return diff
