"""How a thread made by ``chat-tui test`` is told from others: the key its metadata carries.

Light on purpose (no imports): the app's thread sidebar reads it at start-up to show only test
threads, or to hide them.
"""

from __future__ import annotations

from typing import Any

__all__ = ["METADATA_KEY", "TEST_THREADS", "is_test_thread"]

METADATA_KEY = "chat_tui_test"  # {"chat_tui_test": {"suite", "file", "scenario", "run"}}
# The server's thread search matches metadata by containment (Postgres' @>, and langgraph dev's
# copy of it): an empty object under the key matches every thread that has the key.
TEST_THREADS: dict[str, Any] = {METADATA_KEY: {}}


def is_test_thread(metadata: Any) -> bool:
    """True for the metadata of a thread a ``chat-tui test`` run made."""
    return isinstance(metadata, dict) and isinstance(metadata.get(METADATA_KEY), dict)
