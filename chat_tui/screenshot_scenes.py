"""More scenes for ``python -m chat_tui.screenshots``: time travel, the inspector, big results, the
store and the test results view (the shared helpers are the screenshots module's)."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Any


def _shots() -> ModuleType:
    """The screenshots module (imported late: it imports this one)."""
    from chat_tui import screenshots

    return screenshots


__all__ = [
    "scene_big_result",
    "scene_branches",
    "scene_graph",
    "scene_inspector",
    "scene_state",
    "scene_store",
    "scene_subgraph",
    "scene_test_results",
    "scene_timeline",
]


async def _branched(pilot: Any) -> None:
    """Two turns, then the first edited: the pane shows the new version, marked ‹ 2/2 ›."""
    from chat_tui.ui.widgets.entries import UserMessage

    chat = pilot.app.chat
    await _shots()._send(pilot, "hello there")
    await _shots()._send(pilot, "what's the weather in sf")
    first = next(iter(chat.view.query(UserMessage)))
    first.focus()
    await pilot.press("e")
    chat.composer.replace_text("compare paris and tokyo")
    await pilot.press("enter")
    await _shots()._wait(
        pilot, lambda: [m.text for m in chat.conversation.messages if m.role == "human"] == ["compare paris and tokyo"]
    )
    await _shots()._finished(pilot)
    await _shots()._wait(pilot, lambda: any(w.message.branch for w in chat.view.query(UserMessage)))
    next(iter(chat.view.query(UserMessage))).focus()
    await pilot.pause(0.3)


async def scene_branches(pilot: Any) -> None:
    await _branched(pilot)


async def scene_timeline(pilot: Any) -> None:
    await _branched(pilot)
    await pilot.press("f5")
    await _shots()._wait(pilot, lambda: len(getattr(pilot.app.screen, "rows", ())) >= 10)
    await pilot.pause(0.3)


async def scene_state(pilot: Any) -> None:
    await scene_timeline(pilot)
    rows = pilot.app.screen.query_one("#timeline-list")
    rows.highlighted = 1
    await pilot.press("enter")
    await _shots()._wait(pilot, lambda: type(pilot.app.screen).__name__ == "StateViewScreen")
    await pilot.press("down", "down", "down", "enter")  # open a message
    await pilot.pause(0.3)


async def scene_inspector(pilot: Any) -> None:
    await _shots()._send(pilot, "compare the weather in paris and tokyo")
    chat = pilot.app.chat
    await pilot.press("f12")
    inspector = chat.inspector
    await _shots()._wait(pilot, lambda: len(inspector.view) == chat.conversation.events.appended)
    rows = [inspector.view[i] for i in range(len(inspector.view))]
    result = next(i for i, e in enumerate(rows) if e.summary().node == "tools" and e.summary().mode == "messages")
    inspector.list.following = False
    inspector.list.go_to(result)
    await pilot.press("enter")
    await pilot.pause(0.3)


async def scene_big_result(pilot: Any) -> None:
    await _shots()._send(pilot, "big export")
    pilot.app.chat.composer.focus()


STORE: dict[tuple[str, ...], dict[str, dict[str, Any]]] = {
    ("users", "alice", "memories"): {
        "tea": {"text": "likes green tea, no sugar", "kind": "pref", "since": "2026-03"},
        "trip": {"text": "visiting Tokyo in May", "kind": "plan", "cities": ["tokyo", "kyoto"]},
        "team": {"text": "works with Bob on the SSE client", "kind": "fact", "people": {"bob": "colleague"}},
    },
    ("users", "alice", "prefs"): {"ui": {"theme": "dark", "density": "compact"}},
    ("users", "bob", "memories"): {"coffee": {"text": "espresso, twice a day", "kind": "pref"}},
    ("projects", "chat-tui", "notes"): {"release": {"text": "v2.3 notes drafted", "done": False}},
}


async def scene_store(pilot: Any) -> None:
    store = pilot.app.service.client.store
    await asyncio.gather(*(store.put_item(ns, k, v) for ns, items in STORE.items() for k, v in items.items()))
    await pilot.press("f9")
    await _shots()._wait(pilot, lambda: type(pilot.app.screen).__name__ == "StoreScreen")
    tree = (screen := pilot.app.screen).query_one("#store-namespaces")
    await _shots()._wait(pilot, lambda: len(tree.root.children) >= 2)
    for label in ("users", "alice", "memories"):
        tree.move_cursor(next(n for n in (tree.cursor_node or tree.root).children if str(n.label) == label).expand())
        await pilot.pause(0.1)
    items = screen.query_one("#store-items")
    await _shots()._wait(pilot, lambda: items.option_count == 3)
    items.focus()
    items.highlighted = [i.key for i in screen.pager.items].index("trip")
    await pilot.pause(0.3)


RESULTS_SUITE = """\
version: 1
suite: demo-checks
defaults: {assistant: agent, turn_timeout: 60}
scenarios:
  - id: weather-sf
    turns:
      - user: "what's the weather in sf"
        expect:
          tool_calls: [{name: get_weather, args: {city: {regex: "(?i)san francisco"}}}]
          final_text: {contains: San Francisco}
  - id: compare-two-cities
    repeat: 2
    turns:
      - user: compare paris and tokyo
        expect:
          trajectory: {mode: strict, calls: [{name: get_weather, args: {city: Paris}}]}
  - id: weather-answer-names-berlin
    turns:
      - user: "what's the weather in sf"
        expect:
          final_text: {contains: Berlin}
  - id: plan-the-meeting
    assistant: parallel
    turns:
      - user: plan the meeting
      - resume_each:
          - {match: {value.question: "Who should take the notes?"}, value: Ada}
          - {match: {value.question: {regex: "(?i)which day"}}, value: Tuesday}
        expect:
          final_text: {contains: "**Tuesday**"}
"""


async def scene_test_results(pilot: Any) -> None:
    """`chat-tui test suite.yaml --tui`: a failed trajectory, expected against actual."""
    from chat_tui.testing.loader import load_paths, select
    from chat_tui.testing.session import SuiteSession, TestLaunch

    app = pilot.app
    folder = Path(tempfile.mkdtemp())
    path = folder / "demo-checks.yaml"
    path.write_text(RESULTS_SUITE, encoding="utf-8")
    selected = select(load_paths([path]), fallback_assistant="agent")
    launch = TestLaunch(SuiteSession(selected), source="tests/agent/demo-checks.yaml", concurrency=4)
    app.init_tests(launch)
    app.service_connected(True)
    app.install_test_results()
    await _shots()._wait(pilot, lambda: launch.session.suite_result() is not None and not launch.session.running)
    await pilot.press("down")
    await pilot.pause(0.5)


async def scene_graph(pilot: Any) -> None:
    """The graph view mid-run: `make a plan` has run planner (✓ and its time) and is in writer (lit);
    planner's details below (the input and output the tasks mode brought)."""
    chat = pilot.app.chat
    await pilot.press("ctrl+backslash")
    await _shots()._wait(pilot, lambda: chat.graph_pane is not None and chat.graph_pane.drawing is not None)
    pilot.app.service.context = {"delay_ms": 120}  # (slow: the shot is taken while writer streams)
    chat.composer.focus()
    await pilot.press(*"make a plan", "enter")
    activity = chat.conversation.activity
    await _shots()._wait(pilot, lambda: activity.running == ["writer"])
    pane = chat.graph_pane
    pane.cursor = "planner"
    pane.canvas.focus()
    await pilot.press("enter")
    await pilot.pause(1.2)


async def scene_subgraph(pilot: Any) -> None:
    """`nested_approval` with subgraph streaming on: the researcher's work nested under its header, the
    question asked inside it shown once."""
    from chat_tui.ui.widgets.subgraph_block import SubgraphHeader

    options = pilot.app.options
    pilot.app.set_options(type(options).from_dict({**options.to_dict(), "stream_subgraphs": True}))
    await pilot.press("ctrl+n")  # (a new thread: the graph view's shot leaves its run going on the last one)
    await _shots()._send(pilot, "go")
    chat = pilot.app.chat
    await _shots()._wait(pilot, lambda: chat.conversation.pending_interrupts)
    next(iter(chat.view.query(SubgraphHeader))).focus()
    await pilot.pause(0.4)
