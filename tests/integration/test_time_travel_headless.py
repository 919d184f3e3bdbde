"""The headless time-travel commands against the real demo server: `history` and `runs` list everything
by default (a page at a time), `stream --checkpoint` in its `--json` and `--raw` modes, and a replay
from an input checkpoint with no message."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from chat_tui import history_command
from chat_tui.cli import build_parser
from chat_tui.client import LangGraphClient
from chat_tui.connection import Connection
from tests.integration.test_time_travel import turn
from tests.support.cli import cli

pytestmark = pytest.mark.server


async def in_process(server_url: str, *args: str) -> tuple[int, str, str]:
    """A history command run here (so its page sizes can be made small), parsed by the real parser."""
    parsed = build_parser().parse_args([*args, "--url", server_url])
    out, err = io.StringIO(), io.StringIO()
    code = await history_command.run_history_command(Connection(server_url), parsed, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def test_history_lists_every_checkpoint_by_default(client: LangGraphClient, server_url: str) -> None:
    thread = await client.threads.create(metadata={"graph_id": "echo"})
    tid = thread.thread_id
    await turn(client, tid, "hello there", assistant="echo")
    for n in range(110):  # (more than a page, and more than the old default of 100)
        message = {"type": "ai" if n % 2 else "human", "content": f"message {n}", "id": f"m{n}"}
        await client.threads.update_state(tid, {"messages": [message]}, as_node="echo")
    stored = [s.checkpoint_id for s in await client.threads.get_history(tid, limit=1000)]
    code, out, err = await cli("history", "--url", server_url, "--thread", tid, "--json")
    assert code == 0, err
    assert [row["checkpoint_id"] for row in json.loads(out)] == stored and len(stored) > 110
    code, out, _ = await cli("history", "--url", server_url, "--thread", tid, "--json", "--limit", "7")
    assert code == 0 and [row["checkpoint_id"] for row in json.loads(out)] == stored[:7]


async def test_runs_lists_every_run_a_page_at_a_time(
    client: LangGraphClient, server_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_command, "RUNS_PAGE", 3)  # (7 runs: three pages)
    thread = await client.threads.create(metadata={"graph_id": "echo"})
    tid = thread.thread_id
    for n in range(7):
        await turn(client, tid, f"turn {n}", assistant="echo")
    stored = [r.run_id for r in await client.runs.list(tid, limit=100)]
    code, out, err = await in_process(server_url, "runs", "--thread", tid, "--json")
    assert code == 0, err
    runs = json.loads(out)
    assert [r["run_id"] for r in runs] == stored and len(stored) == 7  # newest first, each once
    assert runs[-1]["input"]["messages"][0]["content"] == "turn 0"
    code, out, _ = await in_process(server_url, "runs", "--thread", tid, "--json", "--limit", "4")
    assert code == 0 and [r["run_id"] for r in json.loads(out)] == stored[:4]
    code, out, _ = await in_process(server_url, "runs", "--thread", tid)
    assert code == 0 and [line.split()[0] for line in out.splitlines()] == stored


async def _input_checkpoints(client: LangGraphClient, tid: str) -> list[Any]:
    return [s for s in await client.threads.get_history(tid, limit=100) if s.metadata["source"] == "input"]


async def test_stream_from_a_checkpoint_as_json_and_raw_and_a_replay_with_no_message(
    client: LangGraphClient, server_url: str
) -> None:
    thread = await client.threads.create()
    tid = thread.thread_id
    for text in ("hello there", "what's the weather in sf"):
        await turn(client, tid, text)
    turn_two = (await _input_checkpoints(client, tid))[0]  # newest first: turn 2's input checkpoint
    assert turn_two.checkpoint_id is not None
    # --json: one document, the edit's run and what it said
    code, out, err = await cli(
        "stream", "--url", server_url, "--thread", tid, "--checkpoint", turn_two.checkpoint_id, "--json", "make a plan"
    )
    assert code == 0, err
    document = json.loads(out)
    assert document["thread_id"] == tid and document["status"] == "success" and document["interrupts"] == []
    run = await client.runs.get(tid, document["run_id"])
    assert run.fork_checkpoint == turn_two.checkpoint_id and run.input_messages[0]["content"] == "make a plan"
    state = await client.threads.get_state(tid)
    assert [m["content"] for m in state.messages if m["type"] == "human"] == ["hello there", "make a plan"]
    assert [m["id"] for m in document["messages"]] == [m["id"] for m in state.messages[-len(document["messages"]) :]]
    # --raw: the server's events as they came, from the same checkpoint (a second branch there)
    code, out, err = await cli(
        "stream", "--url", server_url, "--thread", tid, "--checkpoint", turn_two.checkpoint_id, "--raw", "hello"
    )
    assert code == 0, err
    assert out.startswith("Receiving new event of type: metadata...\n{")
    raw_run = json.loads(out.splitlines()[1])["run_id"]
    assert (await client.runs.get(tid, raw_run)).fork_checkpoint == turn_two.checkpoint_id
    # no message, from an input checkpoint: the turn replayed with its stored input, as a new branch
    first_input = (await _input_checkpoints(client, tid))[-1]
    assert first_input.checkpoint_id is not None and first_input.parent_checkpoint_id is None
    code, out, err = await cli(
        "stream", "--url", server_url, "--thread", tid, "--checkpoint", first_input.checkpoint_id, "--json"
    )
    assert code == 0, err
    replay = json.loads(out)
    replayed = await client.runs.get(tid, replay["run_id"])
    assert replayed.created_with.get("input") is None and replayed.fork_checkpoint == first_input.checkpoint_id
    state = await client.threads.get_state(tid)
    assert [(m["type"], m["content"]) for m in state.messages][:1] == [("human", "hello there")]
    assert [m["type"] for m in state.messages] == ["human", "ai"]  # turn 1 alone, answered again
    assert state.messages[1]["id"] == replay["messages"][-1]["id"]
