"""The graph view (ctrl+\\) under Pilot against the real demo server: each demo graph drawn with the
API's nodes and edges; the running nodes lit while `make a plan` (planner → writer) and the
`parallel` graph run, checked at the moments the stream says a node starts and ends; the researcher
subgraph's inner nodes (xray); a node's details; tasks mode asked for only while the view is open."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from chat_tui.client import LangGraphClient
from chat_tui.client.events import Task
from chat_tui.conversation.graph_activity import GraphActivity, NodeState
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.widgets.graph_view import GraphPane
from tests.support.pilot import connected, make_app, run_finished, send, wait_until
from tests.support.screen_text import screen_lines

pytestmark = pytest.mark.server
SIZE = (160, 50)
GRAPHS = list(json.loads((Path(__file__).parents[2] / "chat_tui/demo/langgraph.json").read_text())["graphs"])


async def open_graph(pilot: Pilot[Any], screen: ChatScreen) -> GraphPane:
    await pilot.press("ctrl+backslash")
    pane = await wait_until(pilot, lambda: screen.graph_pane, what="the graph pane")
    await wait_until(pilot, lambda: pane.drawing is not None, what="the graph drawn")
    return pane  # type: ignore[no-any-return]


def shown(app: Any) -> list[str]:
    return [line.replace("\xa0", " ") for line in screen_lines(app)]


def box_top(pilot: Pilot[Any], pane: GraphPane, node: str) -> str:
    """The top border of *node*'s box as the screen shows it (its mark and time are there)."""
    assert pane.drawing is not None
    box = pane.drawing.boxes[node]
    region = pane.picture.region
    row = shown(pilot.app)[region.y + box.row]  # (the region moves as the pane scrolls)
    return row[region.x + box.col : region.x + box.col + box.width]


def record_tasks(activity: GraphActivity) -> list[tuple[str, bool, list[str]]]:
    """(node, start?, running right after) at each tasks event the conversation is given."""
    seen: list[tuple[str, bool, list[str]]] = []
    apply = activity.apply

    def spy(event: Any) -> None:
        apply(event)
        if isinstance(event, Task):
            seen.append((event.name, event.start, activity.running))

    activity.apply = spy  # type: ignore[method-assign]
    return seen


async def test_each_demo_graph_is_drawn_with_the_apis_nodes_and_edges(server_url: str, tmp_path: Path) -> None:
    async with LangGraphClient(server_url) as client:
        answers = {g: await client.assistants.graph(g, xray=True) for g in GRAPHS}
    app = make_app(server_url, tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        pane = await open_graph(pilot, screen)
        for name, answer in answers.items():
            assert screen.service is not None
            screen.service.assistant_id = name  # (what F2 does for a new thread)
            screen.load_graph()
            await wait_until(pilot, lambda n=name: pane.assistant == n and pane.graph is not None, what=name)
            await wait_until(pilot, lambda: pane.drawing is not None and pane._drawn_for[0] == id(pane.graph))
            graph, drawing = pane.graph, pane.drawing
            assert graph is not None and drawing is not None
            assert len(graph.nodes) == len(answer["nodes"]) and len(graph.edges) == len(answer["edges"])
            assert set(drawing.boxes) >= {n["id"] for n in answer["nodes"]}
            assert len(drawing.drawn) + len(drawing.back) + len(drawing.listed) == len(answer["edges"])
            await pilot.pause()
            text = "\n".join(shown(app))
            assert f"{len(answer['nodes'])} nodes, {len(answer['edges'])} edges" in text
            for node in answer["nodes"]:
                if not node["id"].endswith("__"):
                    assert node["id"].rsplit(":", 1)[-1] in text, (name, node["id"])


async def test_make_a_plan_lights_planner_then_writer(server_url: str, tmp_path: Path) -> None:
    app = make_app(server_url, tmp_path / "data")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        pane = await open_graph(pilot, screen)
        # xray: the researcher subgraph's inner nodes are drawn inside its box
        assert pane.drawing is not None and {"researcher:research_llm", "researcher:research_tools"} <= set(
            pane.drawing.boxes
        )
        assert "researcher (subgraph)" in "\n".join(shown(app))
        assert screen.service is not None
        screen.service.context = {"delay_ms": 30}  # (slow enough to see each node lit on screen)
        activity = screen.conversation.activity
        seen = record_tasks(activity)
        await send(pilot, "make a plan")
        await wait_until(pilot, lambda: activity.running == ["planner"], what="planner running")
        await wait_until(pilot, lambda: "running: planner" in "\n".join(shown(app)), what="planner lit")
        assert box_top(pilot, pane, "planner")[1] == "●" and "writer" not in activity.nodes
        await wait_until(pilot, lambda: activity.running == ["writer"], what="writer running")
        await wait_until(pilot, lambda: box_top(pilot, pane, "writer")[1] == "●", what="writer lit")
        planner = box_top(pilot, pane, "planner")
        assert planner[1] == "✓" and planner.rstrip("╮").rstrip().endswith("s"), planner
        await run_finished(pilot)
        assert seen == [
            ("planner", True, ["planner"]),
            ("planner", False, []),
            ("writer", True, ["writer"]),
            ("writer", False, []),
        ]
        assert activity.precise and all(activity.nodes[n].state is NodeState.DONE for n in ("planner", "writer"))
        await wait_until(pilot, lambda: box_top(pilot, pane, "writer")[1] == "✓", what="writer marked")
        # Enter on planner: its name, and the run's input and output
        pane.cursor = "planner"
        pane.canvas.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: pane.detail.display and pane.detail.line_count > 3, what="details")
        detail = "\n".join(pane.detail.lines)
        assert "node: planner" in detail and "make a plan" in detail and "Here's my plan" in detail


async def test_parallel_nodes_are_lit_together(server_url: str, tmp_path: Path) -> None:
    app = make_app(server_url, tmp_path / "data", assistant="parallel")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        pane = await open_graph(pilot, screen)
        activity = screen.conversation.activity
        seen = record_tasks(activity)
        await send(pilot, "plan the meeting")
        await run_finished(pilot)
        starts = [running for _, start, running in seen if start]
        assert sorted(starts[-1]) == ["ask_a", "ask_b"]  # both running at once, as the stream said
        assert {n for n, start, _ in seen if not start} == {"ask_a", "ask_b"}
        for node in ("ask_a", "ask_b"):
            assert activity.nodes[node].state is NodeState.INTERRUPTED
            await wait_until(pilot, lambda n=node: box_top(pilot, pane, n)[1] == "‖", what=f"{node} interrupted")
        assert "join" not in activity.nodes


async def test_tasks_mode_only_while_the_view_is_open(server_url: str, tmp_path: Path) -> None:
    app = make_app(server_url, tmp_path / "data", assistant="echo")
    async with app.run_test(size=SIZE) as pilot:
        screen = await connected(pilot)
        await send(pilot, "hello")
        await run_finished(pilot)
        activity = screen.conversation.activity
        assert not activity.precise and activity.nodes["echo"].state is NodeState.DONE  # from updates
        assert activity.nodes["echo"].approximate and activity.nodes["echo"].input is None
        await open_graph(pilot, screen)
        await send(pilot, "hello again")
        await run_finished(pilot)
        assert activity.precise and activity.nodes["echo"].input is not None
        await pilot.press("ctrl+backslash")  # hidden: the next run does without
        assert screen.service is not None and not screen.service.graph_open
        await send(pilot, "and again")
        await run_finished(pilot)
        assert not activity.precise
