"""The sidebar shows every thread, only the threads `chat-tui test` made (tagged in their metadata; the
server filters), or hides them (filtered here, paging on past pages where every row is hidden): `t` in
the sidebar goes round the three, the palette picks one, the title says which."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.testing.tags import METADATA_KEY, is_test_thread
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.widgets.thread_list import PAGE_SIZE
from tests.support.pilot import connected, make_app, wait_until

pytestmark = pytest.mark.server
SIZE = (120, 40)


def shown(screen: ChatScreen) -> list[Any]:
    """The threads of the rows the list shows."""
    threads = screen.threads
    return [threads.find(option.id) for option in threads.options if option.id is not None]


def title(screen: ChatScreen) -> str:
    return str(screen.sidebar.heading.render())


async def test_only_test_threads_or_none_of_them(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    marker = uuid.uuid4().hex[:8]
    plain = await client.threads.create(metadata={"title": f"plain {marker}"})
    # A page and more of test threads, newer than the plain one: hiding them must page on to find it.
    tests = [
        await client.threads.create(
            metadata={"title": f"test {marker} {n}", METADATA_KEY: {"suite": "s", "scenario": marker, "run": n}}
        )
        for n in range(PAGE_SIZE + 5)
    ]
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.threads.find(tests[-1].thread_id), what="the first page")
        assert screen.threads.find(plain.thread_id) is None  # (beyond the first page)
        assert title(screen) == "Threads"

        await pilot.press("ctrl+t", "t")
        await wait_until(pilot, lambda: "only tests" in title(screen), what="the title")
        await wait_until(
            pilot,
            lambda: screen.threads.threads and all(is_test_thread(t.metadata) for t in screen.threads.threads),
            what="only test threads, from the server",
        )
        assert all(is_test_thread(t.metadata) for t in shown(screen))

        await pilot.press("t")
        await wait_until(pilot, lambda: "no tests" in title(screen), what="the title")
        await wait_until(pilot, lambda: screen.threads.find(plain.thread_id), timeout=10, what="paging past tests")
        rows = shown(screen)
        assert plain.thread_id in {t.thread_id for t in rows}
        assert not any(is_test_thread(t.metadata) for t in rows)

        await pilot.press("escape", "ctrl+p", *"threads show all")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: title(screen) == "Threads", what="the title")
        await wait_until(
            pilot, lambda: tests[-1].thread_id in {t.thread_id for t in shown(screen)}, what="test threads again"
        )
