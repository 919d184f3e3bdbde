"""Saved connection profiles (placeholder until profiles are stored)."""

from __future__ import annotations

from chat_tui.client.errors import ClientError
from chat_tui.connection import Connection

__all__ = ["connection_from_profile"]


def connection_from_profile(name: str | None) -> Connection | None:
    """The connection of profile *name* (or of the last used one); None when there is none."""
    if name:
        raise ClientError(f"no saved profile named {name!r}")
    return None
