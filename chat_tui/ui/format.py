"""Small, pure text helpers for the UI (relative times, sizes, one-line summaries)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from chat_tui.sanitize import clean_line, truncate
from chat_tui.service.threads import thread_title  # (one home; the sidebar shows titles too)

__all__ = ["args_summary", "human_size", "relative_time", "thread_title"]


def relative_time(when: datetime | None, now: datetime | None = None) -> str:
    """``now``, ``5m``, ``3h``, ``2d``, or a date for older things."""
    if when is None:
        return ""
    now = now or datetime.now(UTC)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if seconds < 86400 * 30:
        return f"{int(seconds // 86400)}d"
    return when.strftime("%Y-%m-%d")


def human_size(n: int) -> str:
    if n < 1024:
        return f"{n} B"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / (1024 * 1024):.1f} MB"


def args_summary(args: Any, limit: int = 60) -> str:
    """The key arguments of a tool call on one line: ``city="San Francisco", days=3``."""
    if isinstance(args, dict):
        parts = []
        for key, value in args.items():
            shown = json.dumps(value, ensure_ascii=False, default=str) if not isinstance(value, str) else f'"{value}"'
            parts.append(f"{key}={shown}")
        text = ", ".join(parts)
    elif args in (None, ""):
        text = ""
    else:
        text = json.dumps(args, ensure_ascii=False, default=str)
    return truncate(clean_line(text), limit)
