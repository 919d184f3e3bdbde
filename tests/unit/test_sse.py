"""The SSE decoder: spec vectors, httpx-sse's known faults, and chunk-split invariance."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chat_tui.client.errors import EventTooLarge
from chat_tui.client.sse import EventDecoder, RawEvent
from tests.support.sse import encode, frame, split


def decode(data: bytes, pieces: list[bytes] | None = None, **kwargs: int) -> list[RawEvent]:
    decoder = EventDecoder(**kwargs)
    events: list[RawEvent] = []
    for piece in pieces if pieces is not None else [data]:
        events.extend(decoder.feed(piece))
    events.extend(decoder.close())
    return events


def test_langgraph_framing_with_crlf_and_ids() -> None:
    data = (
        b'event: metadata\r\ndata: {"run_id":"r"}\r\nid: 1-0\r\n\r\nevent: messages\r\ndata: [1,2]\r\nid: 2-0\r\n\r\n'
    )
    assert decode(data) == [RawEvent("metadata", '{"run_id":"r"}', "1-0"), RawEvent("messages", "[1,2]", "2-0")]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_line_ending_gives_the_same_events(newline: str) -> None:
    data = encode([("messages", [1], "1-0"), ("updates", {"a": 1}, "2-0")], newline=newline)
    assert [(e.event, e.data, e.id) for e in decode(data)] == [
        ("messages", "[1]", "1-0"),
        ("updates", '{"a":1}', "2-0"),
    ]


def test_heartbeats_after_ids_make_no_phantom_events() -> None:
    # httpx-sse alone yields an empty `message` event for each heartbeat once an id was seen.
    data = encode([("messages", ["x"], "1-0")] * 3, heartbeat_every=1)
    decoder = EventDecoder()
    events = decoder.feed(data)
    assert [e.event for e in events] == ["messages"] * 3
    assert decoder.comments == 3


@pytest.mark.parametrize("cut", range(0, 8))
def test_leading_bom_is_stripped_even_when_split(cut: int) -> None:
    data = "\ufeffevent: metadata\ndata: 1\n\n".encode()
    events = decode(data, split(data, [cut]))
    assert events == [RawEvent("metadata", "1", None)]


def test_utf8_is_decoded_whatever_the_charset_and_split_characters_survive() -> None:
    data = encode([("messages", "你好 🚀 안녕", None)])
    pieces = [data[i : i + 1] for i in range(len(data))]  # one byte per read
    assert decode(data, pieces)[0].data == "你好 🚀 안녕"


def test_invalid_utf8_becomes_replacement_characters() -> None:
    assert decode(b"event: m\ndata: a\xffb\n\n")[0].data == "a\ufffdb"


def test_unicode_line_separators_are_not_line_breaks() -> None:
    text = "a\u2028b\u2029c\x85d"
    assert decode(encode([("messages", text, None)]))[0].data == text


def test_unterminated_event_at_eof_is_discarded() -> None:
    assert decode(b"event: a\ndata: 1\n\nevent: b\ndata: 2\n") == [RawEvent("a", "1", None)]


def test_event_without_data_is_not_dispatched_and_default_name_is_message() -> None:
    assert decode(b"event: end\n\ndata: x\n\n") == [RawEvent("message", "x", None)]


def test_multiple_data_lines_join_with_newline() -> None:
    assert decode(b"data: a\ndata: b\n\n")[0].data == "a\nb"


def test_oversized_event_is_refused() -> None:
    big = b"data: " + b"x" * 5000 + b"\n\n"
    with pytest.raises(EventTooLarge):
        decode(big, max_event_size=4096)
    assert decode(big, max_event_size=8192)[0].data == "x" * 5000


def test_oversized_unterminated_line_is_refused_without_buffering_it_all() -> None:
    decoder = EventDecoder(max_event_size=10_000)
    decoder.feed(b"data: ")
    with pytest.raises(EventTooLarge):
        for _ in range(100):
            decoder.feed(b"y" * 1000)


def test_last_event_id_is_tracked() -> None:
    decoder = EventDecoder()
    decoder.feed(encode([("messages", [1], "5-0"), ("messages", [2], None)]))
    assert decoder.last_event_id == "5-0"


payloads = st.text(
    alphabet=st.characters(blacklist_characters="\r\n", blacklist_categories=("Cs",)), min_size=1, max_size=40
)
names = st.sampled_from(["messages", "updates", "values", "metadata", "messages|sub:1", "custom"])
ids = st.one_of(st.none(), st.integers(0, 10**6).map(lambda n: f"{n}-0"))


@settings(max_examples=300, deadline=None)
@given(
    events=st.lists(st.tuples(names, payloads, ids), min_size=1, max_size=8),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    heartbeat_every=st.integers(0, 3),
    bom=st.booleans(),
    cuts=st.lists(st.integers(0, 2000), max_size=30),
)
def test_any_chunking_decodes_to_the_encoded_events(
    events: list[tuple[str, str, str | None]], newline: str, heartbeat_every: int, bom: bool, cuts: list[int]
) -> None:
    data = encode(events, newline=newline, heartbeat_every=heartbeat_every, bom=bom)
    decoded = decode(data, split(data, cuts))
    assert [(e.event, e.data) for e in decoded] == [(n, p) for n, p, _ in events]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600), st.lists(st.integers(0, 600), max_size=10))
def test_arbitrary_bytes_never_raise(data: bytes, cuts: list[int]) -> None:
    decode(data, split(data, cuts))


def test_odd_fields_are_ignored_as_the_spec_says() -> None:
    data = b"retry: -5\nretry: +5\nid: a\x00b\nData: nope\nevent: messages\ndata: [1]\n\n"
    decoder = EventDecoder()
    assert decoder.feed(data) == [RawEvent("messages", "[1]", None)]
    assert decoder.last_event_id is None  # an id containing NUL is ignored


def test_a_one_mib_event_is_fine() -> None:
    big = "y" * (1024 * 1024)
    data = f"event: messages\ndata: {big}\n\n".encode()
    pieces = [data[i : i + 4096] for i in range(0, len(data), 4096)]
    assert decode(data, pieces)[0].data == big


@settings(max_examples=300, deadline=None)
@given(
    events=st.lists(st.tuples(names, payloads, ids), min_size=1, max_size=10),
    heartbeat_every=st.integers(0, 3),
    cuts=st.lists(st.integers(0, 2000), max_size=30),
)
def test_the_one_event_fast_path_and_httpx_sse_agree_on_events_and_ids(
    events: list[tuple[str, str, str | None]], heartbeat_every: int, cuts: list[int]
) -> None:
    """A read holding exactly one langgraph-framed event takes the fast path; anything else goes
    through httpx-sse's field decoder. Both must give the same events, ids and last id."""
    reads = []
    for n, (name, payload, event_id) in enumerate(events, start=1):
        reads.append(frame(name, payload, event_id, "\r\n").encode())
        if heartbeat_every and n % heartbeat_every == 0:
            reads.append(b": heartbeat\r\n\r\n")
    data = b"".join(reads)
    results = []
    for pieces in (reads, [data], split(data, cuts)):
        decoder = EventDecoder()
        decoded = [event for piece in pieces for event in decoder.feed(piece)]
        results.append((decoded, decoder.last_event_id))
    assert results[0] == results[1] == results[2]
    last_id = None
    for _, _, event_id in events:
        last_id = event_id or last_id
    assert [e.id for e in results[0][0]] == [event_id or None for event_id in _running_ids(events)]
    assert results[0][1] == last_id


def _running_ids(events: list[tuple[str, str, str | None]]) -> list[str | None]:
    """The id each event is dispatched with: its own, else the last one seen (the spec's rule)."""
    out, last = [], None
    for _, _, event_id in events:
        last = event_id if event_id is not None else last
        out.append(last)
    return out
