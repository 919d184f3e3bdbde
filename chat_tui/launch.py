"""Start the app from parsed command-line arguments (imports Textual only when it runs)."""

from __future__ import annotations

import argparse
import os
import sys
from typing import TYPE_CHECKING

from chat_tui.client.errors import ClientError
from chat_tui.sanitize import clean_line

if TYPE_CHECKING:
    from chat_tui.settings.manager import SettingsManager
    from chat_tui.ui.app import LaunchPlan

__all__ = ["FRAME_RATE", "run_app", "run_replay", "run_test_app", "set_frame_rate"]

# Textual paints at most this many frames a second (``TEXTUAL_FPS``, read when Textual is imported;
# the user's own setting wins). A frame waits until that interval has passed since the last one
# began (``textual_compat.PacedFrames``): at 60 a typed key or a flushed token waited up to 16.7 ms
# while an answer streamed, at 120 up to 8.3 ms (key to screen p99 0.81x, token p50 0.88x, CPU
# 1.08x, measured with Textual's own timer; ``python -m tests.benchmarks --only terminal``).
FRAME_RATE = "120"


def set_frame_rate() -> None:
    """Before anything imports Textual (the launch plan's module does)."""
    os.environ.setdefault("TEXTUAL_FPS", FRAME_RATE)


# What `chat-tui replay` refuses: it connects nowhere.
NO_SERVER = [("url", "--url"), ("demo", "--demo"), ("profile", "--profile"), ("api_key_env", "--api-key-env")]
NO_SERVER += [("assistant", "--assistant"), ("thread", "--thread")]


def run_app(args: argparse.Namespace) -> int:
    """Build the launch plan from *args*, run the app, return its exit code."""
    set_frame_rate()
    from chat_tui.settings.manager import SettingsManager

    settings = SettingsManager()  # one for the launch and the app: what loading it reported is shown
    try:
        plan = build_plan(args, settings)  # bad flags and URLs are reported first, terminal or not
    except ClientError as exc:
        sys.stderr.write(f"chat-tui: error: {exc}\n")
        return 2
    if _needs_terminal():
        return 2
    from chat_tui.ui.app import ChatApp

    app = ChatApp(plan, settings=settings)
    app.run()
    return app.return_code or 0


def run_test_app(args: argparse.Namespace, tests: object) -> int:
    """The app on a test suite's results view (*tests*: a ``TestLaunch``); exits with the suite's
    verdict (see ``chat-tui test --help``), 1 when it was left before every scenario ran."""
    set_frame_rate()
    from chat_tui.settings.manager import SettingsManager

    settings = SettingsManager()
    for name in ("assistant", "thread"):
        if not hasattr(args, name):
            setattr(args, name, None)
    try:
        plan = build_plan(args, settings)
    except ClientError as exc:
        sys.stderr.write(f"chat-tui: error: {exc}\n")
        return 2
    if _needs_terminal():
        return 2
    from chat_tui.ui.app import ChatApp

    plan.tests = tests
    plan.assistant = None  # (the scenarios name their assistants; new threads in the app use the default)
    app = ChatApp(plan, settings=settings)
    app.run()
    code = app.test_exit_code()
    return int(code) if code is not None else app.return_code or 0


def _needs_terminal() -> bool:
    if sys.stdin.isatty() and sys.stdout.isatty():
        return False
    sys.stderr.write(
        "chat-tui: error: the app needs a terminal (stdin and stdout must be a TTY); "
        "for scripts use `chat-tui stream`\n"
    )
    return True


def run_replay(args: argparse.Namespace) -> int:
    """``chat-tui replay FILE``: the app on a recording, with no server. A file that cannot be read
    is one line and exit 2 (5 when it holds no run), before the app starts."""
    set_frame_rate()
    from chat_tui.client.recording import RecordingError
    from chat_tui.client.recording_reader import read_recording

    given = [flag for name, flag in NO_SERVER if getattr(args, name, None) not in (None, False)]
    if given:
        sys.stderr.write(f"chat-tui: error: replay plays a recording with no server: drop {', '.join(given)}\n")
        return 2
    try:
        recording = read_recording(args.file)
    except RecordingError as exc:
        sys.stderr.write(f"chat-tui: error: {exc}\n")
        return 2
    if not recording.runs:
        sys.stderr.write("chat-tui: error: the recording holds no run: nothing to play\n")
        return 5
    if _needs_terminal():
        return 2
    from chat_tui.ui.replay_app import ReplayApp

    speed = None if args.instant else args.speed or 1.0
    app = ReplayApp(recording, source=clean_line(args.file.name, 80), speed=speed)
    app.run()
    return app.return_code or 0


def build_plan(args: argparse.Namespace, manager: SettingsManager | None = None) -> LaunchPlan:
    """The launch plan: the connection the flags and profiles resolve to (flags override a
    profile for this launch only; the rules are :func:`~chat_tui.connection.resolve_launch`'s).

    The last used profile failing (its key variable unset) opens the connect screen with the
    reason; anything else that fails is an error (``ClientError``).
    """
    from chat_tui.connection import Overrides
    from chat_tui.settings.manager import SettingsManager
    from chat_tui.ui.app import LaunchPlan

    launch = (manager or SettingsManager()).resolve(Overrides.from_args(args))
    connection = launch.connection
    return LaunchPlan(
        connection=connection,
        demo=launch.demo,
        assistant=args.assistant,
        thread=args.thread,
        profile=connection.name if connection is not None else None,
        problem=f"{launch.problem}: pick or fix a profile" if launch.problem else None,
    )
