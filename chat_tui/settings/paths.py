"""Where chat-tui keeps things. Resolved on first use, never at import; nothing is created here.

``CHAT_TUI_CONFIG_DIR`` / ``CHAT_TUI_DATA_DIR`` / ``CHAT_TUI_LOG_DIR`` override the
platform defaults (tests and portable installs use them).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["DEMO_SERVER_LOG", "config_dir", "data_dir", "demo_server_log", "log_dir"]

APP_NAME = "chat-tui"
DEMO_SERVER_LOG = "demo-server.log"


def config_dir() -> Path:
    """Settings and profiles (secrets file included)."""
    override = os.environ.get("CHAT_TUI_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """Drafts, UI state, the run being streamed (for resume after a restart)."""
    override = os.environ.get("CHAT_TUI_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def log_dir() -> Path:
    """Logs, including the demo server's."""
    override = os.environ.get("CHAT_TUI_LOG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return platformdirs.user_log_path(APP_NAME, appauthor=False)


def demo_server_log() -> Path:
    """The embedded demo server's log (the launcher writes it; ``chat-tui config path`` shows it)."""
    return log_dir() / DEMO_SERVER_LOG
