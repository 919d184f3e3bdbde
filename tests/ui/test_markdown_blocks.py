"""Compact Markdown blocks: tables and lists in fewer widgets, the same text, any width, streamed or whole."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.app import App, ComposeResult
from textual.content import Content
from textual.widgets import Markdown

from chat_tui.ui.styles import styles_dir
from chat_tui.ui.widgets.markdown import (
    ChatMarkdown,
    CompactBlockQuote,
    CompactBulletList,
    CompactTable,
    HangingVisual,
    ListLine,
    ListVisual,
    layout_table,
)
from tests.benchmarks.corpus import answer_text
from tests.support.screen_text import region_text

ANSWER = answer_text(3, 1400)  # headings, paragraphs, a nested list, code, a table, a quote


class Host(App[None]):
    CSS_PATH = styles_dir() / "markdown.tcss"  # the blocks' own styles, as the app loads them

    def __init__(self, markdown: Markdown) -> None:
        super().__init__()
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        yield self.markdown


async def stream_in(markdown: Markdown, text: str, piece: int) -> None:
    """Stream *text* into *markdown* in pieces of *piece* characters, as the app does."""
    stream = Markdown.get_stream(markdown)
    for start in range(0, len(text), piece):
        await stream.write(text[start : start + piece])
    await stream.stop()


def _lines(parts: list[list[Content]]) -> list[str]:
    return [Content.assemble(*line).plain for line in parts]


def test_a_table_fits_its_width_and_keeps_every_cell() -> None:
    headers = [Content("name"), Content("value")]
    rows = [[Content("alpha"), Content("1")], [Content("a much longer cell than the others"), Content("22")]]
    wide = _lines(layout_table(headers, rows, 80))
    assert wide[0] == "name" + " " * 32 + "value"  # natural widths, two spaces apart
    assert wide[1] == "─" * 34 + "  " + "─" * 5  # the header's rule, one per column
    assert all(len(line) == len(wide[0]) for line in wide)  # a rectangle
    narrow = _lines(layout_table(headers, rows, 24))
    assert all(len(line) <= 24 for line in narrow)
    assert any("…" in line for line in narrow)  # the widest column was cut, with an ellipsis
    assert layout_table([], [], 40) == []


@settings(max_examples=200, deadline=None)
@given(
    cells=st.lists(st.lists(st.text("ab 界😀", max_size=12), min_size=1, max_size=5), min_size=1, max_size=6),
    width=st.integers(10, 120),
)
def test_any_table_at_any_width_is_a_rectangle_within_the_width(cells: list[list[str]], width: int) -> None:
    headers, *rows = [[Content(text) for text in row] for row in cells]
    lines = layout_table(headers, rows, width)
    lengths = {Content.assemble(*line).cell_length for line in lines}
    assert len(lengths) == 1  # every line as wide as the others
    columns = max(len(row) for row in cells)
    assert lengths.pop() <= max(width, columns * 5)  # fits, unless every column is already at its minimum


def test_hanging_lines_wrap_under_the_text_not_the_bullet() -> None:
    visual = HangingVisual(Content("• "), Content("one two three four five six seven"))
    lines = visual.content_at(12).plain.split("\n")
    assert lines[0].startswith("• one")
    assert all(line.startswith("  ") and len(line) <= 12 for line in lines[1:])
    assert visual.get_height({}, 12) == len(lines)


async def test_an_answer_mounts_far_fewer_widgets_and_shows_the_same_text() -> None:
    counts = {}
    for cls in (Markdown, ChatMarkdown):
        app = Host(cls(ANSWER))
        async with app.run_test(size=(100, 80)) as pilot:
            await pilot.pause(0.3)
            counts[cls] = len(list(app.query("*")))
            if cls is ChatMarkdown:
                tables = list(app.query(CompactTable))
                lists = list(app.query(CompactBulletList))
                assert tables and lists
                assert not list(app.query(ListLine))  # text-only lists, nested ones too, are one widget
                quotes = list(app.query(CompactBlockQuote))
                assert quotes and not any(quote.children for quote in quotes)  # a quote of text: one widget
                shot = app.export_screenshot()
                for word in ("alpha", "gamma", "first point about item 0", "a nested step", "handler_0"):
                    assert word in shot.replace("&#160;", " ")
    assert counts[ChatMarkdown] * 2 < counts[Markdown]


@pytest.mark.parametrize("piece", [1, 7, 40])
async def test_streamed_tables_and_lists_end_as_a_whole_parse_does(piece: int) -> None:
    text = "| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n\n- x\n- y\n  1. nested\n\n3. three\n4. four\n"
    whole = Host(ChatMarkdown(text))
    async with whole.run_test(size=(60, 30)) as pilot:
        await pilot.pause(0.2)
        expected = _blocks(whole)
    assert [kind for kind, _ in expected] == ["CompactTable", "CompactBulletList", "CompactOrderedList"]
    assert expected[1][1].splitlines() == ["• x", "• y", "  1. nested"]
    assert expected[2][1].splitlines() == ["3. three", "4. four"]
    streamed = Host(ChatMarkdown())
    async with streamed.run_test(size=(60, 30)) as pilot:
        await stream_in(streamed.markdown, text, piece)
        await pilot.pause(0.2)
        assert _blocks(streamed) == expected


def _blocks(app: Host) -> list[tuple[str, str]]:
    out = []
    for widget in app.markdown.query("CompactTable, CompactBulletList, CompactOrderedList, ListLine"):
        if widget.children:
            continue  # a list drawn as widgets: its ListLines follow
        visual = widget.render()
        content = visual.content_at(40)  # type: ignore[union-attr]
        out.append((type(widget).__name__, content.plain))
    return out


def test_a_list_is_one_text_with_nested_items_under_their_parent() -> None:
    visual = ListVisual(
        [
            (0, Content("• "), Content("one two three four five six")),
            (2, Content("1. "), Content("nested item that wraps")),
            (0, Content("• "), Content("")),  # an item still being streamed
        ]
    )
    lines = visual.content_at(14).plain.split("\n")
    assert lines[0] == "• one two"
    assert all(line.startswith("  ") for line in lines[1:3])  # wrapped under the text
    nested = [n for n, line in enumerate(lines) if line.startswith("  1. ")]
    assert nested and lines[nested[0] + 1].startswith("     ")  # under the nested text, not its number
    assert lines[-1] == "• "
    assert all(len(line) <= 14 for line in lines)
    assert visual.get_height({}, 14) == len(lines)


@pytest.mark.parametrize("piece", [1, 9])
async def test_a_list_holding_code_is_drawn_as_widgets_streamed_or_whole(piece: int) -> None:
    text = "- plain\n- with code\n\n  ```\n  x = 1\n  ```\n- last\n"
    whole = Host(ChatMarkdown(text))
    async with whole.run_test(size=(60, 30)) as pilot:
        await pilot.pause(0.2)
        assert len(whole.markdown.query(ListLine)) == 3
        expected = _blocks(whole)
    streamed = Host(ChatMarkdown())
    async with streamed.run_test(size=(60, 30)) as pilot:
        await stream_in(streamed.markdown, text, piece)
        await pilot.pause(0.2)
        assert _blocks(streamed) == expected
        assert "x&#160;=&#160;1" in streamed.export_screenshot()


async def test_a_streamed_quote_is_one_widget_until_it_holds_more_than_text() -> None:
    text = "> first **bold**\n>\n> second\n\n> - a list in a quote\n"
    streamed = Host(ChatMarkdown())
    async with streamed.run_test(size=(60, 20)) as pilot:
        await stream_in(streamed.markdown, text, 3)
        await pilot.pause(0.2)
        plain, listed = streamed.markdown.query(CompactBlockQuote)
        assert not plain.children and plain.render().plain == "first bold\nsecond"  # type: ignore[union-attr]
        assert listed.children  # Textual's widgets for what is not text
        shot = streamed.export_screenshot().replace("&#160;", " ")
        assert "a list in a quote" in shot


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.text(max_size=30), max_size=40), limit=st.integers(1, 100))
def test_the_tail_of_streamed_arguments_is_the_tail_of_their_text(parts: list[str], limit: int) -> None:
    from chat_tui.ui.widgets.tool_panel import _tail

    assert _tail(parts, limit) == "".join(parts)[-limit:]


async def test_a_heading_that_opens_a_message_sits_on_its_first_row() -> None:
    """No two blank rows between the message's label and its first heading; later headings keep their air."""
    markdown = ChatMarkdown("## Result\n\nFollowing the plan\n\n## Second\n\ntext")
    async with Host(markdown).run_test(size=(40, 14)) as pilot:
        await pilot.pause()
        first, paragraph, second = list(markdown.children)[:3]
        assert first.region.y == markdown.region.y and paragraph.region.y == first.region.y + 2
        assert second.region.y - paragraph.region.bottom == 2


async def test_a_message_mounted_mid_table_still_gets_the_whole_table() -> None:
    """A streaming message's widget is often made after its first tokens arrived (a flush holds
    several). Textual's Markdown.update() then resumed at the last line, and the rest of a table
    whose header was already there came out as a paragraph of rows (seen live in the demo)."""
    from chat_tui.conversation import ChatMessage, MessageStatus
    from chat_tui.ui.widgets.entries import AssistantMessage

    text = (
        "Here's the comparison:\n\n| city | temp | conditions | humidity |\n|---|---:|---|---:|\n"
        "| Paris | 12.3 °C | Sunny | 64% |\n| Tokyo | 16.2 °C | Clear | 55% |\n\nTokyo is warmer right now."
    )
    cut = text.index("|---:|---|") + 3  # the header and half its rule have arrived
    message = ChatMessage(1, "ai", text_parts=[text[:cut]], status=MessageStatus.STREAMING)
    widget = AssistantMessage(message, show_node=False)

    class Pane(App[None]):
        CSS_PATH = styles_dir() / "markdown.tcss"

        def compose(self) -> ComposeResult:
            yield widget

    async with Pane().run_test(size=(80, 30)) as pilot:
        await widget.sync()
        for start in range(cut, len(text), 7):
            message.append_text(text[start : start + 7])
            await widget.sync()
        message.status = MessageStatus.COMPLETE
        await widget.sync()
        await pilot.pause()
        markdown = widget.query_one(ChatMarkdown)
        kinds = [type(block).__name__ for block in markdown.children]
        assert kinds == ["MarkdownParagraph", "CompactTable", "MarkdownParagraph"]
        shown = region_text(pilot.app, markdown.query_one(CompactTable).region)
        assert shown[0].split() == ["city", "temp", "conditions", "humidity"] and shown[-1].startswith("Tokyo")
