"""The thread sidebar: one line-virtualised ``OptionList``, filled a page at a time.

An ``OptionList`` renders only visible lines, so thousands of rows cost no widgets. Rows
arrive in pages (``threads/search`` with ``select``); scrolling or moving near the end
asks for the next page. The widget holds no network code: it posts messages, and the
sidebar (``chat_tui.ui.widgets.sidebar``) or the screen answers them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from chat_tui.sanitize import clean_line
from chat_tui.testing.tags import is_test_thread
from chat_tui.ui.format import relative_time, thread_title
from chat_tui.ui.textual_compat import RowCachingOptionList

if TYPE_CHECKING:
    from chat_tui.client.models import Thread

__all__ = ["PAGE_SIZE", "TEST_FILTERS", "ThreadList"]

PAGE_SIZE = 50
_PREFETCH = 10  # rows from the end at which the next page is requested
# Which threads the list shows: every one, only those `chat-tui test` made (tagged in their
# metadata), or all but those. `t` in the list goes round them; the title says which.
TEST_FILTERS = {"all": "", "only": "only tests", "hide": "no tests"}

_BADGES = {
    "idle": ("", ""),
    "busy": ("● busy", "$warning"),
    "interrupted": ("■ stopped", "$text-muted"),  # cancelled (or a static breakpoint): nothing to answer
    "error": ("✗ error", "$error"),
}
_WAITING = ("⏸ waiting", "$accent")  # an interrupt is pending, whatever the status says


def _updated(thread: Thread) -> datetime:
    when = thread.updated_at or thread.created_at or datetime.max  # (unknown: a new one, on top)
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


class ThreadList(RowCachingOptionList):
    """The threads as rows of two lines (title; time and status), a page at a time."""

    BINDINGS = [
        Binding("enter", "select", "Open", id="threads.open"),  # (OptionList's, named and shown)
        Binding("n", "new", "New", id="threads.new"),
        Binding("r", "rename", "Rename", id="threads.rename"),
        Binding("d,delete", "delete", "Delete", id="threads.delete"),
        Binding("f5,ctrl+r", "refresh", "Refresh", id="threads.refresh"),
        Binding("slash", "filter", "Filter", id="threads.filter"),
        Binding(
            "t",
            "tests",
            "Tests",
            tooltip="Show every thread, only chat-tui test's, or hide them (in turn)",
            id="threads.tests",
        ),
        Binding("escape", "leave", "Back", id="threads.back"),
    ]

    class Open(Message):
        def __init__(self, thread_id: str) -> None:
            super().__init__()
            self.thread_id = thread_id

    class Rename(Message):
        def __init__(self, thread_id: str, title: str) -> None:
            super().__init__()
            self.thread_id = thread_id
            self.title = title

    class Delete(Message):
        def __init__(self, thread_id: str, title: str) -> None:
            super().__init__()
            self.thread_id = thread_id
            self.title = title

    class NewThread(Message):
        pass

    class Refresh(Message):
        pass

    class LoadMore(Message):
        def __init__(self, offset: int) -> None:
            super().__init__()
            self.offset = offset

    class FilterRequested(Message):
        pass

    class Leave(Message):
        pass

    class TestsRequested(Message):
        """`t`: the next of TEST_FILTERS."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.threads: list[Thread] = []
        self._by_id: dict[str, Thread] = {}  # the same threads, for O(1) lookups (title fetches, rows)
        self.first_messages: dict[str, str] = {}
        self.current_id: str | None = None
        self.more = False
        self.loading = False
        self.fetched = 0  # rows the server has sent (the next page's offset: rows can move between pages)
        self.filter_text = ""
        self.tests = "all"  # one of TEST_FILTERS
        self.show_graphs = False  # each row names its thread's graph (when the server has more than one)
        self._times_now: datetime | None = None  # the last minute's refresh of relative times...
        self._times_fresh: set[str] = set()  # ...and the rows re-rendered since

    # -- data ---------------------------------------------------------------------------

    def set_threads(self, threads: list[Thread], *, more: bool) -> None:
        """Replace all rows (first page), keeping the highlighted thread if it is still there."""
        keep = self._highlighted_id()
        self.threads = list(threads)
        self._by_id = {t.thread_id: t for t in self.threads}
        self.more = more
        self.fetched = len(threads)
        self._rebuild(keep)
        self._fill()

    def add_page(self, threads: list[Thread], *, more: bool) -> None:
        """The next page. A thread updated meanwhile moved to the top of the server's order: it is
        skipped here (already listed), and found again by the next status refresh."""
        self.fetched += len(threads)
        fresh = [t for t in threads if t.thread_id not in self._by_id]
        self.threads.extend(fresh)
        self._by_id.update((t.thread_id, t) for t in fresh)
        self.more = more
        self.add_options(self._option(t) for t in fresh if self._matches(t))
        self._fill()

    def upsert(self, thread: Thread) -> None:
        """A thread changed or appeared (e.g. after a send): update it and move it to where the
        server's order (most recently updated first) puts it, so the list never goes stale."""
        existing = self._by_id.get(thread.thread_id)
        if existing is not None:
            if thread.metadata == {} and existing.metadata:
                thread.metadata = existing.metadata
            self.threads.remove(existing)
        when = _updated(thread)
        position = next((i for i, t in enumerate(self.threads) if _updated(t) <= when), len(self.threads))
        self.threads.insert(position, thread)
        self._by_id[thread.thread_id] = thread
        self._rebuild(self._highlighted_id())

    def remove_thread(self, thread_id: str) -> None:
        self.threads = [t for t in self.threads if t.thread_id != thread_id]
        self._by_id.pop(thread_id, None)
        self._rebuild(self._highlighted_id())

    def set_first_message(self, thread_id: str, text: str) -> None:
        self.first_messages[thread_id] = text
        self._refresh_row(thread_id)

    def set_current(self, thread_id: str | None) -> None:
        previous, self.current_id = self.current_id, thread_id
        for tid in (previous, thread_id):
            if tid:
                self._refresh_row(tid)
        if thread_id and not self.has_focus and thread_id in self._by_id:
            try:  # (the highlight follows the open thread while the user is elsewhere)
                self.highlighted = self.get_option_index(thread_id)
            except Exception:  # filtered out
                pass

    def set_tests(self, mode: str) -> None:
        """Show every thread, only test threads, or the others (a mode of TEST_FILTERS)."""
        self.tests = mode if mode in TEST_FILTERS else "all"
        self._rebuild(self._highlighted_id())

    def set_filter(self, text: str) -> None:
        self.filter_text = text.strip().lower()
        self._rebuild(self._highlighted_id())

    def title_of(self, thread_id: str) -> str:
        thread = self.find(thread_id)
        title = thread.title if thread else None
        return thread_title(title, self.first_messages.get(thread_id))

    def find(self, thread_id: str) -> Thread | None:
        return self._by_id.get(thread_id)

    def untitled_ids(self, limit: int = 20) -> list[str]:
        """Visible-ish rows with neither a title nor a known first message (to fetch lazily)."""
        start = max(0, (self.highlighted or 0) - limit)
        rows = self.threads[start : start + limit * 3]
        return [t.thread_id for t in rows if not t.title and t.thread_id not in self.first_messages][:limit]

    # -- rendering ----------------------------------------------------------------------

    def _matches(self, thread: Thread) -> bool:
        if self.tests != "all" and is_test_thread(thread.metadata) != (self.tests == "only"):
            return False
        if not self.filter_text:
            return True
        return self.filter_text in self.title_of(thread.thread_id).lower()

    def _option(self, thread: Thread) -> Option:
        return Option(self._prompt(thread), id=thread.thread_id)

    def _prompt(self, thread: Thread, now: datetime | None = None) -> Content:
        current = thread.thread_id == self.current_id
        title = self.title_of(thread.thread_id)
        badge, style = (
            _WAITING
            if thread.waiting_for_human
            else _BADGES.get(thread.status, (clean_line(thread.status, 20), "$text-muted"))
        )
        when = relative_time(thread.updated_at or thread.created_at, now or datetime.now(UTC))
        first_line = Content.assemble(
            ("● " if current else "  ", "$accent" if current else ""),
            (title, "bold" if current else ""),
        )
        second = [("    ", ""), (when, "$text-muted")]
        graph = thread.metadata.get("graph_id") if self.show_graphs and isinstance(thread.metadata, dict) else None
        if isinstance(graph, str) and graph:  # (the server has several: which one a thread talks to)
            second += [("  ", ""), (clean_line(graph, 24), "$text-secondary")]
        if badge:
            second += [("  ", ""), (badge, style)]
        return Content.assemble(first_line, "\n", *second)

    def _rebuild(self, keep: str | None) -> None:
        self.clear_options()
        self.add_options(self._option(t) for t in self.threads if self._matches(t))
        if keep is not None:
            try:
                self.highlighted = self.get_option_index(keep)
            except Exception:
                pass

    def _refresh_row(self, thread_id: str) -> None:
        thread = self.find(thread_id)
        if thread is None:
            return
        try:
            index = self.get_option_index(thread_id)
        except Exception:
            return  # filtered out
        self._set_row(index, self._prompt(thread))

    def _set_row(self, index: int, prompt: Content) -> None:
        """A row's new text, without re-measuring the other rows (Textual's ``replace_option_prompt``
        measures every row again: O(rows) per title fetched while paging)."""
        self.set_prompt_keeping_heights(index, prompt)

    def refresh_times(self) -> None:
        """Re-render relative times (called every minute): the rows in view now, the others
        as they scroll into view (re-rendering 10,000 loaded rows at once froze the app ~1 s)."""
        self._times_now = datetime.now(UTC)
        self._times_fresh.clear()
        self._refresh_times_in_view()

    def _refresh_times_in_view(self) -> None:
        now = self._times_now
        lines = self.measured_rows()  # (measured rows only: the others are drawn fresh)
        if now is None or not lines:
            return
        top = max(0, round(self.scroll_y))
        first = lines[min(top, len(lines) - 1)][0]
        last = lines[min(top + self.size.height, len(lines) - 1)][0]
        for index in range(first, last + 1):
            thread_id = self.options[index].id
            if thread_id is None or thread_id in self._times_fresh:
                continue
            self._times_fresh.add(thread_id)
            thread = self._by_id.get(thread_id)
            if thread is not None:
                self._set_row(index, self._prompt(thread, now))

    def _highlighted_id(self) -> str | None:
        if self.highlighted is None:
            return None
        try:
            return self.get_option_at_index(self.highlighted).id
        except Exception:
            return None

    def on_focus(self) -> None:
        """Arriving in the list starts on the thread being shown, so a key acts on what the user sees
        (``d`` must never offer to delete another thread); else on the first row."""
        if not self.option_count:
            return
        try:
            self.highlighted = self.get_option_index(self.current_id) if self.current_id else 0
        except Exception:  # (the open thread is filtered out or not loaded)
            if self.highlighted is None:
                self.highlighted = 0

    def first_match(self) -> str | None:
        """The first row the filter leaves, highlighted (what Enter in the filter opens)."""
        if not self.option_count:
            return None
        self.highlighted = 0
        return self._highlighted_id()

    # -- paging -------------------------------------------------------------------------

    def _maybe_load_more(self) -> None:
        if self.more and not self.loading and not self.filter_text:
            self.loading = True
            self.post_message(self.LoadMore(self.fetched))

    def _fill(self) -> None:
        """Ask for the next page while the rows shown do not fill the list (the rows of a page can
        all be hidden, `t`: then no scrolling would ever ask for more)."""
        if self.tests != "all" and self.option_count * 2 < max(self.size.height, 20) + _PREFETCH:
            self._maybe_load_more()  # (a row is two lines)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index >= self.option_count - _PREFETCH:
            self._maybe_load_more()

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if new_value >= self.max_scroll_y - self.size.height:
            self._maybe_load_more()
        if self._times_now is not None and round(old_value) != round(new_value):
            self._refresh_times_in_view()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id:
            self.post_message(self.Open(event.option.id))

    # -- actions ------------------------------------------------------------------------

    def action_new(self) -> None:
        self.post_message(self.NewThread())

    def action_rename(self) -> None:
        thread_id = self._highlighted_id()
        if thread_id:
            self.post_message(self.Rename(thread_id, self.title_of(thread_id)))

    def action_delete(self) -> None:
        thread_id = self._highlighted_id()
        if thread_id:
            self.post_message(self.Delete(thread_id, self.title_of(thread_id)))

    def action_refresh(self) -> None:
        self.post_message(self.Refresh())

    def action_filter(self) -> None:
        self.post_message(self.FilterRequested())

    def action_tests(self) -> None:
        self.post_message(self.TestsRequested())

    def action_leave(self) -> None:
        self.post_message(self.Leave())
