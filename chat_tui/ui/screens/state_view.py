"""One checkpoint's state: every value (not only messages) as a collapsible JSON tree, what changed
from its parent (keys, messages added or removed), and the way on: fork from it or re-run it. A
subgraph a task of it runs has its own state (``?subgraphs=true``: where it waits, when an interrupt
inside it does): a section of the tree of its own, under the values."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static, Tree
from textual.widgets.tree import TreeNode

from chat_tui.sanitize import clean_line
from chat_tui.ui.textual_compat import PacedFrames

if TYPE_CHECKING:
    from chat_tui.service.timeline import CheckpointInfo, SubgraphState

__all__ = ["StateViewScreen", "state_changes"]

VALUE_CHARS = 200
OPEN_LEVELS = 1


def state_changes(values: Any, parent: Any) -> str:
    """What a checkpoint changed from its parent, on one line."""
    if not isinstance(values, dict) or not isinstance(parent, dict):
        return "the values changed" if values != parent else "nothing changed"
    said = []
    for key in sorted(set(values) | set(parent), key=str):
        if key not in parent:
            said.append(f"+{key}")
        elif key not in values:
            said.append(f"-{key}")
        elif values[key] != parent[key] and key != "messages":
            said.append(f"~{key}")
    ids = [m.get("id") for m in values.get("messages") or [] if isinstance(m, dict)]
    before = [m.get("id") for m in parent.get("messages") or [] if isinstance(m, dict)]
    added, removed = len(set(ids) - set(before)), len(set(before) - set(ids))
    changed = sum(
        1
        for m in values.get("messages") or []
        if isinstance(m, dict) and m.get("id") in before and m not in (parent.get("messages") or [])
    )
    for count, what in ((added, "added"), (removed, "removed"), (changed, "changed")):
        if count:
            said.append(f"{count} message{'s' if count != 1 else ''} {what}")
    return ", ".join(clean_line(s, 60) for s in said) or "nothing changed"


def _label(name: str, value: Any) -> Text:
    key = Text(clean_line(name, 60), style="bold")
    if isinstance(value, dict):
        return Text.assemble("{} ", key, Text(f"  ({len(value)})", style="dim"))
    if isinstance(value, list):
        return Text.assemble("[] ", key, Text(f"  ({len(value)})", style="dim"))
    shown = clean_line(value if isinstance(value, str) else repr(value), VALUE_CHARS)
    style = "green" if isinstance(value, str) else "cyan"
    return Text.assemble(key, "=", Text(shown, style=style)) if name else Text(shown, style=style)


def add_value(node: TreeNode[Any], name: str, value: Any, depth: int = 0) -> None:
    """*value* under *node*, every string cleaned and shortened (the full value is the node's data)."""
    child = node.add(_label(name, value), data=value, expand=depth < OPEN_LEVELS)
    if isinstance(value, dict):
        for key, item in value.items():
            add_value(child, str(key), item, depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            add_value(child, str(index), item, depth + 1)
    else:
        child.allow_expand = False


def add_subgraph(node: TreeNode[Any], sub: SubgraphState) -> None:
    """A subgraph's own state as a section: where it stands (next, what it waits for), then its values."""
    label = Text.assemble(("⤷ subgraph ", "dim"), (sub.path, "bold magenta"))
    if sub.next:
        label.append(f"  next: {', '.join(sub.next)}", style="dim")
    if sub.waiting:
        label.append(f"  ⏸ waiting: {' · '.join(sub.waiting)}", style="yellow")
    section = node.add(label, data=sub.values, expand=True)
    values = sub.values if isinstance(sub.values, dict) else {"(values)": sub.values}
    for key, value in values.items():
        add_value(section, str(key), value)


class StateViewScreen(PacedFrames, ModalScreen[str | None]):
    """Returns ``fork``, ``rerun`` or None."""

    BINDINGS = [
        Binding("f", "choose('fork')", "Fork", tooltip="The next message runs from this checkpoint", id="state.fork"),
        Binding("r", "choose('rerun')", "Re-run", tooltip="Run again from this checkpoint", id="state.rerun"),
        Binding("escape", "choose('')", "Back", id="state.back"),
    ]

    def __init__(
        self, info: CheckpointInfo, parent: CheckpointInfo | None, subgraphs: list[SubgraphState] | None = None
    ) -> None:
        super().__init__(classes="dialog-screen")
        self.info = info
        self.parent_info = parent
        self.subgraphs = subgraphs or []

    def compose(self) -> ComposeResult:
        info = self.info
        step = "-" if info.step is None else info.step
        title = f"Checkpoint {info.checkpoint_id}  ·  step {step}  ·  {info.source or '?'}"
        changed = state_changes(info.values, self.parent_info.values if self.parent_info else {})
        tree: Tree[Any] = Tree(Text("values"), id="state-tree")
        tree.show_root = False
        values = info.values if isinstance(info.values, dict) else {"(values)": info.values}
        for key, value in values.items():
            add_value(tree.root, str(key), value)
        for sub in self.subgraphs:
            add_subgraph(tree.root, sub)
        with Vertical(classes="dialog picker wide"):
            yield Static(Content.styled(title, "bold $accent"), classes="dialog-text")
            yield Static(Content.assemble(("changed: ", "$text-muted"), clean_line(changed, 300)), id="state-changes")
            if info.next:
                yield Static(Content.assemble(("next: ", "$text-muted"), clean_line(", ".join(info.next), 200)))
            yield tree
            yield Static(
                Content.styled("Enter folds · f fork from here · r re-run from here · Esc back", "$text-muted"),
                classes="dialog-hint",
            )

    def on_mount(self) -> None:
        self.query_one(Tree).focus()

    def action_choose(self, action: str) -> None:
        self.dismiss(action or None)
