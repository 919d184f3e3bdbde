"""Run turns against the real server and compare what streamed with what the server stored."""

from __future__ import annotations

from typing import Any

from chat_tui.client import LangGraphClient
from chat_tui.client.models import AIMessage, ThreadState, parse_message
from chat_tui.conversation import ChatMessage, Conversation, content_text
from chat_tui.service.turn import Turn, TurnRequest, TurnResult


async def run_turn(
    client: LangGraphClient,
    text: str | None = None,
    *,
    thread_id: str | None = None,
    conversation: Conversation | None = None,
    assistant_id: str = "agent",
    **request: Any,
) -> tuple[Conversation, TurnResult]:
    conversation = conversation or Conversation(thread_id)
    turn = Turn(client, conversation, TurnRequest(assistant_id=assistant_id, thread_id=thread_id, text=text, **request))
    result = await turn.run()
    return conversation, result


def assert_matches_state(messages: list[ChatMessage], state: ThreadState) -> None:
    """Every streamed message is stored with the same id, text and parsed tool calls."""
    stored = {m["id"]: parse_message(m) for m in state.messages if isinstance(m, dict)}
    assert messages, "nothing streamed"
    for message in messages:
        assert message.id in stored, f"{message.role} {message.id} is not in the thread state"
        original = stored[message.id]
        assert message.text == content_text(original.content)
        if isinstance(original, AIMessage):
            ours = [(c.id, c.name, c.args) for c in message.tool_calls]
            theirs = [(c.id, c.name, c.args) for c in original.tool_calls]
            assert ours == theirs
