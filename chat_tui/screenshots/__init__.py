"""Regenerate ``screenshots/``: the real app on the real demo server, driven with Pilot.

    python -m chat_tui.screenshots [--out screenshots] [--only SCENE ...]

Writes one SVG per scene and, when ``rsvg-convert`` is installed (Debian: ``librsvg2-bin``
with ``fonts-firacode``, ``fonts-noto-cjk`` and ``fonts-symbola``), a PNG beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from chat_tui.screenshot_scenes import (
    scene_big_result,
    scene_branches,
    scene_graph,
    scene_inspector,
    scene_state,
    scene_store,
    scene_subgraph,
    scene_test_results,
    scene_timeline,
)

__all__ = ["main"]

WIDE = (120, 36)


async def _wait(pilot: Any, predicate: Callable[[], Any]) -> None:
    async with asyncio.timeout(30):
        while not predicate():
            await pilot.pause(0.05)


async def _finished(pilot: Any) -> None:
    app = pilot.app

    def done() -> bool:
        run = app.chat.conversation.run
        return bool(run and run.outcome != "running" and app.service and not app.service.live)

    await _wait(pilot, done)
    await pilot.pause(0.4)


async def _send(pilot: Any, text: str) -> None:
    pilot.app.chat.composer.focus()
    await pilot.press(*text, "enter")
    await _finished(pilot)


async def _expand_panels(pilot: Any, which: slice = slice(None)) -> None:
    from chat_tui.ui.widgets.tool_panel import ToolPanel

    for panel in list(pilot.app.chat.view.query(ToolPanel))[which]:
        panel.focus()
        await pilot.press("enter")
    await pilot.pause(0.3)


Scene = Callable[[Any], Awaitable[None]]


async def scene_markdown(pilot: Any) -> None:
    await _send(pilot, "hello! what can you show me?")
    pilot.app.chat.composer.focus()


async def scene_tools(pilot: Any) -> None:
    await _send(pilot, "compare the weather in paris and tokyo")
    await _expand_panels(pilot, slice(0, 1))


async def scene_tool_error(pilot: Any) -> None:
    await _send(pilot, "look up my order, it will fail")
    await _expand_panels(pilot)


async def scene_interrupt(pilot: Any) -> None:
    await _send(pilot, "please delete /tmp/report.txt")
    pilot.app.chat.composer.focus()
    await pilot.press(*"yes")


async def scene_plan(pilot: Any) -> None:
    await _send(pilot, "plan a weekend in Seoul")


async def scene_threads(pilot: Any) -> None:
    await _send(pilot, "你好")
    await pilot.press("ctrl+t")
    await pilot.pause(0.3)


async def scene_help(pilot: Any) -> None:
    await pilot.press("f1")
    await pilot.pause(0.3)


async def scene_narrow(pilot: Any) -> None:
    await _send(pilot, "what's the weather in sf")


async def scene_tiny_sidebar(pilot: Any) -> None:
    await _send(pilot, "hello")
    await pilot.press("ctrl+t")  # too narrow for both: the thread list takes the screen
    await pilot.pause(0.3)


async def scene_answered(pilot: Any) -> None:
    await _send(pilot, "please delete /tmp/report.txt")
    await _send(pilot, "yes")
    pilot.app.chat.composer.focus()


async def scene_pane_keys(pilot: Any) -> None:
    await _send(pilot, "think it through")
    await pilot.press("tab", "up")  # the message pane, on the answer: its keys in the footer
    await pilot.pause(0.3)


async def scene_replay(pilot: Any) -> None:
    """A run recorded (F10's "save the last run"), then played on the screen `chat-tui replay` opens."""
    from chat_tui.client.recording_reader import read_recording
    from chat_tui.service.recording_files import save_last_run
    from chat_tui.ui.screens.replay import ReplayScreen
    from chat_tui.ui.widgets.tool_panel import ToolPanel

    app = pilot.app
    await _send(pilot, "compare the weather in paris and tokyo")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "weather.sse"
        save_last_run(app.service.recorder, path)
        screen = ReplayScreen(read_recording(path), source=path.name)
    await app.push_screen(screen)
    # (the playback can finish before the pane's next flush has mounted its tool panels)
    await _wait(pilot, lambda: screen.finished and bool(screen.view.query(ToolPanel)))
    panel = next(iter(screen.view.query(ToolPanel)))
    panel.focus()
    await pilot.press("enter")
    await pilot.pause(0.4)


async def scene_export(pilot: Any) -> None:
    await _send(pilot, "what's the weather in sf")
    await pilot.press("ctrl+s")
    await _wait(pilot, lambda: type(pilot.app.screen).__name__ == "ExportScreen")
    await pilot.pause(0.3)


async def _gated(pilot: Any, count: int) -> None:
    from chat_tui.ui.widgets.tool_panel import ToolPanel

    await _wait(pilot, lambda: sum(1 for p in pilot.app.chat.view.query(ToolPanel) if p.call.gate) == count)


async def scene_approvals(pilot: Any) -> None:
    await _send(pilot, "email alice and delete the report")
    await _gated(pilot, 2)
    await pilot.press("tab", "a")  # the first call approved; the focus is on the second, which waits
    await pilot.pause(0.4)
    await pilot.press("pagedown")
    await pilot.pause(0.3)


async def scene_edit_arguments(pilot: Any) -> None:
    await _send(pilot, "email bob")
    await _gated(pilot, 1)
    await pilot.press("tab", "e")
    await pilot.pause(0.5)


async def scene_inbox(pilot: Any) -> None:
    await pilot.press("f6")
    await _wait(pilot, lambda: len(getattr(pilot.app.screen, "rows", ())) >= 3)
    await pilot.pause(0.3)


async def scene_save_test(pilot: Any) -> None:
    await _send(pilot, "email bob")
    await _gated(pilot, 1)
    await pilot.press("tab", "a", "y")  # approve, and send the answer
    await _wait(pilot, lambda: not pilot.app.chat.conversation.pending_interrupts)
    await _finished(pilot)
    await pilot.press("ctrl+l")
    await _wait(pilot, lambda: type(pilot.app.screen).__name__ == "SaveTestScreen")
    pilot.app.screen.query_one("#keep-nodes").value = True
    await pilot.pause(0.4)


SCENES: list[tuple[str, Scene, tuple[int, int]]] = [
    ("01-markdown-answer", scene_markdown, WIDE),
    ("02-parallel-tool-calls", scene_tools, WIDE),
    ("03-tool-error", scene_tool_error, WIDE),
    ("04-interrupt", scene_interrupt, WIDE),
    ("05-two-nodes", scene_plan, WIDE),
    ("06-thread-sidebar", scene_threads, WIDE),
    ("07-help", scene_help, WIDE),
    ("08-narrow-80x24", scene_narrow, (80, 24)),
    ("09-wide-200x60", scene_tools, (200, 60)),
    ("10-tiny-40x12-threads", scene_tiny_sidebar, (40, 12)),
    ("11-answered-interrupt", scene_answered, WIDE),
    ("12-message-pane-keys", scene_pane_keys, (80, 24)),
    ("13-approvals", scene_approvals, WIDE),
    ("14-edit-arguments", scene_edit_arguments, WIDE),
    ("15-inbox", scene_inbox, WIDE),
    ("21-replay", scene_replay, WIDE),
    ("22-export-dialog", scene_export, WIDE),
    ("16-branches", scene_branches, WIDE),
    ("17-timeline", scene_timeline, WIDE),
    ("18-state-view", scene_state, WIDE),
    ("19-event-inspector", scene_inspector, (160, 40)),
    ("20-big-tool-result", scene_big_result, WIDE),
    ("23-store", scene_store, (140, 36)),
    ("24-test-results", scene_test_results, (140, 36)),
    ("25-save-test", scene_save_test, (120, 44)),
    ("26-graph-view", scene_graph, (160, 60)),
    ("27-subgraph", scene_subgraph, (120, 44)),
]
# (the others: "agent")
ASSISTANTS = {
    "13-approvals": "approvals",
    "14-edit-arguments": "approvals",
    "25-save-test": "approvals",
    "27-subgraph": "nested_approval",
}

SEED_THREADS = [
    ("Release notes for v2.3", "write the release notes for v2.3", "agent"),
    ("SSE reconnect bug [/] triage", "why does the stream drop after 30 s?", "agent"),
    ("Weather in Tokyo", "what's the weather in tokyo", "agent"),
    ("Approve file deletion", "please delete the old logs", "agent"),
    ("Status mail to Alice", "email alice and delete the report", "approvals"),
    ("Team meeting", "plan the meeting", "parallel"),
]


async def _seed(url: str) -> None:
    """A few threads with titles, so the sidebar looks like a real server's."""
    from chat_tui.client import LangGraphClient
    from chat_tui.conversation import Conversation
    from chat_tui.service.turn import Turn, TurnRequest

    async with LangGraphClient(url) as client:
        for title, text, assistant in SEED_THREADS:
            thread = await client.threads.create(metadata={"title": title})
            turn = Turn(client, Conversation(), TurnRequest(assistant, thread.thread_id, text=text))
            await turn.run()


async def _shoot(url: str, out: Path, data_dir: Path, only: list[str] | None = None) -> list[Path]:
    from chat_tui.connection import Connection
    from chat_tui.settings.manager import SettingsManager
    from chat_tui.settings.userdata import UserData
    from chat_tui.ui.app import ChatApp, LaunchPlan

    written = []
    for name, scene, size in SCENES:
        if only and name not in only:
            continue
        app = ChatApp(
            LaunchPlan(connection=Connection(url), assistant=ASSISTANTS.get(name, "agent")),
            userdata=UserData(data_dir),
            settings=SettingsManager(data_dir / "config"),  # defaults: not the keymap or options of whoever runs it
        )
        async with app.run_test(size=size) as pilot:
            chat = app.chat
            await _wait(pilot, lambda: app.service is not None)  # noqa: B023 (used at once)
            await _wait(pilot, lambda: chat.threads.option_count > 0)  # noqa: B023
            await scene(pilot)
            path = out / f"{name}.svg"
            path.write_text(app.export_screenshot(title=f"chat-tui · {name[3:].replace('-', ' ')}"), encoding="utf-8")
            written.append(path)
            print(f"wrote {path}")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m chat_tui.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--only", nargs="+", metavar="SCENE", help="only these scenes (e.g. 19-event-inspector)")
    args = parser.parse_args(argv)
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
    from chat_tui.demo.launcher import DemoServer

    args.out.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory(prefix="chat-tui-shots-") as scratch,
        DemoServer(env={"CHAT_TUI_DEMO_DELAY_MS": "4"}, log_path=Path(scratch) / "server.log") as server,
    ):
        os.environ["CHAT_TUI_DATA_DIR"] = str(Path(scratch) / "data")
        asyncio.run(_seed(server.url))
        svgs = asyncio.run(_shoot(server.url, args.out, Path(scratch) / "data", args.only))
    from chat_tui.screenshots.png import to_png

    to_png(svgs)
    return 0
