"""The graph view's model of a run: running nodes, finished ones with their time, parallel nodes lit
together, subgraph nodes by their xray id; from tasks events or, without them, updates and message
metadata. Events are the server's shapes (protocol-wave2 §4.2), parsed by the client's parser."""

from __future__ import annotations

import json
from typing import Any

from chat_tui.client.events import StreamEnd, Task, parse_event
from chat_tui.client.modes import DEFAULT_STREAM_MODES, stream_modes
from chat_tui.client.sse import RawEvent
from chat_tui.conversation.graph_activity import GraphActivity, NodeState


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def ev(name: str, data: Any) -> Any:
    return parse_event(RawEvent(name, json.dumps(data)))


def start(task_id: str, name: str, state: Any) -> dict[str, Any]:
    return {"id": task_id, "name": name, "input": state, "triggers": [f"branch:to:{name}"], "metadata": {}}


def result(task_id: str, name: str, out: Any = None, *, error: Any = None, interrupts: Any = ()) -> dict[str, Any]:
    return {"id": task_id, "name": name, "error": error, "result": out or {}, "interrupts": list(interrupts)}


def chunk(node: str, ns: str) -> Any:
    meta = {"langgraph_node": node, "langgraph_checkpoint_ns": ns, "langgraph_step": 1}
    return ev("messages", [{"type": "AIMessageChunk", "content": "x", "id": "m1"}, meta])


def test_tasks_events_light_parallel_nodes_together_and_time_each() -> None:
    clock = Clock()
    activity = GraphActivity(clock)
    activity.begin()
    event = ev("tasks", start("a", "step_a", {"messages": []}))
    assert isinstance(event, Task) and event.start
    activity.apply(event)
    activity.apply(ev("tasks", start("b", "step_b", {"messages": []})))
    assert activity.running == ["step_a", "step_b"] and activity.precise
    clock.now = 1.0
    activity.apply(ev("updates", {"step_a": {"log": ["a"]}}))  # (tasks mode: the task's end decides)
    assert activity.running == ["step_a", "step_b"]
    activity.apply(ev("tasks", result("a", "step_a", {"log": ["a"]})))
    assert activity.running == ["step_b"]
    done = activity.nodes["step_a"]
    assert done.state is NodeState.DONE and done.seconds == 1.0 and not done.approximate
    assert done.input == {"messages": []} and done.output == {"log": ["a"]}
    clock.now = 1.5
    activity.apply(ev("tasks", result("b", "step_b", error={"error": "ValueError", "message": "boom requested"})))
    assert activity.nodes["step_b"].state is NodeState.ERROR and activity.nodes["step_b"].error == "boom requested"
    activity.apply(ev("tasks", start("c", "ask", {})))
    activity.apply(ev("tasks", result("c", "ask", interrupts=[{"value": {"question": "?"}, "id": "i1"}])))
    assert activity.nodes["ask"].state is NodeState.INTERRUPTED and activity.running == []


def test_subgraph_tasks_are_named_by_their_xray_id() -> None:
    activity = GraphActivity(Clock())
    activity.begin()
    activity.apply(ev("tasks", start("p", "researcher", {})))
    activity.apply(ev("tasks|researcher:p", start("q", "research_llm", {})))
    assert activity.running == ["researcher", "researcher:research_llm"]
    activity.apply(ev("tasks|researcher:p", result("q", "research_llm")))
    assert activity.running == ["researcher"]


def test_without_tasks_messages_start_a_node_and_updates_end_it() -> None:
    clock = Clock()
    activity = GraphActivity(clock)
    activity.begin()
    clock.now = 0.5
    activity.apply(chunk("planner", "planner:t1"))
    assert activity.running == ["planner"] and not activity.precise
    clock.now = 2.0
    activity.apply(ev("updates", {"planner": {"messages": []}}))
    assert activity.running == [] and activity.nodes["planner"].seconds == 1.5
    clock.now = 3.0
    activity.apply(ev("updates", {"tools": {"messages": []}}))  # never streamed: started when planner ended
    tools = activity.nodes["tools"]
    assert tools.approximate and tools.seconds == 1.0 and tools.state is NodeState.DONE
    activity.apply(chunk("research_llm", "researcher:r1|research_llm:r2"))
    assert activity.running == ["researcher", "researcher:research_llm"]
    activity.apply(ev("updates", {"__interrupt__": [{"value": 1, "id": "x"}]}))
    activity.apply(StreamEnd("success"))
    assert activity.nodes["researcher:research_llm"].state is NodeState.INTERRUPTED
    assert activity.running == []
    version = activity.version
    activity.begin()
    assert activity.nodes == {} and activity.version > version


def test_a_node_visited_again_counts_its_visits() -> None:
    activity = GraphActivity(Clock())
    activity.begin()
    for task_id in ("1", "2"):
        activity.apply(ev("tasks", start(task_id, "agent", {})))
        activity.apply(ev("tasks", result(task_id, "agent")))
    assert activity.nodes["agent"].visits == 2


def test_tasks_mode_is_added_only_when_asked_for() -> None:
    assert stream_modes() == DEFAULT_STREAM_MODES and "tasks" not in DEFAULT_STREAM_MODES
    assert stream_modes(tasks=True) == (*DEFAULT_STREAM_MODES, "tasks")
    assert type(ev("tasks", {"name": "no id"})).__name__ == "Fault"
