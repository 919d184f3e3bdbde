"""Canaries for chat_tui.ui.textual_compat: one per Textual internal it relies on.

Each test fails when the internal changes shape (renamed, retyped, or no longer behaving
as the compatibility module assumes), so a Textual upgrade breaks here first, in one file.
No server needed.
"""

from __future__ import annotations

import asyncio
import gc
import inspect
from typing import Any, ClassVar

import pytest
from markdown_it.token import Token
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import UPDATE_PERIOD, Screen
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Input, Markdown, OptionList, Static, TextArea
from textual.widgets.markdown import MarkdownBlock
from textual.widgets.option_list import Option

from chat_tui.ui import textual_compat as compat
from chat_tui.ui.textual_compat import (
    CrashReportWithoutLocals,
    MarkdownBulletList,
    MarkdownListItem,
    MarkdownParagraph,
    MarkdownTable,
    PacedFrames,
    RowCachingOptionList,
    UpdatesInPlace,
    anchor_released,
    bindings_for_key,
    block_children,
    block_origin,
    block_text,
    release_block_children,
    remove_unheld,
    table_cells,
)


class Host(App[None]):
    def __init__(self, *widgets: Widget) -> None:
        super().__init__()
        self.widgets = widgets

    def compose(self) -> ComposeResult:
        yield from self.widgets


# -- Markdown blocks -------------------------------------------------------------------------


def test_the_markdown_block_classes_come_from_textuals_private_module() -> None:
    from textual.widgets import _markdown

    for name in compat.MARKDOWN_BLOCK_CLASSES:
        cls = getattr(compat, name)
        assert cls is getattr(_markdown, name) and issubclass(cls, Widget), name
    assert issubclass(MarkdownTable, MarkdownBlock) and issubclass(MarkdownBulletList, MarkdownBlock)
    with pytest.raises(AttributeError):
        compat.MarkdownNothing  # noqa: B018


seen: dict[str, Any] = {}


class ProbeList(MarkdownBulletList):
    """Records what the compat functions read of a parsed list, as the compact list does."""

    def compose(self) -> ComposeResult:
        items = block_children(self)
        seen["items"] = items
        seen["first"] = block_children(items[0])
        seen["origin"] = block_origin(items[0])
        release_block_children(self)
        seen["released"] = block_children(self)
        return iter(())


class ProbeTable(UpdatesInPlace, MarkdownTable):
    def compose(self) -> ComposeResult:
        seen.setdefault("cells", []).append(table_cells(self))
        return iter(())

    async def update_in_place(self, block: MarkdownBlock) -> bool:
        seen.setdefault("updates", []).append(table_cells(block) if isinstance(block, MarkdownTable) else None)
        return True


class ProbeMarkdown(Markdown):
    BLOCKS: ClassVar[dict[str, type[MarkdownBlock]]] = {
        **Markdown.BLOCKS,
        "bullet_list_open": ProbeList,
        "table_open": ProbeTable,
    }


async def test_a_parsed_block_holds_its_children_text_document_and_token_until_composed() -> None:
    seen.clear()
    markdown = ProbeMarkdown("- **one** item\n- two\n")
    async with Host(markdown).run_test() as pilot:
        await pilot.pause()
        items = seen["items"]
        assert all(isinstance(item, MarkdownListItem) for item in items) and len(items) == 2
        paragraph = seen["first"][0]
        assert isinstance(paragraph, MarkdownParagraph)
        text = block_text(paragraph)
        assert isinstance(text, Content) and text.plain == "one item" and text.spans  # bold kept as a span
        document, token = seen["origin"]
        assert document is markdown and isinstance(token, Token) and token.type == "list_item_open"
        assert seen["released"] == []
        assert list(inspect.signature(MarkdownBlock.__init__).parameters)[1:3] == ["markdown", "token"]


async def test_a_table_gives_its_cells_and_takes_a_streamed_reparse_in_place() -> None:
    seen.clear()
    markdown = ProbeMarkdown()
    async with Host(markdown).run_test() as pilot:
        await markdown.append("| a | b |\n|---|---|\n| 1 | 2 |\n")
        await pilot.pause()
        await markdown.append("| 3 | 4 |\n")  # the same table, re-parsed: handed to the one mounted
        await pilot.pause()
        headers, rows = seen["cells"][0]
        assert [h.plain for h in headers] == ["a", "b"] and [[c.plain for c in r] for r in rows] == [["1", "2"]]
        (update,) = seen["updates"]
        assert [[c.plain for c in r] for r in update[1]] == [["1", "2"], ["3", "4"]]
        assert len(markdown.query(ProbeTable)) == 1  # kept, not replaced
    assert inspect.iscoroutinefunction(MarkdownBlock._update_from_block)
    assert list(inspect.signature(MarkdownBlock._update_from_block).parameters) == ["self", "block"]


# -- OptionList ------------------------------------------------------------------------------


def test_option_list_internals_have_the_shapes_the_row_cache_reads() -> None:
    option = Option(Content("x"))
    assert option._divider is False
    option._set_prompt(Content("y"))
    assert option.prompt == Content("y")
    option_list = OptionList()
    assert isinstance(option_list._line_cache.lines, list) and isinstance(option_list._line_cache.heights, dict)
    assert callable(option_list._option_render_cache.clear)
    for name in ("_clear_caches", "_get_visual", "_get_left_gutter_width"):
        assert callable(getattr(option_list, name)), name
    # Textual's only Resize handler in an OptionList's classes, which the row cache replaces:
    handlers = [c for c in OptionList.__mro__ if "_on_resize" in vars(c) or "on_resize" in vars(c)]
    assert handlers == [OptionList]


async def test_rows_are_measured_once_per_width_and_one_row_can_change_alone() -> None:
    rows = RowCachingOptionList()
    async with Host(rows).run_test(size=(40, 20)) as pilot:
        rows.add_options(Option(Content(f"row {n}\nsecond line"), id=str(n)) for n in range(100))
        await pilot.pause()
        measured = list(rows.measured_rows())
        assert measured[:3] == [(0, 0), (0, 1), (1, 0)]
        rows.set_prompt_keeping_heights(5, Content("renamed\nsecond line"))  # same height: nothing re-measured
        assert list(rows.measured_rows()) == measured
        assert rows.get_option_at_index(5).prompt == Content("renamed\nsecond line")
        rows.set_prompt_keeping_heights(6, Content("three\nlines\nnow"))  # another height: all re-measured
        assert list(rows.measured_rows()) == []
        await pilot.pause()
        assert [line for line in rows.measured_rows() if line[0] == 6] == [(6, 0), (6, 1), (6, 2)]
        measured = list(rows.measured_rows())
        rows.add_options([Option("one more")])  # the virtual size changes: a Resize, same width
        await pilot.pause()
        assert list(rows.measured_rows())[: len(measured)] == measured


# -- bindings, anchoring, crashes ------------------------------------------------------------


class Keys(Static, can_focus=True):
    BINDINGS: ClassVar[list[Binding]] = [Binding("enter", "go", "Go", id="keys.go")]


async def test_a_nodes_own_bindings_are_found_by_key_with_the_keymap_applied() -> None:
    keys = Keys()
    app = Host(keys)
    async with app.run_test():
        assert isinstance(keys._bindings, BindingsMap) and isinstance(app._keymap, dict)
        assert [b.action for b in bindings_for_key(keys, "enter")] == ["go"]
        app.set_keymap({"keys.go": "f9"})
        assert [b.action for b in bindings_for_key(keys, "f9")] == ["go"]
        assert bindings_for_key(keys, "enter") == []
        assert [b.action for b in keys._bindings.key_to_bindings["enter"]] == ["go"]  # (the class's own, unmapped)


class Typing(TextArea):
    """Like the composer: its own key handler runs before TextArea inserts the text."""

    def on_key(self, event: events.Key) -> None:
        if event.key == "x":
            event.prevent_default()


async def test_a_text_areas_own_key_handler_runs_first_and_can_stop_the_insert() -> None:
    area = Typing()
    async with Host(area).run_test() as pilot:
        area.focus()
        await pilot.press("a", "x", "b")
        assert area.text == "ab"
    assert inspect.iscoroutinefunction(TextArea._on_key)


async def test_the_anchor_is_released_by_a_scroll_and_restored_at_the_end() -> None:
    pane = VerticalScroll(*(Static(f"line {n}") for n in range(100)))
    async with Host(pane).run_test(size=(40, 10)) as pilot:
        pane.anchor()
        await pilot.pause()
        assert pane.is_anchored and anchor_released(pane) is False
        pane.scroll_home(animate=False, immediate=True)
        assert pane.is_anchored and anchor_released(pane) is True  # still anchored, but not following
        pane.scroll_to(y=pane.max_scroll_y, animate=False, immediate=True)  # back at the end: following again
        assert anchor_released(pane) is False
        pane.scroll_home(animate=False, immediate=True)
        pane.anchor()  # (what End does)
        assert anchor_released(pane) is False


class SlowToGo(Static):
    """A widget whose teardown waits for *gate*: its removal stays pending until then."""

    def __init__(self, gate: asyncio.Event) -> None:
        super().__init__("going")
        self.gate = gate

    async def on_unmount(self) -> None:
        await self.gate.wait()


async def test_a_removal_in_progress_does_not_hold_up_the_apps_keys() -> None:
    gate = asyncio.Event()
    field, held, unheld = Input(), SlowToGo(gate), SlowToGo(gate)
    async with Host(field, held, unheld).run_test() as pilot:
        app = pilot.app
        field.focus()
        await pilot.pause()
        textual_removal = app.screen.remove_children([held])
        removal: asyncio.Future[None] | None = None
        try:
            # Textual's own removal is queued on the app (its loop waits for it): the shape relied on.
            assert [c.callback.func for c in app._next_callbacks] == [textual_removal]  # type: ignore[attr-defined]
            app._next_callbacks.clear()  # (this test awaits it below)
            removal = asyncio.ensure_future(remove_unheld(app.screen, [unheld]))
            assert app._next_callbacks == []
            app.post_message(events.Key("x", "x"))  # (typed, as the driver posts it)
            await _until(lambda: field.value == "x")
            assert not removal.done()  # the key went first: the removal still waits for its widget
        finally:
            gate.set()  # (a failure above must not leave the app waiting for ever)
        assert removal is not None
        await asyncio.wait_for(removal, 5)
        await asyncio.wait_for(textual_removal, 5)
        assert held not in app.screen.children and unheld not in app.screen.children


class Crashing(CrashReportWithoutLocals, App[int]):
    def on_mount(self) -> None:
        secret = "-".join(["LOCAL", "VALUE"])  # (as a local it would show as 'LOCAL-VALUE')
        raise RuntimeError(f"deliberate ({len(secret)})")


async def test_the_crash_report_replaces_textuals_and_keeps_its_exit_path(capsys: pytest.CaptureFixture[str]) -> None:
    app = Crashing()
    assert isinstance(app._exit_renderables, list) and app._return_code is None
    assert callable(app._close_messages_no_wait)
    assert "_fatal_error" in vars(App) and "panic" in vars(App)  # the two methods the mixin replaces
    with pytest.raises(RuntimeError):
        async with app.run_test():
            pass
    printed = capsys.readouterr().err
    assert "deliberate (11)" in printed and "LOCAL-VALUE" not in printed  # the traceback, without locals
    panicking = Crashing()
    panicking.panic("stylesheet error")
    assert panicking.return_code == 1


# -- strips ----------------------------------------------------------------------------------


def _strip() -> Strip:
    return Strip([Segment("hello "), Segment("wide 世界", Style(bold=True)), Segment(" !")], 17)


@pytest.mark.parametrize("cuts", [[17], [20], [6, 17], [3, 9, 17], [0, 17], [], [5], [17, 17]])
def test_a_strip_divides_into_the_same_strips_as_textuals(cuts: list[int]) -> None:
    ours, textuals = compat._divide(_strip(), cuts), compat._textual_divide(_strip(), cuts)
    assert [(s.text, s.cell_length, list(s)) for s in ours] == [(s.text, s.cell_length, list(s)) for s in textuals]


def test_a_strip_divided_at_its_end_leaves_no_garbage_in_a_cycle() -> None:
    """Textual's caches the strip in itself (the shape relied on); ours leaves nothing to collect."""
    strip = _strip()
    assert compat._textual_divide(strip, [17]) == [strip] and strip._divide_cache[(17,)] == [strip]
    del strip
    enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        for _ in range(100):
            compat._divide(_strip(), [17])
        ours = gc.collect()
        for _ in range(100):
            compat._textual_divide(_strip(), [17])
        textuals = gc.collect()
    finally:
        if enabled:
            gc.enable()
    assert textuals >= 100 * 4 and ours < 50
    compat.divide_without_cycles()
    assert Strip.divide is compat._divide


# -- frames ----------------------------------------------------------------------------------


class Paced(PacedFrames, Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self.frames = 0

    def compose(self) -> ComposeResult:
        yield Static("before", id="text")

    def _on_timer_update(self) -> None:
        self.frames += 1
        super()._on_timer_update()


class PacedHost(App[None]):
    def get_default_screen(self) -> Screen[Any]:
        return Paced()


async def _until(predicate: Any, timeout: float = 5.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        assert loop.time() < deadline, "timed out"
        await asyncio.sleep(0.001)


async def test_a_paced_screen_paints_through_the_frame_timer() -> None:
    assert isinstance(inspect.getattr_static(Screen, "_update_timer"), property)
    app = PacedHost()
    async with app.run_test() as pilot:
        screen = app.screen
        assert isinstance(screen, Paced)
        timer = screen._update_timer
        assert isinstance(timer, compat._FrameTimer) and screen._Screen__update_timer is timer
        assert timer._interval == UPDATE_PERIOD
        assert timer in screen._timers and timer._task is not None
        painted = screen.frames
        screen.query_one("#text", Static).update("after")
        await _until(lambda: screen.frames > painted)
        await pilot.pause()
        assert not timer._active.is_set() and not screen._dirty_widgets  # painted, then paused until dirty


async def test_a_frame_waits_an_interval_from_the_last_one_not_for_a_grid_point() -> None:
    """Textual's timer waits 1-2 intervals after a late tick; this one waits what is left of one."""
    async with PacedHost().run_test() as pilot:
        now = 100.0
        sleeps: list[float] = []
        frames: list[float] = []

        async def sleep(seconds: float) -> None:
            nonlocal now
            sleeps.append(round(seconds, 6))
            now += seconds

        def frame() -> None:
            frames.append(now)
            timer.pause()  # (as the screen's frame does)

        timer = compat._FrameTimer(pilot.app.screen, 0.016, callback=frame, pause=True)
        timer._clock = lambda: now  # type: ignore[method-assign]
        timer._sleep = sleep  # type: ignore[method-assign]
        timer._start()
        try:
            timer.resume()
            await _until(lambda: len(frames) == 1)
            now += 0.030  # dirty long after the last frame: painted at once
            timer.resume()
            await _until(lambda: len(frames) == 2)
            assert sleeps == [] and frames == [100.0, 100.03]
            now += 0.004  # dirty 4 ms after it: the 12 ms left of the interval
            timer.resume()
            await _until(lambda: len(frames) == 3)
            assert sleeps == [0.012] and frames[2] == pytest.approx(100.046)
            now += 0.020
            with pilot.app.batch_update():  # no frame while a batch is open, and none counted
                timer.resume()
                await _until(lambda: not timer._active.is_set())
                assert len(frames) == 3 and pilot.app._batch_count == 1
            timer.resume()  # (the batch's end makes the screen idle, which resumes it)
            await _until(lambda: len(frames) == 4)
            assert sleeps == [0.012] and frames[3] == pytest.approx(100.066)
        finally:
            timer.stop()


async def test_a_frame_due_lets_a_typed_key_reach_its_widget_first() -> None:
    """A key waiting in the app's queue, then the focused widget's, goes before a frame due."""
    async with PacedHost().run_test() as pilot:
        field = Input()
        await pilot.app.screen.mount(field)
        field.focus()
        await pilot.pause()
        seen: list[str] = []

        def frame() -> None:
            seen.append(field.value)
            timer.pause()

        timer = compat._FrameTimer(pilot.app.screen, 0.016, callback=frame, pause=True)
        timer._start()
        try:
            pilot.app.post_message(events.Key("x", "x"))  # (typed, as the driver posts it)
            timer.resume()  # a frame is due in the same turn of the loop
            await _until(lambda: len(seen) == 1)
            assert seen == ["x"]
        finally:
            timer.stop()


def test_every_screen_of_the_app_paints_through_the_frame_timer() -> None:
    """The mixin is on each screen class by hand: a new screen without it would paint late."""
    import importlib
    import pkgutil

    import chat_tui.ui.screens as screens

    for module in pkgutil.iter_modules(screens.__path__):
        importlib.import_module(f"{screens.__name__}.{module.name}")
    found = [cls for cls in _subclasses(Screen) if cls.__module__.startswith("chat_tui.")]
    assert len(found) > 10
    assert [cls.__qualname__ for cls in found if not issubclass(cls, PacedFrames)] == []


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_subclasses(sub)]
    return out
