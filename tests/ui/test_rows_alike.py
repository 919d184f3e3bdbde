"""RowsAlike: a container renders one of its own rows and repeats it, and the picture is Textual's."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from chat_tui.ui.widgets.rows import RowsAlike


class Box(Vertical, RowsAlike):
    DEFAULT_CSS = """
    Box { height: 6; border-left: outer red; padding: 1 1; background: blue 40%; }
    Box.-framed { border-top: solid green; }
    Box.-outlined { outline-bottom: solid yellow; }
    """


class Boxes(App[None]):
    def compose(self) -> ComposeResult:
        yield Box(Static("a child drawn over the box"), id="plain")
        yield Box(id="framed", classes="-framed")
        yield Box(id="outlined", classes="-outlined")
        titled = Box(id="titled")
        titled.border_title = "title"
        yield titled


@pytest.mark.parametrize("name", ["plain", "framed", "outlined", "titled"])
async def test_the_rows_are_textuals_and_only_alike_rows_are_repeated(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = Boxes()
    async with app.run_test(size=(40, 30)):
        box = app.query_one(f"#{name}", Box)
        crop = Region(0, 0, box.size.width, box.size.height)
        heights: list[int] = []
        render_lines = Widget.render_lines

        def spy(self: Widget, region: Region) -> Any:
            if self is box:
                heights.append(region.height)
            return render_lines(self, region)

        monkeypatch.setattr(Widget, "render_lines", spy)
        ours = box.render_lines(crop)
        box.refresh()  # Textual's own rendering of every row, from a clean cache
        theirs: list[Strip] = render_lines(box, crop)
        assert [strip.simplify() for strip in ours] == [strip.simplify() for strip in theirs]  # the same cells
        assert heights == ([1] if name == "plain" else [crop.height])
        if name in ("framed", "outlined"):
            assert len({tuple(strip) for strip in theirs}) > 1  # rows that differ: not repeated
