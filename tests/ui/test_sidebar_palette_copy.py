"""Thread sidebar keys and paging, the command palette, copy, and remembered preferences."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.model import Preferences
from chat_tui.ui.widgets.thread_list import PAGE_SIZE
from tests.support.pilot import connected, make_app, run_finished, send, wait_until
from tests.support.runs import run_turn

pytestmark = pytest.mark.server
SIZE = (120, 40)


async def test_rename_delete_and_filter_from_the_keyboard(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    marker = uuid.uuid4().hex[:8]
    keep = await client.threads.create(metadata={"title": f"keep {marker}"})
    doomed = await client.threads.create(metadata={"title": f"doomed {marker}"})
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.threads.find(doomed.thread_id), what="threads")
        await pilot.press("ctrl+t")
        assert screen.focused is screen.threads
        await pilot.press("slash", *marker)
        await wait_until(pilot, lambda: screen.threads.option_count == 2, what="the filter")
        screen.threads.focus()
        screen.threads.highlighted = screen.threads.get_option_index(doomed.thread_id)
        await pilot.press("d")
        await wait_until(pilot, lambda: app.screen is not screen, what="the confirmation")
        await pilot.press("y")
        await wait_until(pilot, lambda: screen.threads.find(doomed.thread_id) is None, what="delete")
        screen.threads.highlighted = screen.threads.get_option_index(keep.thread_id)
        await pilot.press("r")
        await wait_until(pilot, lambda: app.screen is not screen, what="the rename prompt")
        await pilot.press(*f"renamed {marker}", "enter")
        await wait_until(pilot, lambda: screen.threads.title_of(keep.thread_id) == f"renamed {marker}", what="rename")
        await pilot.press("escape")
        assert screen.focused is screen.composer
    assert (await client.threads.get(keep.thread_id)).title == f"renamed {marker}"
    assert not [t for t in await client.threads.search(limit=200) if t.thread_id == doomed.thread_id]


async def test_the_sidebar_pages_as_you_scroll(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    for _ in range(PAGE_SIZE + 15 - await client.threads.count()):
        await client.threads.create(metadata={"title": "filler"})
    total = await client.threads.count()
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.threads.option_count == PAGE_SIZE, what="the first page")
        assert screen.threads.more
        # A thread beyond the first page runs meanwhile (another client): it moves to the top of the
        # server's order, so the next page starts one row later than the rows listed suggest.
        unlisted = (await client.threads.search(limit=1, offset=PAGE_SIZE + 5))[0]
        await run_turn(client, "hello", thread_id=unlisted.thread_id)
        screen.threads.focus()
        # End loads the next page (other tests may have left many threads: one End per page), well
        # within the sidebar's own periodic refresh, which would hide a paging bug.
        pages = -(-total // PAGE_SIZE)
        for _ in range(pages):
            loaded = len(screen.threads.threads)
            if loaded == total:
                break
            await pilot.press("end")
            await wait_until(
                pilot,
                lambda n=loaded: len(screen.threads.threads) > n,
                timeout=8,
                what="the next page",  # type: ignore[misc]
            )
        await wait_until(pilot, lambda: len(screen.threads.threads) == total, timeout=8, what="every thread, once")
        assert not screen.threads.more and len({t.thread_id for t in screen.threads.threads}) == total


async def test_palette_switches_threads_by_title(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    marker = uuid.uuid4().hex[:6]
    thread = await client.threads.create(metadata={"title": f"zebra [/] {marker}"})
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.threads.find(thread.thread_id), what="threads")
        await pilot.press("ctrl+p")
        await pilot.press(*f"zebra {marker}")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.conversation.thread_id == thread.thread_id, what="the switch")


async def test_copy_uses_osc52_and_leaves_a_file(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        await send(pilot, "what's the weather in sf")
        await run_finished(pilot)
        await pilot.press("ctrl+o")
        await pilot.press("up", "c")
        await wait_until(pilot, lambda: app.clipboard, what="the copy")
        copied = (user_dirs["data"] / "last-copy.txt").read_text(encoding="utf-8")
        assert copied == app.clipboard and "San Francisco" in copied
        assert any("last-copy.txt" in str(n.message) for n in app._notifications)


async def test_theme_and_sidebar_choices_are_remembered(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        app.theme = "nord"
        await pilot.press("ctrl+b")
        assert not screen.sidebar_visible
    assert SettingsManager(user_dirs["config"]).load().ui == Preferences(theme="nord", sidebar=False)
    again = make_app(server_url, user_dirs["data"])
    async with again.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        assert again.theme == "nord" and not screen.sidebar_visible


async def test_narrow_terminals_collapse_the_sidebar(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await connected(pilot)
        assert not screen.sidebar_visible
        await pilot.press("ctrl+t")
        assert screen.sidebar_visible and screen.focused is screen.threads
        await pilot.press("escape")
        assert not screen.sidebar_visible and screen.focused is screen.composer


@pytest.mark.parametrize(
    ("command", "screen_name"),
    [
        ("Pick assistant", "AssistantPicker"),
        ("Run configuration", "RunConfigScreen"),
        ("Stream options", "OptionsScreen"),
    ],
)
async def test_the_palette_reaches_the_assistant_config_and_options_screens(
    server_url: str, user_dirs: dict[str, Path], command: str, screen_name: str
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*command)
        await pilot.pause(0.5)
        await pilot.press("enter")
        await wait_until(pilot, lambda: type(app.screen).__name__ == screen_name, what=screen_name)


async def test_an_untitled_thread_is_shown_by_its_first_message(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    from tests.support.runs import run_turn

    marker = uuid.uuid4().hex[:6]
    _, result = await run_turn(client, f"gnu {marker} question")
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.threads.find(result.thread_id), what="the thread listed")
        await wait_until(  # fetched lazily, then drawn in its row
            pilot, lambda: f"gnu {marker}" in app.export_screenshot().replace("&#160;", " "), what="its title"
        )


async def test_paging_measures_each_row_once_and_times_refresh_only_in_view(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual's OptionList re-measures every row on each Resize, which it gets for every page
    added: paging was O(rows) per page. And the minute's time refresh re-rendered every loaded row."""
    from textual.content import Content

    for _ in range(4 * PAGE_SIZE + 10 - await client.threads.count()):
        await client.threads.create(metadata={"title": "filler"})
    total = await client.threads.count()
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        threads = screen.threads
        await wait_until(pilot, lambda: threads.option_count == PAGE_SIZE, what="the first page")
        measured = []
        original = Content.get_height

        def counting(self: Content, rules: object, width: int) -> int:
            if rules is threads.styles:
                measured.append(self)
            return original(self, rules, width)  # type: ignore[arg-type]

        monkeypatch.setattr(Content, "get_height", counting)
        threads.focus()
        while threads.more or len(threads.threads) < total:
            await pilot.press("end")
            await wait_until(pilot, lambda: not threads.loading, what="a page")
        await pilot.pause()
        assert threads.option_count == total
        # O(rows) in all (new rows, rows whose first message arrived, the first page once more
        # when the scrollbar appears: ~1.5x the rows here); every page re-measuring every row,
        # as Textual's OptionList does, was ~4x at five pages (and grows with each page).
        assert len(measured) <= 2 * total, (len(measured), total)

        rows_set = []
        set_row = threads._set_row

        def counting_set_row(index: int, prompt: Content) -> None:
            rows_set.append(index)
            set_row(index, prompt)

        monkeypatch.setattr(threads, "_set_row", counting_set_row)
        threads.refresh_times()
        in_view = threads.size.height // 2 + 2  # two lines a row
        assert 0 < len(rows_set) <= in_view
        assert threads.highlighted in rows_set  # the rows in view, around the highlighted one
        rows_set.clear()
        await pilot.press("home")
        await wait_until(pilot, lambda: 0 in rows_set, what="the top rows to get the new time")
        assert len(rows_set) <= in_view


async def test_the_palette_screenshot_lands_in_the_data_directory(
    server_url: str, user_dirs: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home-without-downloads"))
    monkeypatch.delenv("XDG_DOWNLOAD_DIR", raising=False)
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await connected(pilot)
        await pilot.press("ctrl+p")
        await pilot.press(*"Screenshot")
        await pilot.pause(0.5)
        await pilot.press("enter")
        folder = user_dirs["data"] / "screenshots"
        await wait_until(pilot, lambda: folder.is_dir() and list(folder.glob("*.svg")), what="the screenshot file")
        await wait_until(
            pilot, lambda: any(str(folder) in str(n.message) for n in app._notifications), what="where it went"
        )
        assert "<svg" in next(folder.glob("*.svg")).read_text(encoding="utf-8")


async def test_a_waiting_thread_and_a_cancelled_one_have_different_badges(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    from tests.support.runs import run_turn

    _waiting, asked = await run_turn(client, "delete the report")  # stops at interrupt()
    cancelled = await client.threads.create()
    run = await client.runs.create(
        cancelled.thread_id,
        "agent",
        input={"messages": [{"role": "user", "content": "slow"}]},
        context={"delay_ms": 20},
    )
    for _ in range(200):  # cancelled while it runs (a pending run cancelled leaves the thread idle)
        if (await client.runs.get(cancelled.thread_id, run.run_id)).status == "running":
            break
        await asyncio.sleep(0.05)
    await client.runs.cancel(cancelled.thread_id, run.run_id, wait=True)
    assert (await client.threads.get(cancelled.thread_id)).status == "interrupted"  # the same status as `asked`
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)

        def row(thread_id: str) -> str:
            index = screen.threads.get_option_index(thread_id)
            return str(screen.threads.get_option_at_index(index).prompt)

        await wait_until(
            pilot, lambda: screen.threads.option_count and "⏸ waiting" in row(asked.thread_id or ""), what="rows"
        )
        assert "stopped" in row(cancelled.thread_id) and "waiting" not in row(cancelled.thread_id)


async def test_filter_enter_opens_the_first_match_and_down_enters_the_list(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    marker = uuid.uuid4().hex[:8]
    only = await client.threads.create(metadata={"title": f"only {marker}"})
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.threads.find(only.thread_id), what="threads")
        await pilot.press("ctrl+t", "slash", *marker)
        await wait_until(pilot, lambda: screen.threads.option_count == 1, what="the filter")
        await pilot.press("down")  # into the list, with its row highlighted
        assert screen.focused is screen.threads and screen.threads.highlighted == 0
        await pilot.press("slash")  # back in the filter (it keeps its text): Enter opens the match
        await wait_until(pilot, lambda: screen.focused is screen.query_one("#thread-filter"), what="the filter")
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.conversation.thread_id == only.thread_id, what="the match to open")


async def test_the_sidebar_always_starts_on_the_open_thread(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    from tests.support.runs import run_turn

    _a, first = await run_turn(client, "hello")
    _b, second = await run_turn(client, "hello again")
    app = make_app(server_url, user_dirs["data"], thread=first.thread_id)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.threads.current_id == first.thread_id, what="the thread")
        await wait_until(pilot, lambda: screen.threads.find(second.thread_id or ""), what="the list")
        for _round in range(2):  # wherever the highlight was left, coming back starts on the open thread
            await pilot.press("ctrl+t")
            highlighted = screen.threads.get_option_at_index(screen.threads.highlighted or 0).id
            assert highlighted == first.thread_id
            screen.threads.highlighted = screen.threads.get_option_index(second.thread_id or "")
            await pilot.press("escape")


async def test_a_thread_that_ran_elsewhere_moves_to_the_top_without_f5(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    from tests.support.runs import run_turn

    _a, older = await run_turn(client, "hello")
    _b, newer = await run_turn(client, "hello again")
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)

        def first_row() -> str | None:
            return screen.threads.get_option_at_index(0).id if screen.threads.option_count else None

        await wait_until(pilot, lambda: first_row() == newer.thread_id, what="the newest on top")
        await run_turn(client, "and again", thread_id=older.thread_id)  # e.g. another client
        screen.sidebar.refresh_statuses()  # (what the sidebar's timer does every few seconds)
        await wait_until(pilot, lambda: first_row() == older.thread_id, what="the thread that ran, on top")
