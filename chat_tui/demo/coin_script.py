"""The `coin` graph's scripted model (the graph is in :mod:`.coin`): search, flip a coin, maybe search
again, answer; or hand over when the message says `escalate`."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence

from langchain_core.messages import BaseMessage, ToolMessage

from chat_tui.demo.replies import Reply, ToolCallSpec, last_human_index, last_human_text

__all__ = ["ESCALATED", "ESCALATE_RE", "ONE_SEARCH", "TWO_SEARCHES", "coin_reply"]

ESCALATE_RE = re.compile(r"\bescalat\w*", re.IGNORECASE)
ONE_SEARCH = "Found it in one search."
TWO_SEARCHES = "Found it after two searches."
ESCALATED = "Escalated: ticket ESC-42 is open and a person will reply here."


def _heads() -> bool:
    return random.random() < 0.5


def coin_reply(messages: Sequence[BaseMessage], flip: Callable[[], bool] | None = None) -> Reply:
    """The `coin` model's next turn: search, maybe search again, answer (or hand over on `escalate`)."""
    user_text = last_human_text(messages)
    if ESCALATE_RE.search(user_text):
        return Reply(text="This needs a person: I am handing it over.")
    searches = sum(1 for m in messages[last_human_index(messages) + 1 :] if isinstance(m, ToolMessage))
    query = user_text[:80] or "demo"
    if searches == 0:
        return Reply(text="Let me search for that.", tool_calls=(ToolCallSpec("search", {"query": query}, "search"),))
    if searches == 1 and not (flip or _heads)():  # (looked up per call: a test may force the coin)
        more = ToolCallSpec("search", {"query": f"{query} (more)"}, "search")
        return Reply(text="Not sure yet: one more search.", tool_calls=(more,))
    return Reply(text=ONE_SEARCH if searches == 1 else TWO_SEARCHES)
