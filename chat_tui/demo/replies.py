"""What a scripted model turn is, and how the demo reads a conversation (shared by the scripts)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.messages import BaseMessage, HumanMessage

from chat_tui.demo.chunking import split_text

__all__ = ["Reply", "ToolCallSpec", "find_path", "last_human_index", "last_human_text", "message_text"]


@dataclass(frozen=True)
class ToolCallSpec:
    """A tool call the model will stream (`id` and `name` first, then argument deltas)."""

    name: str
    args: dict[str, Any]
    id_hint: str = ""
    """Suffix of the generated call id, for readability (`call_<hint>_<random>`)."""


@dataclass(frozen=True)
class Reply:
    """One scripted model turn."""

    text: str = ""
    pieces: tuple[str, ...] = ()
    """Explicit chunking of `text` (used when exact chunk boundaries matter)."""
    tool_calls: tuple[ToolCallSpec, ...] = ()
    interleave_tool_args: bool = False
    """Stream the argument deltas of all tool calls alternately (parallel tool calls)."""
    thinking: str = ""
    """When set, stream list content blocks: `thinking` (index 0) then `text` (index 1)."""
    provider_id: bool = False
    """Give the first chunk a provider-style id (`msg_demo_…`) and leave the rest to langchain."""
    crash_after: int | None = None
    """Raise `ValueError(crash_message)` after this many text chunks."""
    crash_message: str = ""
    pace: float = 1.0
    """Multiplier of the per-chunk delay (`slow` uses 5, i.e. ~100 ms; `long` 0.25)."""

    def text_pieces(self) -> list[str]:
        if self.pieces:
            return list(self.pieces)
        return split_text(self.text) if self.text else []


# --- reading the conversation ----------------------------------------------------------------


def message_text(message: BaseMessage) -> str:
    """Plain text of a message whose content is a string or a list of blocks."""
    content = message.content
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and isinstance(block.get("text"), str):
            parts.append(block["text"])
    return "".join(parts)


def last_human_index(messages: Sequence[BaseMessage]) -> int:
    for i in range(len(messages) - 1, -1, -1):
        if isinstance(messages[i], HumanMessage):
            return i
    return -1


def last_human_text(messages: Sequence[BaseMessage]) -> str:
    i = last_human_index(messages)
    return message_text(messages[i]) if i >= 0 else ""


_PATH_RE = re.compile(r"(?<![\w/:])(/[\w.\-/]+|~/[\w.\-/]+)")


def find_path(text: str, default: str = "/tmp/report.txt") -> str:
    """The first file path in `text` (e.g. "delete /tmp/x.txt."), else `default`."""
    m = _PATH_RE.search(text)
    path = m.group(1).rstrip(".") if m else ""
    return path if len(path) > 1 else default


# --- the scripts ---------------------------------------------------------------------------
