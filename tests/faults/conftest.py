"""A fault-injecting proxy in front of the real demo server, one per test."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.faults.proxy import FaultProxy


@pytest.fixture
async def proxy(server_url: str) -> AsyncIterator[FaultProxy]:
    fault_proxy = await FaultProxy(server_url).start()
    try:
        yield fault_proxy
    finally:
        await fault_proxy.stop()
