"""The graph view: the assistant's graph drawn in text, with the run's nodes lit as they run.

A pane beside the messages (``chat.graph``, Ctrl+\\). The drawing is
:func:`~chat_tui.conversation.graph_layout.draw_graph`'s, for the pane's width (drawn again when the
width or the graph changes); each frame only styles it: the running nodes (parallel ones together) in
the accent colour with ``●``, the ones that ran with ``✓`` (``✗`` failed, ``‖`` interrupted) and the
time each took on their top border (``~`` when the start was not seen: no ``tasks`` mode). The state
comes from the open conversation's :class:`~chat_tui.conversation.graph_activity.GraphActivity`,
read on a timer at most :data:`REFRESH_HZ` times a second, and only while the pane is shown.

↑↓ (j k) move between nodes, Enter shows the node: its name, tools, and for the last run its input
and output. Every string from the server was cleaned by the model; all text is ``Content``, never markup.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.message import Message
from textual.widgets import Static

from chat_tui.conversation.graph_activity import NodeRun, NodeState
from chat_tui.conversation.graph_layout import Drawing, draw_graph
from chat_tui.conversation.json_text import pretty_json, split_lines
from chat_tui.ui.widgets.line_view import LineView

if TYPE_CHECKING:
    from textual.app import ComposeResult
    from textual.timer import Timer

    from chat_tui.conversation.graph_activity import GraphActivity
    from chat_tui.conversation.graph_model import GraphModel

__all__ = ["REFRESH_HZ", "GraphCanvas", "GraphPane", "node_mark"]

REFRESH_HZ = 10
MARKS = {NodeState.RUNNING: "●", NodeState.DONE: "✓", NodeState.ERROR: "✗", NodeState.INTERRUPTED: "‖"}
STYLES = {
    NodeState.RUNNING: "bold $text on $accent-muted",
    NodeState.DONE: "$success",
    NodeState.ERROR: "bold $error",
    NodeState.INTERRUPTED: "$warning",
}
LEGEND = "● running ✓ ran ✗ failed ‖ interrupted · ┆▽ conditional · ↺ back edge"


def node_mark(run: NodeRun, now: float) -> str:
    """``✓ 1.2s`` (``×2`` for a node that ran twice, ``~`` for an approximate time)."""
    seconds = run.seconds if run.ended is not None else max(0.0, now - run.started)
    visits = f"×{run.visits} " if run.visits > 1 else ""
    return f"{visits}{'~' if run.approximate else ''}{seconds:.1f}s"


def render(drawing: Drawing, activity: GraphActivity, cursor: str | None, now: float) -> Content:
    """The drawing with the activity's nodes styled and marked, and the cursor's box reversed."""
    lines = [list(line) for line in drawing.lines]
    spans: list[tuple[int, int, int, str]] = []  # (row, start, end, style)
    for node, box in drawing.boxes.items():
        run = activity.nodes.get(node)
        style = STYLES[run.state] if run is not None else ""
        rows = (
            [box.row, box.row + 1, box.row + box.height - 1] if box.compound else range(box.row, box.row + box.height)
        )
        if run is not None and box.height > 1:  # the mark and the time on the top border
            top = lines[box.row]
            top[box.col + 1] = MARKS[run.state]
            text = f" {node_mark(run, now)} "
            if len(text) <= box.width - 4:
                end = box.col + box.width - 1
                top[end - len(text) : end] = text
        if style:
            spans += [(r, box.col, box.col + box.width, style) for r in rows]
        if node == cursor:
            label_row = box.row + (1 if box.height > 1 else 0)
            spans.append((label_row, box.col, box.col + box.width, "reverse"))
    contents = [Content("".join(line)) for line in lines]
    for row, start, end, style in spans:
        if row < len(contents):
            contents[row] = contents[row].stylize(style, start, end)
    return Content("\n").join(contents)


def describe_node(graph: GraphModel, node_id: str, run: NodeRun | None, now: float) -> str:
    """The detail text of a node: name, tools, state, and the last run's input and output as JSON."""
    node = graph.node(node_id)
    parts = [f"node: {node_id}"]
    if node is None:
        parts.append("a subgraph (its nodes are inside its box)")
    elif node.tools:
        parts.append("tools: " + ", ".join(node.tools))
    if run is None:
        parts.append("not run in the last run")
        return "\n".join(parts)
    parts.append(f"{run.state.value} · {node_mark(run, now)}")
    if run.error:
        parts.append(f"error: {run.error}")
    for what, value in (("input", run.input), ("output", run.output)):
        if value is None:
            hint = (
                " (seen only with tasks mode: keep the graph view open while the run starts)" if what == "input" else ""
            )
            parts.append(f"{what}: —{hint}")
        else:
            parts.append(f"{what}:\n" + pretty_json(json.dumps(value, default=str))[0])
    return "\n".join(parts)


class GraphCanvas(VerticalScroll, can_focus=True):
    """The drawing, scrolled; the keys move the cursor between nodes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "move(1)", "Next node", id="graph.next"),
        Binding("up,k", "move(-1)", "Previous node", id="graph.previous"),
        Binding(
            "enter", "details", "Details", tooltip="The node's tools and its last input and output", id="graph.details"
        ),
        Binding("w", "wide", "Wide", tooltip="The graph takes the whole width, or its pane again", id="graph.wide"),
        Binding("r", "reload", "Reload", tooltip="Ask the server for the graph again", id="graph.reload"),
        Binding("escape", "back", "Back", tooltip="Fold the details, or back to the composer", id="graph.back"),
    ]

    class Act(Message):
        def __init__(self, action: str, step: int = 0) -> None:
            super().__init__()
            self.action, self.step = action, step

    def action_move(self, step: int) -> None:
        self.post_message(self.Act("move", step))

    def action_details(self) -> None:
        self.post_message(self.Act("details"))

    def action_wide(self) -> None:
        self.post_message(self.Act("wide"))

    def action_reload(self) -> None:
        self.post_message(self.Act("reload"))

    def action_back(self) -> None:
        self.post_message(self.Act("back"))


class GraphPane(Vertical):
    """The pane. *conversation* gives the open conversation's activity; *load* asks for the graph of
    the open thread's assistant (``reload`` to ask the server again)."""

    class Leave(Message):
        """Esc with nothing to fold: the focus goes back to the composer (the pane stays)."""

    class Load(Message):
        def __init__(self, reload: bool) -> None:
            super().__init__()
            self.reload = reload

    def __init__(
        self, activity: Callable[[], GraphActivity], clock: Callable[[], float], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.activity = activity
        self.clock = clock
        self.graph: GraphModel | None = None
        self.assistant: str | None = None
        self.label = ""  # the assistant as the status line names it
        self.drawing: Drawing | None = None
        self.cursor: str | None = None
        self.title = Static(id="graph-title")
        self.canvas = GraphCanvas(id="graph-canvas")
        self.picture = Static(id="graph-picture")
        self.detail = LineView(id="graph-detail")
        self.note = ""  # loading, or why the graph could not be loaded
        self._drawn_for: tuple[int, int] = (-1, -1)  # (graph id, width) of the drawing
        self._seen: tuple[Any, ...] = ()
        self._detail_for: tuple[int, str | None] = (-1, None)  # (activity version, node) of the details shown
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield self.title
        with self.canvas:
            yield self.picture
        yield self.detail

    def on_mount(self) -> None:
        self.detail.display = False
        self._timer = self.set_interval(1 / REFRESH_HZ, self.refresh_view)
        self.refresh_view()

    def shown(self, visible: bool) -> None:
        self.display = visible
        if self._timer is not None:
            (self._timer.resume if visible else self._timer.pause)()
        if visible:
            self.refresh_view()

    def set_graph(self, assistant: str, graph: GraphModel | None, note: str = "") -> None:
        if assistant != self.assistant or graph is not self.graph:
            self.cursor = None
        self.assistant, self.graph, self.note = assistant, graph, note
        self._drawn_for = (-1, -1)
        self.refresh_view()

    def refresh_view(self) -> None:
        """Draw again what changed: the layout for a new graph or width, the styles for new activity."""
        width = max(20, self.canvas.scrollable_content_region.width or self.size.width - 2)
        graph = self.graph
        if graph is None:
            self.title.update(Content.assemble(("Graph ", "bold"), (self.note or "loading…", "$text-muted")))
            self.picture.update("")
            return
        if self._drawn_for != (id(graph), width):
            self.drawing = draw_graph(graph, width)
            self._drawn_for = (id(graph), width)
            self._seen = ()
            if self.cursor not in self.drawing.boxes:
                order = self.drawing.reading_order()
                self.cursor = order[0] if order else None
        activity = self.activity()
        running = bool(activity.running)
        seen = (
            id(activity),
            activity.version,
            self.cursor,
            self._drawn_for,
            running and int(self.clock() * REFRESH_HZ),
        )
        if seen == self._seen:
            return
        self._seen = seen
        assert self.drawing is not None
        self.picture.update(render(self.drawing, activity, self.cursor, self.clock()))
        self._update_title(activity)
        if self.detail.display and self._detail_for != (activity.version, self.cursor):
            self._show_detail()

    def _update_title(self, activity: GraphActivity) -> None:
        drawing, graph = self.drawing, self.graph
        assert drawing is not None and graph is not None
        parts: list[str | tuple[str, str]] = [("Graph ", "bold"), (self.label or self.assistant or "", "$accent")]
        if activity.running:  # (first: a narrow pane cuts the title's end)
            parts.append((" · running: " + ", ".join(activity.running), "bold $accent"))
        elif activity.nodes:
            parts.append((" · last run", "$text-muted"))
        parts.append((f" · {len(graph.nodes)} nodes, {len(graph.edges)} edges", "$text-muted"))
        parts.append((" · exact (tasks)" if activity.precise else "", "$text-muted"))
        self.title.update(Content.assemble(*parts), layout=False)
        self.title.tooltip = LEGEND

    # -- actions -----------------------------------------------------------------------------

    def on_graph_canvas_act(self, event: GraphCanvas.Act) -> None:
        event.stop()
        if event.action == "move":
            self.move(event.step)
        elif event.action == "details":
            if self.detail.display:
                self.detail.display = False
            else:
                self._show_detail()
        elif event.action == "wide":
            self.toggle_class("-wide")
            self.call_after_refresh(self.refresh_view)
        elif event.action == "reload":
            self.post_message(self.Load(reload=True))
        elif self.detail.display:
            self.detail.display = False
        else:
            self.post_message(self.Leave())

    def move(self, step: int) -> None:
        if self.drawing is None:
            return
        order = self.drawing.reading_order()
        if not order:
            return
        at = order.index(self.cursor) if self.cursor in order else -1
        self.cursor = order[max(0, min(len(order) - 1, at + step))]
        box = self.drawing.boxes[self.cursor]
        self.canvas.scroll_to_region(Region(box.col, box.row, box.width, box.height), animate=False)
        self.refresh_view()

    def _show_detail(self) -> None:
        if self.graph is None or self.cursor is None:
            return
        activity = self.activity()
        self._detail_for = (activity.version, self.cursor)
        text = describe_node(self.graph, self.cursor, activity.nodes.get(self.cursor), self.clock())
        width = max(20, self.detail.scrollable_content_region.width or self.size.width - 2)
        self.detail.set_lines(split_lines(text, width))
        self.detail.display = True

    def focus_canvas(self) -> None:
        self.canvas.focus()
