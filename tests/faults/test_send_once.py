"""A run creation whose answer is lost after the server accepted it never leads to a second run.

The proxy sends ``POST .../runs/stream`` to the server, waits until the server answers (it has
created the run), then closes the client's connection with nothing: what a timeout or a cut at
the worst moment looks like. The turn must find the run by its message's id and follow it.
"""

from __future__ import annotations

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.conversation import Conversation, RunOutcome
from chat_tui.service.turn import SendFailed, Turn, TurnRequest
from tests.faults.proxy import FaultProxy
from tests.faults.test_drops import RUN_STREAM
from tests.support.runs import assert_matches_state

pytestmark = pytest.mark.server


@pytest.mark.parametrize("thread", ["new", "existing"])
async def test_a_send_whose_answer_was_lost_follows_the_run_the_server_accepted(
    proxy: FaultProxy, client: LangGraphClient, thread: str
) -> None:
    conversation = Conversation()
    thread_id: str | None = None
    async with LangGraphClient(proxy.url) as via_proxy:
        if thread == "existing":
            first = await Turn(via_proxy, conversation, TurnRequest("agent", None, text="hello there")).run()
            thread_id = first.thread_id
        proxy.add(method="POST", path=RUN_STREAM, action="drop")
        request = TurnRequest("agent", thread_id, text="what's the weather in sf")
        result = await Turn(via_proxy, conversation, request).run()
    assert result.outcome is RunOutcome.SUCCESS, result
    assert result.thread_id is not None
    runs = await client.runs.list(result.thread_id, limit=10)
    assert len(runs) == (2 if thread == "existing" else 1)  # no second run for the one message
    assert result.run_id == runs[0].run_id
    state = await client.threads.get_state(result.thread_id)
    assert [m.id for m in conversation.messages] == [m["id"] for m in state.messages]
    assert_matches_state([m for m in conversation.messages if m.role != "human"], state)
    assert len(proxy.requests("POST", RUN_STREAM)) == (2 if thread == "existing" else 1)


async def test_a_send_the_server_never_got_is_not_sent_and_leaves_nothing(
    proxy: FaultProxy, client: LangGraphClient
) -> None:
    conversation = Conversation()
    proxy.add(method="POST", path=RUN_STREAM, action="respond", status=503, body=b"{}", times=1)
    async with LangGraphClient(proxy.url) as via_proxy:
        with pytest.raises(SendFailed):
            await Turn(via_proxy, conversation, TurnRequest("agent", None, text="hello there")).run()
    assert conversation.messages == []  # the message goes back to the composer, to send again
    assert not proxy.requests("GET", r"/runs$")  # an answer from the server: nothing to look for
