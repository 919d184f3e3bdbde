"""Start the app from parsed command-line arguments (imports Textual only when it runs)."""

from __future__ import annotations

import argparse
import sys

from chat_tui.client.errors import ClientError

__all__ = ["run_app"]


def run_app(args: argparse.Namespace) -> int:
    """Build the launch plan from *args*, run the app, return its exit code."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        sys.stderr.write(
            "chat-tui: error: the app needs a terminal (stdin and stdout must be a TTY); "
            "for scripts use `chat-tui stream`\n"
        )
        return 2
    try:
        plan = build_plan(args)
    except ClientError as exc:
        sys.stderr.write(f"chat-tui: error: {exc}\n")
        return 2
    from chat_tui.ui.app import ChatApp

    app = ChatApp(plan)
    app.run()
    return app.return_code or 0


def build_plan(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from chat_tui.client.urls import normalize_base_url
    from chat_tui.connection import Connection, resolve_api_key
    from chat_tui.settings.profiles import connection_from_profile
    from chat_tui.ui.app import LaunchPlan

    plan = LaunchPlan(demo=bool(args.demo), assistant=args.assistant, thread=args.thread)
    if args.demo:
        return plan
    if args.url:
        url = normalize_base_url(args.url)
        plan.connection = Connection(url, api_key=resolve_api_key(url, api_key_env=args.api_key_env))
        return plan
    plan.connection = connection_from_profile(args.profile)
    return plan
