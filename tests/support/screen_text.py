"""The text a user sees on the screen (from the app's SVG screenshot), row by row."""

from __future__ import annotations

import html
import re
from typing import Any

from rich.cells import cell_len
from textual.geometry import Region

_ELEMENT = re.compile(r"<text [^>]*>.*?</text>", re.S)
_TEXT = re.compile(r'x="([\d.]+)"[^>]*textLength="([\d.]+)"[^>]*-line-(\d+)\)"[^>]*>(.*?)</text>', re.S)
CELL = 12.2  # the width of one cell in Rich's SVG export (0.61 of its 20 px font)


def screen_lines(app: Any) -> list[str]:
    """Every row of the screen as text, each character at its column (trailing spaces removed)."""
    rows: dict[int, dict[int, str]] = {}
    for element in _ELEMENT.findall(app.export_screenshot()):
        found = _TEXT.search(element)
        if found is None:
            continue
        x, _length, line, text = found.groups()
        column = round(float(x) / CELL)
        cells = rows.setdefault(int(line), {})
        for char in html.unescape(text).replace("\n", ""):
            cells[column] = char
            column += max(cell_len(char), 1)
    out = []
    for n in range(max(rows, default=-1) + 1):
        cells = rows.get(n, {})
        width = max(cells, default=-1) + 1
        out.append("".join(cells.get(c, " ") for c in range(width)).rstrip())
    return out


def region_text(app: Any, region: Region) -> list[str]:
    """The rows of *region* (e.g. the message pane's), each cut to its columns."""
    rows = screen_lines(app)[region.y : region.bottom]
    return [row[region.x : region.right].rstrip() for row in rows]
