"""Error paths against the real server: each is a typed error with a one-line message."""

from __future__ import annotations

import socket
import uuid

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.client.errors import Conflict, ConnectError, NotFound, Unprocessable
from chat_tui.conversation import Conversation
from chat_tui.service.turn import SendFailed, Turn, TurnRequest
from tests.support.runs import run_turn

pytestmark = pytest.mark.server


async def test_unknown_assistant_is_422_with_the_server_detail(client: LangGraphClient) -> None:
    conversation = Conversation()
    with pytest.raises(SendFailed) as info:
        await Turn(client, conversation, TurnRequest(assistant_id="nope", text="hi")).run()
    assert isinstance(info.value.error, Unprocessable)
    message = str(info.value.error)
    assert "422" in message and "nope" in message and "\n" not in message
    assert conversation.messages == []  # the optimistic human message was taken back


async def test_missing_thread_is_404(client: LangGraphClient) -> None:
    with pytest.raises(NotFound):
        await client.threads.get(str(uuid.uuid4()))
    with pytest.raises(SendFailed) as info:
        await run_turn(client, "hi", thread_id=str(uuid.uuid4()))
    assert isinstance(info.value.error, NotFound)


async def test_busy_thread_with_reject_is_409(client: LangGraphClient) -> None:
    thread = await client.threads.create()
    run = await client.runs.create(
        thread.thread_id,
        "agent",
        input={"messages": [{"role": "user", "content": "slow"}]},
        context={"delay_ms": 200},
    )
    try:
        with pytest.raises(SendFailed) as info:
            await run_turn(client, "hi", thread_id=thread.thread_id, multitask_strategy="reject")
        assert isinstance(info.value.error, Conflict) and "409" in str(info.value.error)
    finally:
        await client.runs.cancel(thread.thread_id, run.run_id, wait=True)


async def test_server_not_running_is_a_connect_error_naming_the_host() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with LangGraphClient(f"http://127.0.0.1:{port}", connect_retries=0) as client:
        with pytest.raises(ConnectError) as info:
            await client.threads.search()
    message = str(info.value)
    assert f"127.0.0.1:{port}" in message and "refused" in message and "http://" not in message


async def test_info_ok_assistants_and_schemas(client: LangGraphClient) -> None:
    assert await client.ok()
    assert "version" in await client.info()
    assistants = await client.assistants.search(graph_id="agent")
    assert assistants and assistants[0].graph_id == "agent"
    schemas = await client.assistants.schemas(assistants[0].assistant_id)
    assert schemas.context_schema or schemas.config_schema
    assert (await client.assistants.graph(assistants[0].assistant_id))["nodes"]


async def test_thread_crud_search_count_history(client: LangGraphClient) -> None:
    marker = str(uuid.uuid4())
    thread = await client.threads.create(metadata={"suite": marker})
    await run_turn(client, "hello", thread_id=thread.thread_id)
    found = await client.threads.search(metadata={"suite": marker})
    assert [t.thread_id for t in found] == [thread.thread_id]
    assert set(found[0].model_fields_set) <= {
        "thread_id",
        "status",
        "metadata",
        "updated_at",
        "created_at",
        "interrupts",
    }
    assert await client.threads.count(metadata={"suite": marker}) == 1
    updated = await client.threads.update(thread.thread_id, metadata={"title": "renamed"})
    assert updated.title == "renamed"
    history = await client.threads.get_history(thread.thread_id, limit=2)
    assert len(history) == 2
    older = await client.threads.get_history(thread.thread_id, limit=1, before=history[0].checkpoint_id)
    assert older and older[0].checkpoint_id == history[1].checkpoint_id
    copy = await client.threads.copy(thread.thread_id)
    assert copy.thread_id != thread.thread_id
    runs = await client.runs.list(thread.thread_id)
    assert runs and runs[0].status == "success"
    await client.threads.delete(thread.thread_id)
    with pytest.raises(NotFound):
        await client.threads.get(thread.thread_id)
