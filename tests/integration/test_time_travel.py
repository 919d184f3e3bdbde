"""Time travel against the real demo server, without the UI: `chat-tui history`, `state`, `runs` and
`stream --checkpoint` (an unknown checkpoint is refused before anything is sent), the service's edit
on a 300-checkpoint thread (its first message), versions, and a graph without `messages`."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.connection import Connection
from chat_tui.conversation.state import Conversation
from chat_tui.service.chat import ChatService
from chat_tui.service.timeline import Timeline
from tests.support.cli import cli

pytestmark = pytest.mark.server


async def turn(client: LangGraphClient, thread_id: str, text: str, assistant: str = "agent", **body: Any) -> None:
    payload = {"input": {"messages": [{"role": "user", "content": text}]}, **body}
    async with client.runs.stream(thread_id, assistant, stream_mode=["updates"], **payload) as stream:
        async for _ in stream:
            pass


async def test_history_state_runs_and_stream_from_a_checkpoint(client: LangGraphClient, server_url: str) -> None:
    thread = await client.threads.create()
    tid = thread.thread_id
    for text in ("hello there", "what's the weather in sf"):
        await turn(client, tid, text)
    await turn(client, tid, "make a plan", config={"recursion_limit": 42}, multitask_strategy="enqueue")
    code, out, err = await cli("history", "--url", server_url, "--thread", tid, "--json")
    assert code == 0, err
    rows = json.loads(out)
    stored = await client.threads.get_history(tid, limit=100)
    assert [r["checkpoint_id"] for r in rows] == [s.checkpoint_id for s in stored]  # newest first
    assert set(rows[0]) == {
        "checkpoint_id", "parent_checkpoint_id", "step", "source", "next", "created_at", "run_id", "messages"
    }  # fmt: skip
    assert rows[-1]["source"] == "input" and rows[-1]["parent_checkpoint_id"] is None and rows[0]["messages"] > 6
    code, out, _ = await cli("history", "--url", server_url, "--thread", tid, "--limit", "3")
    assert code == 0 and len(out.splitlines()) == 4  # a header and three rows
    # the state at turn 2's input checkpoint: turn 1 only
    turn_two = next(r for r in rows if r["source"] == "input" and r["messages"] == 2)
    code, out, _ = await cli(
        "state", "--url", server_url, "--thread", tid, "--checkpoint", turn_two["checkpoint_id"], "--json"
    )
    shown = json.loads(out)
    assert code == 0 and [m["content"] for m in shown["values"]["messages"] if m["type"] == "human"] == ["hello there"]
    assert {k: shown[k] for k in ("checkpoint_id", "parent_checkpoint_id", "step", "source", "next")} == {
        k: turn_two[k] for k in ("checkpoint_id", "parent_checkpoint_id", "step", "source", "next")
    }
    # without --json: one line saying where the values are from, then the values as indented JSON
    code, out, _ = await cli("state", "--url", server_url, "--thread", tid, "--checkpoint", turn_two["checkpoint_id"])
    header, _, body = out.partition("\n")
    assert code == 0 and header.startswith(f"checkpoint {turn_two['checkpoint_id']} · step ")
    assert header.endswith("· input · next: __start__") and json.loads(body) == shown["values"]
    assert body.startswith('{\n  "messages": [')
    code, _, err = await cli("state", "--url", server_url, "--thread", tid, "--checkpoint", "not-a-checkpoint")
    assert code == 2 and "has no checkpoint not-a-checkpoint" in err
    code, out, _ = await cli("runs", "--url", server_url, "--thread", tid, "--json")
    runs = json.loads(out)
    assert code == 0 and [r["status"] for r in runs] == ["success"] * 3
    assert {"config", "multitask_strategy"} <= set(runs[0]) and runs[0]["multitask_strategy"] == "enqueue"
    assert runs[0]["config"] == {"recursion_limit": 42}  # what the client sent, not what the server adds
    assert runs[-1]["input"]["messages"][0]["content"] == "hello there" and runs[0]["duration_s"] > 0
    # an edit of turn 2, as a branch from its input checkpoint
    code, out, err = await cli(
        "stream",
        "--url",
        server_url,
        "--thread",
        tid,
        "--checkpoint",
        turn_two["checkpoint_id"],
        "compare paris and tokyo",
    )
    assert code == 0, err
    state = await client.threads.get_state(tid)
    assert [m["content"] for m in state.messages if m["type"] == "human"] == ["hello there", "compare paris and tokyo"]
    newest_input = next(s for s in await client.threads.get_history(tid, limit=100) if s.metadata["source"] == "input")
    assert newest_input.parent_checkpoint_id == turn_two["checkpoint_id"]
    # without a message: a regenerate from the checkpoint before the last answer
    before_answer = next(s for s in await client.threads.get_history(tid, limit=100) if s.next == ["agent"])
    code, _, err = await cli(
        "stream", "--url", server_url, "--thread", tid, "--checkpoint", before_answer.checkpoint_id
    )
    assert code == 0, err
    assert (await client.threads.get_history(tid, limit=1))[0].parent_checkpoint_id is not None
    assert any(s.metadata["source"] == "fork" for s in await client.threads.get_history(tid, limit=100))


async def test_an_unknown_checkpoint_is_refused_and_nothing_is_sent(proxy: Any, client: LangGraphClient) -> None:
    thread = await client.threads.create()
    await turn(client, thread.thread_id, "hello there")
    code, _, err = await cli(
        "stream",
        "--url",
        proxy.url,
        "--thread",
        thread.thread_id,
        "--checkpoint",
        "1f1f0000-0000-6000-8000-000000000000",
        "x",
    )
    assert code == 2 and "has no checkpoint 1f1f0000-0000-6000-8000-000000000000; nothing was sent" in err
    assert proxy.requests("POST") == []
    assert (await client.threads.get(thread.thread_id)).status == "idle"  # not put into error
    code, _, err = await cli("stream", "--url", proxy.url, "--checkpoint", "abc", "x")
    assert code == 2 and "add --thread ID" in err


async def test_editing_the_first_message_of_a_300_checkpoint_thread(client: LangGraphClient, server_url: str) -> None:
    thread = await client.threads.create()
    tid = thread.thread_id
    await turn(client, tid, "hello there", assistant="echo")
    for n in range(300):
        message = {"type": "ai" if n % 2 else "human", "content": f"message {n}", "id": f"m{n}"}
        await client.threads.update_state(tid, {"messages": [message]}, as_node="echo")
    timeline = Timeline(client, tid)
    started = time.perf_counter()
    first = await timeline.more(25)
    opened = time.perf_counter() - started
    assert len(first) == 25 and first[0].preview == "ai: message 299" and not timeline.complete  # newest first
    assert opened < 5  # (the figure itself: BENCHMARKS.md; this only catches a page that loads everything)
    while await timeline.more():
        pass
    assert len(timeline) >= 303 and timeline.complete
    connection = Connection(server_url)
    service = ChatService(connection, client, assistant_id="echo")
    opened_thread = await service.open(tid)
    conversation: Conversation = opened_thread.conversation
    first_human = next(m for m in conversation.messages if m.role == "human")
    outgoing = await service.edit(conversation, first_human.id, "hello again")
    assert [m.text for m in conversation.messages] == []  # shown from its input checkpoint: nothing yet
    result = await service.send(outgoing)
    assert result.sent and str(result.outcome) == "success"
    state = await client.threads.get_state(tid)
    assert state.messages[0]["content"] == "hello again" and len(state.messages) == 2
    branches = await service.timeline(tid).branches()
    assert branches[state.messages[0]["id"]].index == 2 and branches[state.messages[0]["id"]].count == 2


async def test_a_graph_without_messages_is_driven_by_json_input(client: LangGraphClient, server_url: str) -> None:
    connection = Connection(server_url)
    service = ChatService(connection, client, assistant_id="structured")
    conversation = Conversation()
    result = await service.send(service.input_outgoing(conversation, {"text": "time travel in a terminal"}))
    assert result.sent and str(result.outcome) == "success"
    assert result.thread_id is not None
    state = await client.threads.get_state(result.thread_id)
    assert state.values == {
        "text": "time travel in a terminal",
        "words": 5,
        "longest": "terminal",
        "summary": "5 words; the longest is 'terminal'",
    }
    code, out, _ = await cli("state", "--url", server_url, "--thread", result.thread_id, "--json")
    assert code == 0 and json.loads(out)["values"]["words"] == 5 and json.loads(out)["next"] == []
