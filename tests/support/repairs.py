"""The streamed text a run's end had to repair (``ChatMessage.replace_text``), and the one repair the
rejoin filter allows (``chat_tui/client/replay.py``): after a reconnect, a run of tokens in one
millisecond that repeats itself at once (``| |``) is indistinguishable from the server sending the
end of what it sent again, and the copy is lost until the conversation is reconciled with the
server's state. Seen on a loaded machine, where the server gives more tokens one millisecond; any
other repair fails the tests that use this."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from chat_tui.conversation.entries import ChatMessage

__all__ = ["CURRENT", "one_repeat_lost", "recording_repairs"]

CURRENT: list[tuple[str, str]] | None = None  # the running fault test's repairs (tests/faults/conftest.py)


def one_repeat_lost(streamed: str, stored: str) -> bool:
    """*streamed* is *stored* with one piece missing that repeats the piece just before it."""
    k = len(stored) - len(streamed)
    p = next((i for i, (a, b) in enumerate(zip(streamed, stored, strict=False)) if a != b), len(streamed))
    return k > 0 and p >= k and stored[p - k : p] == stored[p : p + k] and stored[:p] + stored[p + k :] == streamed


@contextmanager
def recording_repairs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """Every (streamed, stored) text replaced while the block runs."""
    repairs: list[tuple[str, str]] = []
    replace_text = ChatMessage.replace_text

    def spy(message: ChatMessage, text: str) -> None:
        repairs.append((message.text, text))
        replace_text(message, text)

    with monkeypatch.context() as patch:
        patch.setattr(ChatMessage, "replace_text", spy)
        yield repairs
