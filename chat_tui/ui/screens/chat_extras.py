"""The chat screen's smaller actions: focus moves, pickers, clipboard and links.

A base class of :class:`~chat_tui.ui.screens.chat.ChatScreen`, kept apart so the screen's
own module holds the conversation flow (open, send, follow, cancel) and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual import events, on, work
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from chat_tui.sanitize import clean_line
from chat_tui.ui.clipboard import copy_text
from chat_tui.ui.screens.dialogs import ChoiceScreen, ConfirmScreen
from chat_tui.ui.textual_compat import PacedFrames
from chat_tui.ui.widgets.conversation_view import ConversationView
from chat_tui.ui.widgets.sidebar import ThreadSidebar

if TYPE_CHECKING:
    from textual.widgets import Markdown

    from chat_tui.conversation import Conversation
    from chat_tui.run_config import RunConfig
    from chat_tui.service.chat import ChatService
    from chat_tui.ui.app import ChatApp
    from chat_tui.ui.widgets.composer import Composer
    from chat_tui.ui.widgets.status_line import StatusLine
    from chat_tui.ui.widgets.thread_list import ThreadList

__all__ = ["NARROW", "SIDE_BY_SIDE", "ChatExtras"]

NARROW = 90  # columns below which the sidebar starts hidden, and closes when a thread is opened
SIDE_BY_SIDE = 74  # below this the chat would get under 40 columns beside it: the sidebar takes the screen


class ChatExtras(PacedFrames, Screen[None]):
    # Provided by ChatScreen:
    service: ChatService | None
    view: ConversationView
    composer: Composer
    sidebar: ThreadSidebar
    threads: ThreadList
    status: StatusLine
    run_config: RunConfig | None
    sidebar_visible: bool

    @property
    def conversation(self) -> Conversation:
        raise NotImplementedError

    def _update_status(self) -> None:
        raise NotImplementedError

    @property
    def chat_app(self) -> ChatApp:
        return cast("ChatApp", self.app)

    @on(ConversationView.NewOutputBelow)
    def _new_output(self, event: ConversationView.NewOutputBelow) -> None:
        marker = self.query_one("#new-output", Static)
        marker.display = event.below
        if event.below:
            marker.update(Content.styled("▼ new output below — press End (in messages) or Ctrl+O, End", "$accent"))

    # -- focus and the sidebar ------------------------------------------------------------------

    def watch_sidebar_visible(self, visible: bool) -> None:
        self.sidebar.display = visible
        self.set_class(visible, "-sidebar-open")
        if not visible and self.focused is not None and self.sidebar in self.focused.ancestors_with_self:
            self.composer.focus()

    def on_resize(self) -> None:
        # Below SIDE_BY_SIDE an open sidebar covers the chat (which keeps its width); below NARROW
        # it is closed unless the user is in it. The composer is never squeezed to nothing.
        self.set_class(self.app.size.width < SIDE_BY_SIDE, "-compact")
        if self.app.size.width < NARROW and self.sidebar_visible and not self._in_sidebar():
            self.sidebar_visible = False

    def watch_focused(self, focused: object) -> None:
        # A sidebar that covers the chat goes away when the focus leaves it (Tab, a click, a key).
        if self.has_class("-compact") and self.sidebar_visible and focused is not None and not self._in_sidebar():
            self.sidebar_visible = False

    def _in_sidebar(self) -> bool:
        return self.focused is not None and self.sidebar in self.focused.ancestors_with_self

    def load_threads(self) -> None:
        """Reload the sidebar (the palette's "Refresh threads")."""
        self.sidebar.load()

    @on(ThreadSidebar.Left)
    def _left_sidebar(self) -> None:
        self.composer.focus()
        if self.app.size.width < NARROW:
            self.sidebar_visible = False

    def action_focus_threads(self) -> None:
        if self.focused is self.threads:
            self.composer.focus()
            return
        self.sidebar_visible = True
        self.threads.focus()

    def action_focus_messages(self) -> None:
        if self.focused is not None and self.view in self.focused.ancestors_with_self:
            self.composer.focus()
        else:
            self.view.focus(scroll_visible=False)  # (where the user was reading: no jump to the top)

    def action_focus_composer(self) -> None:
        self.composer.focus()

    def takes_typing(self, event: events.Key) -> bool:
        """A printable key that is none of the message pane's while the pane (or a message or tool
        panel in it) has the focus: the user meant to type. The composer takes the focus *now*, before
        the app forwards the key, so the key and the rest of a fast burst go there. (Deciding in the
        pane's own key handler raced: the app forwards each key to the widget focused when it
        dispatches it, and under load it dispatched the next keys before the pane had run.)"""
        focused = self.focused
        if focused is None or focused is self.composer or self.view not in focused.ancestors_with_self:
            return False
        if not event.is_printable or not event.character:
            return False
        binding = self.app.active_bindings.get(event.key)
        if binding is not None and binding.enabled:
            return False
        self.set_focus(self.composer)
        return True

    def typed_away(self, text: str) -> None:
        """A character typed in the message pane: into the composer, which takes the focus at once."""
        self.set_focus(self.composer)
        self.composer.insert(text)

    def action_toggle_sidebar(self) -> None:
        self.sidebar_visible = not self.sidebar_visible
        self.chat_app.remember_sidebar(self.sidebar_visible)
        if self.sidebar_visible and self.has_class("-compact"):
            self.threads.focus()  # it covers the chat: the keys go where the eyes are

    def action_scroll_messages(self, direction: int) -> None:
        if direction < 0:
            self.view.scroll_page_up(animate=False)
        else:
            self.view.scroll_page_down(animate=False)

    def action_rename_current(self) -> None:
        thread_id = self.conversation.thread_id
        if thread_id:
            self.sidebar.rename(thread_id)

    def action_delete_current(self) -> None:
        thread_id = self.conversation.thread_id
        if thread_id:
            self.sidebar.delete(thread_id)

    # -- assistant, run configuration, options --------------------------------------------------

    @work(group="assistant", exclusive=True, exit_on_error=False)
    async def action_pick_assistant(self) -> None:
        """New threads use the chosen assistant; the open thread keeps its own unless the user says so."""
        service = self.service
        if service is None:
            return
        from chat_tui.ui.screens.assistants import AssistantPicker  # (not needed before the first frame)

        chosen = await self.app.push_screen_wait(AssistantPicker(service.client, service.assistant_id))
        if chosen is None:
            return
        label = clean_line(chosen.name or chosen.graph_id, 40)
        self.chat_app.remember_assistant(chosen.assistant_id)
        service.use_assistant(chosen.assistant_id, label)
        thread_id = self.conversation.thread_id
        own = service.assistant_for(thread_id)
        said = f"new threads use the assistant {label}"
        if thread_id and own not in (chosen.assistant_id, chosen.graph_id):
            mine = clean_line(service.assistant_label(thread_id), 40)
            question = Content.assemble(
                ("This thread was made by ", "bold"), (mine, "bold $accent"), ". Its next runs:"
            )
            choices = [("k", f"Keep {mine} for this thread", "keep"), ("s", f"Switch this thread to {label}", "switch")]
            if await self.app.push_screen_wait(ChoiceScreen(question, choices)) == "switch":
                service.use_assistant(chosen.assistant_id, label, thread_id=thread_id)
                said += ", and this thread's next runs too"
            else:
                said += f"; this thread keeps {mine}"
        self._update_status()
        self.notify(said, markup=False)

    @work(group="run-config", exclusive=True, exit_on_error=False)
    async def action_run_config(self) -> None:
        service = self.service
        if service is None:
            return
        from chat_tui.ui.screens.run_config import RunConfigScreen

        result = await self.app.push_screen_wait(
            RunConfigScreen(service.client, service.assistant_id, self.run_config, label=self.status.assistant)
        )
        if result is None:
            return
        self.run_config = service.set_run_config(self.conversation.thread_id, result)
        self._update_status()

    @work(group="options", exclusive=True, exit_on_error=False)
    async def action_options(self) -> None:
        from chat_tui.ui.screens.options import OptionsScreen

        app = self.chat_app
        app.set_options(await app.push_screen_wait(OptionsScreen(app.options)))
        self.apply_options()

    def apply_options(self) -> None:
        options = self.chat_app.options
        self.view.set_class(not options.show_tool_panels, "-hide-tools")
        self.view.set_node_labels(options.show_node_labels)

    # -- clipboard and links --------------------------------------------------------------------

    def action_copy_last(self) -> None:
        answers = [m for m in self.conversation.messages if m.role == "ai" and m.text]
        if answers:
            self.post_message(ConversationView.CopyRequested(answers[-1].text, "last answer"))

    def action_copy_thread_id(self) -> None:
        thread_id = self.conversation.thread_id
        if thread_id:
            self.post_message(ConversationView.CopyRequested(thread_id, "thread id"))

    @on(ConversationView.CopyRequested)
    def _copy(self, event: ConversationView.CopyRequested) -> None:
        if not event.text:
            self.notify("nothing to copy", markup=False)
            return
        path = copy_text(self.app, event.text)
        where = f"; also saved to {path}" if path else ""
        self.notify(f"copied the {event.what} ({len(event.text):,} chars) via OSC 52{where}", markup=False)

    def on_markdown_link_clicked(self, event: Markdown.LinkClicked) -> None:
        # (A handler by name, not @on(Markdown.LinkClicked): Markdown is imported when first needed.)
        self._open_link(event.href)

    @work(group="link", exit_on_error=False)
    async def _open_link(self, href: str) -> None:
        href = clean_line(href, 500)
        scheme = href.split(":", 1)[0].lower() if ":" in href else ""
        if scheme not in ("http", "https"):
            self.notify(f"not opening a {scheme or 'relative'} link: {href}", severity="warning", markup=False)
            return
        question = Content.assemble("Open this link in your browser?\n\n", (href, "bold underline"))
        if await self.app.push_screen_wait(ConfirmScreen(question, yes="Open")):
            self.app.open_url(href)
