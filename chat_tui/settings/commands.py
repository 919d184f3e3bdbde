"""``chat-tui config path|show``."""

from __future__ import annotations


def config_command(action: str) -> int:
    print("settings are not stored yet")
    return 0
