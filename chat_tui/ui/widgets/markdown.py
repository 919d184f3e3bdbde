"""The Markdown widget of assistant messages: Textual's, with tables, lists and quotes in fewer widgets.

Every mounted widget costs layout time on every frame that changes the pane, about 5 KB, and
styling when it mounts, and an answer's widget count is mostly its tables and lists:

* Textual's ``MarkdownTable`` is a grid of one ``Static`` per cell with keylines around
  them. Drawing the keylines asks the compositor for every cell's screen region, which,
  for a table partly off screen, recomputes the arrangement of every widget in the pane:
  it was most of the cost of scrolling a long thread (``python -m tests.benchmarks --only
  long_thread``). :class:`CompactTable` draws the table as the text of one widget, fitted
  to its width.
* A list item is a ``Horizontal`` of a bullet widget and a ``Vertical`` of its blocks
  (four widgets for one line of text), and a quote is a container of paragraphs. A list
  whose items are text and nested lists (most are) is drawn as the text of one widget
  (:class:`ListVisual`), and so is a quote of plain paragraphs. Streaming an answer paid
  for every one of those widgets on every frame: halving them halved the event loop's p99
  lag while a long answer streams (``render.paced200.4000.lag_p99``). Items holding code
  or quotes get one widget (:class:`ListLine`) for their first line, with a hanging
  indent, and their other blocks in one indented container.

Their styles are in ``styles/markdown.tcss``. Inline styles (bold, code, links) are kept:
the text is rendered by a ``MarkdownBlock``, whose component classes resolve them. The
blocks' parsed children and text are Textual internals, read through
:mod:`chat_tui.ui.textual_compat`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import ClassVar

from markdown_it.token import Token
from textual.app import ComposeResult, RenderResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual
from textual.widget import Widget
from textual.widgets import Markdown
from textual.widgets.markdown import MarkdownBlock

from chat_tui.ui.textual_compat import (
    MarkdownBlockQuote,
    MarkdownBullet,
    MarkdownBulletList,
    MarkdownListItem,
    MarkdownOrderedList,
    MarkdownOrderedListItem,
    MarkdownParagraph,
    MarkdownTable,
    UpdatesInPlace,
    block_children,
    block_origin,
    block_text,
    release_block_children,
    table_cells,
)
from chat_tui.ui.widgets.rows import RowsAlike

__all__ = [
    "ChatMarkdown",
    "CompactBlockQuote",
    "CompactBulletList",
    "CompactOrderedList",
    "CompactTable",
    "HangingVisual",
    "ListLine",
    "ListVisual",
    "TableVisual",
    "layout_table",
]

_MIN_COLUMN = 3  # narrowest a squeezed column gets (then its cells end in …)
_GAP = 2  # spaces between columns


def layout_table(headers: list[Content], rows: list[list[Content]], width: int) -> list[list[Content]]:
    """Lay out a table as lines of parts (cells, gaps and rules) that fit in *width* cells.

    The header is underlined with a rule per column and columns are two spaces apart: no
    vertical lines, which read as noise in a chat pane (and as a broken grid in SVG
    screenshots). Columns get their natural widths; when those do not fit, the widest
    columns shrink first (never below a few cells) and their cells end in an ellipsis.
    """
    columns = max([len(headers), *(len(row) for row in rows)], default=0)
    if columns == 0:
        return []
    table = [[*row, *[Content("")] * (columns - len(row))] for row in [headers, *rows]]
    widths = [max(1, *(row[c].cell_length for row in table)) for c in range(columns)]
    room = max(columns * _MIN_COLUMN, width - _GAP * (columns - 1))
    while sum(widths) > room:
        widest = max(range(columns), key=widths.__getitem__)
        if widths[widest] <= _MIN_COLUMN:
            break
        widths[widest] -= 1
    gap = Content(" " * _GAP)

    def line(row: list[Content], style: str = "") -> list[Content]:
        parts: list[Content] = []
        for n, (cell, cell_width) in enumerate(zip(row, widths, strict=True)):
            text = cell.truncate(cell_width, ellipsis=True, pad=True)
            parts += [gap, text.stylize(style) if style else text] if n else [text.stylize(style) if style else text]
        return parts

    rule = [Content.styled("─" * w, ".compact-table--lines") for w in widths]
    lines = [
        line(table[0], ".compact-table--header"),
        [part for n, r in enumerate(rule) for part in ([gap, r] if n else [r])],
    ]
    lines += [line(row) for row in table[1:]]
    return lines


class TableVisual(Visual):
    """A table laid out at whatever width it is rendered at (cached per width)."""

    def __init__(self, headers: list[Content], rows: list[list[Content]]) -> None:
        self.headers = headers
        self.rows = rows
        self._cache: tuple[int, Content] | None = None

    def content_at(self, width: int) -> Content:
        """The table as text laid out at *width*."""
        if self._cache is None or self._cache[0] != width:
            lines = layout_table(self.headers, self.rows, width)
            self._cache = (width, Content("\n").join(Content.assemble(*parts) for parts in lines))
        return self._cache[1]

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self.content_at(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content_at(container_width).first_line.cell_length

    def get_height(self, rules: RulesMap, width: int) -> int:
        content = self.content_at(width)
        return content.plain.count("\n") + 1 if content.plain else 0


class CompactTable(UpdatesInPlace, MarkdownTable):
    """A Markdown table rendered as one widget's text (see the module docstring)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *MarkdownBlock.COMPONENT_CLASSES,
        "compact-table--header",
        "compact-table--lines",
    }

    def __init__(self, markdown: Markdown, token: Token) -> None:
        super().__init__(markdown, token)
        self._visual = TableVisual([], [])  # (rendering can come before compose)

    def compose(self) -> ComposeResult:
        self._visual = TableVisual(*table_cells(self))
        return iter(())

    def render(self) -> RenderResult:
        return self._visual

    async def update_in_place(self, block: MarkdownBlock) -> bool:
        """A table that grew while streaming: take the new rows, draw again."""
        if not isinstance(block, MarkdownTable):
            return False
        self._visual = TableVisual(*table_cells(block))
        self.refresh(layout=True)
        return True


class ListLine(MarkdownBlock):
    """One list item's bullet and first paragraph, as one widget."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {*MarkdownBlock.COMPONENT_CLASSES, "list-line--bullet"}

    def __init__(self, paragraph: MarkdownBlock, symbol: str) -> None:
        super().__init__(*block_origin(paragraph))
        text = block_text(paragraph)
        self.set_content(text)
        self._visual = HangingVisual(Content.styled(symbol, ".list-line--bullet"), text)

    def render(self) -> RenderResult:
        return self._visual


class ListVisual(Visual):
    """A whole list as one text: each item's marker, then its text wrapped with a hanging indent."""

    def __init__(self, entries: Sequence[tuple[int, Content, Content]]) -> None:
        self.entries = entries  # (indent, marker, text), nested items indented under their parent's text
        self._cache: tuple[int, Content] | None = None

    def content_at(self, width: int) -> Content:
        """The list as text wrapped at *width*."""
        if self._cache is None or self._cache[0] != width:
            lines: list[Content] = []
            for indent, marker, body in self.entries:
                lead = indent + marker.cell_length
                hanging = Content(" " * lead)
                first = Content.assemble(" " * indent, marker)
                wrapped = body.wrap(max(1, width - lead)) or [Content("")]
                lines += [Content.assemble(first if n == 0 else hanging, line) for n, line in enumerate(wrapped)]
            self._cache = (width, Content("\n").join(lines))
        return self._cache[1]

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self.content_at(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return max((i + m.cell_length + b.cell_length for i, m, b in self.entries), default=0)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.content_at(width).plain.count("\n") + 1 if self.entries else 0


class HangingVisual(ListVisual):
    """A prefix (a list bullet) and text wrapped beside it: a list of one item."""

    def __init__(self, prefix: Content, body: Content) -> None:
        super().__init__([(0, prefix, body)])


def _markers(block: MarkdownBlock) -> list[tuple[str, MarkdownBlock]]:
    """A list block's items with their markers: its bullets, or right-aligned numbers."""
    items = [b for b in block_children(block) if isinstance(b, MarkdownListItem)]
    if isinstance(block, MarkdownBulletList):
        return [(item.bullet, item) for item in items]  # "• ", "▪ " by depth
    start = 1
    if items and isinstance(items[0], MarkdownOrderedListItem):
        try:
            start = int(items[0].bullet)
        except ValueError:
            pass
    numbers = [f"{n}." for n in range(start, start + len(items))]
    size = max((len(n) for n in numbers), default=2)
    return [(f"{n.rjust(size)} ", item) for n, item in zip(numbers, items, strict=True)]


def _flatten(block: MarkdownBlock, indent: int = 0) -> list[tuple[int, Content, Content]] | None:
    """The entries of a list whose items are a paragraph and nested lists; None for anything else."""
    entries: list[tuple[int, Content, Content]] = []
    for marker, item in _markers(block):
        blocks = block_children(item)
        if blocks and isinstance(blocks[0], MarkdownParagraph):
            body = block_text(blocks.pop(0))
        elif not blocks:
            body = Content("")  # an item still being streamed: "- "
        else:
            return None
        entries.append((indent, Content.styled(marker, ".compact-list--marker"), body))
        for nested in blocks:
            if not isinstance(nested, (MarkdownBulletList, MarkdownOrderedList)):
                return None  # code, quotes, a second paragraph: widgets (below)
            inner = _flatten(nested, indent + len(marker))
            if inner is None:
                return None
            entries += inner
    return entries


def _compact_items(items: Sequence[tuple[str, MarkdownBlock]]) -> Iterator[Widget]:
    """The widgets of list items given as (marker, item block): for items holding more than text."""
    for symbol, item in items:
        blocks = block_children(item)
        if blocks and isinstance(blocks[0], MarkdownParagraph):
            yield ListLine(blocks.pop(0), symbol)
            if blocks:  # nested lists, code, quotes: indented under the text
                rest = Vertical(*blocks, classes="list-rest")
                rest.styles.padding = (0, 0, 0, len(symbol))
                yield rest
        else:  # an item that starts with something else: Textual's layout
            bullet = MarkdownBullet()
            bullet.symbol = symbol
            yield Horizontal(bullet, Vertical(*blocks))
        release_block_children(item)


class _OneWidgetList(UpdatesInPlace):
    """What both compact lists do: draw the list as one text when it is only text, else widgets."""

    _visual: ListVisual | None = None

    def compose(self) -> ComposeResult:
        entries = _flatten(self)
        children = [] if entries is not None else list(_compact_items(_markers(self)))
        release_block_children(self)
        self._visual = ListVisual(entries) if entries is not None else None
        return iter(children)

    def render(self) -> RenderResult:
        return self._visual if self._visual is not None else super().render()

    async def update_in_place(self, block: MarkdownBlock) -> bool:
        """A list that grew while streaming: one new text while it is still only text."""
        entries = _flatten(block) if self._visual is not None and type(block) is type(self) else None
        if entries is None:
            return False
        self._visual = ListVisual(entries)
        self.refresh(layout=True)
        return True


class CompactBulletList(_OneWidgetList, MarkdownBulletList):
    """A bullet list in one widget, or one widget per item (see the module docstring)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {*MarkdownBlock.COMPONENT_CLASSES, "compact-list--marker"}


class CompactOrderedList(_OneWidgetList, MarkdownOrderedList):
    """An ordered list in one widget, or one widget per item (see the module docstring)."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {*MarkdownBlock.COMPONENT_CLASSES, "compact-list--marker"}


def _quoted_text(block: MarkdownBlock) -> Content | None:
    """A quote's text when it holds only paragraphs (stacked without a gap, as Textual draws them)."""
    blocks = block_children(block)
    if not all(isinstance(b, MarkdownParagraph) for b in blocks):
        return None
    return Content("\n").join(block_text(b) for b in blocks)


class CompactBlockQuote(UpdatesInPlace, MarkdownBlockQuote):
    """A quote of plain paragraphs as one widget rather than a container of paragraphs."""

    def compose(self) -> ComposeResult:
        text = _quoted_text(self)
        if text is None:
            yield from block_children(self)  # lists, code, nested quotes: Textual's widgets
        else:
            self.set_content(text)
        release_block_children(self)

    async def update_in_place(self, block: MarkdownBlock) -> bool:
        text = _quoted_text(block) if isinstance(block, MarkdownBlockQuote) and not self.children else None
        if text is None:
            return False
        self.set_content(text)
        return True


class ChatMarkdown(Markdown, RowsAlike):
    """Textual's Markdown with compact tables and lists."""

    BLOCKS = {
        **Markdown.BLOCKS,
        "table_open": CompactTable,
        "blockquote_open": CompactBlockQuote,
        "bullet_list_open": CompactBulletList,
        "ordered_list_open": CompactOrderedList,
    }
