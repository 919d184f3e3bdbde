"""`chat-tui stream` end to end: output modes, exit codes, and --json agreeing with GET /state."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.client.models import AIMessage, parse_message
from chat_tui.conversation import content_text

pytestmark = pytest.mark.server


def stream(url: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chat_tui", "stream", "--url", url, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    "prompt",
    ["compare the weather in paris and tokyo", "what's the weather in sf", "plan a trip", "think", "this will fail"],
)
async def test_json_output_agrees_with_thread_state(server_url: str, client: LangGraphClient, prompt: str) -> None:
    done = stream(server_url, "--json", prompt)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["status"] == "success" and document["interrupts"] == []
    state = await client.threads.get_state(document["thread_id"])
    stored = {m["id"]: parse_message(m) for m in state.messages}
    assert document["messages"]
    for message in document["messages"]:
        original = stored[message["id"]]
        assert message["content"] == content_text(original.content)
        assert message["type"] == {"ai": "ai", "tool": "tool"}[original.type]
        if isinstance(original, AIMessage):
            assert message["tool_calls"] == [{"id": c.id, "name": c.name, "args": c.args} for c in original.tool_calls]
            assert message["node"]
        else:
            assert message["tool_call_id"] and message["status"] in ("success", "error")


def test_human_output_streams_text_tool_calls_and_results(server_url: str) -> None:
    done = stream(server_url, "what's the weather in sf")
    assert done.returncode == 0
    assert "⚙ get_weather" in done.stdout and '"city": "San Francisco"' in done.stdout
    assert "→ " in done.stdout and "[agent]" in done.stdout
    assert "\x1b" not in done.stdout  # not a terminal: no colour either
    assert done.stderr.startswith("thread ")


def test_raw_output_prints_events_like_the_seed_documents(server_url: str) -> None:
    done = stream(server_url, "--raw", "hello")
    assert done.returncode == 0
    assert done.stdout.startswith("Receiving new event of type: metadata...\n{")
    assert "Receiving new event of type: messages...\n[{" in done.stdout


def test_interrupt_exit_code_then_resume(server_url: str) -> None:
    first = stream(server_url, "--json", "delete the report")
    assert first.returncode == 3
    document = json.loads(first.stdout)
    assert document["status"] == "interrupted" and document["interrupts"][0]["id"]
    second = stream(server_url, "--thread", document["thread_id"], "--resume", '{"approved": true}')
    assert second.returncode == 0 and "deleted" in second.stdout


def test_run_error_exit_code(server_url: str) -> None:
    done = stream(server_url, "crash")
    assert done.returncode == 1
    assert "error: ValueError" in done.stderr


def test_config_json_is_passed_as_the_run_config(server_url: str) -> None:
    done = stream(server_url, "--config", '{"configurable": {"model_name": "openai"}}', "echo config")
    assert done.returncode == 0 and "openai" in done.stdout


@pytest.mark.parametrize(
    ("args", "code", "needle"),
    [
        (["--config", "{bad", "hi"], 2, "not valid JSON"),
        (["--config", "[1]", "hi"], 2, "JSON object"),
        ([], 2, "give a MESSAGE"),
        (["--assistant", "nope", "hi"], 4, "422"),
    ],
)
def test_bad_input_is_one_line_and_non_zero(server_url: str, args: list[str], code: int, needle: str) -> None:
    done = stream(server_url, *args)
    assert done.returncode == code
    assert needle in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_unreachable_server_and_bad_urls(tmp_path: Path) -> None:
    for url, needle in (
        ("http://127.0.0.1:9", "cannot reach 127.0.0.1:9"),
        ("http://user:secret@127.0.0.1:2024", "must not contain credentials"),
        ("ftp://example.com", "must start with http"),
    ):
        done = subprocess.run(
            [sys.executable, "-m", "chat_tui", "stream", "--url", url, "hi"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode in (2, 4) and needle in done.stderr, done.stderr
        assert "secret" not in done.stderr and "Traceback" not in done.stderr


def _sdk_reference(parts: list[Any]) -> list[tuple[str, str, list[tuple[str, Any]]]]:
    """Accumulate the SDK's raw parts with langchain-core's own chunk merging (independent of ours)."""
    from langchain_core.messages import AIMessageChunk

    order: list[str] = []
    merged: dict[str, Any] = {}
    last_id: dict[str, str] = {}
    for part in parts:
        if part.event != "messages":
            continue
        message, meta = part.data
        ns = meta.get("langgraph_checkpoint_ns", "")
        if message["type"] == "AIMessageChunk":
            chunk = AIMessageChunk(
                **{k: v for k, v in message.items() if k not in ("type", "tool_calls", "invalid_tool_calls")}
            )
            key = last_id.get(ns) if ns in last_id and merged[last_id[ns]].chunk_position != "last" else message["id"]
            if key not in merged:
                order.append(key)
                merged[key] = chunk
                last_id[ns] = key
            else:
                merged[key] = merged[key] + chunk
        else:
            order.append(message["id"])
            merged[message["id"]] = message
    result = []
    for key in order:
        item = merged[key]
        if isinstance(item, dict):
            result.append(("tool", str(item["content"]), []))
        else:
            text = item.content if isinstance(item.content, str) else item.text
            result.append(("ai", text, [(c["name"], c["args"]) for c in item.tool_calls]))
    return result


@pytest.mark.parametrize("prompt", ["compare the weather in paris and tokyo", "think", "plan a trip"])
async def test_parity_with_the_official_sdk(server_url: str, client: LangGraphClient, prompt: str) -> None:
    from langgraph_sdk import get_client

    from tests.support.runs import run_turn

    sdk = get_client(url=server_url, api_key=None)
    thread = await sdk.threads.create()
    parts = [
        part
        async for part in sdk.runs.stream(
            thread["thread_id"],
            "agent",
            input={"messages": [{"role": "user", "content": prompt}]},
            stream_mode="messages-tuple",
        )
    ]
    reference = _sdk_reference(parts)
    conversation, result = await run_turn(client, prompt)
    ours = [
        (m.role, m.text, [(c.name, c.args) for c in m.tool_calls]) for m in conversation.run_messages(result.run_id)
    ]
    assert ours == reference


def test_continuing_a_thread_prints_only_the_new_run(server_url: str) -> None:
    first = stream(server_url, "--json", "what's the weather in sf")
    thread_id = json.loads(first.stdout)["thread_id"]
    second = stream(server_url, "--thread", thread_id, "plan a trip")
    assert second.returncode == 0
    assert "[planner]" in second.stdout and "get_weather" not in second.stdout and "San Francisco" not in second.stdout


async def test_a_resume_with_nothing_waiting_or_an_unknown_thread_sends_nothing(
    server_url: str, client: LangGraphClient
) -> None:
    from tests.support.runs import run_turn

    _conversation, result = await run_turn(client, "hello")
    thread_id = result.thread_id or ""
    runs_before = len(await client.runs.list(thread_id, limit=50))
    done = stream(server_url, "--thread", thread_id, "--resume", "yes")
    assert done.returncode == 2 and "nothing waiting for an answer" in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert len(await client.runs.list(thread_id, limit=50)) == runs_before  # nothing was sent
    missing = stream(server_url, "--thread", "00000000-0000-4000-8000-000000000000", "hello")
    assert missing.returncode == 2 and "has no thread" in missing.stderr, missing.stderr


async def test_a_thread_continues_with_its_own_assistant_unless_one_is_named(
    server_url: str, client: LangGraphClient
) -> None:
    from tests.support.runs import run_turn

    _conversation, result = await run_turn(client, "first", assistant_id="echo")
    thread_id = result.thread_id or ""
    kept = stream(server_url, "--thread", thread_id, "--json", "second")  # (no --assistant: the thread's own)
    assert kept.returncode == 0, kept.stderr
    assert json.loads(kept.stdout)["messages"][-1]["content"].startswith("echo: second")
    switched = stream(server_url, "--thread", thread_id, "--assistant", "agent", "--json", "hello")
    assert switched.returncode == 0, switched.stderr
    assert not json.loads(switched.stdout)["messages"][-1]["content"].startswith("echo:")
