"""The composer's cursor blinks for a while after the last key or focus, then stays lit: an idle app
repaints nothing (a blinking cursor repainted the composer twice a second, forever)."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from chat_tui.ui.widgets import composer as composer_module
from chat_tui.ui.widgets.composer import Composer
from tests.support.pilot import wait_until


class OneComposer(App[None]):
    def compose(self) -> ComposeResult:
        yield Composer(id="composer")


async def test_the_cursor_blinks_after_a_key_then_stays_lit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(composer_module, "BLINK_FOR", 0.3)
    app = OneComposer()
    async with app.run_test() as pilot:
        composer = app.query_one(Composer)
        composer.focus()
        await wait_until(pilot, lambda: composer.has_focus and composer.cursor_blink, 5, "blinking after focus")
        await wait_until(pilot, lambda: not composer.cursor_blink, 5, "the blinking to stop")
        assert composer._cursor_visible  # (lit, not blinked away)
        for _ in range(2):  # a key starts it again, and it stops again (a fired timer is replaced)
            await pilot.press("a")
            assert composer.cursor_blink
            await wait_until(pilot, lambda: not composer.cursor_blink, 5, "the blinking to stop again")
        assert composer.text == "aa"
