"""The checkpoint timeline: every checkpoint of the thread, newest first, forks marked; Enter shows a
checkpoint's state (:mod:`.state_view`), from which the user forks or re-runs.

Each row: ``●`` on the branch shown (``○`` on another), ``├`` where a branch starts (a second or later
child of its parent), ``⑂N`` where N branches leave, then step, source, the node(s) that wrote it and
what runs next, the time, how many messages it holds, the last message. The first page is small (each
checkpoint carries the whole state), the rest load as the cursor nears the end.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from chat_tui.client.errors import ClientError
from chat_tui.sanitize import clean_line
from chat_tui.ui.screens.state_view import StateViewScreen
from chat_tui.ui.textual_compat import PacedFrames

if TYPE_CHECKING:
    from chat_tui.service.timeline import CheckpointInfo, Timeline

__all__ = ["TimelineScreen", "checkpoint_row"]

FIRST_PAGE = 25
SHOW_AFTER = 0.25  # (seconds the chat waits for the first page before it opens the screen anyway)
PREVIEW = 40  # the row fits 120 columns
NEAR_END = 10


def lanes(timeline: Timeline) -> dict[str, int]:
    """How deep in the tree each loaded checkpoint's branch is: a first child stays on its parent's
    lane, a later child (a fork) starts one deeper. (Oldest first, so every parent comes before.)"""
    depth: dict[str, int] = {}
    for checkpoint_id in reversed(timeline.order):
        info = timeline.by_id[checkpoint_id]
        parent = info.parent_id
        siblings = timeline.children.get(parent, [])
        base = depth.get(parent or "", 0)
        depth[checkpoint_id] = base + (1 if siblings and siblings[0] != checkpoint_id else 0)
    return depth


def checkpoint_row(timeline: Timeline, info: CheckpointInfo, on_path: set[str], lane: int = 0) -> Content:
    """One checkpoint on one line, indented by its branch's depth."""
    siblings = timeline.children.get(info.parent_id, [])
    children = len(timeline.children.get(info.checkpoint_id, []))
    mark = "●" if info.checkpoint_id in on_path else "○"
    starts = "├─" if siblings and siblings[0] != info.checkpoint_id else "  "
    indent = "  " * max(0, lane - 1) + (starts if lane else "")
    fork = f"⑂{children}" if children > 1 else "  "
    # Who wrote it, when the history says (a fork is a copy of a checkpoint beside it, no node wrote it).
    wrote = ",".join(timeline.writers(info)) or ("copy" if info.source == "fork" else "")
    nodes = f"{wrote} → {','.join(info.next) or 'end'}".strip()
    when = info.created_at.astimezone().strftime("%H:%M:%S") if info.created_at else "?"
    step = "-" if info.step is None else str(info.step)
    return Content.assemble(
        (f"{indent}{mark}{fork:<3}", "$accent" if info.checkpoint_id in on_path else "$text-muted"),
        f"{step:>4} ",
        (f"{info.source or '?':<6} ", "$text-secondary"),
        f"{clean_line(nodes, 24):<24} ",
        (f"{when} ", "$text-muted"),
        f"{len(info.message_ids):>3}  ",
        clean_line(info.preview, PREVIEW),
    )


class TimelineScreen(PacedFrames, ModalScreen[tuple[str, str] | None]):
    """Returns ``("fork" | "rerun", checkpoint_id)``, or None."""

    BINDINGS = [Binding("escape", "dismiss_none", "Close", id="timeline.close")]

    def __init__(
        self, timeline: Timeline, head: str | None, first: asyncio.Future[list[CheckpointInfo]] | None = None
    ) -> None:
        """*first*: the first page, already asked for (the screen asks for it when None)."""
        super().__init__(classes="dialog-screen")
        self.timeline = timeline
        self.head = head
        self.first = first
        self.rows: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog picker wide"):
            yield Static(Content.styled("Checkpoints, newest first", "bold $accent"), classes="dialog-text")
            yield OptionList(id="timeline-list")
            yield Static(id="timeline-status", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        first = self.first
        if first is not None and first.done() and not first.cancelled() and first.exception() is None:
            self._render_rows()  # (no worker: the rows are in the screen's first frame)
        else:
            self.load(FIRST_PAGE)

    def _on_path(self) -> set[str]:
        timeline = self.timeline
        current = self.head or (timeline.order[0] if timeline.order else None)
        path: set[str] = set()
        while current is not None and current in timeline.by_id:
            path.add(current)
            current = timeline.by_id[current].parent_id
        return path

    @work(group="timeline-page", exclusive=True, exit_on_error=False)
    async def load(self, limit: int | None = None) -> None:
        status = self.query_one("#timeline-status", Static)
        first, self.first = self.first, None
        if first is not None and first.cancelled():
            first = None
        if first is not None and not first.done():
            status.update(Content.styled("loading the checkpoints…", "$text-muted"))
        try:
            await (first if first is not None else self.timeline.more(limit))
        except ClientError as exc:
            status.update(Content.styled(f"could not load the history: {exc}", "$error"))
            return
        self._render_rows()

    def _render_rows(self) -> None:
        """Re-render every row (a page can mark forks and the shown branch on rows already there)."""
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        on_path = self._on_path()
        timeline = self.timeline
        depth = lanes(timeline)
        self.rows = list(timeline.order)
        options.clear_options()
        options.add_options(
            Option(checkpoint_row(timeline, timeline.by_id[c], on_path, depth.get(c, 0)), id=c) for c in self.rows
        )
        options.highlighted = highlighted if highlighted is not None else 0
        more = "" if timeline.complete else " (more below)"
        self.query_one("#timeline-status", Static).update(
            Content.styled(
                f"{len(self.rows)} checkpoints{more} · ● the branch shown · ⑂ a fork · Enter: its state · Esc closes",
                "$text-muted",
            )
        )

    @on(OptionList.OptionHighlighted)
    def _near_end(self, event: OptionList.OptionHighlighted) -> None:
        if not self.timeline.complete and event.option_index >= len(self.rows) - NEAR_END:
            self.load()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.show_state(event.option.id)

    @work(group="timeline-state", exclusive=True, exit_on_error=False)
    async def show_state(self, checkpoint_id: str) -> None:
        info = self.timeline.by_id[checkpoint_id]
        parent = await self.timeline.get(info.parent_id) if info.parent_id else None
        subgraphs = None
        if info.subgraphs:  # (a server that will not say: the state without its subgraphs' own)
            with contextlib.suppress(ClientError):
                subgraphs = await self.timeline.subgraph_states(checkpoint_id)
        action = await self.app.push_screen_wait(StateViewScreen(info, parent, subgraphs))
        if action is not None:
            self.dismiss((action, checkpoint_id))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
