"""Find the ``.tcss`` files: ``styles/`` in a checkout, ``chat_tui/styles`` in a wheel."""

from __future__ import annotations

from pathlib import Path, PurePath

__all__ = ["STYLESHEETS", "styles_dir", "stylesheets"]

STYLESHEETS = ("app.tcss", "dialogs.tcss", "markdown.tcss")


def styles_dir() -> Path:
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "styles", package.parent / "styles"):
        if (candidate / STYLESHEETS[0]).is_file():
            return candidate
    raise FileNotFoundError("chat-tui's stylesheets are missing (expected a styles/ directory)")


def stylesheets() -> list[str | PurePath]:
    directory = styles_dir()
    return [directory / name for name in STYLESHEETS]
