"""The layer contract: each part of chat_tui imports only the parts below it.

    client (HTTP, SSE, typed models)  <  conversation (pure state)  <  service (use cases)
                                                                    <  front ends: ui, headless, launch, cli

``settings``, ``connection`` and ``run_config`` sit beside ``conversation`` (UI-free, below the
service); ``sanitize``, ``errors`` and the package's ``__init__`` are the floor. Only ``ui`` (and
the ``screenshots`` tool built on it) may import Textual or rich. Every import counts: at module
level or inside a function, absolute or relative.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "chat_tui"

FLOOR = {"__init__", "sanitize", "errors"}
ALLOWED: dict[str, set[str]] = {
    "__init__": set(),
    "sanitize": set(),
    "errors": set(),
    "deferred": set(),  # the list of late imports: data, read by tests
    "process": set(),  # ending the process for certain (signals)
    "client": FLOOR,
    "conversation": FLOOR | {"client"},
    "run_config": FLOOR,
    "connection": FLOOR | {"client"},
    "settings": FLOOR | {"client", "connection"},
    "logfile": FLOOR | {"settings"},  # where a failed task's traceback goes
    "service": FLOOR | {"client", "conversation", "connection", "run_config", "settings"},
    # Front ends: each may use the core, none another front end (the CLI dispatches to them all).
    "headless": FLOOR
    | {"client", "conversation", "connection", "run_config", "settings", "service", "headless_answers"}
    | {"headless_output"},
    # ...what it prints for --raw and --json (a live run and a played-back recording alike)
    "headless_output": FLOOR | {"client", "conversation", "headless_answers"},
    # ...its answers to interrupts (--decide, --resume), and `chat-tui inbox` (which prints interrupts alike)
    "headless_answers": FLOOR | {"client", "conversation", "connection", "service"},
    "inbox_command": FLOOR | {"client", "conversation", "connection", "service", "headless_answers"},
    # `chat-tui test` drives runs as the app does and answers interrupts as `chat-tui stream` does
    "testing": FLOOR | {"client", "conversation", "connection", "service", "headless_answers"},
    "ui": FLOOR
    | {"client", "conversation", "connection", "run_config", "settings", "service", "demo", "logfile", "process"}
    | {"testing"},  # the test use case: the results view and "save this thread as a test" run on it
    "launch": FLOOR | {"client", "connection", "settings", "ui"},
    "screenshots": FLOOR
    | {"client", "conversation", "connection", "settings", "service", "ui", "demo", "testing"}
    | {"screenshot_scenes"},
    "screenshot_scenes": FLOOR | {"screenshots", "ui", "testing"},  # more scenes (time travel, store, tests)
    "history_command": FLOOR | {"client", "connection", "service"},  # `chat-tui history`, `state`, `runs`
    "export_command": FLOOR | {"client", "connection", "conversation", "service"},  # `chat-tui export`
    "store_command": FLOOR | {"client", "connection", "service"},  # `chat-tui store`
    # `stream --record` and `stream --replay`: the stream command's run, printed by its printers
    "headless_record": FLOOR | {"client", "conversation", "connection", "service", "headless"},
    "cli_parsers": FLOOR,  # help texts and light parsers
    "cli": FLOOR
    | {"client", "connection", "settings", "headless", "inbox_command", "launch", "demo", "testing"}
    | {"cli_parsers", "history_command", "headless_record", "export_command", "store_command"},
    "__main__": {"cli"},
    # The demo runs in its own process and needs nothing of the client beyond where logs go.
    "demo": FLOOR | {"settings"},
}
MAY_IMPORT_TEXTUAL = {"ui", "screenshots", "screenshot_scenes"}


def _imports(path: Path, root: Path) -> set[str]:
    """Every module *path* imports, relative imports resolved to absolute names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ["chat_tui", *path.relative_to(root).parent.parts]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                names.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                names.add(node.module)
    return names


def _violations(root: Path = PACKAGE) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        unit = path.relative_to(root).parts[0].removesuffix(".py")
        assert unit in ALLOWED, f"{path.relative_to(root)}: a new part of chat_tui; give it a place in ALLOWED"
        for module in _imports(path, root):
            top = module.split(".")[0]
            if top in ("textual", "rich") and unit not in MAY_IMPORT_TEXTUAL:
                found.append(f"{path.relative_to(root)} imports {module}")
            if top != "chat_tui":
                continue
            target = module.split(".")[1] if "." in module else "__init__"
            if target != unit and target not in ALLOWED[unit]:
                found.append(f"{path.relative_to(root)} ({unit}) imports {module}")
    return found


def test_each_part_imports_only_the_parts_below_it() -> None:
    assert _violations() == []


def test_the_contract_sees_relative_function_level_and_textual_imports(tmp_path: Path) -> None:
    """The scanner itself, on a made-up package: each kind of forbidden import is reported."""
    (tmp_path / "client").mkdir()
    (tmp_path / "client" / "late.py").write_text("def f():\n    from ..ui import app\n")
    (tmp_path / "client" / "up.py").write_text("from chat_tui.service.chat import ChatService\n")
    (tmp_path / "conversation.py").write_text("import textual.widgets\nfrom .client import late\n")
    assert _violations(tmp_path) == [
        "client/late.py (client) imports chat_tui.ui",
        "client/up.py (client) imports chat_tui.service.chat",
        "conversation.py imports textual.widgets",
    ]


def test_importing_the_core_does_not_load_textual() -> None:
    # (rich may load: httpx imports its optional command line, which uses rich, when installed.)
    code = (
        "import sys, chat_tui.client, chat_tui.conversation, chat_tui.service.chat, chat_tui.headless, "
        "chat_tui.settings.manager, chat_tui.run_config, chat_tui.demo.launcher; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'textual'))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
