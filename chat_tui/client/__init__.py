"""The protocol layer: an async LangGraph Agent Server client (no Textual here).

>>> async with LangGraphClient("http://127.0.0.1:2024") as client:
...     thread = await client.threads.create()
...     async with client.runs.stream(thread.thread_id, "agent", input=...) as stream:
...         async for event in stream:
...             ...

The names below are imported on first use: the app's light modules (errors, URLs) are
imported before its first frame; the typed models (pydantic) when it first reads from a
server, and httpx when it connects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chat_tui.client.client import LangGraphClient
    from chat_tui.client.stream import RunStream

__all__ = ["DEFAULT_STREAM_MODES", "LangGraphClient", "RunStream"]


def __getattr__(name: str) -> Any:
    if name == "DEFAULT_STREAM_MODES":
        from chat_tui.client.modes import DEFAULT_STREAM_MODES

        return DEFAULT_STREAM_MODES
    if name == "LangGraphClient":
        from chat_tui.client.client import LangGraphClient

        return LangGraphClient
    if name == "RunStream":
        from chat_tui.client.stream import RunStream

        return RunStream
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
