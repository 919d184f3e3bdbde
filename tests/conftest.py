"""Shared fixtures: the real demo server, isolated user directories, loopback-only network."""

from __future__ import annotations

import ipaddress
import os
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")  # deterministic snapshots and Pilot runs

# The demo model streams with small delays; tests keep them short (the `slow` script keeps its own pace).
DEMO_DELAY_MS = "3"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--compat-url",
        default=None,
        help="run the compatibility tier (tests/compat) against this second Agent Protocol server "
        "(or set CHAT_TUI_COMPAT_URL); it must serve chat-tui's demo graphs",
    )


def _loopback_only(address: Any) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if host is None:
        return  # unix sockets
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        if host in ("localhost",):
            return
    raise OSError(f"tests may only connect to loopback, not {host}")


@pytest.fixture(autouse=True, scope="session")
def _no_network() -> Iterator[None]:
    """Every connection a test makes (in this process) goes to loopback or fails loudly."""
    original = socket.socket.connect
    original_ex = socket.socket.connect_ex

    def connect(self: socket.socket, address: Any) -> None:
        _loopback_only(address)
        original(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _loopback_only(address)
        return original_ex(self, address)

    socket.socket.connect = connect  # type: ignore[method-assign]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]
    yield
    socket.socket.connect = original  # type: ignore[method-assign]
    socket.socket.connect_ex = original_ex  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def user_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Each test gets its own config/data/log directories (never the developer's)."""
    dirs = {name: tmp_path / name for name in ("config", "data", "log")}
    monkeypatch.setenv("CHAT_TUI_CONFIG_DIR", str(dirs["config"]))
    monkeypatch.setenv("CHAT_TUI_DATA_DIR", str(dirs["data"]))
    monkeypatch.setenv("CHAT_TUI_LOG_DIR", str(dirs["log"]))
    for name in ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    return dirs


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """One real `langgraph dev` serving the project's demo graphs, for the whole session."""
    from chat_tui.demo.launcher import DemoServer

    base = tmp_path_factory.mktemp("demo-server")
    server = DemoServer(
        log_path=base / "server.log",
        workdir=base / "work",
        env={"CHAT_TUI_DEMO_DELAY_MS": DEMO_DELAY_MS},
    )
    server.start()
    try:
        server.wait_ready(timeout=120)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def server_url(demo_server: Any) -> str:
    return str(demo_server.url)


@pytest.fixture
async def client(server_url: str) -> AsyncIterator[Any]:
    from chat_tui.client import LangGraphClient

    async with LangGraphClient(server_url) as lg:
        yield lg


@pytest.fixture
async def proxy(server_url: str) -> AsyncIterator[Any]:
    """A fault-injecting proxy in front of the real demo server, one per test (its request log
    shows what a command sent)."""
    from tests.faults.proxy import FaultProxy

    fault_proxy = await FaultProxy(server_url).start()
    try:
        yield fault_proxy
    finally:
        await fault_proxy.stop()
