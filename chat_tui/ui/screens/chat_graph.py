"""The chat screen's graph view (Ctrl+\\, ``chat.graph``): a pane beside the messages with the open
thread's assistant's graph, its nodes lit while a run streams (:mod:`chat_tui.ui.widgets.graph_view`).

While the pane is shown, new runs ask for the ``tasks`` stream mode (exact node starts and ends, and
each node's input); hidden, they do not, unless the options (F4) say so: a start event carries the
node's whole input state, which on a long thread is most of what a run streams.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import work
from textual.binding import Binding

from chat_tui.client.errors import ClientError
from chat_tui.sanitize import clean_line
from chat_tui.ui.screens.chat_timetravel import ChatTimeTravel

if TYPE_CHECKING:
    from chat_tui.service.graph import GraphCache
    from chat_tui.ui.widgets.graph_view import GraphPane

__all__ = ["ChatGraph"]


class ChatGraph(ChatTimeTravel):
    BINDINGS = [
        Binding(
            "ctrl+backslash",
            "graph",
            "Graph",
            show=False,
            priority=True,  # (also from the composer)
            tooltip="Graph view: the graph, running nodes lit (open, runs ask for tasks mode: +~1 KB a message a node)",
            id="chat.graph",
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.graph_pane: GraphPane | None = None
        self._graphs: GraphCache | None = None

    @property
    def graph_shown(self) -> bool:
        return self.graph_pane is not None and self.graph_pane.display

    async def action_graph(self) -> None:
        """Show the graph view (and focus it), or hide it (the composer gets the focus)."""
        pane = self.graph_pane
        if pane is None:
            from chat_tui.ui.widgets.graph_view import GraphPane

            pane = self.graph_pane = GraphPane(lambda: self.conversation.activity, self._graph_clock, id="graph")
            await self.query_one("#main").mount(pane)
            self._graph_opened(True)
            pane.focus_canvas()
            return
        visible = not pane.display
        pane.shown(visible)
        self._graph_opened(visible)
        if visible:
            pane.focus_canvas()
        else:
            self.composer.focus()

    def _graph_clock(self) -> float:
        return self.conversation.activity.clock()

    def _graph_opened(self, visible: bool) -> None:
        if self.service is not None:
            self.service.graph_open = visible  # (the next run asks for the tasks mode)
        if visible:
            self.load_graph()

    def graph_follows_thread(self) -> None:
        """Another thread (maybe of another assistant) is shown: its graph, if the pane is shown."""
        if self.graph_shown:
            self.load_graph()

    @work(group="graph", exclusive=True, exit_on_error=False)
    async def load_graph(self, reload: bool = False) -> None:
        pane, service = self.graph_pane, self.service
        if pane is None:
            return
        if service is None:
            pane.set_graph("", None, "not connected to a server")
            return
        if self._graphs is None or self._graphs.client is not service.client:
            from chat_tui.service.graph import GraphCache

            self._graphs = GraphCache(service.client)
        assistant = service.assistant_for(self.conversation.thread_id)
        pane.label = clean_line(service.assistant_label(self.conversation.thread_id), 40)
        if assistant != pane.assistant or reload:
            pane.set_graph(assistant, None, "loading…")
        try:
            graph = await self._graphs.get(assistant, reload=reload)
        except ClientError as exc:
            pane.set_graph(assistant, None, f"could not load the graph: {exc}")
            return
        pane.set_graph(assistant, graph)

    def on_graph_pane_load(self, event: GraphPane.Load) -> None:
        self.load_graph(reload=event.reload)

    def on_graph_pane_leave(self) -> None:
        self.composer.focus()
