"""The event inspector's pure part: the ring of events (its bounds, property-tested), the rows a
filter keeps (in step with the ring, incrementally), summaries, search, pretty JSON and previews."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat_tui.client.sse import RawEvent
from chat_tui.conversation.event_log import RECORD_OVERHEAD, EventLog, summarize
from chat_tui.conversation.event_view import EventFilter, EventView
from chat_tui.conversation.json_text import pretty_json, preview, split_lines

NODE_META = {"langgraph_node": "agent", "langgraph_step": 1}


def chunk(text: str, node: str = "agent", message_id: str = "run--1", **extra: object) -> RawEvent:
    message = {"type": "AIMessageChunk", "content": text, "id": message_id, **extra}
    return RawEvent("messages", json.dumps([message, {**NODE_META, "langgraph_node": node}]), "1-0")


def updates(*nodes: str, namespace: str = "") -> RawEvent:
    name = "updates" + (f"|{namespace}" if namespace else "")
    return RawEvent(name, json.dumps({node: {"messages": [{}]} for node in nodes}))


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


sizes = st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=300)


@settings(max_examples=150, deadline=None)
@given(sizes=sizes, budget=st.integers(min_value=1, max_value=20_000))
def test_the_ring_stays_within_its_budget_keeps_the_newest_and_counts_what_it_dropped(
    sizes: list[int], budget: int
) -> None:
    log = EventLog(budget)
    for n, size in enumerate(sizes):
        log.append(RawEvent("custom", "x" * size, str(n)))
        kept = list(log)
        assert log.dropped + len(log) == log.appended == n + 1
        assert kept[-1].seq == n  # the newest is always kept
        assert [e.seq for e in kept] == list(range(log.first_seq, n + 1))  # the last ones, in order
        assert log.kept_bytes == sum(e.cost for e in kept)
        assert log.kept_bytes <= budget or len(log) == 1  # over budget only with the newest alone
        if log.first_seq > 0:  # nothing dropped that would have fitted
            dropped_last = sizes[log.first_seq - 1] + len("custom") + len(str(log.first_seq - 1)) + RECORD_OVERHEAD
            assert log.kept_bytes + dropped_last > budget
        assert log.get(log.first_seq - 1) is None and log.get(n + 1) is None


@settings(max_examples=60, deadline=None)
@given(
    kinds=st.lists(st.sampled_from(["a", "t", "u", "s"]), min_size=1, max_size=200),
    budget=st.integers(min_value=500, max_value=50_000),
    syncs=st.lists(st.booleans(), min_size=200, max_size=200),
    query=st.sampled_from(["", "mode:updates", "node:tools", "mode:messages node:agent", "ns:sub", "ns:-"]),
)
def test_the_rows_follow_the_ring_incrementally_as_a_full_rebuild_would(
    kinds: list[str], budget: int, syncs: list[bool], query: str
) -> None:
    log = EventLog(budget)
    view = EventView(log, EventFilter.parse(query))
    for kind, sync in zip(kinds, syncs, strict=False):
        if kind == "a":
            log.append(chunk("hello", "agent"))
        elif kind == "t":
            log.append(chunk("", "tools", tool_call_chunks=[{"name": "get_weather", "args": "{"}]))
        elif kind == "u":
            log.append(updates("tools"))
        else:
            log.append(updates("inner", namespace="sub:123"))
        if sync:
            view.sync()
    view.sync()
    fresh = EventView(log, EventFilter.parse(query))
    assert [view[i].seq for i in range(len(view))] == [fresh[i].seq for i in range(len(fresh))]
    expected = [e.seq for e in log if EventFilter.parse(query).admits(e)]
    assert [view[i].seq for i in range(len(view))] == expected
    for row in range(len(view)):
        assert view.row_of(view[row].seq) == row


def test_twenty_thousand_events_stay_within_the_budget() -> None:
    log = EventLog(2 * 1024 * 1024)
    view = EventView(log)
    for n in range(20_000):
        log.append(chunk(f"token {n} " * 10, message_id=f"run--{n // 200}"))
        if n % 50 == 0:
            view.sync()
    view.sync()
    assert log.kept_bytes <= log.budget and log.dropped > 0
    assert log.dropped + len(log) == 20_000 == log.appended
    assert len(view) == len(log) and view[-1].seq == 19_999
    assert len(log._items) < 2 * len(log) + 1100  # the dropped are compacted away


def test_times_count_from_each_run_start_and_runs_are_numbered() -> None:
    clock = Clock()
    log = EventLog(clock=clock)
    log.begin_run(started_at=99.5)
    log.append(updates("agent"))
    clock.now = 101.0
    log.append(updates("tools"))
    log.begin_run()
    clock.now = 103.0
    log.append(updates("agent"))
    events = list(log)
    assert [(e.run, e.at) for e in events] == [(1, 0.5), (1, 1.5), (2, 2.0)]


def test_summaries_name_the_node_the_message_the_tools_and_the_first_characters() -> None:
    text = summarize(*chunk("Hello there, this is a rather long first token")[:2])
    assert (text.mode, text.node, text.message_id, text.tools) == ("messages", "agent", "run--1", ())
    assert text.text.startswith("'Hello there")
    call = summarize(*chunk("", tool_call_chunks=[{"name": "get_weather", "args": '{"ci'}])[:2])
    assert call.tools == ("get_weather",) and "args" in call.text
    result = {"type": "tool", "name": "get_weather", "content": '{"temp": 1}', "id": "t1", "status": "success"}
    tool = summarize("messages|sub:1", json.dumps([result, {"langgraph_node": "tools"}]))
    assert tool.tools == ("get_weather",) and tool.node == "tools" and tool.namespace == ("sub:1",)
    assert tool.label == "messages|sub:1" and "tool result" in tool.text
    update = summarize("updates", json.dumps({"agent": {"messages": [{}, {}]}, "__interrupt__": [{}]}))
    assert update.node == "agent, __interrupt__" and "2 messages" in update.text and "1 interrupt" in update.text
    assert summarize("error", '{"error": "ValueError", "message": "boom"}').text == "ValueError: boom"
    assert summarize("metadata", '{"run_id": "r1"}').text == "run r1"
    assert summarize("values", '{"messages": [1, 2]}').text.startswith("2 messages")
    assert summarize("custom", "not json").text.startswith("not JSON")


def test_summaries_are_cleaned_of_control_characters() -> None:
    hostile = summarize("messages\x1b[2J", json.dumps([{"content": "\x1b]52;c;UFdO\x07 hi", "id": "\x9b"}, {}]))
    for value in (hostile.mode, hostile.text, hostile.message_id or ""):
        assert "\x1b" not in value and "\x07" not in value and "\x9b" not in value


def test_filters_by_mode_node_and_namespace_and_search_moves_between_matches() -> None:
    log = EventLog()
    for raw in (chunk("sunny in Paris"), updates("agent"), chunk("", "tools"), updates("x", namespace="sub:1")):
        log.append(raw)
    view = EventView(log)
    view.sync()
    assert len(view) == 4
    for query, expected in (
        ("mode:updates", [1, 3]),
        ("mode:messages,updates node:agent", [0, 1]),
        ("node:tools", [2]),
        ("ns:sub", [3]),
        ("ns:-", [0, 1, 2]),
        ("paris", [0, 1, 2, 3]),  # a search hides nothing
    ):
        view.set_filter(EventFilter.parse(query))
        assert [view[i].seq for i in range(len(view))] == expected, query
    assert EventFilter.parse("node:a,b PARIS x").describe() == "node:a,b search 'PARIS x'"
    view.set_filter(EventFilter())
    assert view.find("PARIS", -1) == 0 and view.find("paris", 0) == 0  # wraps around to itself
    assert view.find("agent", 0) == 1 and view.find("agent", 1, forward=False) == 0
    assert view.find("nowhere", 0) is None


def test_pretty_json_is_cleaned_and_a_preview_says_what_the_value_is() -> None:
    value = {"records": [{"id": n, "note": "\x1b[31mred"} for n in range(100)], "count": 100}
    text, is_json = pretty_json(json.dumps(value))
    assert is_json and "\x1b" not in text and text.startswith('{\n  "records": [')
    assert json.loads(text.replace("␛", "\\u001b")) == value
    shown = preview(json.dumps(value), lines=4)
    assert shown.summary == "JSON object, 2 keys: records (100 items), count"
    assert shown.head == ["{", '  "records": [', "    {", '      "id": 0,'] and shown.more
    assert preview("[1, 2]").summary == "JSON array of 2 items"
    assert preview("plain\ntext").summary == "text, 2 lines" and preview("plain\ntext").head == ["plain", "text"]
    assert pretty_json("{not json") == ("{not json", False)


_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.characters(codec="utf-8"), max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        _values.map(json.dumps),
        _values.map(lambda v: json.dumps(v, ensure_ascii=False)),
        st.text(alphabet=st.sampled_from('ab\n\r\x1b\x9b[]{}"é'), max_size=40),
    ),
    lines=st.integers(1, 8),
)
def test_a_preview_is_the_head_of_the_whole_pretty_text(text: str, lines: int) -> None:
    """The preview pretty-prints and cleans only the first values, and shows what the whole would."""
    shown, is_json = pretty_json(text)
    got = preview(text, lines)
    assert got.more == (shown.count("\n") + 1 > lines)
    assert got.head == shown.split("\n")[:lines]
    assert got.summary.startswith("JSON") == is_json


@pytest.mark.parametrize("width", [1, 3, 10])
def test_split_lines_cuts_long_lines_and_loses_nothing(width: int) -> None:
    text = "short\n" + "x" * 25 + "\n\nend"
    lines = split_lines(text, width)
    assert all(len(line) <= width for line in lines)
    assert "".join(lines) == text.replace("\n", "")
