"""Recordings against the real demo server: a run of each demo behaviour recorded with
`stream --record` replays headless (`stream --replay`, no server) to the live run's `--json`
document, `--raw` and human output; the header names the host and never a key; an existing file
is refused before anything is sent."""

from __future__ import annotations

import asyncio
import io
import json
import os
from pathlib import Path
from typing import Any

import pytest

from chat_tui.client.recording_reader import read_recording
from chat_tui.connection import Connection
from chat_tui.headless import StreamCommand
from chat_tui.headless_record import record_stream, replay_stream
from tests.support.cli import cli

pytestmark = pytest.mark.server

# Every behaviour of the demo (chat_tui/demo/texts.py: KEYWORD_HELP and GRAPH_HELP) but `slow`,
# which keeps its own pace to be cancelled, and `structured`, which takes JSON input (no MESSAGE).
BEHAVIOURS: list[tuple[str, str, dict[str, Any]]] = [
    ("agent", "hello", {}),
    ("agent", "what's the weather in sf", {}),
    ("agent", "compare paris and tokyo", {}),
    ("agent", "fail", {}),
    ("agent", "crash", {}),
    ("agent", "delete the report", {}),
    ("agent", "plan a trip", {}),
    ("agent", "research", {"stream_subgraphs": True}),
    ("agent", "think", {}),
    ("agent", "你好", {}),
    ("agent", "안녕", {}),
    ("agent", "long", {}),
    ("agent", "config", {"config": {"configurable": {"persona": "pirate"}}}),
    ("agent", "hostile", {}),
    ("echo", "hi there", {}),
    ("approvals", "email alice and delete the report", {}),
    ("approvals_per_call", "email bob", {}),
    ("parallel", "go", {}),
    ("legacy_inbox", "go", {}),
    ("booking", "go", {}),
    ("coin", "find it", {}),
    ("coin", "escalate this", {}),
    ("nested_approval", "go", {"stream_subgraphs": True}),
]


async def record_and_replay(
    server_url: str, path: Path, options: StreamCommand, output: str = "json"
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    """The live run (recorded in *path*) and its replay: (exit code, stdout, stderr) each."""
    options.output = output
    live_out, live_err = io.StringIO(), io.StringIO()
    code = await record_stream(Connection(server_url), options, path, out=live_out, err=live_err)
    replay_out, replay_err = io.StringIO(), io.StringIO()
    replayed = await replay_stream(path, output, out=replay_out, err=replay_err)
    return (code, live_out.getvalue(), live_err.getvalue()), (replayed, replay_out.getvalue(), replay_err.getvalue())


def check_recording(path: Path, assistant: str, live: tuple[int, str, str], server_url: str) -> None:
    """The header names the host (and nothing of a key), the assistant, thread and run."""
    document = json.loads(live[1])
    assert document["messages"] or document["status"] != "success"
    header = path.read_bytes().split(b"\r\n", 1)[0].decode()
    fields = json.loads(header.removeprefix(": chat-tui recording 1 "))
    assert fields["host"] == server_url.removeprefix("http://")
    assert (fields["assistant"], fields["thread"], fields["run"]) == (
        assistant,
        document["thread_id"],
        document["run_id"],
    )
    assert fields["time"].endswith("Z")


async def test_a_recorded_run_of_each_demo_behaviour_replays_to_the_live_json_document(
    server_url: str, tmp_path: Path
) -> None:
    """All at once (the server runs ten at a time): a second or two, not one per behaviour."""
    gate = asyncio.Semaphore(8)

    async def one(number: int, assistant: str, prompt: str, extra: dict[str, Any]) -> str | None:
        path = tmp_path / f"{number}.sse"
        async with gate:
            options = StreamCommand(prompt, assistant, explicit_assistant=True, **extra)
            live, replayed = await record_and_replay(server_url, path, options)
        if live[0] not in (0, 1, 3):
            return f"the live run failed: {live}"
        if replayed != live:  # the same document, byte for byte, the same exit code and stderr
            return f"live {live!r} != replayed {replayed!r}"
        check_recording(path, assistant, live, server_url)
        return None

    problems = await asyncio.gather(*(one(n, *behaviour) for n, behaviour in enumerate(BEHAVIOURS)))
    assert {f"{a}: {p}": problem for (a, p, _), problem in zip(BEHAVIOURS, problems, strict=True) if problem} == {}


async def test_answers_to_interrupts_replay_too(server_url: str, tmp_path: Path) -> None:
    for assistant, prompt, answer in (
        ("approvals", "email alice and delete the report", {"decisions": ("approve", "reject=not today")}),
        ("booking", "go", {"resume": {"room": "Blue", "hours": 2}, "has_resume": True}),
    ):
        first, replayed = await record_and_replay(
            server_url, tmp_path / f"{assistant}-ask.sse", StreamCommand(prompt, assistant, explicit_assistant=True)
        )
        assert first[0] == 3 and replayed == first
        thread_id = json.loads(first[1])["thread_id"]
        options = StreamCommand(None, assistant, thread_id=thread_id, **answer)  # type: ignore[arg-type]
        live, replayed = await record_and_replay(server_url, tmp_path / f"{assistant}.sse", options)
        assert live[0] == 0, live[2]
        assert replayed == live
        assert read_recording(tmp_path / f"{assistant}.sse").runs[0].input is not None


async def test_raw_and_human_output_replay_as_they_printed_live(server_url: str, tmp_path: Path) -> None:
    for output in ("raw", "human"):
        path = tmp_path / f"{output}.sse"
        live, replayed = await record_and_replay(server_url, path, StreamCommand("hostile", "agent"), output)
        assert live[0] == 0 and replayed == live
        assert "\x1b" not in live[1] and "self-test" in live[1]
        assert ("Receiving new event of type: metadata..." in live[1]) is (output == "raw")


async def test_the_command_line_records_and_replays_and_the_file_holds_no_key(
    server_url: str, tmp_path: Path, proxy: Any
) -> None:
    path = tmp_path / "weather.sse"
    key = "sk-test-NEVER-IN-A-RECORDING-0123456789"
    os.environ["CHAT_TUI_TEST_RECORD_KEY"] = key
    try:
        live = await cli(
            "stream", "--url", proxy.url, "--api-key-env", "CHAT_TUI_TEST_RECORD_KEY", "--json", "--record",
            str(path), "what's the weather in sf",
        )  # fmt: skip
    finally:
        del os.environ["CHAT_TUI_TEST_RECORD_KEY"]
    assert live[0] == 0, live[2]
    assert proxy.requests("POST")[0].headers.get("x-api-key") == key  # (the key was sent: it is not in the file)
    data = path.read_bytes()
    assert key.encode() not in data and b"x-api-key" not in data.lower() and b"NEVER" not in data
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    replayed = await cli("stream", "--replay", str(path), "--json")
    assert replayed == live
    raw_live = await cli("stream", "--url", server_url, "--raw", "--record", str(path), "--force", "plan a trip")
    raw_replayed = await cli("stream", "--replay", str(path), "--raw", "--speed", "50")
    assert raw_live[0] == 0 and raw_replayed == raw_live


async def test_an_existing_file_is_refused_before_anything_is_sent(tmp_path: Path, proxy: Any) -> None:
    existing = tmp_path / "kept.sse"
    existing.write_text("mine")
    code, out, err = await cli("stream", "--url", proxy.url, "--record", str(existing), "hello")
    assert code == 2 and out == "" and len(err.strip().splitlines()) == 1
    assert "exists" in err and "--force" in err and "nothing was sent" in err
    code, _, err = await cli("export", "--url", proxy.url, "--thread", "t", "-o", str(existing))
    assert code == 2 and "exists" in err and len(err.strip().splitlines()) == 1
    code, _, err = await cli("stream", "--url", proxy.url, "--record", str(tmp_path / "no" / "x.sse"), "hello")
    assert code == 2 and "folder does not exist" in err
    assert proxy.log == [] and existing.read_text() == "mine"
    # a command that sends nothing leaves no recording behind
    missing = tmp_path / "never.sse"
    unknown = "00000000-0000-4000-8000-000000000000"
    code, _, err = await cli("stream", "--url", proxy.url, "--record", str(missing), "--thread", unknown, "hello")
    assert code == 2 and "has no thread" in err and not missing.exists()
    assert not proxy.requests("POST")


async def test_a_rejoined_stream_replays_as_it_streamed(proxy: Any, tmp_path: Path) -> None:
    """A cut stream is rejoined (the server repeats what it sent): the recording holds what the
    conversation was given, and the rejoin, so the replay prints what the live run printed."""
    from tests.faults.test_drops import RUN_STREAM

    for output in ("json", "raw"):
        proxy.add(method="POST", path=RUN_STREAM, action="cut", after=2500)
        path = tmp_path / f"{output}.sse"
        options = StreamCommand("what's the weather in sf", "agent", context={"delay_ms": 20})
        live, replayed = await record_and_replay(proxy.url, path, options, output)
        assert live[0] == 0, live[2]
        assert replayed == live
        run = read_recording(path).runs[0]
        assert [note.kind for note in run.notes] == ["reconnecting"]
        assert len({(e.raw.id, e.raw.data) for e in run.events}) == len(run.events)  # nothing twice
    assert "reconnecting (attempt 1)" in live[2]


async def test_the_events_of_a_recording_are_the_bytes_the_server_sent(server_url: str, tmp_path: Path) -> None:
    """The server replays a finished run's stream (`Last-Event-ID: -`): its body, heartbeats aside,
    is the recording without its comment lines, byte for byte."""
    import httpx

    path = tmp_path / "compare.sse"
    live, _ = await record_and_replay(server_url, path, StreamCommand("compare paris and tokyo", "agent"))
    document = json.loads(live[1])
    url = f"{server_url}/threads/{document['thread_id']}/runs/{document['run_id']}/stream"
    async with httpx.AsyncClient(timeout=30) as http:
        answer = await http.get(url, headers={"Last-Event-ID": "-"})
    sent = answer.content.replace(b": heartbeat\r\n\r\n", b"")
    recorded = b"".join(line + b"\r\n" for line in path.read_bytes().split(b"\r\n") if not line.startswith(b":"))
    assert sent.count(b"\r\n\r\n") > 20 and recorded.strip(b"\r\n") == sent.strip(b"\r\n")
