"""The protocol layer and the conversation state never import Textual."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "chat_tui"
UI_FREE = ["client", "conversation", "sanitize.py", "turn.py", "headless.py", "connection.py", "demo"]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_ui_free_module_imports_textual_or_rich_or_the_ui() -> None:
    offenders = []
    for name in UI_FREE:
        target = PACKAGE / name
        files = [target] if target.is_file() else sorted(target.rglob("*.py"))
        assert files, f"{name} has no Python files"
        for path in files:
            for module in _imports(path):
                if module.split(".")[0] in ("textual", "rich") or module.startswith("chat_tui.ui"):
                    offenders.append(f"{path.relative_to(PACKAGE)} imports {module}")
    assert offenders == []


def test_importing_the_core_does_not_load_textual() -> None:
    # (rich may load: httpx imports its optional command line, which uses rich, when installed.)
    code = (
        "import sys, chat_tui.client, chat_tui.conversation, chat_tui.turn, chat_tui.headless, "
        "chat_tui.demo.launcher; print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
