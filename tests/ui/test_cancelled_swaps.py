"""A change to the message pane that is cancelled halfway must not take the app down with it.

Opening a thread runs in an exclusive worker, so opening another one while the first is
still being drawn cancels the first in the middle of removing the old widgets (a user
pressing Enter on two threads in a row; under load, the settings test did it by itself).
Textual's ``AwaitRemove`` waits for removed widgets with ``asyncio.gather`` over their own
message-pump tasks, and the app awaits the same removal: a cancelled awaiter used to cancel
those tasks, the app's message loop then received the CancelledError and stopped, and every
later key press or ``pilot.pause()`` hung.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot

from chat_tui.ui.widgets.conversation_view import ConversationView
from chat_tui.ui.widgets.entries import EntryWidget
from tests.support.pilot import connected, make_app, run_finished, send

pytestmark = pytest.mark.server
SIZE = (120, 40)


async def _responds(app: App[object], timeout: float = 10.0) -> bool:
    """The app still runs callbacks (``pilot.pause`` would hang 30 s on a stopped app).

    Two rounds: Textual finishes a removal in a callback the app runs when it next goes
    idle, which is after the first round's callback.
    """
    for _ in range(2):
        answered = asyncio.Event()
        app.call_later(answered.set)
        try:
            await asyncio.wait_for(answered.wait(), timeout)
        except TimeoutError:
            return False
    return True


async def _cancel_swaps_at_every_step(pilot: Pilot[object], *, then_show_again: bool) -> int:
    """Swap a pane holding a finished thread for the same thread again, cancelling the swap after
    0, 1, 2... loop iterations until one finishes first; how many steps the swap took."""
    app = pilot.app
    screen = await connected(pilot)  # type: ignore[arg-type]
    await send(pilot, "hello")  # type: ignore[arg-type]
    await run_finished(pilot)  # type: ignore[arg-type]
    conversation = screen.conversation
    steps = 0
    while True:
        view = ConversationView()  # a fresh pane each round: nothing left over from the last one
        await screen.mount(view)
        await view.show(conversation)
        doomed = list(view.query(EntryWidget))
        assert doomed
        swap = asyncio.create_task(view.show(conversation))
        for _ in range(steps):
            await asyncio.sleep(0)
        finished = swap.done()
        swap.cancel()
        await asyncio.wait([swap])
        assert await _responds(app), f"the app stopped after a swap cancelled at step {steps}"
        if then_show_again:
            if swap.cancelled() and steps:  # cut short, but not before the old widgets were gone
                assert not any(w.is_attached for w in doomed), f"step {steps}"
            await view.show(conversation)
            assert view.query(EntryWidget), f"step {steps}"
        await view.remove()
        if finished:
            return steps
        steps += 1


async def test_a_thread_swap_cancelled_at_any_step_leaves_the_app_running(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    async with make_app(server_url, user_dirs["data"]).run_test(size=SIZE) as pilot:
        steps = await _cancel_swaps_at_every_step(pilot, then_show_again=False)
    assert steps > 3  # the removal spans several steps: some swap was cancelled in the middle of it


async def test_the_next_swap_works_after_one_was_cancelled_at_any_step(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    async with make_app(server_url, user_dirs["data"]).run_test(size=SIZE) as pilot:
        steps = await _cancel_swaps_at_every_step(pilot, then_show_again=True)
    assert steps > 3
