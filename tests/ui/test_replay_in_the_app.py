"""`chat-tui replay FILE`: a recording of live runs (tool calls, parallel tools, an interrupt and its
answer) played in the app with no server shows, line for line, the message pane the live runs
left; a paced playback stops at Esc; nothing can be sent; q quits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from chat_tui.client.recording_reader import read_recording
from chat_tui.service.recording_files import RecordingToFile
from chat_tui.settings.manager import SettingsManager
from chat_tui.ui.app import ChatApp
from chat_tui.ui.replay_app import ReplayApp
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.screens.replay import ReplayScreen
from tests.support.pilot import connected, make_app, run_finished, send, wait_until
from tests.support.screen_text import region_text

pytestmark = pytest.mark.server
SIZE = (130, 70)  # tall: the whole conversation is on screen
SAID = ["compare paris and tokyo", "delete the report", "yes"]  # parallel tool calls; an interrupt, answered


def pane(app: Any, screen: ChatScreen) -> list[str]:
    return [line for line in region_text(app, screen.view.region) if line.strip()]


async def settled_pane(pilot: Pilot[Any], screen: ChatScreen) -> list[str]:
    """The pane's text once it stopped changing (three looks 0.1 s apart)."""
    await wait_until(pilot, lambda: not screen.view.busy, what="the pane to render")
    looks: list[list[str]] = []
    for _ in range(100):
        looks.append(pane(pilot.app, screen))
        if len(looks) >= 3 and looks[-1] == looks[-2] == looks[-3]:
            return looks[-1]
        await pilot.pause(0.1)
    raise AssertionError("the pane kept changing for 10 s")


async def record_live(server_url: str, data: Path, path: Path) -> list[str]:
    """Play SAID live in one thread, recorded to *path* as F10 records; the pane it left."""
    app: ChatApp = make_app(server_url, data)
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        screen.sidebar_visible = False
        assert app.service is not None and app.service.recorder is not None
        recording = RecordingToFile(app.service.recorder, path)
        for text in SAID:
            await send(pilot, text)
            await run_finished(pilot)
        assert recording.stop().runs == len(SAID)
        return await settled_pane(pilot, screen)


def replay_app(path: Path, config: Path, speed: float | None) -> ReplayApp:
    return ReplayApp(read_recording(path), source=path.name, speed=speed, settings=SettingsManager(config))


async def test_a_replay_in_the_app_ends_on_the_live_runs_message_pane(
    server_url: str, user_dirs: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "live.sse"
    live = await record_live(server_url, user_dirs["data"], path)
    assert any("get_weather" in line or "paris" in line.lower() for line in live)
    app = replay_app(path, user_dirs["config"], None)
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.finished, what="the playback to end")
        replayed = await settled_pane(pilot, screen)
        assert "■ REPLAY live.sse · run 3/3 · read-only" in str(screen.status.render()) and app.service is None
        assert not screen.sidebar.display and screen.composer.disabled
        await pilot.press("ctrl+n", "x", "f5")  # nothing a replay cannot do happens
        await pilot.pause()
        assert app.screen is screen and screen.conversation.thread_id is not None
        await pilot.press("q")
        await wait_until(pilot, lambda: app.return_code is not None, what="q to quit")
    assert replayed == live


async def test_esc_stops_a_paced_replay_where_it_is(
    server_url: str, user_dirs: dict[str, Path], tmp_path: Path
) -> None:
    path = tmp_path / "live.sse"
    await record_live(server_url, user_dirs["data"], path)
    app = replay_app(path, user_dirs["config"], 0.02)  # 50 times slower than it streamed
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, ReplayScreen)
        await wait_until(pilot, lambda: screen.conversation.messages, what="the first message")
        await wait_until(pilot, lambda: "▶ REPLAY live.sse · run 1/3" in str(screen.status.render()), what="the marker")
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.finished, timeout=5, what="Esc to stop the playback")
        assert screen.playback is not None and screen.playback.stopped
        assert len(screen.playback.played) == 1 and screen.conversation.run is not None
        assert screen.conversation.run.outcome == "cancelled"
        assert "■ REPLAY live.sse · run 1/3" in str(screen.status.render())
