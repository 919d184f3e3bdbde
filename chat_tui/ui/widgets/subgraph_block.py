"""A subgraph's header in the message pane: the parent node that ran it and what it did; Enter folds
its nested work (messages, tool calls, interrupts) to this one line, and shows it again.

The nested entries stay entries of their own, in order (the window plan is unchanged); the pane hides
the widgets of a folded group's members (an interrupt that still waits is never hidden).
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import Static

from chat_tui.conversation import Entry, InterruptEntry, SubgraphGroup
from chat_tui.ui.widgets.entries_base import EntryWidget

__all__ = ["SubgraphHeader", "hidden_by_fold"]


def hidden_by_fold(entry: Entry, group: SubgraphGroup | None) -> bool:
    """*entry* is not shown: its group is folded (an interrupt waiting for an answer always shows)."""
    if group is None or not group.folded or entry is group:
        return False
    return not (isinstance(entry, InterruptEntry) and not entry.resolved)


class SubgraphHeader(EntryWidget):
    """``▾ subgraph researcher · 2 messages · 1 tool call``; Enter (or a click) folds and unfolds."""

    BINDINGS = [
        Binding(
            "enter",
            "fold",
            "Fold",
            tooltip="Fold the subgraph's work to one line, or show it again",
            id="subgraph.fold",
        ),
    ]

    class Folded(Message):
        """The user folded or unfolded *group* (its ``folded`` is already set)."""

        def __init__(self, group: SubgraphGroup) -> None:
            super().__init__()
            self.group = group

    def __init__(self, group: SubgraphGroup) -> None:
        super().__init__(group.seq, "subgraph-header")
        self.group = group
        self._line = Static(classes="label")

    def compose(self) -> ComposeResult:
        yield self._line

    def on_mount(self) -> None:
        self._render_line()

    def _render_line(self) -> None:
        group = self.group
        parts: list[tuple[str, str] | str] = [
            ("▸ " if group.folded else "▾ ", "bold $accent"),
            ("subgraph ", "$text-muted"),
            (group.node, "bold $accent"),
            (f"  {group.summary()}", "$text-muted"),
        ]
        if group.folded:
            parts.append(("  (folded: Enter shows it)", "italic $text-muted"))
        self._line.update(Content.assemble(*parts))
        self.set_class(group.folded, "-folded")

    async def sync(self) -> None:
        self._render_line()

    def action_fold(self) -> None:
        self.group.folded = not self.group.folded
        self._render_line()
        self.post_message(self.Folded(self.group))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_fold()

    def copy_text(self) -> str:
        return f"subgraph {self.group.node}: {self.group.summary()}"
