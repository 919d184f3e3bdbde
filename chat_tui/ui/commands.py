"""Command palette: switch threads by title (titles are untrusted: shown as Content only)."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

if TYPE_CHECKING:
    from chat_tui.ui.screens.chat import ChatScreen

__all__ = ["ThreadCommands", "safe_highlight"]


def safe_highlight(matcher: Matcher, text: str) -> Content:
    """Highlight fuzzy matches without parsing *text* as markup (``Matcher.highlight`` would)."""
    content = Content(text)
    _score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    for offset in offsets:
        if offset < len(text) and not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class ThreadCommands(Provider):
    """``Open thread: <title>`` for every thread loaded in the sidebar."""

    def _chat(self) -> ChatScreen | None:
        from chat_tui.ui.screens.chat import ChatScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, ChatScreen):
                return screen
        return None

    def _rows(self) -> list[tuple[str, str]]:
        chat = self._chat()
        if chat is None:
            return []
        threads = chat.threads
        return [(t.thread_id, threads.title_of(t.thread_id)) for t in threads.threads]

    async def discover(self) -> Hits:
        chat = self._chat()
        if chat is None:
            return
        for thread_id, title in self._rows()[:15]:
            yield DiscoveryHit(
                Content.assemble("Open thread: ", (title, "bold")),
                partial(chat.open_thread, thread_id),
                help="Switch to this thread",
            )

    async def search(self, query: str) -> Hits:
        chat = self._chat()
        if chat is None:
            return
        matcher = self.matcher(query)
        for thread_id, title in self._rows():
            text = f"Open thread: {title}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    safe_highlight(matcher, text),
                    partial(chat.open_thread, thread_id),
                    help="Switch to this thread",
                )
