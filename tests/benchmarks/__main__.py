"""Run the benchmark suite: ``python -m tests.benchmarks [--quick] [--only GROUP ...]``.

Prints one line per figure (``name value unit``) and writes ``BENCHMARKS.md`` at the
repository root. Groups: startup (with the demo server's start), ingest (replay and real
server), render, long_thread, thread_list, test_runner (`chat-tui test` beside an SDK loop),
time_travel (the timeline of a 300-checkpoint thread), inspector (streaming with the event inspector
shown beside hidden; a 1 MB tool result expanded and scrolled), terminal (the real app in a pty, measured
from the outside: key and token to screen, CPU per chunk beside a minimal Textual app, idle CPU).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GROUPS = (
    "startup",
    "ingest",
    "render",
    "long_thread",
    "thread_list",
    "test_runner",
    "time_travel",
    "inspector",
    "terminal",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="reduced sizes (under a minute in total)")
    parser.add_argument(
        "--only", nargs="+", choices=GROUPS, metavar="GROUP", help=f"run only these: {', '.join(GROUPS)}"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md", help="where to write the report")
    args = parser.parse_args(argv)
    groups = args.only or list(GROUPS)
    with tempfile.TemporaryDirectory(prefix="chat-tui-bench-") as tmp:
        home = Path(tmp)
        # Never the user's settings, drafts or logs.
        for name in ("CONFIG", "DATA", "LOG"):
            os.environ[f"CHAT_TUI_{name}_DIR"] = str(home / name.lower())
        start = time.perf_counter()
        results = asyncio.run(run(groups, home, args.quick))
        elapsed = time.perf_counter() - start
    from tests.benchmarks.report import write

    command = "python -m tests.benchmarks" + (" --quick" if args.quick else "")
    if args.only:
        command += " --only " + " ".join(args.only)
    write(results, args.output, quick=args.quick, command=command, elapsed=elapsed)
    print(f"# wrote {args.output} in {elapsed:.0f} s", file=sys.stderr)
    return 0


async def run(groups: list[str], home: Path, quick: bool):  # type: ignore[no-untyped-def]
    from tests.benchmarks import (
        ingest,
        inspector,
        long_thread,
        render,
        startup,
        suite_runner,
        terminal,
        thread_list,
        time_travel,
    )
    from tests.benchmarks.measure import Figure, Results
    from tests.benchmarks.replay_server import ReplayServer

    results = Results()
    clock = time.perf_counter()

    def lap(group: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        print(f"# {group}: {now - clock:.1f} s", file=sys.stderr, flush=True)
        clock = now

    with ReplayServer() as replay:
        if "startup" in groups:
            await asyncio.to_thread(startup.run, results, replay.url, home / "startup", quick)
            lap("startup")
        demo = None
        if {"startup", "ingest", "test_runner", "time_travel"} & set(groups):
            seconds, demo = await asyncio.to_thread(startup.demo_ready_time)
            results.add(Figure("startup.demo_ok", seconds, "s", note="--demo: server start to /ok"))
            lap("demo server")
        try:
            if "ingest" in groups:
                await ingest.run(results, replay.url, lambda s: replay.control("prepare", scenario=s), quick)
                lap("ingest")
                if demo is not None:
                    await ingest.run_real(results, demo.url, quick)  # type: ignore[attr-defined]
                    lap("ingest, real server")
            if "test_runner" in groups and demo is not None:
                await suite_runner.run(results, demo.url, quick)  # type: ignore[attr-defined]
                lap("test_runner")
            if "time_travel" in groups and demo is not None:
                await time_travel.run(results, demo.url, quick)  # type: ignore[attr-defined]
                lap("time_travel")
        finally:
            if demo is not None:
                await asyncio.to_thread(demo.stop)  # type: ignore[attr-defined]
        if "render" in groups:
            await render.run(results, replay, home / "render", quick)
            lap("render")
        if "long_thread" in groups:
            await long_thread.run(results, replay, home / "long", quick)
            lap("long_thread")
        if "thread_list" in groups:
            await thread_list.run(results, replay, home / "threads", quick)
            lap("thread_list")
        if "inspector" in groups:
            await inspector.run(results, replay, home / "inspector", quick)
            lap("inspector")
        if "terminal" in groups:
            await asyncio.to_thread(terminal.run, results, replay, home / "terminal", quick)
            lap("terminal")
    return results


if __name__ == "__main__":
    sys.exit(main())
