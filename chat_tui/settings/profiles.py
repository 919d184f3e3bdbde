"""Saved connection profiles, as the command line uses them."""

from __future__ import annotations

from chat_tui.connection import Connection
from chat_tui.settings.manager import SettingsManager

__all__ = ["connection_from_profile"]


def connection_from_profile(name: str | None) -> Connection | None:
    """The connection of profile *name* (or of the last used one); None when there is none."""
    return SettingsManager().connection(name)
