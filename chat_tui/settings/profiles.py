"""Saved connection profiles, as the command line uses them."""

from __future__ import annotations

import sys

from chat_tui.connection import Launch, Overrides
from chat_tui.settings.manager import SettingsManager

__all__ = ["resolve_command_line"]


def resolve_command_line(overrides: Overrides) -> Launch:
    """What ``chat-tui stream`` connects to (see :func:`~chat_tui.connection.resolve_launch`).

    What loading the settings reported (a corrupt file moved aside) goes to stderr, once.
    """
    manager = SettingsManager()
    try:
        return manager.resolve(overrides)
    finally:
        for notice in manager.take_notices():
            sys.stderr.write(f"chat-tui: {notice.message}\n")
