"""Start the app from parsed command-line arguments (imports Textual only when it runs)."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from chat_tui.client.errors import ClientError

if TYPE_CHECKING:
    from chat_tui.settings.manager import SettingsManager
    from chat_tui.ui.app import LaunchPlan

__all__ = ["run_app"]


def run_app(args: argparse.Namespace) -> int:
    """Build the launch plan from *args*, run the app, return its exit code."""
    from chat_tui.settings.manager import SettingsManager

    settings = SettingsManager()  # one for the launch and the app: what loading it reported is shown
    try:
        plan = build_plan(args, settings)  # bad flags and URLs are reported first, terminal or not
    except ClientError as exc:
        sys.stderr.write(f"chat-tui: error: {exc}\n")
        return 2
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        sys.stderr.write(
            "chat-tui: error: the app needs a terminal (stdin and stdout must be a TTY); "
            "for scripts use `chat-tui stream`\n"
        )
        return 2
    from chat_tui.ui.app import ChatApp

    app = ChatApp(plan, settings=settings)
    app.run()
    return app.return_code or 0


def build_plan(args: argparse.Namespace, manager: SettingsManager | None = None) -> LaunchPlan:
    """Flags override the profile for this launch only.

    ``--url`` replaces the profile's server, so the profile's stored key and headers are not
    sent there: only ``--api-key-env`` (or, for a remote server, the SDK's variables) are.
    The last used profile failing (its key variable unset) opens the connect screen with the
    reason; a profile named with ``--profile`` failing is an error.
    """
    from chat_tui.client.urls import normalize_base_url
    from chat_tui.connection import Connection, resolve_api_key
    from chat_tui.settings.manager import SettingsManager
    from chat_tui.ui.app import LaunchPlan

    plan = LaunchPlan(demo=bool(args.demo), assistant=args.assistant, thread=args.thread)
    if args.demo:
        if args.profile:
            raise ClientError("--demo and --profile cannot be combined")
        return plan
    manager = manager or SettingsManager()
    try:
        profile = manager.connection(args.profile) if (args.profile or not args.url) else None
    except ClientError as exc:
        if args.profile or args.url:
            raise
        plan.problem = f"{exc}: pick or fix a profile"
        return plan
    if args.url:
        url = normalize_base_url(args.url)
        plan.connection = Connection(url, api_key=resolve_api_key(url, api_key_env=args.api_key_env))
        if profile is not None:
            plan.connection.timeout = profile.timeout
            plan.connection.assistant_id = profile.assistant_id
        return plan
    if profile is not None and args.api_key_env:
        profile.api_key = resolve_api_key(profile.url, api_key_env=args.api_key_env)
    plan.connection = profile
    plan.profile = profile.name if profile is not None else None
    return plan
