"""Build threads on the real server quickly (state written directly, no model runs)."""

from __future__ import annotations

import uuid
from typing import Any

from chat_tui.client import LangGraphClient

ANSWER = (
    "## Answer {n}\n\nHere is a paragraph with **bold** text and a list:\n\n- one\n- two\n- three\n\n"
    "```python\nprint({n})\n```\n\n| a | b |\n|---|---|\n| {n} | x |\n"
)


def synthetic_messages(exchanges: int, *, tool_every: int = 3, answer_size: int = 0) -> list[dict[str, Any]]:
    """*exchanges* question/answer pairs; every *tool_every*-th answer makes a tool call with a result."""
    messages: list[dict[str, Any]] = []
    for n in range(exchanges):
        messages.append({"type": "human", "content": f"question {n}", "id": str(uuid.uuid4())})
        text = ANSWER.format(n=n)
        if answer_size > len(text):
            text += "\n" + ("More words to make the answer longer. " * (answer_size // 38))
        ai: dict[str, Any] = {"type": "ai", "content": text, "id": str(uuid.uuid4())}
        if tool_every and n % tool_every == 0:
            call_id = f"call_{n}_{uuid.uuid4().hex[:8]}"
            ai["tool_calls"] = [{"id": call_id, "name": "get_weather", "args": {"city": "Paris"}}]
            messages.append(ai)
            messages.append(
                {"type": "tool", "content": '{"temp_c": 12.3}', "tool_call_id": call_id, "id": str(uuid.uuid4())}
            )
        else:
            messages.append(ai)
    return messages


async def long_thread(client: LangGraphClient, exchanges: int, **kwargs: Any) -> str:
    thread = await client.threads.create(metadata={"graph_id": "agent", "title": f"long thread ({exchanges})"})
    await client.threads.update_state(
        thread.thread_id, {"messages": synthetic_messages(exchanges, **kwargs)}, as_node="agent"
    )
    return thread.thread_id
