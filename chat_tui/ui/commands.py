"""Command palette: switch threads by title (titles are untrusted: shown as Content only)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

if TYPE_CHECKING:
    from chat_tui.ui.screens.chat import ChatScreen

__all__ = ["ThreadCommands", "chat_commands", "safe_highlight"]

TEST_THREAD_COMMANDS = {  # the sidebar's filter of chat-tui test's threads (t in the sidebar)
    "all": ("Threads: show all", "Every thread in the sidebar, test runs too (t in the sidebar)"),
    "only": ("Threads: only test runs", "Only the threads chat-tui test made (t in the sidebar)"),
    "hide": ("Threads: hide test runs", "The sidebar without the threads chat-tui test made (t in the sidebar)"),
}


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


def chat_commands(screen: ChatScreen) -> Iterable[SystemCommand]:
    """The chat screen's actions in the palette (each also has a key, named in its help)."""
    yield SystemCommand("New thread", "Start a new conversation (ctrl+n)", screen.action_new_thread)
    yield SystemCommand("Threads", "Focus the thread sidebar (ctrl+t)", screen.action_focus_threads)
    yield SystemCommand("Messages", "Focus the message pane (ctrl+o)", screen.action_focus_messages)
    yield SystemCommand("Toggle sidebar", "Show or hide the thread list (ctrl+b)", screen.action_toggle_sidebar)
    yield SystemCommand("Refresh threads", "Reload the thread list (f5 in the sidebar)", screen.load_threads)
    yield SystemCommand(
        "Filter threads", "Filter the thread list by title (/ in the sidebar)", screen.threads.action_filter
    )
    for mode, (name, what) in TEST_THREAD_COMMANDS.items():
        if mode != screen.threads.tests:
            yield SystemCommand(name, what, partial(screen.sidebar.set_tests, mode))
    yield SystemCommand("Pick assistant", "Choose the assistant new runs use (f2)", screen.action_pick_assistant)
    yield SystemCommand("Run configuration", "Edit this thread's configurable / context (f3)", screen.action_run_config)
    yield SystemCommand("Stream options", "Tool panels, node labels, subgraphs (f4)", screen.action_options)
    yield SystemCommand("Inbox", "Every thread waiting for your decision or answer (f6)", screen.action_inbox)
    yield SystemCommand("Timeline", "This thread's checkpoints: state, fork, re-run (f5)", screen.action_timeline)
    yield SystemCommand("Run history", "This thread's runs: re-run one (f8)", screen.action_run_history)
    yield SystemCommand("JSON input", "Send a JSON object as the run's input (f7)", screen.action_json_input)
    yield SystemCommand(
        "Event inspector", "Every SSE event of this thread's runs, as it arrives (f12)", screen.action_inspector
    )
    yield SystemCommand("Store", "The server's store: namespaces, items, values (f9)", screen.action_store)
    yield SystemCommand(
        "Graph view", "The assistant's graph, its running nodes lit while a run streams (ctrl+\\)", screen.action_graph
    )
    if screen.chat_app.has_test_results:
        yield SystemCommand("Test results", "Back to the test suite's results (ctrl+r)", screen.action_test_results)
    if screen.check_action("cancel_run", ()):
        yield SystemCommand("Cancel run", "Cancel the streaming run on the server (esc)", screen.action_cancel_run)
    if screen.conversation.thread_id:
        yield SystemCommand("Rename thread", "Set this thread's title", screen.action_rename_current)
        yield SystemCommand("Delete thread", "Delete this thread on the server", screen.action_delete_current)
    yield SystemCommand("Copy last answer", "Copy the last assistant message", screen.action_copy_last)
    yield SystemCommand(
        "Copy thread as Markdown", "This thread, as Export writes it (ctrl+g)", screen.action_copy_thread
    )
    yield SystemCommand(
        "Stop recording" if screen.recording_file else "Record runs",
        "Record the current and next runs to a file, or save the last run (f10)",
        screen.action_record,
    )
    if screen.conversation.thread_id:
        yield SystemCommand("Export thread", "To a file: Markdown, JSON or JSONL (ctrl+s)", screen.action_export)
        yield SystemCommand(
            "Save thread as test",
            "Append a chat-tui test scenario that replays this thread (ctrl+r)",
            screen.action_save_test,
        )
    if screen.conversation.thread_id:
        yield SystemCommand(
            "Copy thread id",
            f"{screen.conversation.thread_id} (for chat-tui --thread, and chat-tui stream --thread)",
            screen.action_copy_thread_id,
        )
    if screen.conversation.pending_interrupts:
        yield SystemCommand(
            "Reset the pending request",
            "Ask the graph again (after the server refused an answer)",
            screen.action_reset_request,
        )
        yield SystemCommand(
            "Dismiss the pending interrupt",
            "End it without an answer (asks first)",
            screen.action_dismiss_interrupt,
        )
