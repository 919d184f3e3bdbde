"""The demo launcher: import hygiene, environment, error messages and a real `langgraph dev`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from chat_tui.demo import launcher
from chat_tui.demo.launcher import DemoServer, DemoServerError, demo_available
from chat_tui.demo.process import child_env
from chat_tui.demo.server_log import last_meaningful_line

DEMO_DIR = Path(launcher.__file__).parent


def alive(pid: int) -> bool:
    """Is `pid` a live (non-zombie) process?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.1)
    return not alive(pid)


# --- no server needed --------------------------------------------------------------------------


def test_launcher_import_stays_light() -> None:
    code = (
        "import sys, chat_tui.demo.launcher\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('langgraph', 'langchain_core', 'langgraph_api', 'langgraph_cli', 'textual', 'platformdirs'))\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_no_textual_in_demo_package() -> None:
    for path in DEMO_DIR.glob("*.py"):
        assert "import textual" not in path.read_text() and "from textual" not in path.read_text(), path


def test_demo_extra_is_detected() -> None:
    assert demo_available()


def test_child_env_is_offline_and_credential_free() -> None:
    base = {
        "PATH": "/usr/bin",
        "LANGSMITH_API_KEY": "ls-secret",
        "LANGCHAIN_API_KEY": "lc-secret",
        "LANGGRAPH_API_KEY": "lg-secret",
        "LANGGRAPH_AUTH_TYPE": "langsmith",
        "LANGSMITH_TRACING": "true",
        "OPENAI_API_KEY": "sk-secret",
        "OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector.example",
        "LSD_DD_API_KEY": "dd",
        "N_JOBS_PER_WORKER": "1",
    }
    env = child_env(base, {"CHAT_TUI_DEMO_DELAY_MS": "0"})
    assert env["PATH"] == "/usr/bin" and env["CHAT_TUI_DEMO_DELAY_MS"] == "0"
    assert "secret" not in json.dumps(env) and "collector.example" not in json.dumps(env)
    assert "LANGGRAPH_AUTH_TYPE" not in env and "N_JOBS_PER_WORKER" not in env
    assert env["LANGSMITH_TRACING"] == "false" and env["LANGCHAIN_TRACING_V2"] == "false"
    assert env["LANGGRAPH_CLI_NO_ANALYTICS"] == "1" and env["LANGGRAPH_NO_VERSION_CHECK"] == "true"


def test_last_meaningful_line() -> None:
    log = [
        "=== 2026-01-01T00:00:00 chat-tui demo server on port 1: python -m chat_tui.demo.serve",
        "╦  ┌─┐┌┐┌┌─┐╔═╗┬─┐┌─┐┌─┐┬ ┬",
        "2026-01-01T00:00:00.1Z [info     ] Starting queue [langgraph_runtime_inmem.queue] a=b",
        "Traceback (most recent call last):",
        '  File "x.py", line 1, in <module>',
        "ModuleNotFoundError: No module named 'langgraph_api'",
        "",
    ]
    assert last_meaningful_line(log) == "ModuleNotFoundError: No module named 'langgraph_api'"
    assert last_meaningful_line(log[:3]) == "info: Starting queue"
    assert last_meaningful_line(["", "╦  ┌─┐"]) == ""


def test_missing_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(launcher, "demo_available", lambda: False)
    with pytest.raises(DemoServerError, match=r"pip install 'chat-tui\[demo\]'"):
        DemoServer(log_path=tmp_path / "demo.log").start()


def test_url_before_start_is_an_error() -> None:
    with pytest.raises(DemoServerError):
        _ = DemoServer().url


def test_the_log_goes_where_config_path_says(user_dirs: dict[str, Path]) -> None:
    """`CHAT_TUI_LOG_DIR` (set for every test) moves the demo server's log with the others: the
    launcher used to keep writing it to the platform's log directory."""
    shown = subprocess.run(
        [sys.executable, "-m", "chat_tui", "config", "path"], capture_output=True, text=True, check=True
    ).stdout
    assert DemoServer().log_path == user_dirs["log"] / "demo-server.log"
    assert f"logs:     {user_dirs['log']}  (chat-tui.log, demo-server.log)" in shown


def test_broken_install_fails_fast_with_log_path(tmp_path: Path) -> None:
    fake = tmp_path / "fake" / "langgraph_api"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("raise ImportError('broken install')\n")
    log = tmp_path / "demo.log"
    server = DemoServer(log_path=log, env={"PYTHONPATH": str(fake.parent)})
    started = time.monotonic()
    with pytest.raises(DemoServerError) as info, server:
        pass
    message = str(info.value)
    assert "\n" not in message and str(log) in message and "chat-tui[demo]" in message
    assert time.monotonic() - started < 15
    assert not server.is_running()


# --- the real server -----------------------------------------------------------------------


@pytest.mark.server
def test_real_server_starts_answers_and_stops_cleanly(tmp_path: Path) -> None:
    log = tmp_path / "demo.log"
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    busy_port = busy.getsockname()[1]
    # A requested port that is taken is replaced by a free one (never someone else's server).
    server = DemoServer(port=busy_port, log_path=log, env={"CHAT_TUI_DEMO_DELAY_MS": "0"})
    started = time.monotonic()
    server.start()
    assert time.monotonic() - started < 1.0  # start() does not block
    server.wait_ready(timeout=60)
    pid = server.pid
    workdir = server.workdir
    assert pid is not None and workdir is not None and alive(pid)
    assert server.url.startswith("http://127.0.0.1:") and not server.url.endswith(f":{busy_port}")
    try:
        with httpx.Client(base_url=server.url, trust_env=False, timeout=30) as client:
            assert client.get("/ok").json() == {"ok": True, "services": {}}
            graphs = {a["graph_id"] for a in client.post("/assistants/search", json={}).json()}
            assert graphs == {
                "agent",
                "echo",
                "approvals",
                "approvals_per_call",
                "parallel",
                "legacy_inbox",
                "booking",
                "structured",
                "coin",
                "nested_approval",
            }
            body = {"assistant_id": "echo", "input": {"messages": [{"role": "user", "content": "hi"}]}}
            result = client.post("/runs/wait", json=body).json()
            assert result["messages"][-1]["content"].startswith("echo: hi")
        assert (workdir / ".langgraph_api").is_dir()  # the server's files live in its own workdir
        assert not (Path.cwd() / ".langgraph_api").exists() or Path.cwd() == workdir
    finally:
        server.stop()
        busy.close()
    assert not alive(pid) and not group_alive(pid)
    assert not workdir.exists()
    assert server.pid is None and not server.is_running()
    server.stop()  # idempotent
    assert "chat_tui.demo.serve" in log.read_text()


class _LosesFirstPortRace(DemoServer):
    """Pretends another process grabbed the port between our check and the server's bind."""

    attempts = 0

    def _command(self, port: int, lifeline_fd: int | None, pdeathsig: bool) -> list[str]:
        self.attempts += 1
        if self.attempts == 1:
            msg = (
                "ERROR:    [Errno 98] error while attempting to bind on address "
                f"('127.0.0.1', {port}): address already in use"
            )
            return [sys.executable, "-c", f"print({msg!r}); raise SystemExit(1)"]
        return super()._command(port, lifeline_fd, pdeathsig)


@pytest.mark.server
@pytest.mark.asyncio
async def test_await_ready_retries_on_a_lost_port_race(tmp_path: Path) -> None:
    log = tmp_path / "demo.log"
    server = _LosesFirstPortRace(log_path=log, n_jobs=2)
    server.start()
    first_url = server.url
    try:
        await server.await_ready(timeout=60)
        async with httpx.AsyncClient(base_url=server.url, trust_env=False) as client:
            assert (await client.get("/ok")).status_code == 200
    finally:
        pid = server.pid
        server.stop()
    assert server.attempts == 2 and server.url != first_url
    assert "address already in use" in log.read_text()  # both attempts are in the log
    assert pid is not None and not alive(pid)


@pytest.mark.server
def test_server_dies_with_its_parent(tmp_path: Path) -> None:
    """`kill -9` on the app must not leave an orphaned server behind."""
    script = textwrap.dedent(
        f"""
        import time
        from pathlib import Path
        from chat_tui.demo.launcher import DemoServer
        server = DemoServer(log_path=Path({str(tmp_path / "demo.log")!r}))
        server.start()
        server.wait_ready()
        print(server.pid, server.workdir, flush=True)
        time.sleep(120)
        """
    )
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    server_pid = 0
    try:
        assert parent.stdout is not None
        pid_text, workdir = parent.stdout.readline().split(maxsplit=1)
        server_pid = int(pid_text)
        assert alive(server_pid) and Path(workdir.strip()).is_dir()
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=5)
        assert wait_gone(server_pid, timeout=10), "server outlived its parent"
        assert not Path(workdir.strip()).exists()  # the orphaned server cleaned up after itself
    finally:
        if parent.poll() is None:
            parent.kill()
        if server_pid and alive(server_pid):
            os.killpg(server_pid, signal.SIGKILL)


def test_one_demo_server_at_a_time_keeps_a_working_directory(tmp_path: Path) -> None:
    """The app and `chat-tui stream --demo` share the demo's threads; a second server at the same
    time starts in a directory of its own instead of overwriting the first one's saved state."""
    from chat_tui.demo.launcher import DemoServer
    from chat_tui.demo.workdir_lock import claim, release

    shared = tmp_path / "demo-server"
    first, second = DemoServer(workdir=shared), DemoServer(workdir=shared)
    first._prepare_workdir()
    second._prepare_workdir()
    try:
        assert first.workdir == shared and first.shared_with is None
        assert second.workdir != shared and second.shared_with == shared
        assert claim(shared) is None  # held
    finally:
        first.stop()
        second.stop()
    fd = claim(shared)  # released when the first stopped
    assert fd is not None
    release(fd)
