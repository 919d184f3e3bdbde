"""Only ``chat_tui/ui/textual_compat.py`` touches Textual's private API.

Everything chat-tui needs from Textual's internals is a named function or helper class
there, each with a canary in ``tests/ui/test_textual_compat.py``. These checks keep new
touches from appearing anywhere else:

* no import of a private Textual (or Rich) module or name;
* no access to a private attribute that Textual defines and chat-tui does not (the names
  the compatibility module wraps are listed, and forbidden outright);
* no class overriding, or assigning on ``self``, a private name its Textual base classes define.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
import textwrap
from functools import cache
from pathlib import Path

import textual

PACKAGE = Path(__file__).resolve().parents[2] / "chat_tui"
COMPAT = PACKAGE / "ui" / "textual_compat.py"
TEXTUAL = Path(textual.__file__).parent

# The private names chat_tui.ui.textual_compat wraps: nowhere else, whatever the object.
KNOWN_PRIVATE = frozenset(
    {
        "_anchor_released",
        "_bindings",
        "_blocks",
        "_clear_caches",
        "_close_messages_no_wait",
        "_content",
        "_divider",
        "_exit_renderables",
        "_fatal_error",
        "_get_headers_and_rows",
        "_get_left_gutter_width",
        "_get_visual",
        "_line_cache",
        "_on_key",
        "_on_resize",
        "_option_render_cache",
        "_return_code",
        "_set_prompt",
        "_token",
        "_update_from_block",
    }
)

_PRIVATE = re.compile(r"^_[A-Za-z0-9]\w*$")  # _name, not __dunder__


def _modules() -> list[Path]:
    """The UI's modules but the compatibility module (no other package imports Textual: test_layers)."""
    return [p for p in sorted((PACKAGE / "ui").rglob("*.py")) if p != COMPAT]


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


def _defined_names(tree: ast.AST) -> set[str]:
    """Private names a module defines: functions, classes' attributes, attributes assigned on objects."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return {n for n in names if _PRIVATE.match(n)}


@cache
def _textual_private_names() -> frozenset[str]:
    names: set[str] = set()
    for path in TEXTUAL.rglob("*.py"):
        names |= _defined_names(_tree(path))
    return frozenset(names)


def test_no_private_textual_or_rich_import_outside_the_compat_module() -> None:
    offenders = []
    for path in _modules():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
                names: list[str] = []
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                modules = [node.module]
                names = [alias.name for alias in node.names]
            else:
                continue
            for module in modules:
                parts = module.split(".")
                if parts[0] not in ("textual", "rich"):
                    continue
                if any(_PRIVATE.match(part) for part in parts) or any(_PRIVATE.match(name) for name in names):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} imports {module} {names}")
    assert offenders == []


def test_no_private_textual_attribute_outside_the_compat_module() -> None:
    ours = set().union(*(_defined_names(_tree(path)) for path in _modules()))
    textuals = _textual_private_names()
    assert textuals >= KNOWN_PRIVATE  # (the list names real Textual internals)
    offenders = []
    for path in _modules():
        for node in ast.walk(_tree(path)):
            if isinstance(node, ast.Attribute) and _PRIVATE.match(node.attr):
                if node.attr in KNOWN_PRIVATE or (node.attr in textuals and node.attr not in ours):
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} .{node.attr}")
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in KNOWN_PRIVATE:
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} def {node.name}")
    assert offenders == []


def _class_names(node: ast.ClassDef) -> set[str]:
    """Private names a class defines: in its body, or assigned on ``self`` in its methods."""
    names: set[str] = set()
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(item.name)
        elif isinstance(item, (ast.Assign, ast.AnnAssign)):
            targets = item.targets if isinstance(item, ast.Assign) else [item.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    for sub in ast.walk(node):
        if (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.ctx, ast.Store)
            and isinstance(sub.value, ast.Name)
            and sub.value.id == "self"
        ):
            names.add(sub.attr)
    return {n for n in names if _PRIVATE.match(n)}


@cache
def _names_set_by(cls: type) -> frozenset[str]:
    """Private names a Textual class defines (see :func:`_class_names`)."""
    names = {n for n in vars(cls) if _PRIVATE.match(n)}
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
    except (OSError, TypeError):
        return frozenset(names)
    classdef = tree.body[0]
    assert isinstance(classdef, ast.ClassDef)
    return frozenset(names | _class_names(classdef))


def test_no_class_overrides_or_shadows_a_private_name_of_its_textual_bases() -> None:
    offenders = []
    for path in _modules():
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        tree = _tree(path)
        classes = [node for node in tree.body if isinstance(node, ast.ClassDef)]
        if not classes:
            continue
        module = importlib.import_module(".".join(relative.parts))
        for node in classes:
            cls = getattr(module, node.name)
            bases = [b for b in cls.__mro__ if b.__module__.split(".")[0] == "textual"]
            theirs = frozenset().union(*(_names_set_by(b) for b in bases))
            for name in sorted(_class_names(node) & theirs):
                offenders.append(
                    f"{relative}.{node.name} defines {name}, which Textual's {cls.__mro__[1].__name__} has"
                )
    assert offenders == []
