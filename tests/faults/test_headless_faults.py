"""Faults met through the headless `chat-tui stream`: the same outcomes as in the app, as exit codes."""

from __future__ import annotations

import asyncio
import json
import os
import sys

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.headless import EXIT_CODES
from tests.faults.proxy import FaultProxy
from tests.faults.test_drops import REJOIN, RUN_STREAM
from tests.faults.test_http_faults import detail

pytestmark = pytest.mark.server


async def stream(url: str, *args: str) -> tuple[int, str, str]:
    """`chat-tui stream` in a child process (asynchronously: the proxy runs in this event loop)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chat_tui",
        "stream",
        "--url",
        url,
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_a_cut_stream_is_rejoined_and_the_json_agrees_with_the_state(
    proxy: FaultProxy, client: LangGraphClient
) -> None:
    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=2500)
    code, out, err = await stream(proxy.url, "--json", "--context", '{"delay_ms": 20}', "what's the weather in sf")
    assert code == EXIT_CODES["success"], err
    document = json.loads(out)
    state = await client.threads.get_state(document["thread_id"])
    stored = [m["id"] for m in state.messages if m.get("type") != "human"]
    assert [m["id"] for m in document["messages"]] == stored  # nothing missing, nothing twice
    assert len(proxy.requests("POST", RUN_STREAM)) == 1  # the prompt was sent once
    rejoins = proxy.requests("GET", REJOIN)
    assert len(rejoins) == 1 and rejoins[0].last_event_id


async def test_a_refused_key_is_one_line_on_stderr_and_its_exit_code(proxy: FaultProxy) -> None:
    proxy.add(method="POST", path=RUN_STREAM, action="respond", status=401, body=detail("Invalid token\x1b]0;x\x07"))
    code, _, err = await stream(proxy.url, "hello")
    assert code == EXIT_CODES["connection"]  # the server refused the request
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "authentication failed" in lines[0] and "\x1b" not in err
    assert len(proxy.requests("POST", RUN_STREAM)) == 1
