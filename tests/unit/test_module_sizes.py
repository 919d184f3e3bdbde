"""Small modules named for what they hold: none of chat_tui's grows past 400 lines."""

from __future__ import annotations

from pathlib import Path

import chat_tui

LIMIT = 400


def test_every_module_is_at_most_400_lines() -> None:
    root = Path(chat_tui.__file__).parent
    sizes = {str(p.relative_to(root)): len(p.read_text(encoding="utf-8").splitlines()) for p in root.rglob("*.py")}
    assert len(sizes) > 50  # (the package was found)
    assert {name: n for name, n in sizes.items() if n > LIMIT} == {}
