"""Faults met through the headless `chat-tui stream`: the same outcomes as in the app, as exit codes."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.headless import EXIT_CODES
from tests.faults.proxy import FaultProxy
from tests.faults.test_drops import REJOIN, RUN_STREAM
from tests.faults.test_http_faults import detail

pytestmark = pytest.mark.server


async def stream(url: str | None, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """`chat-tui stream` in a child process (asynchronously: the proxy runs in this event loop)."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chat_tui",
        "stream",
        *(("--url", url) if url else ()),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1", **(env or {})},
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


async def test_api_key_env_overrides_the_profile_for_the_headless_command(
    proxy: FaultProxy, user_dirs: dict[str, Path]
) -> None:
    from chat_tui.settings.manager import SettingsManager
    from chat_tui.settings.model import Profile

    manager = SettingsManager(user_dirs["config"])
    manager.save_profile(Profile(name="local", url=proxy.url))  # a profile without a key
    manager.use_profile("local")
    key = "lsv2_pt_headless_override_0001"
    code, _, err = await stream(None, "--api-key-env", "MY_TEST_KEY", "hello", env={"MY_TEST_KEY": key})
    assert code == EXIT_CODES["success"], err
    posts = proxy.requests("POST", RUN_STREAM)
    assert posts and posts[0].headers.get("x-api-key") == key
