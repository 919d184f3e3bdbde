"""The list of deferred imports (chat_tui.deferred) is complete and has no stale entry.

Every import inside a function (a module ``__getattr__`` included) names a listed module,
and every listed module is imported late somewhere, or loaded *via* one that is. Whether
they really are not loaded before the first frame is ``tests/ui/test_startup_imports.py``.
"""

from __future__ import annotations

import ast
import importlib.util
from collections import Counter
from pathlib import Path

from chat_tui.deferred import DEFERRED, Load

PACKAGE = Path(__file__).resolve().parents[2] / "chat_tui"


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _late_imports() -> dict[str, list[str]]:
    """Module imported inside a function -> where (file:line)."""
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        package = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts[:-1])
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                modules: list[str] = []
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    base = node.module or ""
                    if node.level:
                        base = ".".join([*package.split(".")[: len(package.split(".")) - node.level + 1], base])
                        base = base.rstrip(".")
                    for alias in node.names:
                        full = f"{base}.{alias.name}"
                        modules.append(full if _is_module(full) else base)
                for module in modules:
                    found.setdefault(module, []).append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    return found


def test_every_late_import_is_listed_with_a_reason() -> None:
    listed = {entry.module for entry in DEFERRED}
    unlisted = {module: sites for module, sites in _late_imports().items() if module not in listed}
    assert unlisted == {}, "add them to chat_tui/deferred.py, saying why they are imported late"


def test_every_listed_module_is_imported_late_or_loaded_via_one_that_is() -> None:
    late = _late_imports()
    listed = {entry.module for entry in DEFERRED}
    stale = [e.module for e in DEFERRED if e.module not in late and (e.via is None or e.via not in listed)]
    assert stale == []
    assert [m for m, n in Counter(e.module for e in DEFERRED).items() if n > 1] == []
    assert all(e.why for e in DEFERRED)
    assert all(e.load is not Load.LOCAL for e in DEFERRED if e.via)  # (what is loaded via another is checked)
