"""Long threads stay a window of widgets; hostile content shows literally and never escapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import pytest
from textual.drivers.headless_driver import HeadlessDriver
from textual.widgets import Markdown

from chat_tui.client import LangGraphClient
from chat_tui.ui.widgets.conversation_view import WINDOW
from chat_tui.ui.widgets.entries import AssistantMessage, EntryWidget, UserMessage
from chat_tui.ui.widgets.tool_panel import ToolPanel
from tests.support.pilot import connected, make_app, run_finished, send, type_burst, wait_until
from tests.support.threads import long_thread

pytestmark = pytest.mark.server
SIZE = (120, 40)


async def test_a_long_thread_mounts_a_window_and_scrolling_up_brings_the_rest(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    thread_id = await long_thread(client, 150)  # 350 messages
    app = make_app(server_url, user_dirs["data"], thread=thread_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        view = screen.view
        await wait_until(pilot, lambda: view.conversation and view.conversation.thread_id == thread_id, what="open")
        await wait_until(pilot, lambda: list(view.query(UserMessage)), what="widgets")
        mounted = list(view.query(EntryWidget))
        assert 0 < len(mounted) <= WINDOW
        assert mounted[-1].copy_text().startswith("## Answer 149")
        await wait_until(pilot, lambda: view.max_scroll_y > 0 and view.scroll_y == view.max_scroll_y, what="layout")
        assert view.following
        # scrolling to the very top re-creates the older entries from data, without jumping
        await wait_until(pilot, lambda: not view.filling, what="the window to fill")
        first = view.query(EntryWidget).first()
        view.scroll_to(y=1, animate=False, immediate=True)  # (the top itself brings the older entries)
        await pilot.pause(0.1)
        read_at = first.region.y  # where the window's first entry is on screen
        assert first.region.height > 0 and view.window.earlier > 0
        view.scroll_home(animate=False, immediate=True)  # one line further up: it moves down by one
        await wait_until(pilot, lambda: view.query(EntryWidget).first() is not first, what="hydration")
        await wait_until(pilot, lambda: not view.moving, what="the hydration to settle")
        await pilot.pause(0.5)  # (their Markdown lays out over a few frames)
        assert first.region.y == read_at + 1 and view.scroll_y > 0  # it did not jump away
        view.focus()
        await pilot.press("home")
        await wait_until(
            pilot, lambda: view.query(UserMessage).first().message.text == "question 0", what="the very top"
        )
        # the top is a window of its own (the thread is never mounted whole), with a marker below
        await wait_until(pilot, lambda: not view.filling, what="the top window to fill")
        assert len(view.query(EntryWidget)) <= WINDOW
        later = view.query_one(".later")
        assert later.display and "later" in str(later.render())
        # scrolling down past its bottom brings the next entries (and drops the first ones)
        before = [w.copy_text() for w in view.query(EntryWidget)]
        for _ in range(3):
            view.scroll_end(animate=False, immediate=True)
            await wait_until(pilot, lambda: not view.moving, what="an extension")
            await pilot.pause(0.1)
        after = [w.copy_text() for w in view.query(EntryWidget)]
        assert after[-1] not in before and len(after) <= WINDOW + 15
        assert not view.following  # still far from the end: new output would show a marker
        await pilot.press("end")
        await wait_until(
            pilot, lambda: view.query(EntryWidget).last().copy_text().startswith("## Answer 149"), what="end"
        )
        assert view.following and not later.display
        # switching threads unmounts the old one
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: not list(view.query(EntryWidget)), what="an empty pane")


class CaptureDriver(HeadlessDriver):
    """Renders real terminal bytes (not headless) and keeps them."""

    captured: ClassVar[list[str]] = []

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        CaptureDriver.captured.append(data)

    def flush(self) -> None:
        pass


PAYLOADS = [
    "\x1b]52;c;UFdORUQ",  # OSC 52: clipboard write
    "\x1b]0;PWNED",  # OSC 0: window title
    "\x1b]0;TOOL-TITLE",
    "\x1b]8;;https://evil",  # OSC 8: hyperlink
    "\x9b2J",  # 8-bit CSI
    "\x9d0;C1",  # 8-bit OSC
    "\x1b[2J clear",
    "\x1b]0;SIDEBAR-PWN",  # a hostile thread title
    "\x1bPq#0;DCS-PWN",  # device control string
    "\x1b_APC-PWN",  # application program command
]


async def test_hostile_content_shows_literally_and_no_sequence_reaches_the_terminal(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    await client.threads.create(metadata={"title": "evil [/] title \x1b]0;SIDEBAR-PWN\x07 [@click=app.quit]x[/]"})
    CaptureDriver.captured.clear()
    app = make_app(server_url, user_dirs["data"], driver_class=CaptureDriver)
    quit_calls: list[Any] = []
    app.action_quit = lambda: quit_calls.append(1)  # type: ignore[method-assign]
    async with app.run_test(size=SIZE, headless=False) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.threads.option_count > 0, what="threads")
        await send(pilot, "hostile")
        await run_finished(pilot)
        for panel in screen.view.query(ToolPanel):
            panel.focus()
            await pilot.press("enter")
        await pilot.pause(0.3)
        answer = screen.view.query(AssistantMessage).first()
        source = answer.query_one(Markdown).source
        assert "[@click=app.quit]" in source and "␛]52;c;UFdORUQ=" in source
        panel = screen.view.query(ToolPanel).first()
        assert "[@click=app.quit]" in str(panel.header_content())
        answer.scroll_visible(animate=False)
        await pilot.pause(0.2)
        shown = app.export_screenshot().replace("&#160;", " ")
        for literal in ("[@click=app.quit]click me[/]", "[b]bold?[/b]", "你好", "안녕하세요", "🚀"):
            assert literal in shown, f"{literal!r} is not on the screen as written"
        await pilot.press("ctrl+p")
        await pilot.press(*"evil")
        await pilot.pause(0.5)
        await pilot.press("escape")
        svg = app.export_screenshot()
        await pilot.pause(0.2)
    written = "".join(CaptureDriver.captured)
    assert written, "the capture driver saw no output"
    for payload in PAYLOADS:
        assert payload not in written, f"{payload!r} reached the terminal"
    assert "\x1b" not in svg and "\x9b" not in svg
    assert quit_calls == []  # no action link fired


async def test_only_http_links_open_and_only_after_asking(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    opened: list[str] = []
    app.open_url = lambda url, **_: opened.append(url)  # type: ignore[method-assign,assignment]
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        markdown = Markdown("x")
        await screen.view.mount(markdown)
        screen.post_message(Markdown.LinkClicked(markdown, "ssh://attacker.example"))
        await pilot.pause(0.2)
        assert opened == [] and any("not opening" in str(n.message) for n in app._notifications)
        screen.post_message(Markdown.LinkClicked(markdown, "https://example.com/page"))
        await wait_until(pilot, lambda: app.screen is not screen, what="the confirmation")
        await pilot.press("y")
        await wait_until(pilot, lambda: opened, what="the browser")
        assert opened == ["https://example.com/page"]


async def test_large_tool_results_mount_only_when_expanded_in_a_log(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    from chat_tui.ui.widgets.line_view import LineView as Log

    thread = await client.threads.create(metadata={"graph_id": "agent"})
    big = "\n".join(f"line {n}: " + "x" * 60 for n in range(5000))  # ~350 KB
    await client.threads.update_state(
        thread.thread_id,
        {
            "messages": [
                {"type": "human", "content": "dump the logs", "id": "h-big"},
                {
                    "type": "ai",
                    "content": "",
                    "id": "a-big",
                    "tool_calls": [{"id": "c-big", "name": "read_logs", "args": {}}],
                },
                {"type": "tool", "content": big, "tool_call_id": "c-big", "id": "t-big"},
            ]
        },
        as_node="agent",
    )
    app = make_app(server_url, user_dirs["data"], thread=thread.thread_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        panel = await wait_until(
            pilot,
            lambda: screen.view.query(ToolPanel).first() if screen.view.query(ToolPanel) else None,
            what="the panel",
        )
        assert not panel.expanded and not list(panel.query(Log))  # nothing big in the DOM while folded
        assert "342.3 KB" in str(panel.header_content()) or "KB" in str(panel.header_content())
        panel.focus()
        await pilot.press("enter")
        log = await wait_until(pilot, lambda: panel.query(Log).first() if panel.query(Log) else None, what="the log")
        assert log.line_count == 5000
        await pilot.press("enter")
        await wait_until(pilot, lambda: not list(panel.query(Log)), what="the log to leave the DOM")


async def test_scrolled_up_stops_following_and_shows_a_marker(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    thread_id = await long_thread(client, 20)
    app = make_app(server_url, user_dirs["data"], thread=thread_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        view = screen.view
        await wait_until(pilot, lambda: view.max_scroll_y > 0 and view.following, what="a scrollable thread")
        screen.service.context = {"delay_ms": 12}  # type: ignore[union-attr]
        await send(pilot, "a long answer please")
        await wait_until(
            pilot,
            lambda: any(w.message.text for w in view.query(AssistantMessage) if w.message.status == "streaming"),
            what="streaming",
        )
        await pilot.press("pageup", "pageup")
        marker = screen.query_one("#new-output")
        await wait_until(pilot, lambda: marker.display, what="the new-output marker")
        position = view.scroll_y
        await pilot.pause(0.5)
        assert view.scroll_y == position  # not dragged along while reading
        view.focus()
        await pilot.press("end")
        await wait_until(pilot, lambda: not marker.display and view.following, what="following again")
        await run_finished(pilot, timeout=60)
        assert view.scroll_y == view.max_scroll_y


async def test_up_and_down_walk_this_threads_prompts(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        for text in ("first prompt", "second prompt"):
            await send(pilot, text)
            await run_finished(pilot)
        await pilot.press(*"draft")
        await pilot.press("up")
        assert screen.composer.text == "second prompt"
        await pilot.press("up")
        assert screen.composer.text == "first prompt"
        await pilot.press("down", "down")
        assert screen.composer.text == "draft"  # back to what was being typed


async def test_sending_while_scrolled_up_brings_the_new_turn_into_view(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    from chat_tui.ui.widgets.entries import InterruptBlock

    thread_id = await long_thread(client, 20)
    app = make_app(server_url, user_dirs["data"], thread=thread_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        view = screen.view
        pane = screen.query_one("#pane")
        await wait_until(pilot, lambda: view.max_scroll_y > 0 and view.following, what="a scrollable thread")
        view.scroll_home(animate=False, immediate=True)
        await pilot.pause()
        height = view.size.height
        await send(pilot, "delete the report")
        await run_finished(pilot)
        question = await wait_until(pilot, lambda: view.query(InterruptBlock).last(), what="the question")
        mine = [w for w in view.query(UserMessage) if w.message.text == "delete the report"][-1]
        for widget in (mine, question):  # both on screen, inside the pane
            assert pane.region.contains_region(widget.region), widget
        marker = screen.query_one("#new-output")
        assert not marker.display and view.size.height == height
        marker.display = True  # when it shows, it sits inside the pane and the pane keeps its size
        await pilot.pause()
        assert pane.region.contains_region(marker.region) and view.size.height == height
        assert marker.region.bottom <= screen.composer.region.y


async def test_tab_letters_and_p_in_the_message_pane(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    """Tab from the composer reaches the newest messages (no jump to the thread's top); letters typed in
    the pane go to the composer unless they are the pane's keys; `p` reaches a message's tool panels."""
    thread_id = await long_thread(client, 20)
    app = make_app(server_url, user_dirs["data"], thread=thread_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        view = screen.view
        await wait_until(pilot, lambda: view.max_scroll_y > 0 and view.following, what="a scrollable thread")
        await send(pilot, "what's the weather in sf")
        await run_finished(pilot)
        at_end = lambda: view.is_vertical_scroll_end  # noqa: E731
        await wait_until(pilot, at_end, what="the pane at its end")
        await pilot.press("tab")
        # Still at the end. (Not scroll_y against its value before Tab: the run's last flush can put
        # the blocks above the view to sleep after the run ended, which shrinks scroll_y at the end.)
        assert screen.focused is view
        await wait_until(pilot, at_end, timeout=2, what="the pane still at its end")
        assert "Write" in [key.description for key in screen.query("FooterKey")]  # type: ignore[attr-defined]
        await pilot.press("up")  # the newest message: the answer after the tool call
        await pilot.press("up")  # the message that called the tool
        await pilot.press("p")
        assert isinstance(screen.focused, ToolPanel)
        await pilot.press("h", "i")  # not keys of the pane: typed into the composer
        assert screen.focused is screen.composer and screen.composer.text == "hi"
        await pilot.press("tab", "tab")  # there and back
        assert screen.focused is screen.composer

        # Typed fast (a terminal delivers a burst in one read) while a tool panel has the focus: after
        # the first letter every key is the composer's, the pane's own keys (space, p, Enter) included.
        screen.composer.clear()
        panel = screen.view.query(ToolPanel).first()
        panel.focus()
        await wait_until(pilot, lambda: screen.focused is panel, what="the panel focused")
        expanded = panel.expanded
        await type_burst(pilot, "do p")
        # (any human message: the answer may already follow it when the poll looks, under load)
        sent = lambda: any(m.role == "human" and m.text == "do p" for m in screen.conversation.messages)  # noqa: E731
        await wait_until(pilot, sent, what="the message sent")
        assert panel.expanded == expanded  # the space was typed, not a toggle of the panel


async def test_a_one_megabyte_line_wraps_says_its_size_and_saves_to_a_file(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    from chat_tui.ui.widgets.line_view import LineView as Log

    thread = await client.threads.create(metadata={"graph_id": "agent"})
    line = "".join(f"{n:07d}," for n in range(125_000))  # 1,000,000 characters, no newline
    await client.threads.update_state(
        thread.thread_id,
        {
            "messages": [
                {"type": "human", "content": "dump", "id": "h-1mb"},
                {
                    "type": "ai",
                    "content": "",
                    "id": "a-1mb",
                    "tool_calls": [{"id": "c-1mb", "name": "dump", "args": {}}],
                },
                {"type": "tool", "content": line, "tool_call_id": "c-1mb", "id": "t-1mb"},
            ]
        },
        as_node="agent",
    )
    app = make_app(server_url, user_dirs["data"], thread=thread.thread_id)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen = await connected(pilot)
        panel = await wait_until(pilot, lambda: next(iter(screen.view.query(ToolPanel)), None), what="the panel")
        panel.focus()
        await pilot.press("enter")
        log = await wait_until(pilot, lambda: next(iter(panel.query(Log)), None), what="the log")
        width = 100 - 12
        assert log.line_count == -(-1_000_000 // width) and max(len(row) for row in log.lines) == width
        assert "976.6 KB" in str(panel.query_one(".tool-result-label").render())
        await pilot.press("s")
        saved = user_dirs["data"] / "tool-results" / "dump-c-1mb.txt"
        await wait_until(pilot, saved.exists, what="the file")
        assert saved.read_text(encoding="utf-8") == line
        assert any(str(saved) in n.message for n in app._notifications)
