"""The multi-line prompt: Enter sends; Ctrl+J (every terminal) or Shift+Enter inserts a newline.

Enter is handled in the composer's own key handler, in order with the characters typed
before it. A *priority* binding would be checked by the app as soon as the key arrives,
before the composer had processed the keys queued ahead of it: measured in tmux, typing
``hello`` + Enter in one burst submitted an empty or truncated text. The ``enter``
binding still exists (non-priority) so the footer shows it and a keymap can move it.

A paste arrives as one ``Paste`` event, so pasted newlines never send. Up/Down walk this
thread's sent prompts, but only at the edges (first line / last line), so they still move
the cursor inside a multi-line draft.

The same applies to Ctrl+J: a non-priority binding runs only after the key bubbled up,
again behind queued characters (``a`` Ctrl+J ``b`` typed fast gave ``ab⏎``), so every
composer action bound to a key runs inline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.timer import Timer
from textual.widgets import TextArea

if TYPE_CHECKING:
    from chat_tui.service.drafts import Drafts

from chat_tui.ui.textual_compat import bindings_for_key

__all__ = ["Composer"]

DRAFT_DELAY = 0.4  # seconds of quiet before a draft is written
# The cursor blinks this long after the last key or focus, then stays lit (as GTK's terminals do):
# a blinking cursor repaints twice a second forever, most of an idle app's CPU and terminal output.
BLINK_FOR = 10.0

_INLINE_ACTIONS = frozenset({"submit", "newline", "history_previous", "history_next"})


class Composer(TextArea):
    BINDINGS = [
        Binding("enter", "submit", "Send", id="composer.send"),
        Binding(
            "ctrl+j,shift+enter",
            "newline",
            "Newline",
            key_display="^j",
            show=False,  # (the placeholder says it; the footer keeps room for Help and Quit)
            tooltip="Insert a newline (Shift+Enter where the terminal can send it)",
            id="composer.newline",
        ),
        # Tab goes to the message pane (its newest messages, not the thread's first: the pane's
        # own Tab comes back here).
        Binding("tab", "screen.focus_messages", "Messages", show=False, id="composer.messages"),
        # TextArea would page its own cursor; from the composer they scroll the conversation.
        Binding("pageup", "screen.scroll_messages(-1)", "Page up", show=False, id="composer.page-up"),
        Binding("pagedown", "screen.scroll_messages(1)", "Page down", show=False, id="composer.page-down"),
        Binding(
            "up",
            "history_previous",
            "Older prompt",
            show=False,
            tooltip="Older prompt: this thread's, then earlier ones (from the first line)",
            id="composer.history-previous",
        ),
        Binding(
            "down",
            "history_next",
            "Newer prompt",
            show=False,
            tooltip="Newer prompt (from the last line)",
            id="composer.history-next",
        ),
    ]

    class Submitted(Message):
        """The user pressed Enter with this text (the composer is not cleared yet)."""

        def __init__(self, composer: Composer, text: str) -> None:
            super().__init__()
            self.composer = composer
            self.text = text

    def __init__(self, *, id: str | None = None, placeholder: str = "") -> None:
        super().__init__(
            id=id, soft_wrap=True, tab_behavior="focus", show_line_numbers=False, compact=True, placeholder=placeholder
        )
        self.prompt_history: list[str] = []
        self._history_index: int | None = None
        self._stash = ""
        self._placeholder = placeholder
        self.drafts: Drafts | None = None  # where what is typed is kept (per thread, on disk)
        self._draft_timer: Timer | None = None
        self._blink_timer: Timer | None = None

    def _blink_a_while(self) -> None:
        """Blink (again) for BLINK_FOR seconds from now."""
        if not self.cursor_blink:
            self.cursor_blink = True
        if self._blink_timer is not None:
            self._blink_timer.stop()  # (a one-shot timer that fired cannot be reset: a new one)
        self._blink_timer = self.set_timer(BLINK_FOR, self._stop_blinking)

    def _stop_blinking(self) -> None:
        self.cursor_blink = False  # (the cursor stays shown)

    def on_focus(self) -> None:
        self._blink_a_while()

    def set_placeholder(self, text: str) -> None:
        self._placeholder = text
        self.placeholder = text if self.content_size.width > 0 else ""

    def on_resize(self) -> None:
        # Textual 8 wraps the placeholder with range(0, n, width), which raises for a width of 0.
        self.placeholder = self._placeholder if self.content_size.width > 0 else ""

    async def on_key(self, event: events.Key) -> None:
        self._blink_a_while()
        # Run our own bindings here, in order with the typed characters (see the module doc).
        # This handler runs before TextArea's, which inserts the typed text; preventing the
        # default keeps it from also inserting the key.
        for binding in bindings_for_key(self, event.key):
            if binding.action in _INLINE_ACTIONS:
                event.stop()
                event.prevent_default()
                await self.run_action(binding.action)
                return

    def action_submit(self) -> None:
        if self.text.strip():
            self.post_message(self.Submitted(self, self.text))

    def action_newline(self) -> None:
        self.insert("\n")

    def set_history(self, prompts: list[str]) -> None:
        self.prompt_history = prompts
        self._history_index = None

    def action_history_previous(self) -> None:
        if self.cursor_location[0] > 0 or not self.prompt_history:
            self.action_cursor_up()
            return
        if self._history_index is None:
            self._stash = self.text
            self._history_index = len(self.prompt_history)
        if self._history_index > 0:
            self._history_index -= 1
            self._load(self.prompt_history[self._history_index])

    def action_history_next(self) -> None:
        last_line = self.document.line_count - 1
        if self.cursor_location[0] < last_line or self._history_index is None:
            self.action_cursor_down()
            return
        self._history_index += 1
        if self._history_index >= len(self.prompt_history):
            self._history_index = None
            self._load(self._stash)
        else:
            self._load(self.prompt_history[self._history_index])

    def _load(self, text: str) -> None:
        self.text = text
        self.move_cursor(self.document.end)

    def replace_text(self, text: str) -> None:
        """Set the draft (e.g. restore a failed send) and put the cursor at the end."""
        self._history_index = None
        self._load(text)

    # -- drafts -------------------------------------------------------------------------------

    def switch_draft(self, key: str | None) -> None:
        """The composer now belongs to thread *key*: save what it holds, show that thread's draft."""
        self._stop_draft_timer()
        if self.drafts is not None:
            self.replace_text(self.drafts.switch(self.text, key))

    def on_text_area_changed(self) -> None:
        self._stop_draft_timer()
        self._draft_timer = self.set_timer(DRAFT_DELAY, self.save_draft)

    def save_draft(self) -> None:
        self._stop_draft_timer()
        if self.drafts is not None and not self.drafts.save(self.text):
            self.notify("could not save the draft to disk (it is kept in memory)", severity="warning", markup=False)

    def _stop_draft_timer(self) -> None:
        if self._draft_timer is not None:
            self._draft_timer.stop()
            self._draft_timer = None
