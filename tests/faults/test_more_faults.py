"""The rest of the fault list: TLS, signals, resizing, pathological Markdown."""

from __future__ import annotations

import asyncio
import os
import pty
import signal
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.client.errors import ConnectError
from chat_tui.conversation import RunOutcome
from chat_tui.settings.userdata import UserData
from chat_tui.ui.widgets.entries import AssistantMessage
from tests.support.pilot import connected, make_app, run_finished, send, wait_until
from tests.support.pty_read import read_pty

pytestmark = pytest.mark.server


async def test_a_self_signed_certificate_is_refused_with_a_clear_message(tmp_path: Path) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    await asyncio.to_thread(
        subprocess.run,
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    port = server.sockets[0].getsockname()[1]
    try:
        async with LangGraphClient(f"https://127.0.0.1:{port}", connect_retries=0, read_retries=0) as client:
            with pytest.raises(ConnectError) as info:
                await client.ok()
    finally:
        server.close()
    assert str(info.value) == f"cannot reach 127.0.0.1:{port}: TLS problem (the server's certificate was not accepted)"


def test_sigterm_saves_the_draft_and_exits_non_zero(server_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "TERM": "xterm-256color",
        "CHAT_TUI_CONFIG_DIR": str(tmp_path / "config"),
        "CHAT_TUI_DATA_DIR": str(tmp_path / "data"),
        "CHAT_TUI_LOG_DIR": str(tmp_path / "log"),
    }
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(sys.executable, [sys.executable, "-m", "chat_tui", "--url", server_url], env)
    output = bytearray()
    try:
        assert read_pty(fd, b"Threads", 30, output)
        read_pty(fd, None, 2, output)
        os.write(fd, b"half-typed thought")
        time.sleep(0.1)  # less than the draft debounce: only the signal handler can save it
        os.kill(pid, signal.SIGTERM)
        read_pty(fd, None, 5, output)
        _, status = os.waitpid(pid, 0)
    finally:
        os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 128 + signal.SIGTERM
    assert UserData(tmp_path / "data").draft(server_url, None) == "half-typed thought"


async def test_resizing_to_one_cell_while_streaming_and_back(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await connected(pilot)
        await send(pilot, "plan a trip")
        await wait_until(pilot, lambda: screen.view.query(AssistantMessage), what="streaming")
        await pilot.resize_terminal(1, 1)
        await pilot.pause(0.3)
        await pilot.resize_terminal(100, 30)
        run = await run_finished(pilot)
        assert run.outcome is RunOutcome.SUCCESS
        assert [w.message.node for w in screen.view.query(AssistantMessage)] == ["planner", "writer"]


async def test_pathological_markdown_renders_without_crashing(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    nested = "\n".join("  " * depth + "- level" for depth in range(200))
    fence = "```python\n" + "x = 1  # padding to make a very large code block\n" * 4000 + "```\n"
    thread = await client.threads.create(metadata={"graph_id": "agent"})
    await client.threads.update_state(
        thread.thread_id,
        {
            "messages": [
                {"type": "human", "content": "stress", "id": "h-stress"},
                {
                    "type": "ai",
                    "content": nested + "\n\n" + fence + "\n[x](ssh://attacker.example) done",
                    "id": "a-stress",
                },
            ]
        },
        as_node="agent",
    )
    app = make_app(server_url, user_dirs["data"], thread=thread.thread_id)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.view.query(AssistantMessage), timeout=60, what="the message")
        await pilot.pause(0.5)
        screen.view.scroll_home(animate=False)
        await pilot.pause(0.2)
        assert app.is_running


def test_storage_failures_keep_the_draft_in_memory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    data = UserData(tmp_path)
    assert data.save_draft("server", "t1", "first")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("chat_tui.settings.store.os.fsync", disk_full)
    assert data.save_draft("server", "t1", "second") is False  # the UI warns once
    assert data.draft("server", "t1") == "second"  # ...and keeps it in memory
    monkeypatch.undo()
    assert UserData(tmp_path).draft("server", "t1") == "first"  # the file on disk was not torn


def test_stale_temp_files_from_a_crash_are_cleaned(tmp_path: Path) -> None:
    stale = tmp_path / ".state.json.abc.tmp"
    stale.write_text("{half")
    old = time.time() - 7200
    os.utime(stale, (old, old))
    fresh = tmp_path / ".state.json.def.tmp"
    fresh.write_text("{being written")
    UserData(tmp_path).draft("s", None)
    assert not stale.exists() and fresh.exists()
