"""The event inspector's list: one row per event, virtual (only the rows on screen are drawn).

A :class:`~textual.scroll_view.ScrollView` over an :class:`~chat_tui.conversation.event_view.EventView`:
20,000 events are 20,000 numbers in a list, not 20,000 widgets; a frame draws the rows it
shows, each from its event's summary (worked out once, when the row is first drawn). The
cursor holds an event, not a row number, so it stays on its event while old events are
dropped above it. Server strings reach the screen only as :class:`~textual.content.Content`
made from cleaned text, never as markup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual

from chat_tui.ui.format import human_size

if TYPE_CHECKING:
    from chat_tui.conversation.event_log import LoggedEvent
    from chat_tui.conversation.event_view import EventView

__all__ = ["EventList", "row_content"]

ROW_CACHE = 512  # rows' strips kept (a screen shows a few dozen)
ROW_STEP = 64  # the least the virtual height grows by (see rows_changed)
LABEL_WIDTH = 14  # a longer name (a subgraph's namespace) is cut; the JSON view shows it whole


def row_content(event: LoggedEvent, *, match: bool = False) -> Content:
    """One event's row: run and time since the run started, name (mode|namespace), size, summary."""
    summary = event.summary()
    label = summary.label
    if len(label) > LABEL_WIDTH:
        label = label[: LABEL_WIDTH - 1] + "…"
    what: list[str] = []
    if summary.node:
        what.append(summary.node)
    if summary.tools:
        what.append("🔧 " + ", ".join(summary.tools))
    if summary.message_id:
        what.append(summary.message_id[-8:])
    mode_style = {"messages": "$accent", "updates": "$success", "error": "$error"}.get(summary.mode, "$warning")
    return Content.assemble(
        (f"{event.run:>2} ", "$text-muted"),
        (f"{event.at:8.3f}s ", "$text-muted"),
        (f"{label:<{LABEL_WIDTH}} ", mode_style),
        (f"{human_size(event.size):>7} ", "$text-muted"),
        (" · ".join(what) + ("  " if what else ""), "bold"),
        (summary.text, "$text" if not match else "$text reverse"),
    )


class EventList(ScrollView, can_focus=True):
    """The rows of an :class:`EventView`, with a cursor. The inspector calls :meth:`rows_changed`."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "move(-1)", "Up", show=False, id="inspector.up"),
        Binding("down,j", "move(1)", "Down", show=False, id="inspector.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="inspector.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="inspector.page-down"),
        Binding("home", "first", "First", show=False, id="inspector.first"),
        Binding("end", "last", "Newest", show=False, tooltip="The newest event, and follow", id="inspector.last"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {"event-list--cursor"}
    DEFAULT_CSS = """
    EventList { height: 1fr; }
    EventList > .event-list--cursor { background: $accent 30%; }
    EventList:focus > .event-list--cursor { background: $accent 50%; }
    """

    class Moved(Message):
        """The cursor moved (by the user): the inspector stops following unless it is on the newest."""

    def __init__(self, view: EventView, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.view = view
        self.cursor_seq: int | None = None  # the event under the cursor
        self.following = True
        self.search = ""  # rows whose event holds it are marked (lower-case)
        self._strips: dict[tuple[int, bool, bool, int], Strip] = {}

    # -- the inspector's side -----------------------------------------------------------

    def reset(self) -> None:
        self._strips.clear()
        self.cursor_seq = None
        self.rows_changed(top_seq=None)

    def rows_changed(self, top_seq: int | None) -> None:
        """Rows came or went: size, cursor and scroll follow (or stay on *top_seq*, the first row shown)."""
        view = self.view
        count = len(view)
        width = self.scrollable_content_region.width
        # The virtual size is a reactive with layout=True: changing it re-lays out the whole screen
        # (the message pane included). So it grows in steps, ahead of the rows (at most every 64
        # rows, then every eighth), and max_scroll_y keeps scrolling within the real rows.
        reserved = self.virtual_size.height
        if count > reserved or count < reserved // 2 or width != self.virtual_size.width:
            self.virtual_size = Size(width, count + max(ROW_STEP, count // 8))
        if not count:
            self.cursor_seq = None
        elif self.following or self.cursor_seq is None:
            self.cursor_seq = view[count - 1].seq
        if self.following:
            self.scroll_to(y=max(0, count - self.scrollable_content_region.height), animate=False, immediate=True)
        elif top_seq is not None and count:
            self.scroll_to(y=view.nearest_row(top_seq), animate=False, immediate=True)
        if len(self._strips) > ROW_CACHE:
            self._strips.clear()
        self.refresh()

    @property
    def max_scroll_y(self) -> int:
        """The real rows' end (the virtual size reserves more: see :meth:`rows_changed`)."""
        return max(0, len(self.view) - self.scrollable_content_region.height)

    def top_seq(self) -> int | None:
        """The event of the first row shown."""
        row = self.scroll_offset.y
        return self.view[row].seq if 0 <= row < len(self.view) else None

    @property
    def cursor_row(self) -> int | None:
        if self.cursor_seq is None or not len(self.view):
            return None
        return self.view.nearest_row(self.cursor_seq)

    def current(self) -> LoggedEvent | None:
        row = self.cursor_row
        return self.view[row] if row is not None else None

    def scroll_to_cursor(self) -> None:
        """Bring the cursor's row into view (after the list changed height)."""
        row = self.cursor_row
        if row is not None:
            self.go_to(row, user=False)

    def go_to(self, row: int, *, user: bool = True) -> None:
        count = len(self.view)
        if not count:
            return
        row = max(0, min(row, count - 1))
        self.cursor_seq = self.view[row].seq
        self.following = row == count - 1 and self.following
        top, height = self.scroll_offset.y, self.scrollable_content_region.height
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)
        self.refresh()
        if user:
            self.post_message(self.Moved())

    # -- drawing ------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        row = self.scroll_offset.y + y
        width = self.scrollable_content_region.width
        view = self.view
        if row >= len(view):
            return Strip.blank(width, self.rich_style)
        event = view[row]
        selected = event.seq == self.cursor_seq
        match = bool(self.search) and self.search in event.data.lower()
        key = (event.seq, selected, match, width)
        strip = self._strips.get(key)
        if strip is None:  # (a row is drawn once per look: following, every frame scrolls every row)
            content = row_content(event, match=match)
            style = self.get_visual_style("event-list--cursor") if selected else self.visual_style
            strips = Visual.to_strips(self, content, width, 1, style, pad=True)
            strip = strips[0] if strips else Strip.blank(width, self.rich_style)
            strip = self._strips[key] = strip.crop_extend(0, width, style.rich_style)
        return strip

    def forget_rows(self) -> None:
        """Draw every row again (the search changed)."""
        self._strips.clear()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()  # (a new theme)

    # -- keys and mouse -----------------------------------------------------------------

    def action_move(self, delta: int) -> None:
        row = self.cursor_row
        self.following = False
        self.go_to((row if row is not None else 0) + delta)

    def action_page(self, delta: int) -> None:
        self.action_move(delta * max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self.following = False
        self.go_to(0)

    def action_last(self) -> None:
        self.following = True
        self.go_to(len(self.view) - 1)

    def on_click(self, event: events.Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self.view):
            self.following = False
            self.go_to(row)
