"""How a message's ``content`` (a string, or a list of text, thinking, image and tool
blocks) reads as text. Nothing is cleaned here: :mod:`chat_tui.conversation.entries`
cleans what it takes from these functions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chat_tui.client.models import ContentBlock

__all__ = ["TOOL_BLOCKS", "block_kind_text", "joined_text"]

# Blocks that carry a tool call: the call is taken from the chunk's tool_call_chunks instead.
TOOL_BLOCKS = frozenset({"tool_use", "input_json_delta", "server_tool_use", "tool_call_chunk"})


def joined_text(content: Any) -> str:
    """The text of *content*, blocks joined (an image reads ``[image]``), not yet cleaned."""
    if isinstance(content, str):
        return content
    if not isinstance(content, list):
        return str(content) if content is not None else ""
    parts: list[str] = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
            continue
        kind, text = block_kind_text(block)
        if kind == "text" and text:
            parts.append(text)
        elif kind == "image":
            parts.append("[image]")
    return "".join(parts)


def block_kind_text(block: ContentBlock | dict[str, Any]) -> tuple[str, str | None]:
    """What a content block is (text, thinking, image, ...) and its text, if it has one."""
    if isinstance(block, dict):
        kind = str(block.get("type", "text"))
        if kind == "text":
            text = block.get("text")
            return "text", text if isinstance(text, str) else None
        if kind in ("thinking", "reasoning"):
            text = block.get("thinking") or block.get("reasoning") or block.get("text")
            return "thinking", text if isinstance(text, str) else None
        if kind in ("image", "image_url"):
            return "image", None
        return kind, None
    kind = block.type  # a ContentBlock (duck-typed: these modules load before pydantic)
    if kind == "text":
        return "text", block.text
    if kind in ("thinking", "reasoning"):
        return "thinking", block.thinking or block.reasoning or block.text
    return kind, None
