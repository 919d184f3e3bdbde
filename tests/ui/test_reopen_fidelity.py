"""A thread reopened after a restart shows what its live runs showed: for every demo behaviour,
the message pane's text is the same, line for line (node labels, answered interrupts and their
answers, errors, a cancelled answer's partial text)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from textual.pilot import Pilot

from chat_tui.ui.app import ChatApp
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.widgets.entries import AssistantMessage
from tests.support.pilot import connected, make_app, run_finished, send, wait_until
from tests.support.screen_text import region_text

pytestmark = pytest.mark.server
SIZE = (150, 120)  # tall: each thread's whole pane is on screen
# (what to say, then what to do): "yes" answers the interrupt; "cancel" presses Esc mid-answer.
BEHAVIOURS: list[tuple[str, str | None]] = [
    ("hello", None),
    ("what's the weather in sf", None),
    ("compare paris and tokyo", None),
    ("this will fail", None),
    ("crash", None),
    ("delete the report", "yes"),
    ("plan a trip", None),
    ("research this", None),
    ("think", None),
    ("你好", None),
    ("config", None),
    ("hostile", None),
    ("slow please", "cancel"),
    ("hello again", "cancel at once"),
]


def pane(app: ChatApp, screen: ChatScreen) -> list[str]:
    return [line for line in region_text(app, screen.view.region) if line.strip()]


async def settle(pilot: Pilot[ChatApp], screen: ChatScreen) -> None:
    """The pane rendered and laid out: not busy, and the same text over three looks 0.1 s apart (a
    fixed pause was too short on a loaded machine: a capture could catch a layout not yet final)."""
    await wait_until(pilot, lambda: not screen.view.busy, what="the pane to render")
    app = pilot.app
    looks: list[list[str]] = []

    def steady() -> bool:
        looks.append(pane(app, screen))
        return len(looks) >= 3 and looks[-1] == looks[-2] == looks[-3]

    for _ in range(100):
        if steady():
            return
        await pilot.pause(0.1)
    raise AssertionError("the pane kept changing for 10 s")


async def play(pilot: Pilot[ChatApp], screen: ChatScreen, say: str, then: str | None) -> None:
    service = screen.service
    assert service is not None
    service.context = {"delay_ms": 40} if then and then.startswith("cancel") else None
    await send(pilot, say)
    if then == "cancel":
        await wait_until(
            pilot, lambda: any(w.message.text for w in screen.view.query(AssistantMessage)), what="a partial answer"
        )
        await pilot.press("escape")
    elif then == "cancel at once":
        await wait_until(pilot, lambda: service.live, what="the run to start")
        await pilot.press("escape")
    await run_finished(pilot, timeout=60)
    if then == "yes":
        await send(pilot, "yes")
        await run_finished(pilot, timeout=60)


# In two halves, so that two test workers share them.
HALVES = [BEHAVIOURS[: len(BEHAVIOURS) // 2], BEHAVIOURS[len(BEHAVIOURS) // 2 :]]


@pytest.mark.parametrize("behaviours", HALVES, ids=["first-half", "second-half"])
async def test_a_reopened_thread_shows_what_the_live_run_showed(
    server_url: str, user_dirs: dict[str, Path], behaviours: list[tuple[str, str | None]]
) -> None:
    live: dict[str, tuple[str, list[str]]] = {}
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.sidebar_visible = False
        for say, then in behaviours:
            await screen.action_new_thread()
            await play(pilot, screen, say, then)
            await settle(pilot, screen)
            live[say] = (screen.conversation.thread_id or "", pane(app, screen))
    differences = []
    again = make_app(server_url, user_dirs["data"])  # a restart: the same user data, a new app
    async with again.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.sidebar_visible = False
        for say, (thread_id, seen) in live.items():
            screen.open_thread(thread_id)
            await wait_until(pilot, lambda: screen.conversation.thread_id == thread_id, what=f"{say!r} to open")  # noqa: B023
            await wait_until(pilot, lambda: screen.status.connection_state == "", what="it to load")
            await pilot.pause(0.5)  # (the recall of its live details follows the first paint)
            await settle(pilot, screen)
            shown = pane(again, screen)
            if shown != seen:
                diff = "\n".join(difflib.unified_diff(seen, shown, "live", "reopened", lineterm="", n=1))
                differences.append(f"{say!r}:\n{diff}")
    assert not differences, "\n\n".join(differences)
