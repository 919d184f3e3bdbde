"""The accumulator: real transcripts, grouping pitfalls, and chunking/replay invariance."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat_tui.client.events import Fault, StreamEnd, parse_event
from chat_tui.client.models import Thread, ThreadState
from chat_tui.client.replay import ReplayFilter
from chat_tui.client.sse import EventDecoder, RawEvent
from chat_tui.conversation import (
    ChatMessage,
    Conversation,
    ErrorEntry,
    InterruptEntry,
    MessageStatus,
    RunOutcome,
    ToolStatus,
)
from chat_tui.headless import message_json
from tests.support.sse import SHARED_TRANSCRIPTS, encode, split, transcript_files

META = {"langgraph_node": "agent", "langgraph_step": 1, "langgraph_checkpoint_ns": "agent:1", "run_id": "r1"}
TOOLS_META = {"langgraph_node": "tools", "langgraph_step": 2, "langgraph_checkpoint_ns": "tools:1"}


def chunk(
    content: Any = "",
    *,
    id: str | None = "lc_run--a",
    tool_call_chunks: list[dict[str, Any]] | None = None,
    last: bool = False,
    usage: dict[str, int] | None = None,
) -> dict[str, Any]:
    return {
        "type": "AIMessageChunk",
        "id": id,
        "content": content,
        "tool_call_chunks": tool_call_chunks or [],
        "tool_calls": [{"name": "garbage", "args": {}, "id": None}],
        "chunk_position": "last" if last else None,
        "usage_metadata": usage,
    }


def tcc(index: int, args: str, id: str | None = None, name: str | None = None) -> dict[str, Any]:
    return {"index": index, "args": args, "id": id, "name": name, "type": "tool_call_chunk"}


def run_events(payloads: list[tuple[str, Any]], conversation: Conversation | None = None) -> Conversation:
    conversation = conversation or Conversation()
    for n, (name, payload) in enumerate(payloads):
        conversation.apply(parse_event(RawEvent(name, json.dumps(payload), f"{n}-0")))
    return conversation


def ai_messages(conversation: Conversation) -> list[ChatMessage]:
    return [m for m in conversation.messages if m.role == "ai"]


# -- real transcripts ---------------------------------------------------------------------


def test_fixture_transcripts_match_the_shared_reference_copies() -> None:
    files = {p.name for p in transcript_files()}
    assert len(files) >= 9
    if SHARED_TRANSCRIPTS.is_dir():
        for shared in SHARED_TRANSCRIPTS.glob("*.sse"):
            assert shared.name in files, f"copy {shared.name} into tests/fixtures/transcripts"


def _fold_transcript(name: str, cuts: list[int] | None = None) -> Conversation:
    path = next(p for p in transcript_files() if p.name == name)
    data = path.read_bytes()
    decoder = EventDecoder()
    conversation = Conversation()
    for piece in split(data, cuts or []):
        for raw in decoder.feed(piece):
            conversation.apply(parse_event(raw))
    return conversation


@pytest.mark.parametrize("path", transcript_files(), ids=lambda p: p.name)
def test_every_transcript_folds_without_faults(path: Any) -> None:
    conversation = _fold_transcript(path.name, cuts=list(range(7, 50_000, 97)))
    assert conversation.take_changes().faults == []
    assert conversation.messages


def test_weather_transcript_reassembles_the_tool_call_and_result() -> None:
    conversation = _fold_transcript("weather_tool_call.sse")
    first, tool, final = conversation.messages
    assert first.text == "Let me look that up." and first.node == "agent"
    (call,) = first.tool_calls
    assert (call.id, call.name, call.args) == ("call_1", "weather", {"query": "weather in san francisco"})
    assert call.status is ToolStatus.DONE and call.result is tool
    assert tool.role == "tool" and tool.tool_call_id == "call_1" and tool.node == "action"
    assert final.text.startswith("The search results provide the current weather conditions in San Francisco")


def test_content_blocks_thinking_usage_and_provider_id_pitfall() -> None:
    conversation = _fold_transcript("content_blocks.sse")
    messages = ai_messages(conversation)
    assert messages[0].thinking == "User wants weather." and messages[0].text == "Let me look that up."
    assert messages[0].usage.total_tokens == 59  # 42 on the first chunk + 17 on the last
    assert messages[0].tool_calls[0].args == {"query": "weather in san francisco"}
    provider = messages[-1]  # first chunk `msg_provider_123`, the rest `lc_run--…`: one message
    assert provider.id == "msg_provider_123" and provider.text == "Hello from a provider-id model."
    assert len(messages) == 3


def test_error_transcript_records_errors() -> None:
    conversation = _fold_transcript("error.sse")
    errors = [e for e in conversation.entries if isinstance(e, ErrorEntry)]
    assert [e.message for e in errors] == ["tool exploded: bad input", "An internal error occurred"]
    assert conversation.run is not None and conversation.run.outcome is RunOutcome.ERROR


def test_interrupt_transcript_records_the_interrupt_once() -> None:
    conversation = _fold_transcript("interrupt_resume.sse")
    interrupts = [e for e in conversation.entries if isinstance(e, InterruptEntry)]
    assert len(interrupts) == 1  # seen in both `updates` and `values`
    assert interrupts[0].question == "Run this tool?"


def test_subgraph_transcript_keeps_namespaces_apart() -> None:
    conversation = _fold_transcript("subgraph.sse")
    nodes = [m.node for m in ai_messages(conversation)]
    assert "summarize" in nodes and conversation.show_node_labels


# -- grouping and tool calls --------------------------------------------------------------


def test_new_id_after_last_chunk_starts_a_new_message_and_late_chunks_append() -> None:
    conversation = run_events(
        [
            ("messages", [chunk("one", id="lc_run--a"), META]),
            ("messages", [chunk("", id="lc_run--a", last=True), META]),
            ("messages", [chunk("two", id="lc_run--b"), META]),
            ("messages", [chunk(" late", id="lc_run--a"), META]),
        ]
    )
    first, second = ai_messages(conversation)
    assert (first.text, second.text) == ("one late", "two")
    assert first.status is MessageStatus.COMPLETE and second.status is MessageStatus.STREAMING


def test_parallel_tool_calls_fill_independently_and_results_attach() -> None:
    conversation = run_events(
        [
            ("messages", [chunk(tool_call_chunks=[tcc(0, "", "c0", "weather")]), META]),
            ("messages", [chunk(tool_call_chunks=[tcc(1, "", "c1", "weather")]), META]),
            ("messages", [chunk(tool_call_chunks=[tcc(0, '{"city": "S')]), META]),
            ("messages", [chunk(tool_call_chunks=[tcc(1, '{"city": "T')]), META]),
            ("messages", [chunk(tool_call_chunks=[tcc(1, 'okyo"}')]), META]),
            ("messages", [chunk(tool_call_chunks=[tcc(0, 'F"}')]), META]),
            ("messages", [chunk(last=True), META]),
            (
                "messages",
                [{"type": "tool", "id": "t1", "content": "boom", "tool_call_id": "c1", "status": "error"}, TOOLS_META],
            ),
            ("messages", [{"type": "tool", "id": "t0", "content": "sunny", "tool_call_id": "c0"}, TOOLS_META]),
        ]
    )
    call0, call1 = ai_messages(conversation)[0].tool_calls
    assert call0.args == {"city": "SF"} and call1.args == {"city": "Tokyo"}
    assert call0.status is ToolStatus.DONE and call1.status is ToolStatus.ERROR
    assert call1.result is not None and call1.result.text == "boom"


def test_invalid_args_keep_raw_text_and_index_gaps_do_not_crash() -> None:
    conversation = run_events(
        [
            ("messages", [chunk(tool_call_chunks=[tcc(5, '{"a": ', "x", "t")]), META]),
            ("messages", [chunk(tool_call_chunks=[{"args": "oops", "index": None}]), META]),
            ("messages", [chunk(last=True), META]),
        ]
    )
    (call,) = ai_messages(conversation)[0].tool_calls
    assert call.args_valid is False and call.args_text == '{"a": oops' and call.status is ToolStatus.WAITING


def test_tool_result_before_its_call_is_attached_later() -> None:
    conversation = run_events(
        [
            ("messages", [{"type": "tool", "id": "t0", "content": "ok", "tool_call_id": "c0"}, TOOLS_META]),
            (
                "messages",
                [
                    {"type": "ai", "id": "a1", "content": "", "tool_calls": [{"id": "c0", "name": "n", "args": {}}]},
                    META,
                ],
            ),
        ]
    )
    (call,) = ai_messages(conversation)[0].tool_calls
    assert call.status is ToolStatus.DONE


def test_control_characters_are_stripped_at_the_boundary_even_when_split() -> None:
    conversation = run_events(
        [
            ("messages", [chunk("safe \x1b"), META]),
            ("messages", [chunk("]52;c;UFdORUQ=\x07 \x9b2J"), META]),
            ("messages", [chunk(tool_call_chunks=[tcc(0, '{"k": "\\u001b[2J"}', "c\x1b", "na\x1bme")]), META]),
            ("messages", [chunk(last=True), META]),
        ]
    )
    message = ai_messages(conversation)[0]
    call = message.tool_calls[0]
    everything = message.text + call.name + (call.id or "") + json.dumps(call.args, ensure_ascii=False)
    assert not any((ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) < 0xA0 for c in everything)
    assert "\x1b" not in call.args["k"]


HOSTILE = "x\x1b]52;c;UFdORUQ=\x07\x1b[2J\x9b2J\u202e\r\n\ty"
# Kept as the server sent them: matched against the server's own, never shown.
RAW_FIELDS = {"id", "checkpoint_ns", "namespace", "response_metadata", "interrupt_id"}


def _unsafe_strings(conversation: Conversation) -> list[str]:
    """Every string an entry holds (except the raw ids) that still has a control character."""
    found: list[str] = []
    seen: set[int] = set()

    def walk(value: Any, where: str) -> None:
        if isinstance(value, str):
            if any((ord(c) < 0x20 and c not in "\t\n") or 0x7F <= ord(c) < 0xA0 or c == "\u202e" for c in value):
                found.append(f"{where}: {value!r}")
        elif isinstance(value, dict):
            for key, item in value.items():
                walk(key, where)
                walk(item, f"{where}[{key!r}]")
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item, where)
        elif hasattr(value, "__slots__") and id(value) not in seen:
            seen.add(id(value))
            for name in value.__slots__:
                if name not in RAW_FIELDS and not (name == "id" and isinstance(value, ChatMessage)):
                    walk(getattr(value, name), f"{type(value).__name__}.{name}")

    for entry in conversation.entries:
        walk(entry, "entry")
    return found


def test_hostile_strings_are_cleaned_on_every_path_in() -> None:
    """Stream, complete messages, errors, interrupts, stored history, reconciliation and values."""
    meta = {**META, "langgraph_node": HOSTILE}
    streamed = run_events(
        [
            ("messages", [chunk([{"type": "thinking", "thinking": HOSTILE}, {"type": HOSTILE}]), meta]),
            ("messages", [chunk(HOSTILE, tool_call_chunks=[tcc(0, HOSTILE, HOSTILE, HOSTILE)]), meta]),
            ("messages", [chunk(last=True), meta]),
            (
                "messages",
                [{"type": "tool", "id": "t", "content": HOSTILE, "tool_call_id": HOSTILE, "name": HOSTILE}, meta],
            ),
            ("updates", {"__interrupt__": [{"id": "i", "value": {"question": HOSTILE, HOSTILE: HOSTILE}}]}),
            ("error", {"error": HOSTILE, "message": HOSTILE}),
        ]
    )
    streamed.add_human(HOSTILE)
    streamed.add_thread_error({"error": HOSTILE, "message": HOSTILE})
    stored_ai = {
        "type": "ai",
        "id": "a2",
        "name": HOSTILE,
        "content": [{"type": "text", "text": HOSTILE}],
        "tool_calls": [{"id": HOSTILE + "2", "name": HOSTILE, "args": {HOSTILE: HOSTILE}}],
        "invalid_tool_calls": [{"id": HOSTILE + "3", "name": HOSTILE, "args": HOSTILE}],
    }
    state = ThreadState.model_validate(
        {
            "values": {"messages": [stored_ai, {"type": "tool", "id": "t2", "content": HOSTILE, "tool_call_id": "c"}]},
            "interrupts": [{"id": "i2", "value": [HOSTILE]}],
        }
    )
    streamed.reconcile(state)
    streamed.apply(parse_event(RawEvent("values", json.dumps({"messages": [{**stored_ai, "id": "lc_run--a"}]}))))
    loaded = Conversation()
    loaded.load(state, Thread.model_validate({"thread_id": "t", "status": "error", "error": HOSTILE}))
    for conversation in (streamed, loaded):
        assert len(conversation.entries) >= 3
        assert _unsafe_strings(conversation) == []
    errors = [e for e in streamed.entries if isinstance(e, ErrorEntry)]
    assert len(errors) == 2 and all("\n" not in e.error for e in errors)


def test_stream_end_statuses() -> None:
    def ended(status: str | None, cancelled: bool = False) -> Conversation:
        conversation = run_events([("messages", [chunk("partial"), META])])
        conversation.apply(StreamEnd(status, cancelled=cancelled))
        return conversation

    assert ended("success").run.outcome is RunOutcome.SUCCESS  # type: ignore[union-attr]
    cancelled = ended("interrupted", cancelled=True)
    assert cancelled.run.outcome is RunOutcome.CANCELLED  # type: ignore[union-attr]
    assert ai_messages(cancelled)[0].status is MessageStatus.CANCELLED
    assert ended("interrupted").run.outcome is RunOutcome.STOPPED  # type: ignore[union-attr]
    assert ended(None).run.outcome is RunOutcome.UNKNOWN  # type: ignore[union-attr]
    assert ai_messages(ended(None))[0].status is MessageStatus.INCOMPLETE


def test_faults_are_reported_not_raised() -> None:
    conversation = Conversation()
    conversation.apply(parse_event(RawEvent("messages", "{broken")))
    conversation.apply(Fault("x"))
    assert len(conversation.take_changes().faults) == 2


def test_take_changes_reports_added_then_updated() -> None:
    conversation = run_events([("messages", [chunk("a"), META])])
    first = conversation.take_changes()
    assert len(first.added) == 1 and first.updated == []
    run_events([("messages", [chunk("b"), META])], conversation)
    second = conversation.take_changes()
    assert second.added == [] and second.updated == first.added


def test_history_loads_with_tool_results_interrupts_and_reconcile_marks_unsaved() -> None:
    state = ThreadState.model_validate(
        {
            "values": {
                "messages": [
                    {"type": "human", "id": "h1", "content": "hi"},
                    {
                        "type": "ai",
                        "id": "a1",
                        "content": [{"type": "text", "text": "calling"}],
                        "tool_calls": [{"id": "c1", "name": "w", "args": {"q": 1}}],
                    },
                    {"type": "tool", "id": "t1", "content": "r", "tool_call_id": "c1"},
                ]
            },
            "interrupts": [{"id": "i1", "value": {"question": "ok?"}}],
        }
    )
    conversation = Conversation()
    conversation.load(state)
    assert [m.role for m in conversation.messages] == ["human", "ai", "tool"]
    assert conversation.messages[1].tool_calls[0].status is ToolStatus.DONE
    assert conversation.pending_interrupts[0].question == "ok?"
    assert conversation.take_changes().reset


# -- properties -----------------------------------------------------------------------------


@dataclass
class Reply:
    text: str
    thinking: str
    calls: list[tuple[str, str, dict[str, Any]]]
    blocks: bool
    provider_id: bool


texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=60)
args = st.dictionaries(
    st.text(alphabet="abcxyz", min_size=1, max_size=5), st.one_of(st.integers(), texts, st.booleans()), max_size=3
)
replies = st.builds(
    Reply,
    text=texts,
    thinking=texts,
    calls=st.lists(
        st.tuples(st.uuids().map(str), st.sampled_from(["weather", "search"]), args),
        max_size=3,
        unique_by=lambda c: c[0],
    ),
    blocks=st.booleans(),
    provider_id=st.booleans(),
)


def _pieces(data: st.DataObject, text: str) -> list[str]:
    cuts = sorted(set(data.draw(st.lists(st.integers(0, len(text)), max_size=8))))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in itertools.pairwise(bounds) if b > a]


def reply_events(reply: Reply, data: st.DataObject) -> list[tuple[str, Any]]:
    """The reply as messages-tuple payloads, split and interleaved as *data* decides."""
    chunks: list[dict[str, Any]] = []
    if reply.blocks:
        chunks += [chunk([{"type": "thinking", "thinking": p, "index": 0}]) for p in _pieces(data, reply.thinking)]
        chunks += [chunk([{"type": "text", "text": p, "index": 1}]) for p in _pieces(data, reply.text)]
    else:
        chunks += [chunk(p) for p in _pieces(data, reply.text)]
    streams = []
    for index, (call_id, name, arguments) in enumerate(reply.calls, start=2):
        pieces = _pieces(data, json.dumps(arguments))
        first = [chunk(tool_call_chunks=[tcc(index, "", call_id, name)])]
        streams.append(first + [chunk(tool_call_chunks=[tcc(index, p)]) for p in pieces])
    while any(streams):  # interleave the calls' argument chunks in a drawn order
        live = [s for s in streams if s]
        pick = data.draw(st.integers(0, len(live) - 1))
        chunks.append(live[pick].pop(0))
    chunks.append(chunk(last=True, usage={"output_tokens": 5}))
    if reply.provider_id:
        chunks[0]["id"] = "msg_provider_1"
    payloads = [("messages", [c, META]) for c in chunks]
    for call_id, _name, _args in reply.calls:
        payloads.append(
            (
                "messages",
                [{"type": "tool", "id": f"t-{call_id}", "content": "done", "tool_call_id": call_id}, TOOLS_META],
            )
        )
    return payloads


def summary(conversation: Conversation) -> list[Any]:
    return [
        (m.role, m.text, m.thinking, m.status, [(c.id, c.name, c.args, c.status) for c in m.tool_calls])
        for m in conversation.messages
    ]


@settings(max_examples=150, deadline=None)
@given(reply=replies, data=st.data())
def test_any_chunking_of_a_reply_gives_the_same_final_messages(reply: Reply, data: st.DataObject) -> None:
    first = run_events(reply_events(reply, data))
    second = run_events(reply_events(reply, data))
    assert summary(first) == summary(second)
    (ai,) = ai_messages(first)
    assert ai.text == reply.text
    assert [(c.id, c.name, c.args) for c in ai.tool_calls] == [(i, n, a) for i, n, a in reply.calls]
    assert all(c.status is ToolStatus.DONE for c in ai.tool_calls)


@settings(max_examples=150, deadline=None)
@given(reply=replies, data=st.data(), cuts=st.lists(st.integers(0, 30_000), max_size=20))
def test_replaying_after_a_reconnect_does_not_duplicate(reply: Reply, data: st.DataObject, cuts: list[int]) -> None:
    """Deliver a prefix, 'reconnect', replay from the resume id the filter chose: same result."""
    payloads = reply_events(reply, data)
    # Dev-server ids: several events share a millisecond (but never a run of them that repeats
    # itself at once: after a reconnect that reads as the server's repeat, chat_tui.client.replay's
    # limit).
    ids: list[str] = []
    ms = 1000
    group: list[tuple[str, str]] = []  # the payloads of the current millisecond
    for payload in payloads:
        run = [*group, payload]
        if data.draw(st.integers(0, 1)) or any(run[-2 * k : -k] == run[-k:] for k in range(1, len(run) // 2 + 1)):
            ms, run = ms + 1, [payload]
        group = run
        ids.append(f"{ms}-0")
    events = [(name, payload, event_id) for (name, payload), event_id in zip(payloads, ids, strict=True)]
    wire = encode(events)
    reference = Conversation()
    decoder = EventDecoder()
    for raw in decoder.feed(wire):
        reference.apply(parse_event(raw))

    drop_after = data.draw(st.integers(1, len(events)))
    conversation = Conversation()
    replay = ReplayFilter()
    decoder = EventDecoder()
    delivered = 0
    for piece in split(wire, cuts):
        raws = decoder.feed(piece)[: max(0, drop_after - delivered)]
        for raw in replay.select(raws):
            conversation.apply(parse_event(raw))
            delivered += 1
    resume = replay.resume_from()
    # The server replays every event with an id greater than the resume id (or all for "-").
    start = 0 if resume in (None, "-") else next(i for i, e in enumerate(events) if e[2] > resume)  # type: ignore[operator]
    for raw in replay.select(EventDecoder().feed(encode(events[start:]))) + replay.finish():
        conversation.apply(parse_event(raw))
    assert summary(conversation) == summary(reference)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["messages", "updates", "values", "error", "metadata", "custom"]),
            st.recursive(
                st.none() | st.booleans() | st.integers() | texts,
                lambda inner: (
                    st.lists(inner, max_size=3)
                    | st.dictionaries(
                        st.sampled_from(
                            [
                                "type",
                                "id",
                                "content",
                                "index",
                                "tool_call_chunks",
                                "args",
                                "__interrupt__",
                                "tool_call_id",
                                "messages",
                                "value",
                            ]
                        ),
                        inner,
                        max_size=4,
                    )
                ),
                max_leaves=12,
            ),
        ),
        max_size=12,
    )
)
def test_no_input_makes_the_accumulator_raise(events: list[tuple[str, Any]]) -> None:
    conversation = Conversation()
    for name, payload in events:
        conversation.apply(parse_event(RawEvent(name, json.dumps(payload))))
    conversation.apply(StreamEnd("success"))
    conversation.take_changes()
    for message in conversation.messages:
        message_json(message)


def test_a_hundred_thousand_one_character_tokens() -> None:
    conversation = Conversation()
    text = "abcdefghij" * 10_000
    for character in text:
        conversation.apply(parse_event(RawEvent("messages", json.dumps([chunk(character), META]))))
    (message,) = ai_messages(conversation)
    assert message.text == text and len(message.text_parts) == 100_000


@pytest.mark.parametrize(
    ("status", "cancelled", "unanswered"),
    [("interrupted", True, True), ("error", False, True), ("interrupted", False, True), ("success", False, False)],
)
def test_a_tool_call_left_waiting_by_a_run_that_ended_early_says_so(
    status: str, cancelled: bool, unanswered: bool
) -> None:
    conversation = run_events(
        [
            ("messages", [chunk(tool_call_chunks=[tcc(0, '{"city": "SF"}', "c0", "weather")]), META]),
            ("messages", [chunk(tool_call_chunks=[tcc(1, '{"city": "T', "c1", "weather")]), META]),
            ("messages", [chunk(last=True), META]),
            ("messages", [{"type": "tool", "id": "t0", "content": "sunny", "tool_call_id": "c0"}, TOOLS_META]),
        ]
    )
    conversation.take_changes()
    conversation.apply(StreamEnd(status, cancelled=cancelled))
    answered, waiting = ai_messages(conversation)[0].tool_calls
    assert answered.status is ToolStatus.DONE  # a result it got is kept
    assert waiting.status is (ToolStatus.UNANSWERED if unanswered else ToolStatus.WAITING)
    if unanswered:
        assert ai_messages(conversation)[0] in conversation.take_changes().updated  # the panel is told


def test_a_stored_call_without_a_result_is_unanswered_only_when_the_thread_is_idle() -> None:
    from chat_tui.client.models import Thread

    state = ThreadState.model_validate(
        {
            "values": {
                "messages": [
                    {"type": "human", "id": "h", "content": "weather?"},
                    {"type": "ai", "id": "a", "content": "", "tool_calls": [{"id": "c0", "name": "w", "args": {}}]},
                ]
            },
            "next": [],
            "tasks": [],
        }
    )
    for status, expected in (("idle", ToolStatus.UNANSWERED), ("busy", ToolStatus.WAITING)):
        conversation = Conversation()
        conversation.load(state, Thread.model_validate({"thread_id": "t", "status": status}))
        assert ai_messages(conversation)[0].tool_calls[0].status is expected


def test_a_run_cancelled_before_it_answered_leaves_a_notice() -> None:
    from chat_tui.conversation import NoticeEntry

    conversation = Conversation()
    conversation.add_human("hello")
    conversation.apply(StreamEnd("interrupted", cancelled=True))
    assert conversation.run is not None and conversation.run.outcome is RunOutcome.CANCELLED
    assert isinstance(conversation.entries[-1], NoticeEntry)
    partial = run_events([("messages", [chunk("half an ans"), META])])
    partial.apply(StreamEnd("interrupted", cancelled=True))
    assert not any(isinstance(e, NoticeEntry) for e in partial.entries)  # the partial answer says [cancelled]
