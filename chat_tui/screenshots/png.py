"""The screenshots' PNGs: each SVG through ``rsvg-convert`` (Debian: ``librsvg2-bin``), fixed first for
what rsvg draws differently from a terminal."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

__all__ = ["to_png"]

_LEADING_NBSP = re.compile(
    r'(<text[^>]*? x=")([\d.]+)("[^>]*? textLength=")([\d.]+)("[^>]*>)((?:&#160;)+)([^<]*)(</text>)'
)


def _shift_leading_spaces(svg: str) -> str:
    """rsvg-convert drops the leading no-break spaces of a positioned text run (terminals and
    browsers do not), so a run such as ``  city="Paris"`` after a bold word is drawn against
    it. Move such runs right by the width of their spaces instead (for the PNG only)."""

    def shift(match: re.Match[str]) -> str:
        spaces = match.group(6).count("&#160;")
        rest = html.unescape(match.group(7))
        width = float(match.group(4)) / (spaces + len(rest))
        x = float(match.group(2)) + spaces * width
        length = float(match.group(4)) - spaces * width
        return f"{match.group(1)}{x:.1f}{match.group(3)}{length:.1f}{match.group(5)}{match.group(7)}{match.group(8)}"

    return _LEADING_NBSP.sub(shift, svg)


def to_png(svgs: list[Path]) -> None:
    converter = shutil.which("rsvg-convert")
    if converter is None:
        print("rsvg-convert not found: install librsvg2-bin (and fonts-firacode) for PNGs", file=sys.stderr)
        return
    for svg in svgs:
        png = svg.with_suffix(".png")
        fixed = _shift_leading_spaces(svg.read_text(encoding="utf-8"))
        subprocess.run([converter, "-z", "1.0", "-o", str(png)], input=fixed.encode("utf-8"), check=True)
        print(f"wrote {png}")
