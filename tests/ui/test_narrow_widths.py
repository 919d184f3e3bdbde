"""Every width from 20 to 100 columns keeps the app alive and usable, with the sidebar open.

Beside the sidebar the chat never gets under 40 columns: below that the open sidebar takes
the screen, and the chat comes back, whole, when the user leaves it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from chat_tui.ui.app import ChatApp
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.widgets.entries import AssistantMessage
from tests.support.pilot import connected, make_app, run_finished, send, wait_until

pytestmark = pytest.mark.server
CHAT_MIN = 40


def check_layout(pilot: Pilot[ChatApp], screen: ChatScreen, width: int) -> None:
    assert pilot.app.is_running, f"the app ended at {width} columns"
    chat = screen.query_one("#chat")
    if screen.sidebar.display and chat.display:  # side by side
        assert chat.size.width >= CHAT_MIN, f"{width} columns: the chat got {chat.size.width}"
        assert screen.composer.content_size.width > 0
    elif screen.sidebar.display:  # the sidebar covers the chat
        assert screen.sidebar.size.width == width, f"{width} columns: the sidebar is {screen.sidebar.size.width}"
    else:
        assert chat.size.width == width and screen.composer.content_size.width > 0


async def test_every_width_from_20_to_100_with_the_sidebar_open(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await connected(pilot)
        screen.service.context = {"delay_ms": 10}  # type: ignore[union-attr]  # streams while we resize
        await send(pilot, "slow please")
        await wait_until(pilot, lambda: screen.service and screen.service.live, what="the run")
        screen.action_focus_threads()
        for width in [*range(100, 19, -1), *range(20, 101)]:
            await pilot.resize_terminal(width, 24 if width % 2 else 8)
            await pilot.pause()
            check_layout(pilot, screen, width)
            if not screen.sidebar.display:  # a resize below NARROW closes it: open it again
                screen.action_focus_threads()
                await pilot.pause()
                check_layout(pilot, screen, width)
        await run_finished(pilot, timeout=60)


async def test_a_covering_sidebar_gives_the_chat_back(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=(40, 12)) as pilot:
        screen = await connected(pilot)
        await send(pilot, "hello")
        await run_finished(pilot)
        await pilot.press("ctrl+t")  # the thread list, covering the chat
        await wait_until(pilot, lambda: screen.focused is screen.threads, what="the thread list")
        assert screen.sidebar.size.width == 40 and not screen.query_one("#chat").display
        await pilot.press("enter")  # opens the highlighted (current) thread, and the chat comes back
        await wait_until(pilot, lambda: not screen.sidebar.display, what="the sidebar to close")
        assert screen.focused is screen.composer and screen.query_one("#chat").size.width == 40
        assert screen.view.query(AssistantMessage)
        await pilot.press("ctrl+b")  # shown again, it takes the keys; Tab away closes it
        assert screen.sidebar.display and screen.focused is screen.threads
        await pilot.press("ctrl+t")
        await wait_until(pilot, lambda: not screen.sidebar.display, what="leaving the sidebar")
        assert screen.focused is screen.composer


async def test_the_footer_fits_80_columns_idle_and_streaming(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await connected(pilot)

        def laid_out(*needed: str) -> dict[str, int] | None:
            """Each footer key's right edge, once the footer shows *needed* and has laid them all out
            (a footer rebuilt on a focus change has keys of width 0 until its next layout)."""
            keys = list(screen.query("FooterKey"))  # (by CSS type: the class is private to Textual)
            edges = {key.description: key.region.right for key in keys}  # type: ignore[attr-defined]
            done = set(needed) <= set(edges) and all(key.region.width > 0 for key in keys)
            return edges if done else None

        edges = await wait_until(pilot, lambda: laid_out("Send", "New", "Threads", "Help", "Quit"), what="the footer")
        assert max(edges.values()) <= 80, edges
        screen.service.context = {"delay_ms": 40}  # type: ignore[union-attr]  # (still running when we look)
        await send(pilot, "slow please")
        edges = await wait_until(pilot, lambda: laid_out("Cancel", "Help", "Quit"), what="Esc in the footer")
        assert max(edges.values()) <= 80, edges
        screen.view.focus()  # the message pane's keys join the footer: it still fits
        edges = await wait_until(
            pilot, lambda: laid_out("Write", "Copy", "Cancel", "Help", "Quit"), what="the pane's keys"
        )
        assert max(edges.values()) <= 80, edges
        await pilot.press("escape")
        await run_finished(pilot)


async def test_the_run_configuration_form_fits_80x24(server_url: str, user_dirs: dict[str, Path]) -> None:
    from tests.support.pilot import config_form

    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=(80, 24)) as pilot:
        await connected(pilot)
        form = await config_form(pilot)
        fields = list(form.query("#schema-fields > *").exclude("Label"))
        assert len(fields) == 3
        for field in [*fields, form.query_one("#apply")]:  # each one is on screen, where the user can reach it
            x, y = field.region.offset
            widget, _ = app.screen.get_widget_at(x + 1, y)
            assert field in widget.ancestors_with_self, f"{field.id} is not in view"
