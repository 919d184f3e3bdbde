"""The event inspector: every SSE event of the open thread's runs, as it arrives.

A pane beside the messages (F12, ``chat.inspector``). It reads the open conversation's
:class:`~chat_tui.conversation.event_log.EventLog` (which the stream worker only appends to)
on its own timer, at most :data:`REFRESH_HZ` times a second and only while it is shown, and
draws just the rows on screen (:class:`~chat_tui.ui.widgets.event_list.EventList`), so an open
inspector costs the stream nothing it would notice. Enter shows one event as pretty JSON in a
line-virtualised :class:`~chat_tui.ui.widgets.line_view.LineView` (Enter or Esc folds it); ``/`` filters by mode,
node and namespace and searches; ``c`` copies the event; ``f`` (or End) follows the newest, and
moving up stays put while new events arrive.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from chat_tui.conversation.event_log import EventLog, LoggedEvent
from chat_tui.conversation.event_view import EventFilter, EventView
from chat_tui.conversation.json_text import pretty_json, split_lines
from chat_tui.ui.clipboard import copy_text
from chat_tui.ui.format import human_size
from chat_tui.ui.widgets.event_list import EventList
from chat_tui.ui.widgets.line_view import LineView

if TYPE_CHECKING:
    from textual.timer import Timer

__all__ = ["REFRESH_HZ", "EventInspector"]

REFRESH_HZ = 20  # at most this many refreshes a second (the chat's own flush runs at 30)
FILTER_HELP = "mode:updates node:tools ns:researcher (ns:- the root graph) · other words search · Enter · Esc"


class EventInspector(Vertical):
    """The pane. *source* gives the log to show (the open conversation's; it changes with the thread)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "expand", "Expand", tooltip="Show the event as JSON, or fold it", id="inspector.expand"),
        Binding("slash", "filter", "Filter", tooltip="Filter by mode, node, namespace; search", id="inspector.filter"),
        Binding(
            "n", "find(1)", "Next", show=False, tooltip="The next event that holds the search", id="inspector.next"
        ),
        Binding(
            "N",
            "find(-1)",
            "Previous",
            show=False,
            tooltip="The previous event that holds the search",
            id="inspector.prev",
        ),
        Binding("c", "copy", "Copy", tooltip="Copy the event (pretty JSON)", id="inspector.copy"),
        Binding("f", "follow", "Follow", tooltip="Follow the newest event, or stay put", id="inspector.follow"),
        Binding("escape", "back", "Back", tooltip="Fold the event, or back to the composer", id="inspector.back"),
    ]

    class Leave(Message):
        """Esc with nothing to fold: the focus goes back to the composer (the pane stays)."""

    def __init__(self, source: Callable[[], EventLog], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.source = source
        self.view = EventView(source())
        self.list = EventList(self.view, id="inspector-list")
        self.title = Static(id="inspector-title")
        self.filter_input = Input(placeholder=FILTER_HELP, id="inspector-filter", compact=True)
        self.detail_title = Static(id="inspector-detail-title")
        self.detail = LineView(id="inspector-detail")
        self.detail_seq: int | None = None  # the event shown as JSON
        self.detail_text = ""
        self.query_text = ""  # the filter applied, as typed
        self._seen: tuple[int, int, int] = (-1, -1, -1)  # (log id, appended, dropped) at the last refresh
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield self.title
        yield self.filter_input
        yield self.list
        yield self.detail_title
        yield self.detail

    def on_mount(self) -> None:
        self.filter_input.display = False
        self._fold()
        self._timer = self.set_interval(1 / REFRESH_HZ, self.refresh_rows)
        self.refresh_rows()

    def shown(self, visible: bool) -> None:
        """The pane was shown or hidden: its timer runs only while it is shown."""
        self.display = visible
        if self._timer is not None:
            if visible:
                self._timer.resume()
                self.refresh_rows()
            else:
                self._timer.pause()

    # -- keeping up with the log -----------------------------------------------------------

    def refresh_rows(self) -> None:
        """Take in what arrived (called on the timer): O(new events) plus the rows on screen."""
        log = self.source()
        view = self.view
        if log is not view.log:
            view.set_log(log)
            self.list.following = True
            self.list.reset()
            self._fold()
        seen = (id(log), log.appended, log.dropped)
        if seen == self._seen:
            return
        self._seen = seen
        top = self.list.top_seq()
        view.sync()
        self.list.rows_changed(top)
        self._update_title()

    def _update_title(self) -> None:
        log, view, listing = self.view.log, self.view, self.list
        parts: list[str | tuple[str, str]] = [("Events ", "bold"), f"{len(view):,}"]
        if len(view) != len(log):
            parts.append(f" of {len(log):,}")
        parts.append((f" · {human_size(log.kept_bytes)} of {human_size(log.budget)}", "$text-muted"))
        if log.dropped:
            parts.append((f" · {log.dropped:,} dropped", "$warning"))
        parts.append((" · following" if listing.following else " · paused (f follows)", "$text-muted"))
        described = view.filter.describe()
        if described:
            parts.append((f" · {described}", "$accent"))
        self.title.update(Content.assemble(*parts), layout=False)  # (one line, always: no layout)

    # -- actions ----------------------------------------------------------------------------

    @on(EventList.Moved)
    def _moved(self) -> None:
        self._update_title()
        if self.detail.display:
            self._show_detail(self.list.current())

    def action_expand(self) -> None:
        if self.detail.display:
            self._fold()
            self.list.focus()
            return
        self._show_detail(self.list.current())

    def _show_detail(self, event: LoggedEvent | None) -> None:
        if event is None:
            return
        text, is_json = pretty_json(event.data)
        width = max(20, self.detail.scrollable_content_region.width or self.size.width - 2)
        lines = split_lines(text, width)
        self.detail_seq, self.detail_text = event.seq, text
        self.detail.set_lines(lines)
        about = f"#{event.seq} {event.summary().label} · {human_size(event.size)} · {len(lines):,} lines"
        kind = "" if is_json else " · not JSON"
        self.detail_title.update(
            Content.assemble((about + kind, "bold"), ("  Enter/Esc folds · c copies", "$text-muted"))
        )
        self.detail_title.display = self.detail.display = True
        self.call_after_refresh(self.list.scroll_to_cursor)  # (the list just got shorter)

    def _fold(self) -> None:
        self.detail_title.display = self.detail.display = False
        self.detail_seq, self.detail_text = None, ""
        self.detail.clear()

    def action_back(self) -> None:
        if self.filter_input.has_focus:  # (the filter stays as it was)
            self.filter_input.value = self.query_text
            self.filter_input.display = bool(self.query_text.strip())
            self.list.focus()
        elif self.detail.display:
            self._fold()
            self.list.focus()
        else:
            self.post_message(self.Leave())

    def action_filter(self) -> None:
        self.filter_input.display = True
        self.filter_input.focus()

    @on(Input.Submitted, "#inspector-filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.apply_filter(event.value)
        self.list.focus()

    def apply_filter(self, query: str) -> None:
        """Filter (and search) as the one-line *query* says (:meth:`EventFilter.parse`)."""
        event_filter = EventFilter.parse(query)
        top = self.list.top_seq()
        self.view.set_filter(event_filter)
        self.list.search = event_filter.search.lower()
        self.list.forget_rows()
        self.filter_input.value = self.query_text = query
        self.filter_input.display = bool(query.strip())
        self.list.rows_changed(top)
        if event_filter.search:
            self.action_find(1, from_row=-1 if self.list.cursor_row is None else self.list.cursor_row - 1)
        self._update_title()

    def action_find(self, direction: int, from_row: int | None = None) -> None:
        search = self.view.filter.search
        if not search:
            self.notify("nothing to search for: / then type the text", markup=False)
            return
        start = self.list.cursor_row if from_row is None else from_row
        row = self.view.find(search, -1 if start is None else start, forward=direction > 0)
        if row is None:
            self.notify("no event holds that text", markup=False)
            return
        self.list.following = False
        self.list.go_to(row)

    def action_copy(self) -> None:
        event = self.list.current()
        if event is None:
            self.notify("no event to copy", markup=False)
            return
        text = self.detail_text if self.detail_seq == event.seq else pretty_json(event.data)[0]
        path = copy_text(self.app, text)
        where = f" (also in {path})" if path is not None else ""
        self.notify(f"copied event #{event.seq} ({human_size(len(text.encode('utf-8')))}){where}", markup=False)

    def action_follow(self) -> None:
        self.list.following = not self.list.following
        if self.list.following:
            self.list.action_last()
        self._update_title()

    def focus_list(self) -> None:
        self.list.focus()
