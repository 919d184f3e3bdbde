"""The thread sidebar: the list of the server's threads, its filter, and the work behind them.

It pages through ``threads/search``, fetches the first message of untitled threads lazily,
refreshes status badges, renames (``metadata.title``) and deletes threads. Opening a thread
or starting a new one is the screen's business: :class:`ThreadList` posts those messages
and they bubble up to it, as do :class:`ThreadSidebar.Deleted` and :class:`ThreadSidebar.Left`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Static

from chat_tui.client.errors import ClientError
from chat_tui.testing.tags import TEST_THREADS
from chat_tui.ui.widgets.thread_list import PAGE_SIZE, TEST_FILTERS, ThreadList

if TYPE_CHECKING:
    from chat_tui.service.chat import ChatService

__all__ = ["ThreadSidebar"]

STATUS_SECONDS = 20  # how often the badges of the listed threads are refreshed
TIMES_SECONDS = 60  # how often "3 min ago" is redrawn


class ThreadSidebar(Vertical):
    class Deleted(Message):
        """A thread was deleted on the server (the screen leaves it if it was open)."""

        def __init__(self, thread_id: str) -> None:
            super().__init__()
            self.thread_id = thread_id

    class Left(Message):
        """The user left the sidebar (Esc)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.service: ChatService | None = None
        self.threads = ThreadList(id="threads")
        self._filter = Input(placeholder="filter threads…", id="thread-filter")
        self.heading = Static(Content.styled("Threads", "bold"), id="sidebar-title")

    def compose(self) -> ComposeResult:
        yield self.heading
        yield self._filter
        yield self.threads

    def on_mount(self) -> None:
        self._filter.display = False
        self.set_interval(TIMES_SECONDS, self.threads.refresh_times)
        self.set_interval(STATUS_SECONDS, self.refresh_statuses)

    def attach(self, service: ChatService) -> None:
        """Connected: list this server's threads."""
        self.service = service
        self.load()

    # -- listing ----------------------------------------------------------------------------

    @work(group="threads", exclusive=True, exit_on_error=False)
    async def load(self) -> None:
        service = self.service
        if service is None:
            return
        try:
            page = await service.list_threads(limit=PAGE_SIZE, metadata=self._server_filter())
        except ClientError as exc:
            self.notify(f"could not list threads: {exc}", severity="error", markup=False)
            return
        self.threads.set_threads(page, more=len(page) == PAGE_SIZE)
        self._fetch_first_messages()

    @on(ThreadList.Refresh)
    def _refresh(self) -> None:
        self.load()

    @on(ThreadList.LoadMore)
    @work(group="threads-more", exclusive=True, exit_on_error=False)
    async def _load_more(self, event: ThreadList.LoadMore) -> None:
        service = self.service
        threads = self.threads
        try:
            if service is None:
                return
            page = await service.list_threads(limit=PAGE_SIZE, offset=event.offset, metadata=self._server_filter())
            threads.add_page(page, more=len(page) == PAGE_SIZE)
        except ClientError as exc:
            self.notify(f"could not load more threads: {exc}", severity="error", markup=False)
        finally:
            threads.loading = False
        self._fetch_first_messages()
        if not threads.more:  # the end: pick up threads that moved to the top while paging
            self.refresh_statuses()

    @work(group="titles", exclusive=True, exit_on_error=False)
    async def _fetch_first_messages(self) -> None:
        """Untitled rows show their first message, fetched lazily a few at a time."""
        service = self.service
        if service is None:
            return
        for thread_id in self.threads.untitled_ids():
            try:
                first = await service.first_message(thread_id)
            except ClientError:
                continue
            self.threads.set_first_message(thread_id, first)

    @work(group="statuses", exclusive=True, exit_on_error=False)
    async def refresh_statuses(self) -> None:
        """Re-read the first page: badges (busy, interrupted...) and titles changed elsewhere."""
        service = self.service
        if service is None or not self.threads.threads:
            return
        try:
            limit = min(PAGE_SIZE, len(self.threads.threads))
            page = await service.list_threads(limit=limit, metadata=self._server_filter())
        except ClientError:
            return
        known = {t.thread_id: t for t in self.threads.threads}
        for thread in page:
            old = known.get(thread.thread_id)
            if old is None or (old.status, old.metadata, old.updated_at, old.interrupts) != (
                thread.status,
                thread.metadata,
                thread.updated_at,
                thread.interrupts,
            ):
                self.threads.upsert(thread)  # (which also moves it to its place in the order)

    # -- test threads ------------------------------------------------------------------------------

    def _server_filter(self) -> dict[str, Any] | None:
        """Only test threads: the server filters (on their metadata); hiding them is done here, as
        rows arrive (a search cannot say "without this key")."""
        return TEST_THREADS if self.threads.tests == "only" else None

    def set_tests(self, mode: str) -> None:
        """Show every thread, only chat-tui test's, or hide them (TEST_FILTERS); the title says which."""
        self.threads.set_tests(mode)
        label = TEST_FILTERS[self.threads.tests]
        title = Content.styled("Threads", "bold")
        self.heading.update(Content.assemble(title, ("  ·  " + label, "$accent")) if label else title)
        self.load()

    @on(ThreadList.TestsRequested)
    def _next_tests(self) -> None:
        modes = list(TEST_FILTERS)
        self.set_tests(modes[(modes.index(self.threads.tests) + 1) % len(modes)])

    # -- renaming and deleting --------------------------------------------------------------

    @on(ThreadList.Rename)
    def _rename_requested(self, event: ThreadList.Rename) -> None:
        self.rename(event.thread_id)

    @on(ThreadList.Delete)
    def _delete_requested(self, event: ThreadList.Delete) -> None:
        self.delete(event.thread_id)

    @work(group="rename", exit_on_error=False)
    async def rename(self, thread_id: str) -> None:
        from chat_tui.ui.screens.dialogs import TextPromptScreen

        service = self.service
        if service is None:
            return
        title = await self.app.push_screen_wait(TextPromptScreen("Rename thread", self.threads.title_of(thread_id)))
        if title is None or not title.strip():
            return
        try:
            thread = await service.rename_thread(thread_id, title)
        except ClientError as exc:
            self.notify(f"could not rename: {exc}", severity="error", markup=False)
            return
        self.threads.upsert(thread)

    @work(group="delete", exit_on_error=False)
    async def delete(self, thread_id: str) -> None:
        from chat_tui.ui.screens.dialogs import ConfirmScreen

        service = self.service
        if service is None:
            return
        title = self.threads.title_of(thread_id)
        question = Content.assemble("Delete the thread ", (title, "bold"), "?\nThis cannot be undone.")
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Delete", danger=True)):
            return
        try:
            await service.delete_thread(thread_id)
        except ClientError as exc:
            self.notify(f"could not delete: {exc}", severity="error", markup=False)
            return
        self.threads.remove_thread(thread_id)
        self.post_message(self.Deleted(thread_id))
        self.notify("thread deleted", markup=False)

    # -- filtering ----------------------------------------------------------------------------

    @on(ThreadList.FilterRequested)
    def _show_filter(self) -> None:
        loaded = len(self.threads.threads)
        # It filters what is loaded (the server matches metadata exactly, not by substring): say so.
        self._filter.placeholder = f"filter the {loaded} loaded thread{'s' if loaded != 1 else ''} by title…"
        self._filter.display = True
        self._filter.focus()

    @on(Input.Changed, "#thread-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.threads.set_filter(event.value)

    @on(Input.Submitted, "#thread-filter")
    def _filter_done(self) -> None:
        """Enter opens the first match (or, with none, stays in the filter)."""
        thread_id = self.threads.first_match()
        if thread_id is not None:
            self.post_message(ThreadList.Open(thread_id))  # (from here: a message sent by a parent stops there)

    def on_key(self, event: events.Key) -> None:
        if event.key == "down" and self.screen.focused is self._filter and self.threads.option_count:
            event.stop()  # into the list, on its first row
            self.threads.focus()
            self.threads.first_match()

    @on(ThreadList.Leave)
    def _leave(self, event: ThreadList.Leave) -> None:
        event.stop()
        if self._filter.value:
            self._filter.value = ""
        self._filter.display = False
        self.post_message(self.Left())
