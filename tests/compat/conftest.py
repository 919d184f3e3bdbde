"""The compatibility tier: existing tests, run against a second Agent Protocol server.

Give the server with ``--compat-url URL`` or ``CHAT_TUI_COMPAT_URL=URL`` (loopback only, like
every test); it must serve chat-tui's demo graphs (``chat_tui/demo/langgraph.json``; README,
"Other servers", says how Aegra is set up). Without one, every test here is skipped at once
and the demo server is not started for them. ``server_url`` is overridden here, so the
``client`` and ``proxy`` fixtures (and every test below) talk to that server instead.
"""

from __future__ import annotations

import os

import pytest

SKIP_REASON = "compatibility tier: no second server (give --compat-url URL or CHAT_TUI_COMPAT_URL)"


def compat_url(config: pytest.Config) -> str | None:
    url = config.getoption("--compat-url", default=None) or os.environ.get("CHAT_TUI_COMPAT_URL")
    return url.rstrip("/") if url else None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    skip = None if compat_url(config) else pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if item.path.parent.name == "compat":
            item.add_marker(pytest.mark.compat)
            if skip is not None:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def server_url(request: pytest.FixtureRequest) -> str:
    url = compat_url(request.config)
    if url is None:
        pytest.skip(SKIP_REASON)
    return url


from tests.service.conftest import service  # noqa: E402,F401  (the service tests' fixture, on this server)
