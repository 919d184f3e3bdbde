"""The event inspector (F12) under Pilot against the real demo server: every SSE event of a run with
parallel tool calls, listed in order with its mode and node (checked against the same run streamed
with the client directly); filters, search, expand, copy, follow; and the thread's log kept when
the thread is opened again."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from chat_tui.client import LangGraphClient
from chat_tui.client.modes import DEFAULT_STREAM_MODES
from chat_tui.conversation.event_log import summarize
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.widgets.event_inspector import EventInspector
from tests.support.pilot import connected, make_app, run_finished, send, wait_until

pytestmark = pytest.mark.server
SIZE = (160, 45)
PROMPT = "compare paris and tokyo"


async def expected_events(client: LangGraphClient) -> list[tuple[str, str | None]]:
    """(mode, node) of every event of the same run, streamed with the client alone."""
    thread = await client.threads.create()
    seen = []
    async with client.runs.stream(
        thread.thread_id,
        "agent",
        input={"messages": [{"role": "user", "content": PROMPT}]},
        stream_mode=list(DEFAULT_STREAM_MODES),
    ) as stream:
        async for event in stream:
            raw = getattr(event, "raw", None)
            if raw is not None:
                summary = summarize(raw.event, raw.data)
                seen.append((summary.mode, summary.node))
    return seen


async def open_inspector(pilot: Pilot[Any], screen: ChatScreen) -> EventInspector:
    await pilot.press("f12")
    inspector = await wait_until(pilot, lambda: screen.inspector if screen.inspector_shown else None, what="F12")
    assert isinstance(inspector, EventInspector)
    return inspector


def rows(inspector: EventInspector) -> list[tuple[str, str | None]]:
    return [(e.summary().mode, e.summary().node) for e in (inspector.view[i] for i in range(len(inspector.view)))]


def screen_text(inspector: EventInspector) -> str:
    return "\n".join(inspector.list.render_line(y).text for y in range(inspector.list.size.height))


async def test_every_event_of_a_parallel_tool_call_run_in_order_with_mode_and_node(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    expected = await expected_events(client)
    assert ("updates", "tools") in expected and expected[0] == ("metadata", None)
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        inspector = await open_inspector(pilot, screen)
        assert inspector.list.has_focus
        await send(pilot, PROMPT)
        await run_finished(pilot)
        log = screen.conversation.events
        await wait_until(pilot, lambda: len(inspector.view) == log.appended, what="every event listed")
        assert rows(inspector) == expected  # the same events, in the same order, same mode and node
        seqs = [inspector.view[i].seq for i in range(len(inspector.view))]
        assert seqs == sorted(seqs) and log.dropped == 0
        times = [inspector.view[i].at for i in range(len(inspector.view))]
        assert times == sorted(times) and times[0] >= 0
        tools = {t for i in range(len(inspector.view)) for t in inspector.view[i].summary().tools}
        assert tools == {"get_weather"}
        # Following: the cursor is on the newest event, and the last rows are on screen.
        assert inspector.list.following and inspector.list.cursor_seq == seqs[-1]
        text = screen_text(inspector)
        assert "updates" in text and "agent" in text
        assert f"Events {len(seqs)}" in str(inspector.title.render()).replace(",", "")


async def test_filters_search_expand_copy_and_follow(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, PROMPT)
        await run_finished(pilot)
        inspector = await open_inspector(pilot, screen)
        total = screen.conversation.events.appended
        await wait_until(pilot, lambda: len(inspector.view) == total, what="the rows")
        # Filter by mode: only updates, each from a node that ran.
        await pilot.press("slash")
        assert inspector.filter_input.has_focus
        inspector.filter_input.value = "mode:updates"
        await pilot.press("enter")
        assert {m for m, _ in rows(inspector)} == {"updates"}
        assert {n for _, n in rows(inspector)} >= {"agent", "tools"}
        # By node: the tool node's events (its update and the two tool results).
        inspector.apply_filter("node:tools")
        assert rows(inspector) and {n for _, n in rows(inspector)} == {"tools"}
        assert sum(1 for m, _ in rows(inspector) if m == "messages") == 2
        # By namespace: nothing here runs in a subgraph; ns:- is the root graph.
        inspector.apply_filter("ns:researcher")
        assert len(inspector.view) == 0
        inspector.apply_filter("ns:-")
        assert len(inspector.view) == total
        # Search: moves the cursor to an event that holds the text, hides nothing.
        inspector.apply_filter("Tokyo")
        assert len(inspector.view) == total
        found = inspector.list.current()
        assert found is not None and "tokyo" in found.data.lower()
        await pilot.press("n")
        after = inspector.list.current()
        assert after is not None and "tokyo" in after.data.lower()
        assert not inspector.list.following  # reading: new events would not move the view
        # Expand: the event as pretty JSON; Enter folds it again.
        inspector.list.focus()
        await pilot.press("enter")
        assert inspector.detail.display and inspector.detail_seq == after.seq
        assert inspector.detail.line_count > 3 and "  " in inspector.detail.lines[1]
        await pilot.press("c")
        copied = (user_dirs["data"] / "last-copy.txt").read_text(encoding="utf-8")
        assert copied == inspector.detail_text and "tokyo" in copied.lower()
        await pilot.press("enter")
        assert not inspector.detail.display
        # Follow again: End (or f) goes to the newest.
        await pilot.press("end")
        assert inspector.list.following and inspector.list.current() is inspector.view[len(inspector.view) - 1]
        # Esc from the list: back to the composer; F12 hides the pane.
        await pilot.press("escape")
        assert screen.composer.has_focus and screen.inspector_shown
        await pilot.press("f12")
        assert not screen.inspector_shown


async def test_a_thread_opened_again_shows_its_runs_events(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        inspector = await open_inspector(pilot, screen)
        await send(pilot, "hello")
        await run_finished(pilot)
        thread_id = screen.conversation.thread_id
        assert thread_id is not None
        first = screen.conversation.events.appended
        assert first > 2
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: len(inspector.view) == 0, what="a new thread: no events")
        screen.open_thread(thread_id)
        await wait_until(pilot, lambda: screen.conversation.thread_id == thread_id, what="the thread again")
        await wait_until(pilot, lambda: len(inspector.view) == first, what="its events again")


@pytest.fixture(scope="module")
def replay() -> Iterator[Any]:
    """The benchmarks' replay server (its own process): generated streams at full speed."""
    from tests.benchmarks.replay_server import ReplayServer

    with ReplayServer() as server:
        yield server


async def test_twenty_thousand_events_keep_memory_bounded_and_mount_no_widget_per_event(
    replay: Any, user_dirs: dict[str, Path]
) -> None:
    scenario = "mixed:events=20000"
    replay.control("prepare", scenario=scenario)
    app = make_app(replay.url, user_dirs["data"], assistant=scenario)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        inspector = await open_inspector(pilot, screen)
        widgets = len(list(inspector.query("*")))
        await send(pilot, "go")
        await run_finished(pilot, timeout=120)
        log = screen.conversation.events
        await wait_until(pilot, lambda: len(inspector.view) == len(log), what="the rows in step")
        assert log.appended == 20_001  # the metadata event, then 20,000 messages events
        assert log.dropped > 0 and log.dropped + len(log) == log.appended
        assert log.kept_bytes <= log.budget
        rows_shown = inspector.list.scrollable_content_region.height
        assert inspector.list.virtual_size.height >= len(inspector.view)  # (reserved ahead: fewer layouts)
        assert inspector.list.max_scroll_y == inspector.list.scroll_offset.y == len(inspector.view) - rows_shown
        assert len(list(inspector.query("*"))) == widgets  # rows are drawn, not mounted
        assert inspector.list.following and inspector.list.cursor_seq == 20_000
        assert f"{log.dropped:,} dropped" in str(inspector.title.render())


async def test_a_one_megabyte_tool_result_shows_a_summary_and_first_lines_then_all_of_it(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    from chat_tui.ui.widgets.line_view import LineView as Log
    from chat_tui.ui.widgets.tool_panel import ToolPanel

    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "big export")
        await run_finished(pilot)
        panel = await wait_until(pilot, lambda: next(iter(screen.view.query(ToolPanel)), None), what="the panel")
        result = panel.call.result
        assert result is not None and len(result.text) > 1_000_000
        # Folded: one line saying what it is, and its first lines (pretty), nothing mounted for the rest.
        assert not panel.expanded and panel._preview.display
        shown = str(panel._preview.render())
        assert "JSON object, 3 keys: table, count, records (7,000 items) · Enter shows all" in shown
        assert '"table": "records",' in shown and not list(panel.query(Log))
        # Expanded: all of it, in a virtual log.
        panel.focus()
        await pilot.press("enter")
        log = await wait_until(pilot, lambda: next(iter(panel.query(Log)), None), what="the whole result")
        assert log.line_count > 7_000 * 10 and not panel._preview.display
        # The inspector keeps the whole value: the event with the result holds all of it.
        events = screen.conversation.events
        big = [json.loads(e.data)[0] for e in events if e.name == "messages" and e.size > 1_000_000]
        assert [m["content"] for m in big] == [result.text]
        assert events.dropped == 0
