"""Every use of a private Textual API, in one place (Textual is pinned below 9).

Some of chat-tui's speed and safety rests on Textual internals: compact Markdown blocks
built from the parser's blocks, an ``OptionList`` that does not re-measure 10,000 rows per
page, a pane that knows when the user released its anchor, a crash report without local
variables, strips that do not keep themselves alive. Nothing outside this module touches a
private Textual name (``tests/unit/test_private_textual.py`` checks it), and each function
here says what it relies on, with a canary in ``tests/ui/test_textual_compat.py`` that
fails when that internal changes shape. Upgrading Textual means making that one test file pass.

Textual's Markdown block classes (``textual.widgets._markdown``, which loads markdown-it)
are imported on first use (module ``__getattr__``): see ``chat_tui.deferred``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, cast

from textual import events
from textual.app import App
from textual.await_remove import AwaitRemove
from textual.binding import Binding
from textual.content import Content
from textual.css.styles import RulesMap
from textual.dom import DOMNode
from textual.screen import UPDATE_PERIOD, Screen
from textual.strip import Strip
from textual.timer import EventTargetGone, Timer
from textual.widget import Widget
from textual.widgets import OptionList

if TYPE_CHECKING:
    from markdown_it.token import Token
    from textual.widgets._markdown import (
        MarkdownBlockQuote,
        MarkdownBullet,
        MarkdownBulletList,
        MarkdownListItem,
        MarkdownOrderedList,
        MarkdownOrderedListItem,
        MarkdownParagraph,
        MarkdownTable,
    )
    from textual.widgets.markdown import Markdown, MarkdownBlock

__all__ = [
    "MARKDOWN_BLOCK_CLASSES",
    "CrashReportWithoutLocals",
    "MarkdownBlockQuote",
    "MarkdownBullet",
    "MarkdownBulletList",
    "MarkdownListItem",
    "MarkdownOrderedList",
    "MarkdownOrderedListItem",
    "MarkdownParagraph",
    "MarkdownTable",
    "PacedFrames",
    "RowCachingOptionList",
    "UpdatesInPlace",
    "anchor_released",
    "bindings_for_key",
    "block_children",
    "block_origin",
    "block_text",
    "divide_without_cycles",
    "release_block_children",
    "remove_unheld",
    "table_cells",
]

# -- Markdown blocks -----------------------------------------------------------------------

# The block classes compact Markdown subclasses; textual.widgets.markdown exports only
# MarkdownBlock and MarkdownFence.
MARKDOWN_BLOCK_CLASSES = (
    "MarkdownBlockQuote",
    "MarkdownBullet",
    "MarkdownBulletList",
    "MarkdownListItem",
    "MarkdownOrderedList",
    "MarkdownOrderedListItem",
    "MarkdownParagraph",
    "MarkdownTable",
)


def __getattr__(name: str) -> Any:
    if name in MARKDOWN_BLOCK_CLASSES:
        from textual.widgets import _markdown  # (on first use: markdown-it is not needed for the first frame)

        return getattr(_markdown, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def block_children(block: MarkdownBlock) -> list[MarkdownBlock]:
    """The blocks parsed inside *block* (list items, cells, paragraphs), before it composes them.

    Relies on ``MarkdownBlock._blocks``: the parser appends each block's children to that
    list, and the base ``compose`` yields and then clears it.
    """
    return list(block._blocks)


def release_block_children(block: MarkdownBlock) -> None:
    """Forget *block*'s parsed children: they were drawn as text, or mounted elsewhere.

    Relies on ``MarkdownBlock._blocks`` (see :func:`block_children`); Textual's own
    ``compose`` clears it the same way once the children are yielded.
    """
    block._blocks.clear()


def block_text(block: MarkdownBlock) -> Content:
    """The inline text of a paragraph, heading or cell block, with its styles (bold, code, links).

    Relies on ``MarkdownBlock._content``, set by ``build_from_token`` / ``set_content``.
    """
    return block._content


def block_origin(block: MarkdownBlock) -> tuple[Markdown, Token]:
    """The document and parser token a block came from: what a new block needs to replace it.

    Relies on ``MarkdownBlock._markdown`` (a property resolving a weak reference) and
    ``MarkdownBlock._token``, the two arguments ``MarkdownBlock.__init__`` takes.
    """
    return block._markdown, block._token


def table_cells(table: MarkdownTable) -> tuple[list[Content], list[list[Content]]]:
    """A parsed table's header cells and rows of cells.

    Relies on ``MarkdownTable._get_headers_and_rows``, which Textual's table composes from.
    """
    return table._get_headers_and_rows()


if TYPE_CHECKING:
    _BlockBase = MarkdownBlock
else:  # a plain mixin at run time: Textual takes CSS and component classes from the first DOM base
    _BlockBase = object


class UpdatesInPlace(_BlockBase):
    """A block mixin: take the next parse of the same block in place while an answer streams.

    ``Markdown.append`` re-parses only the last block and hands the result to the existing
    block's private hook ``MarkdownBlock._update_from_block``, whose default removes the
    block and mounts the new one. Subclasses implement :meth:`update_in_place` instead; put
    this mixin first among the bases (``class X(UpdatesInPlace, MarkdownTable)``).
    """

    async def update_in_place(self, block: MarkdownBlock) -> bool:
        """Take *block*'s content; False lets Textual replace this block with *block*."""
        return False

    async def _update_from_block(self, block: MarkdownBlock) -> None:
        if not await self.update_in_place(block):
            await super()._update_from_block(block)


# -- OptionList ----------------------------------------------------------------------------


class RowCachingOptionList(OptionList):
    """An ``OptionList`` that measures its rows once per width, and can redraw one row alone.

    Textual's ``replace_option_prompt`` re-measures every row (O(rows): paging through 10,000
    threads), and its ``_on_resize`` forgets every row's height on each ``Resize``, which it
    also gets on every page added. Relies on ``OptionList._line_cache`` (``lines`` and
    ``heights``), ``_option_render_cache``, ``_clear_caches``, ``_get_visual``,
    ``_get_left_gutter_width``, ``Option._set_prompt`` and ``Option._divider``, and on
    ``_on_resize`` being the only other Resize handler in its classes.
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._measured_width = -1  # the width the row heights were measured at

    def set_prompt_keeping_heights(self, index: int, prompt: Content) -> None:
        """Row *index* shows *prompt*; the other rows are not measured again unless its height changed."""
        option = self.options[index]
        old = self._line_cache.heights.get(index)
        option._set_prompt(prompt)
        if old is not None:  # (not measured yet: it will be, with the new text)
            padding = self.get_component_styles("option-list--option").padding
            width = self.scrollable_content_region.width - self._get_left_gutter_width() - padding.width
            height = self._get_visual(option).get_height(cast(RulesMap, self.styles), width) + option._divider
            if height != old:
                self._clear_caches()
                return
        self._option_render_cache.clear()
        self.refresh()

    def measured_rows(self) -> Sequence[tuple[int, int]]:
        """(option index, line within the option) for each line measured so far, top to bottom.

        Only rows already measured: reading Textual's ``_lines`` would measure all of them.
        """
        return self._line_cache.lines

    def on_resize(self, event: events.Resize) -> None:
        """Row heights depend on the width only: forget them when it changes (this replaces Textual's handler)."""
        event.prevent_default()
        width = self.scrollable_content_region.width
        if width != self._measured_width:
            self._measured_width = width
            self._clear_caches()


# -- key bindings --------------------------------------------------------------------------


def bindings_for_key(node: DOMNode, key: str) -> list[Binding]:
    """The bindings *node* itself has for *key*, with the user's keymap applied.

    Relies on ``DOMNode._bindings`` (the class's ``BINDINGS``) and ``App._keymap``, which the
    screen applies to a copy of each node's map (the public ``App.active_bindings`` does it
    for the whole focused chain).
    """
    bindings = node._bindings
    keymap = node.app._keymap
    if keymap:
        bindings = bindings.copy()
        bindings.apply_keymap(keymap)
    return list(bindings.key_to_bindings.get(key, ()))


# -- scrolling, strips, removal -----------------------------------------------------------


def anchor_released(widget: Widget) -> bool:
    """True when *widget* is anchored but the user scrolled away, so it does not follow for now.

    Relies on ``Widget._anchor_released``: ``is_anchored`` stays True after a user scroll;
    this flag is what the compositor checks before keeping the end in view. (In Textual
    8.2 ``scroll_to(release_anchor=False)`` releases it anyway: the flag is not passed on.)
    """
    return widget._anchor_released


_textual_divide = Strip.divide


def _divide(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    """``Strip.divide`` without caching a strip in itself: the same strips, no reference cycle."""
    cuts = [cut for cut in cuts if cut <= self.cell_length]
    if cuts == [self.cell_length]:
        return [self]
    return _textual_divide(self, cuts)


def divide_without_cycles() -> None:
    """Make ``Strip.divide`` leave no garbage in reference cycles (once, at start-up).

    Textual's caches its result in the strip, and for a cut at the strip's end (what the
    compositor asks of nearly every line it paints) that result is ``[self]``: the strip, its
    segments and caches (13 objects) then wait for the cycle collector. Over a 4,000-chunk
    answer in the pty: a quarter fewer objects collected (BENCHMARKS.md, 8). Relies on
    ``Strip.divide``'s filtering of the cuts (repeated here) and ``Strip.cell_length``.
    """
    Strip.divide = _divide  # type: ignore[method-assign]


def remove_unheld(parent: Widget, widgets: Sequence[Widget]) -> AwaitRemove:
    """``parent.remove_children(widgets)``, without the app's message loop waiting for it.

    Textual's ``App._prune`` also queues the removal on the app (``call_next``: an
    ``events.Callback`` around a ``partial`` in ``MessagePump._next_callbacks``), so the app
    takes no message, typed keys included, until the removed widgets' tasks have closed: 7-23 ms
    when a message leaves the window as an answer streams (traced: the slowest keys waited
    there). The caller awaits the removal; keys go to widgets that stay.
    """
    removal = parent.remove_children(widgets)
    queued = parent.app._next_callbacks
    queued[:] = [c for c in queued if getattr(c.callback, "func", None) is not removal]
    return removal


# -- frames ------------------------------------------------------------------------------

if TYPE_CHECKING:
    _ScreenBase = Screen[Any]
else:  # a plain mixin at run time, like UpdatesInPlace
    _ScreenBase = object


class _FrameTimer(Timer):
    """The screen's update timer, paced from the last frame rather than on a fixed grid.

    Textual's ``Timer._run`` (``skip=True``) counts one interval too many after a tick that
    came late, and the screen's ticks always come late (the timer is paused until the screen
    is dirty): the next frame then waits one to two intervals, not up to one, with the loop
    idle meanwhile. Here a frame runs as soon as the screen is dirty, once an interval has
    passed since the last one began (``UPDATE_PERIOD``: chat-tui starts Textual at 120).
    Relies on ``Timer._active`` (the event ``pause`` and ``resume`` clear and set),
    ``Timer._target``, ``Timer._tick`` and ``App._batch_count`` (no frame during a batch).

    Input goes first: a typed key reaches the screen through three queues (the app's, the
    focused widget's, then the screen's, which learns what to repaint), and a frame due
    meanwhile ran before the next of them, so a key waited one frame per queue when frames were
    long (7-15 ms in the second after a 1 MB result: 50 ms keys, traced). While a message waits
    in one of them, the frame lets the loop turn first (up to ``INPUT_TURNS`` times), and the
    key shows in that frame (BENCHMARKS.md, 8).
    """

    _clock = staticmethod(time.monotonic)
    _sleep = staticmethod(asyncio.sleep)
    INPUT_TURNS = 4  # turns of the loop a frame lets input go first: app, widget, screen, and one spare

    async def _run(self) -> None:
        interval = self._interval
        last = -interval
        while True:
            await self._active.wait()
            wait = last + interval - self._clock()
            if wait > 0:
                await self._sleep(wait)
                await self._active.wait()  # (a layout refresh may have painted meanwhile)
            screen = cast("Screen[Any] | None", self._target())  # (the screen it was made for)
            if screen is not None and screen.app._batch_count:
                # The frame would do nothing (Textual's pauses too): the batch's end makes the
                # screen idle, which resumes this, and the frame then is not held back.
                self.pause()
                continue
            for _ in range(self.INPUT_TURNS):  # (see the class's doc)
                if not _input_pending(screen):
                    break
                await asyncio.sleep(0)
            last = self._clock()
            try:
                await self._tick(next_timer=last, count=0)
            except EventTargetGone:
                break


def _input_pending(screen: Screen[Any] | None) -> bool:
    """A message waits for the app (a key, say), the focused widget (the key it was given) or the
    screen (what the key made it repaint)."""
    if screen is None:
        return False
    app = screen.app
    focused = app.focused
    return bool(
        app.message_queue_size or screen.message_queue_size or (focused is not None and focused.message_queue_size)
    )


class PacedFrames(_ScreenBase):
    """A screen mixin: its frames come from :class:`_FrameTimer`. Put it first among the bases.

    Relies on ``Screen._update_timer``, the property through which the screen pauses and
    resumes its timer (created on first use in ``_Screen__update_timer``, started with
    ``Timer._start`` and kept in ``MessagePump._timers``, as ``set_interval`` does), and on
    ``Screen._on_timer_update``, the frame.
    """

    @property
    def _update_timer(self) -> Timer:
        attributes = vars(self)  # (the attribute's name is mangled: Screen's ``__update_timer``)
        timer: Timer | None = attributes["_Screen__update_timer"]
        if timer is None:
            timer = _FrameTimer(self, UPDATE_PERIOD, name="screen_update", callback=self._on_timer_update, pause=True)
            timer._start()
            self._timers.add(timer)
            attributes["_Screen__update_timer"] = timer
        return timer


# -- crashes -------------------------------------------------------------------------------

if TYPE_CHECKING:
    _AppBase = App[Any]
else:  # a plain mixin at run time, like UpdatesInPlace
    _AppBase = object


class CrashReportWithoutLocals(_AppBase):
    """An app mixin: a crash prints its traceback without local variables, and exits with 1.

    Textual's ``App._fatal_error`` prints every frame's locals, which can hold an API key.
    This replaces it, doing what it does otherwise: ring the bell, add the traceback to
    ``App._exit_renderables`` and close with ``App._close_messages_no_wait``. Textual also
    leaves the return code at 0 when a stylesheet error ends in ``panic``: this sets
    ``App._return_code`` to 1 there. Put it first among the bases.
    """

    def panic(self, *renderables: Any) -> None:
        self._return_code = 1
        super().panic(*renderables)

    def _fatal_error(self) -> None:
        from rich.traceback import Traceback  # (only on a crash)

        self.bell()
        self._exit_renderables.append(Traceback(show_locals=False, width=None))
        self._close_messages_no_wait()
