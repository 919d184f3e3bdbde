"""Saved connection profiles, as the command line uses them."""

from __future__ import annotations

import sys

from chat_tui.connection import Connection
from chat_tui.settings.manager import SettingsManager

__all__ = ["connection_from_profile"]


def connection_from_profile(name: str | None) -> Connection | None:
    """The connection of profile *name* (or of the last used one); None when there is none.

    What loading the settings reported (a corrupt file moved aside) goes to stderr, once.
    """
    manager = SettingsManager()
    try:
        return manager.connection(name)
    finally:
        for notice in manager.take_notices():
            sys.stderr.write(f"chat-tui: {notice.message}\n")
