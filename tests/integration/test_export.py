"""`chat-tui export` against the real demo server: the JSON export is the thread's stored messages
(`GET /threads/{id}/state`), JSONL one of them a line, and the Markdown of a thread with hostile
content holds its text and no control character; files are never overwritten without --force."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.connection import Connection
from chat_tui.export_command import run_export
from tests.support.cli import cli
from tests.support.runs import run_turn

pytestmark = pytest.mark.server

CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # any C0 but newline and tab, DEL, C1


async def export(server_url: str, thread_id: str, fmt: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await run_export(Connection(server_url), thread_id, fmt, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def test_exports_round_trip_and_markdown_is_clean(
    server_url: str, client: LangGraphClient, tmp_path: Path
) -> None:
    conversation, result = await run_turn(client, "hostile")
    thread_id = result.thread_id
    assert thread_id is not None
    await run_turn(client, "what's the weather in sf", thread_id=thread_id, conversation=conversation)
    await run_turn(client, "delete the report", thread_id=thread_id, conversation=conversation)  # waits
    await client.threads.update(thread_id, metadata={"title": "hostile \x1b]0;TITLE-PWN\x07 thread"})
    state = await client.threads.get_state(thread_id)
    thread = await client.threads.get(thread_id)

    code, text, _ = await export(server_url, thread_id, "json")
    document = json.loads(text)
    assert code == 0 and document["messages"] == state.messages and len(state.messages) >= 7
    assert document["metadata"] == thread.metadata and document["thread_id"] == thread_id
    assert "\x1b" not in text and "\x9b" not in text  # (escaped, and read back as they were)
    code, text, _ = await export(server_url, thread_id, "jsonl")
    assert code == 0 and [json.loads(line) for line in text.splitlines()] == state.messages

    code, markdown, err = await cli("export", "--url", server_url, "--thread", thread_id)  # md, to stdout
    assert code == 0, err
    assert CONTROL.search(markdown) is None and "\r" not in markdown
    for needle in (
        "# hostile ␛]0;TITLE-PWN␇ thread\n",
        "## User\n\nhostile\n",
        "## Assistant · agent\n\nSecurity self-test.",
        "Clipboard: ␛]52;c;UFdORUQ=␇ Title: ␛]0;PWNED-TITLE␛\\",
        "**Tool call** `get_weather`",
        '"city": "San Francisco"',
        "## Tool result · get_weather",
        "## ⏸ Interrupt",
        "*(waiting for an answer)*",
    ):
        assert needle in markdown, needle

    target = tmp_path / "thread.json"
    code, out, err = await cli(
        "export", "--url", server_url, "--thread", thread_id, "--format", "json", "-o", str(target)
    )
    assert code == 0 and out == "" and json.loads(target.read_text())["messages"] == state.messages
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    target.write_text("kept")
    code, _, err = await cli("export", "--url", server_url, "--thread", thread_id, "-o", str(target))
    assert code == 2 and target.read_text() == "kept" and len(err.strip().splitlines()) == 1
    code, _, err = await cli("export", "--url", server_url, "--thread", thread_id, "-o", str(target), "--force")
    assert code == 0 and target.read_text().startswith("# hostile")


async def test_an_unknown_thread_is_a_usage_error(server_url: str) -> None:
    code, out, err = await export(server_url, "00000000-0000-4000-8000-000000000000", "md")
    assert code == 2 and out == "" and "has no thread" in err
