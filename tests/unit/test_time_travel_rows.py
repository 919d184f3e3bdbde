"""What the time-travel screens and commands show, from data alone: the timeline's rows and lanes (source,
writer, next, step, fork marks, tree indentation), the state view's changes from the parent, and the run
history's rows (status, start, duration, input, config, multitask strategy)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from chat_tui.client.models import Run, ThreadState
from chat_tui.history_command import run_json, state_json
from chat_tui.service.timeline import Timeline
from chat_tui.ui.screens.runs import run_row
from chat_tui.ui.screens.state_view import state_changes
from chat_tui.ui.screens.timeline import checkpoint_row, lanes

T0 = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def state(
    checkpoint_id: str,
    parent: str | None,
    *,
    step: int = 0,
    source: str = "loop",
    next: tuple[str, ...] = (),
    messages: tuple[str, ...] = (),
    **metadata: Any,
) -> ThreadState:
    values = {"messages": [{"type": "human", "content": f"said {m}", "id": m} for m in messages]}
    return ThreadState(
        values=values,
        next=list(next),
        metadata={"source": source, "step": step, **metadata},
        created_at=T0,
        checkpoint_id=checkpoint_id,
        parent_checkpoint_id=parent,
    )


def timeline_of(states: list[ThreadState]) -> Timeline:
    timeline = Timeline(None, "thread")  # type: ignore[arg-type]  # (no server: the pages are given)
    timeline.add(states)
    return timeline


@st.composite
def trees(draw: st.DrawFn) -> list[int | None]:
    """parents[i]: the parent of checkpoint i (an older one), None for the first."""
    size = draw(st.integers(1, 30))
    return [None] + [draw(st.integers(0, i - 1)) for i in range(1, size)]


def tree_timeline(parents: list[int | None]) -> Timeline:
    ids = [f"c{i:04d}" for i in range(len(parents))]  # time-ordered, as the server's are
    states = [state(ids[i], None if p is None else ids[p], step=i, next=("agent",)) for i, p in enumerate(parents)]
    return timeline_of(list(reversed(states)))  # newest first, as the history is paged


@given(trees(), st.data())
def test_a_fork_starts_a_lane_one_deeper_and_its_row_says_so(parents: list[int | None], data: st.DataObject) -> None:
    timeline = tree_timeline(parents)
    depth = lanes(timeline)
    head = data.draw(st.sampled_from(timeline.order))
    on_path = {info.checkpoint_id for info in _ancestors(timeline, head)}
    for checkpoint_id, info in timeline.by_id.items():
        siblings = timeline.children[info.parent_id]
        later = siblings[0] != checkpoint_id  # a second or later child: a branch starts here
        base = 0 if info.parent_id is None else depth[info.parent_id]
        assert depth[checkpoint_id] == base + (1 if later else 0)
        row = checkpoint_row(timeline, info, on_path, depth[checkpoint_id]).plain
        children = len(timeline.children.get(checkpoint_id, []))
        assert ("├─" in row) == later
        assert row.startswith("  " * max(0, depth[checkpoint_id] - 1))
        assert (f"⑂{children}" in row) == (children > 1)
        assert row.lstrip(" ├─")[0] == ("●" if checkpoint_id in on_path else "○")
        assert f" {info.step} " in row and "loop" in row and "→ agent" in row


def _ancestors(timeline: Timeline, head: str) -> list[Any]:
    found = []
    current: str | None = head
    while current is not None:
        info = timeline.by_id[current]
        found.append(info)
        current = info.parent_id
    return found


def test_a_row_says_source_writer_next_step_messages_and_preview() -> None:
    timeline = timeline_of(
        [
            state("c5", "c2", step=3, source="fork", next=("agent",), messages=("h1",)),
            state("c4", "c3", step=3, source="update", messages=("h1", "a1", "h2"), writes={"approval": {}}),
            state("c3", "c2", step=2, source="update", next=("tools",), messages=("h1", "a1")),
            state("c2", "c1", step=1, source="loop", next=("tools",), messages=("h1", "a1")),
            state("c1", "c0", step=0, source="loop", next=("agent",), messages=("h1",)),
            state("c0", None, step=-1, source="input", next=("__start__",)),
        ]
    )
    rows = {c: checkpoint_row(timeline, timeline.by_id[c], set()).plain for c in timeline.order}
    assert "__start__ → agent" in rows["c1"]  # a loop checkpoint: what its parent had next wrote it
    assert "  -1 input  " in rows["c0"] and "→ __start__" in rows["c0"]
    assert "approval → end" in rows["c4"]  # an update whose metadata names its writer
    assert " → tools" in rows["c3"] and "agent → tools" not in rows["c3"]  # langgraph-api 0.16: no writer said
    assert "copy → agent" in rows["c5"]  # a fork is a copy of the checkpoint beside it
    assert rows["c4"].rstrip().endswith("3  human: said h2")  # how many messages, the last one
    assert timeline.writers(timeline.by_id["c4"]) == ("approval",) and timeline.writers(timeline.by_id["c3"]) == ()


@st.composite
def value_changes(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any], set[str], set[str], set[str]]:
    keys = draw(st.sets(st.sampled_from(["a", "b", "c", "d", "e", "f"]), max_size=6))
    parent = {k: draw(st.integers(0, 3)) for k in keys}
    removed = draw(st.sets(st.sampled_from(sorted(keys)), max_size=len(keys))) if keys else set()
    kept = keys - removed
    changed = draw(st.sets(st.sampled_from(sorted(kept)), max_size=len(kept))) if kept else set()
    added = draw(st.sets(st.sampled_from(["g", "h", "i"]), max_size=3))
    values = {k: parent[k] + (10 if k in changed else 0) for k in kept} | dict.fromkeys(added, 1)
    return values, parent, added, removed, changed


@given(value_changes())
def test_state_changes_names_each_key_added_removed_or_changed(
    case: tuple[dict[str, Any], dict[str, Any], set[str], set[str], set[str]],
) -> None:
    values, parent, added, removed, changed = case
    said = state_changes(values, parent)
    expected = sorted(
        [f"+{k}" for k in added] + [f"-{k}" for k in removed] + [f"~{k}" for k in changed], key=lambda s: s[1:]
    )
    assert said == (", ".join(expected) or "nothing changed")


@given(
    st.lists(st.integers(0, 20), unique=True, max_size=8),
    st.lists(st.integers(21, 40), unique=True, max_size=8),
    st.data(),
)
def test_state_changes_counts_messages_added_removed_and_changed(
    before: list[int], new: list[int], data: st.DataObject
) -> None:
    gone = set(data.draw(st.lists(st.sampled_from(before), unique=True))) if before else set()
    edited = set(data.draw(st.lists(st.sampled_from(before), unique=True))) - gone if before else set()
    parent = {"messages": [{"id": str(i), "content": "x"} for i in before]}
    values = {
        "messages": [{"id": str(i), "content": "y" if i in edited else "x"} for i in before if i not in gone]
        + [{"id": str(i), "content": "z"} for i in new]
    }
    said = state_changes(values, parent)
    for count, what in ((len(new), "added"), (len(gone), "removed"), (len(edited), "changed")):
        part = f"{count} message{'s' if count != 1 else ''} {what}"
        assert (part in said) == (count > 0), said
    if not (new or gone or edited):
        assert said == "nothing changed"


def test_state_changes_of_values_that_are_not_objects() -> None:
    assert state_changes([1], [1]) == "nothing changed" and state_changes([1], {}) == "the values changed"
    said = state_changes({"\x1b[31mkey": 1}, {})  # (a key is the server's: cleaned)
    assert "\x1b" not in said and said.endswith("key")


def run(**fields: Any) -> Run:
    return Run.model_validate({"run_id": "r1", "created_at": T0.isoformat(), **fields})


@given(
    st.sampled_from(["success", "error", "interrupted", "timeout", "pending", "running"]),
    st.floats(0, 10_000, allow_nan=False),
    st.sampled_from([None, "reject", "enqueue", "interrupt", "rollback"]),
    st.one_of(st.none(), st.text(max_size=30)),
)
def test_a_run_row_and_its_json_say_status_start_duration_input_config_and_strategy(
    status: str, seconds: float, strategy: str | None, text: str | None
) -> None:
    sent = {"messages": [{"role": "user", "content": text}]} if text is not None else None
    config = {"recursion_limit": 7, "configurable": {"thread_id": "t", "note": "n", "langgraph_x": 1}}
    item = run(
        status=status,
        updated_at=(T0 + timedelta(seconds=seconds)).isoformat(),
        multitask_strategy=strategy,
        kwargs={"input": sent, "config": config},
    )
    row = run_row(item).plain
    as_json = run_json(item)
    ended = status not in ("pending", "running")
    assert row.startswith(status) and T0.astimezone().strftime("%m-%d %H:%M:%S") in row
    assert (f"{seconds:.1f}s" in row) if ended else ("      -  " in row)
    assert as_json["duration_s"] == (round(seconds, 3) if ended else None)
    assert f" {strategy or '-'}" in row and as_json["multitask_strategy"] == strategy
    assert as_json["config"] == {"recursion_limit": 7, "configurable": {"note": "n"}}  # what the client sent
    assert 'config {"recursion_limit": 7, "configurable": {"note": "n"}}' in row
    assert ("(no input: a re-run)" in row) == (sent is None) and as_json["input"] == sent
    assert as_json["status"] == status and as_json["created_at"] == T0.isoformat()
    assert "\x1b" not in row and "\n" not in row


def test_state_json_says_where_the_values_are_from() -> None:
    shown = state_json(state("c2", "c1", step=4, source="loop", next=("tools",), messages=("h1",)))
    assert shown["checkpoint_id"] == "c2" and shown["parent_checkpoint_id"] == "c1" and shown["step"] == 4
    assert shown["next"] == ["tools"] and shown["source"] == "loop" and shown["values"]["messages"][0]["id"] == "h1"
