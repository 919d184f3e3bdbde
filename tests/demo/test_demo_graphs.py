"""In-process tests of the scripted model and the demo graphs (no server, no delays)."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage, ToolMessage
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph.state import CompiledStateGraph
from langgraph.types import Command

from chat_tui.demo import texts
from chat_tui.demo.chunking import pace, split_text
from chat_tui.demo.context import DELAY_ENV_VAR, DemoContext, RunSettings, resolve_settings
from chat_tui.demo.graphs import agent_graph, build_agent_graph, echo_graph, is_approved
from chat_tui.demo.model import ScriptedChatModel
from chat_tui.demo.replies import find_path
from chat_tui.demo.scripts import Behaviour, choose_behaviour, find_cities
from chat_tui.demo.tools import AGENT_TOOLS, HOSTILE_TOOL_NAME

Event = tuple[tuple[str, ...], BaseMessage, dict[str, Any]]


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The env var is read at run time, so tests run at full speed."""
    monkeypatch.setenv(DELAY_ENV_VAR, "0")
    yield


def user(text: str) -> dict[str, Any]:
    return {"messages": [{"role": "user", "content": text}]}


async def stream(
    graph: CompiledStateGraph[Any, Any, Any, Any],
    inp: Any,
    *,
    subgraphs: bool = False,
    thread: str | None = None,
    **kwargs: Any,
) -> list[Event]:
    """Collect `(namespace, message, metadata)` from `stream_mode="messages"`."""
    config: dict[str, Any] = {"configurable": {"thread_id": thread}} if thread else {}
    config["configurable"] = {**config.get("configurable", {}), **kwargs.pop("configurable", {})}
    out: list[Event] = []
    pregel: Any = graph  # astream's overloads do not cover **kwargs
    async for item in pregel.astream(inp, config, stream_mode="messages", subgraphs=subgraphs, **kwargs):
        ns, (msg, meta) = item if subgraphs else ((), item)
        out.append((ns, msg, meta))
    return out


def ai_chunks(events: list[Event], node: str | None = None) -> list[AIMessageChunk]:
    return [
        m for _, m, meta in events if isinstance(m, AIMessageChunk) and (node is None or meta["langgraph_node"] == node)
    ]


def text(events: list[Event], node: str | None = None) -> str:
    out = ""
    for chunk in ai_chunks(events, node):
        if isinstance(chunk.content, str):
            out += chunk.content
        else:
            out += "".join(b.get("text", "") for b in chunk.content if isinstance(b, dict))
    return out


def tool_messages(events: list[Event]) -> list[ToolMessage]:
    return [m for _, m, _ in events if isinstance(m, ToolMessage)]


def tool_call_chunks(events: list[Event]) -> list[dict[str, Any]]:
    return [dict(tc) for c in ai_chunks(events) for tc in c.tool_call_chunks]


# --- keyword routing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("message", "behaviour"),
    [
        ("hello", Behaviour.DEFAULT),
        ("Can you explain this?", Behaviour.DEFAULT),  # "explain" must not trigger "plan"
        ("what's the weather in sf", Behaviour.WEATHER),
        ("WEATHER?", Behaviour.WEATHER),
        ("compare the weather in Paris and Tokyo", Behaviour.COMPARE),
        ("run two in parallel", Behaviour.COMPARE),
        ("make it fail", Behaviour.FAIL),
        ("this is broken", Behaviour.FAIL),
        ("crash now", Behaviour.CRASH),
        ("please approve", Behaviour.APPROVE),
        ("delete /tmp/x.txt", Behaviour.APPROVE),
        ("plan my week", Behaviour.PLAN),
        ("do some research", Behaviour.RESEARCH),
        ("reply in chinese", Behaviour.CHINESE),
        ("中文", Behaviour.CHINESE),
        ("你好", Behaviour.CHINESE),
        ("korean please", Behaviour.KOREAN),
        ("한국어", Behaviour.KOREAN),
        ("안녕", Behaviour.KOREAN),
        ("think hard", Behaviour.THINK),
        ("a long answer", Behaviour.LONG),
        ("go slow", Behaviour.SLOW),
        ("show config", Behaviour.CONFIG),
        ("echo this", Behaviour.CONFIG),
        ("hostile", Behaviour.HOSTILE),
    ],
)
def test_keyword_routing(message: str, behaviour: Behaviour) -> None:
    assert choose_behaviour(message) == behaviour


def test_arguments_taken_from_the_message() -> None:
    assert find_cities("weather in NYC vs sf", 2) == ["New York", "San Francisco"]
    assert find_cities("what about Mars", 1) == []
    assert find_path("delete /tmp/foo.txt.") == "/tmp/foo.txt"
    assert find_path("delete my report") == "/tmp/report.txt"
    assert find_path("see https://example.com/a") == "/tmp/report.txt"


def test_split_text_roundtrips_and_keeps_graphemes() -> None:
    sample = texts.default_reply("friendly") + texts.CHINESE_TEXT + texts.KOREAN_TEXT
    pieces = split_text(sample)
    assert "".join(pieces) == sample
    assert max(len(p) for p in pieces) <= 8
    assert sum(2 <= len(p) <= 8 for p in pieces) / len(pieces) > 0.8
    assert any("👍🏽" in p for p in split_text("Nice 👍🏽 work"))


def test_pace_is_deterministic_and_scales() -> None:
    assert pace(0, 5) == 0
    assert pace(20, 3) == pace(20, 3)
    assert 0.015 <= pace(20, 1) <= 0.025
    assert pace(20, 0) > pace(20, 1)  # time to first token
    assert pace(20, 4, 5.0) == pytest.approx(pace(20, 4) * 5)


# --- the model on its own ----------------------------------------------------------------------


@pytest.mark.asyncio
async def test_model_streams_weather_tool_call_pieces() -> None:
    model = ScriptedChatModel().bind_tools(AGENT_TOOLS)
    streamed = [c async for c in model.astream([HumanMessage("what's the weather in sf")])]
    chunks = [c for c in streamed if isinstance(c, AIMessageChunk)]
    assert len(chunks) == len(streamed)
    assert chunks[0].usage_metadata and chunks[0].usage_metadata["input_tokens"] > 0
    assert chunks[0].response_metadata.get("model_name") == "scripted-fast"
    calls = [tc for c in chunks for tc in c.tool_call_chunks]
    assert calls[0]["id"] and calls[0]["name"] == "get_weather" and calls[0]["args"] == ""
    assert all(tc["id"] is None and tc["name"] is None and tc["index"] == 0 for tc in calls[1:])
    assert len(calls) >= 5
    assert json.loads("".join(tc["args"] or "" for tc in calls)) == {"city": "San Francisco"}
    assert chunks[-1].chunk_position == "last"
    usage = [c.usage_metadata for c in chunks if c.usage_metadata]
    assert usage[-1]["output_tokens"] > 0 and usage[-1]["input_tokens"] == 0
    text_pieces = [c.content for c in chunks if isinstance(c.content, str) and c.content]
    assert all(1 <= len(p) <= 8 for p in text_pieces)
    merged: AIMessageChunk = chunks[0]
    for c in chunks[1:]:
        merged += c
    assert merged.tool_calls[0]["args"] == {"city": "San Francisco"}
    assert merged.content == "Let me check the current weather in San Francisco."


def test_model_sync_invoke_and_stream() -> None:
    model = ScriptedChatModel()
    message = model.invoke([HumanMessage("weather in Tokyo")])
    assert isinstance(message, AIMessage)
    assert message.tool_calls[0]["args"] == {"city": "Tokyo"}
    chunks = list(model.stream([HumanMessage("hi")]))
    assert len(chunks) > 20
    assert "## Welcome" in "".join(str(c.content) for c in chunks)


@pytest.mark.asyncio
async def test_model_delay_is_read_at_run_time(monkeypatch: pytest.MonkeyPatch) -> None:
    model = ScriptedChatModel()
    monkeypatch.setenv(DELAY_ENV_VAR, "3")
    started = time.monotonic()
    chunks = [c async for c in model.astream([HumanMessage("weather")])]
    assert time.monotonic() - started >= len(chunks) * 0.002
    fast = ScriptedChatModel(delay_ms=0)  # an explicit per-run value beats the env var
    started = time.monotonic()
    _ = [c async for c in fast.astream([HumanMessage("weather")])]
    assert time.monotonic() - started < len(chunks) * 0.002


def test_settings_resolution() -> None:
    assert RunSettings().effective_delay_ms() == 0  # env var (fixture) wins over the default
    s = resolve_settings(DemoContext(), {"model_name": "openai", "foo": 1, "thread_id": "t"})
    assert (s.model_name, s.persona, s.delay_ms, dict(s.extras)) == ("openai", "friendly", None, {"foo": 1})
    s = resolve_settings(DemoContext(delay_ms=7, persona="pirate"), {"langgraph_request_id": "x"})
    assert (s.persona, s.delay_ms, dict(s.extras)) == ("pirate", 7, {})
    assert resolve_settings(DemoContext(), {"delay_ms": 20}).delay_ms == 20


def test_context_schema_is_published() -> None:
    schema = agent_graph.get_context_jsonschema()
    assert schema is not None
    props = schema["properties"]
    assert props["model_name"]["enum"] == ["scripted-fast", "scripted-careful", "openai", "anthropic"]
    assert props["model_name"]["default"] == "scripted-fast"
    assert props["persona"]["enum"] == ["friendly", "terse", "pirate"]
    assert props["delay_ms"] == {"default": 20, "title": "Delay Ms", "type": "integer"}


# --- the graphs ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_default_reply_is_rich_markdown() -> None:
    events = await stream(agent_graph, user("hello"))
    reply = text(events)
    for part in ("## Welcome", "\n- ", "|---|", "```python", "`weather in sf`", "`hostile`"):
        assert part in reply
    assert {meta["langgraph_node"] for _, _, meta in events} == {"agent"}


@pytest.mark.asyncio
async def test_weather_calls_tool_then_summarizes() -> None:
    events = await stream(agent_graph, user("What's the weather in London?"))
    calls = tool_call_chunks(events)
    head = calls[0]
    assert head["name"] == "get_weather" and head["id"].startswith("call_")
    assert json.loads("".join(tc["args"] for tc in calls)) == {"city": "London"}
    (result,) = tool_messages(events)
    assert result.tool_call_id == head["id"] and result.status == "success"
    assert json.loads(str(result.content))["temp_c"] == 9.0
    ids = [c.id for c in ai_chunks(events)]
    assert len(set(ids)) == 2  # two model calls: the tool request, then the summary
    assert "9.0 °C" in text(events)


@pytest.mark.asyncio
async def test_compare_makes_two_interleaved_parallel_calls() -> None:
    events = await stream(agent_graph, user("compare Paris and Seoul"))
    calls = tool_call_chunks(events)
    order = [tc["index"] for tc in calls]
    assert order[:4] == [0, 1, 0, 1]
    assert [tc["index"] for tc in calls if tc["id"]] == [0, 1]
    args = {i: json.loads("".join(tc["args"] for tc in calls if tc["index"] == i)) for i in (0, 1)}
    assert args == {0: {"city": "Paris"}, 1: {"city": "Seoul"}}
    results = tool_messages(events)
    assert {r.tool_call_id for r in results} == {tc["id"] for tc in calls if tc["id"]}
    assert "| Paris |" in text(events) and "| Seoul |" in text(events)


@pytest.mark.asyncio
async def test_failing_tool_returns_error_tool_message() -> None:
    events = await stream(agent_graph, user("the order lookup is broken"))
    (result,) = tool_messages(events)
    assert result.status == "error" and "order service unreachable" in str(result.content)
    assert text(events).split("Sorry", 1)[1]


@pytest.mark.asyncio
async def test_crash_raises_value_error_mid_stream() -> None:
    seen: list[str] = []
    with pytest.raises(ValueError, match="crashed mid-stream"):
        async for msg, _ in agent_graph.astream(user("crash"), stream_mode="messages"):
            seen.append(str(getattr(msg, "content", "")))
    assert 3 <= len(seen) <= 6 and "".join(seen).startswith("Let me")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("resume", "approved"),
    [("yes", True), ("no", False), ({"approved": True}, True), ({"approved": False}, False), (True, True)],
)
async def test_approve_interrupts_then_resumes(resume: Any, approved: bool) -> None:
    graph = build_agent_graph()
    graph.checkpointer = InMemorySaver()
    thread = f"t-{resume!r}"
    config: Any = {"configurable": {"thread_id": thread}}
    events = await stream(graph, user("please delete /tmp/report.txt"), thread=thread)
    assert tool_call_chunks(events)[0]["name"] == "delete_file"
    assert not tool_messages(events)  # the tool has not run
    state = await graph.aget_state(config)
    assert state.next == ("approval",)
    (pending,) = state.interrupts
    assert pending.value["question"] == "Allow delete_file on /tmp/report.txt?"
    assert pending.value["tool"] == "delete_file" and pending.value["args"] == {"path": "/tmp/report.txt"}

    events = await stream(graph, Command(resume=resume), thread=thread)
    (result,) = tool_messages(events)
    assert result.tool_call_id == pending.value["tool_call_id"]
    if approved:
        assert result.status == "success" and "Deleted /tmp/report.txt" in str(result.content)
        assert text(events).startswith("Done")
    else:
        assert result.status == "error" and "Rejected" in str(result.content)
        assert "did **not** delete" in text(events)
    assert (await graph.aget_state(config)).next == ()


def test_is_approved() -> None:
    for yes in (True, 1, "yes", "Y", " approve ", {"approved": True}, {"answer": "ok"}, ["yes"]):
        assert is_approved(yes), yes
    for no in (False, 0, None, "", "no", "maybe", {"approved": False}, {}, [], ["yes", "no"]):
        assert not is_approved(no), no


@pytest.mark.asyncio
async def test_plan_streams_two_model_nodes_in_sequence() -> None:
    events = await stream(agent_graph, user("plan a trip"))
    nodes: list[str] = []
    for _, _, meta in events:
        if not nodes or nodes[-1] != meta["langgraph_node"]:
            nodes.append(meta["langgraph_node"])
    assert nodes == ["planner", "writer"]
    assert text(events, "planner").startswith("Here's my plan:\n\n1.")
    assert text(events, "writer").startswith("## Result")
    assert len({c.id for c in ai_chunks(events)}) == 2


@pytest.mark.asyncio
async def test_research_subgraph_streams_only_with_subgraphs() -> None:
    events = await stream(agent_graph, user("research streaming"), subgraphs=True)
    inner = [(ns, m, meta) for ns, m, meta in events if ns]
    assert inner and all(ns[0].startswith("researcher:") for ns, _, _ in inner)
    assert ai_chunks(inner, "research_llm")
    assert tool_messages(inner)[0].name == "search_notes"
    assert "Research findings" in text(inner)

    top_only = await stream(agent_graph, user("research streaming"))
    assert not ai_chunks(top_only)  # no token stream from inside the subgraph
    complete = [m for _, m, meta in top_only if meta["langgraph_node"] == "researcher"]
    assert [type(m) for m in complete] == [AIMessage, ToolMessage, AIMessage]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("message", "expected"), [("chinese", "你好"), ("你好", "演示助手"), ("korean", "안녕하세요"), ("안녕", "데모")]
)
async def test_cjk_replies(message: str, expected: str) -> None:
    assert expected in text(await stream(agent_graph, user(message)))


@pytest.mark.asyncio
async def test_think_streams_blocks_with_provider_id_on_first_chunk_only() -> None:
    events = await stream(agent_graph, user("think first"))
    chunks = ai_chunks(events)
    assert all(isinstance(c.content, list) for c in chunks)
    assert chunks[0].id and chunks[0].id.startswith("msg_demo_")
    assert all(c.id and c.id.startswith("lc_run--") for c in chunks[1:])
    blocks = [b for c in chunks for b in c.content if isinstance(b, dict)]
    kinds = [(b["type"], b["index"]) for b in blocks]
    first_text = kinds.index(("text", 1))
    assert kinds[0] == ("thinking", 0) and set(kinds[:first_text]) == {("thinking", 0)}
    assert set(kinds[first_text:]) == {("text", 1)}
    assert "list content blocks" in text(events)


@pytest.mark.asyncio
async def test_long_and_slow_scripts() -> None:
    long_text = text(await stream(agent_graph, user("long")))
    assert 7500 <= len(long_text.encode()) <= 10000
    assert long_text.count("```python") >= 6 and "| topic |" in long_text
    model = ScriptedChatModel(delay_ms=20)
    steps, delay_ms, factor = model._plan([HumanMessage("slow")])
    total = sum(pace(delay_ms, i, factor) for i in range(len(steps)))
    assert 12 <= total <= 18  # ~15 s at the default delay: time to press cancel
    assert 0.08 <= pace(delay_ms, 5, factor) <= 0.13


@pytest.mark.asyncio
async def test_config_echo_via_context_and_configurable() -> None:
    via_context = text(
        await stream(agent_graph, user("config"), context=DemoContext(model_name="openai", persona="pirate"))
    )
    assert "`model_name`: `openai`" in via_context and "`persona`: `pirate`" in via_context
    via_conf = text(await stream(agent_graph, user("config"), configurable={"model_name": "anthropic", "team": "red"}))
    assert "`model_name`: `anthropic`" in via_conf and "`team`: `red`" in via_conf
    assert "thread_id" not in via_conf


@pytest.mark.asyncio
async def test_hostile_self_test() -> None:
    events = await stream(agent_graph, user("hostile"))
    pieces = [str(c.content) for c in ai_chunks(events)]
    reply = "".join(pieces)
    for needle in (
        "[/]",
        "[$x]",
        "[b]bold?[/b]",
        "[@click=app.quit]click me[/]",
        "[link='https://evil.example']x[/link]",
        "\x1b]52;c;UFdORUQ=\x07",
        "\x1b]0;PWNED-TITLE\x1b\\",
        "\x1b[2J",
        "\x1b[31m",
        "\x9b2J",
        "\x9d0;C1-TITLE\x9c",
        "ssh://attacker.example",
        "https://example.com",
        "你好",
        "안녕하세요",
        "🚀👍🏽",
    ):
        assert needle in reply, needle
    # Some escape sequences are split across two chunks.
    pairs = list(itertools.pairwise(pieces))
    assert any(a.endswith("\x1b]52;c;UFd") and b.startswith("ORUQ=\x07") for a, b in pairs)
    assert any(a.endswith("\x1b]0;PWNED") and b.startswith("-TITLE\x1b\\") for a, b in pairs)
    assert tool_call_chunks(events)[0]["name"] == HOSTILE_TOOL_NAME
    (result,) = tool_messages(events)
    assert result.name == HOSTILE_TOOL_NAME and result.status == "success"
    assert "\x1b]52;c;" in str(result.content) and "\x9b2J" in str(result.content)


@pytest.mark.asyncio
async def test_echo_graph() -> None:
    events = await stream(echo_graph, user("ping"), context=DemoContext(persona="terse"))
    reply = text(events)
    assert reply.startswith("echo: ping") and "`persona`: `terse`" in reply
    assert {meta["langgraph_node"] for _, _, meta in events} == {"echo"}


def test_the_keyword_table_is_one_table_and_each_example_does_what_it_says() -> None:
    """The README and the demo's own welcome show the same rows; each example picks its scenario."""
    from pathlib import Path

    from chat_tui.demo.scripts import Behaviour, choose_behaviour

    for say, scenario, _what in texts.KEYWORD_HELP:
        assert choose_behaviour(say) is Behaviour(scenario), say
    assert {Behaviour(s) for _say, s, _w in texts.KEYWORD_HELP} == set(Behaviour)  # every scenario is listed
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    assert texts.keyword_table() in readme
    assert texts.keyword_table() in texts.default_reply("friendly")
