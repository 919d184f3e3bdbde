"""Removing widgets from a task that may be cancelled, without stopping the app."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from textual.widget import Widget

from chat_tui.ui.textual_compat import remove_unheld

__all__ = ["remove_children"]


async def remove_children(parent: Widget, widgets: Sequence[Widget]) -> None:
    """Remove *widgets* from *parent* and wait until they are gone, even if our caller is cancelled.

    Use this, not ``await parent.remove_children(...)``, wherever the awaiting task can be
    cancelled (an exclusive worker replaced by the next one, a timer stopped). Textual's
    ``AwaitRemove`` waits with ``asyncio.gather`` over the removed widgets' *own*
    message-pump tasks, so cancelling its awaiter cancels those tasks halfway through their
    teardown (and Textual's app, were it awaiting the same removal, would get that
    CancelledError in its own message loop and stop handling keys). And a removal cut short
    lets the caller go on (release its lock) while widgets are still being detached, so
    re-mounting one of them fails with ``MountError``.

    So the removal runs in a task of its own, shielded from our cancellation, and a cancelled
    caller still waits for it (``asyncio.wait`` never cancels what it waits for) before the
    cancellation goes on. (Not for a widget removing its own ancestor: unlike ``AwaitRemove``
    this does not skip the current task, and would wait for itself.)

    The app's own loop does not wait for it (:func:`~chat_tui.ui.textual_compat.remove_unheld`):
    keys typed meanwhile are handled.
    """
    if not widgets:
        return
    removal = asyncio.ensure_future(remove_unheld(parent, widgets))
    try:
        await asyncio.shield(removal)
    except asyncio.CancelledError:
        await asyncio.wait([removal])
        raise
