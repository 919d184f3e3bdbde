"""The replay filter against a model of the dev server's rejoin behaviour."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from chat_tui.client.replay import HISTORY, ReplayFilter, event_id_key
from chat_tui.client.sse import RawEvent


def deliver(replay: ReplayFilter, events: list[RawEvent], *, end: bool = True) -> list[RawEvent]:
    """What the filter delivers of *events*, read one at a time (and, with *end*, the body then ends)."""
    out = [e for event in events for e in replay.select([event])]
    return out + replay.finish() if end else out


@st.composite
def streams(draw: st.DrawFn) -> list[RawEvent]:
    """Events in millisecond groups (`<ms>-0` ids); tokens repeat, also within one group.

    Never a run of events within one millisecond that repeats itself at once (``a a``, ``a b a b``):
    after a reconnect the filter reads those as the server sending the end of what it sent again
    (the documented limit of ``chat_tui.client.replay``, see
    ``test_the_limit_a_run_that_repeats_itself_in_one_millisecond``).
    """
    events: list[RawEvent] = []
    ms = 1_795_000_000_000
    for _ in range(draw(st.integers(1, 40))):
        ms += draw(st.integers(0, 2))
        token = draw(st.sampled_from(["a", "b", "ha", " ", "\n"]))
        event = RawEvent("messages", f'[{{"content":"{token}"}},{{"langgraph_node":"agent"}}]', f"{ms}-0")
        if not _repeats_itself([e for e in events if e.id == event.id] + [event]):
            events.append(event)
    return events


def _repeats_itself(group: list[RawEvent]) -> bool:
    return any(group[-2 * n : -n] == group[-n:] for n in range(1, len(group) // 2 + 1))


def rejoin_stream(
    events: list[RawEvent], resume: str | None, repeat_from: int, repeat_to: int, delivered: int = 0
) -> list[RawEvent]:
    """What the server sends: the events after `resume`, with a span sent twice (its join-setup repeat).

    As measured, the repeated span starts at an id older than the last one sent before it (an
    inversion), or it shares that last id (the last event twice in a row, or the last few sent
    again). The span ends where the server switched from stored to live events, so never before
    the first event the client had not received (*delivered* events came before the reconnect).
    """
    if resume in (None, "-"):
        start = 0
    else:
        key = event_id_key(resume)
        start = next((i for i, e in enumerate(events) if event_id_key(e.id or "") > key), len(events))  # type: ignore[operator]
    replayed = events[start:]
    cut = min(len(replayed), max(0, repeat_to - start))
    again_from = min(cut, max(0, repeat_from - start))
    if cut and again_from < cut:
        first, last = event_id_key(replayed[again_from].id or ""), event_id_key(replayed[cut - 1].id or "")
        if first < last or (first == last and start + cut >= delivered):  # type: ignore[operator]
            return replayed[:cut] + replayed[again_from:cut] + replayed[cut:]
    return replayed


@settings(max_examples=400, deadline=None)
@given(events=streams(), data=st.data())
def test_a_rejoined_stream_delivers_every_event_exactly_once(events: list[RawEvent], data: st.DataObject) -> None:
    replay = ReplayFilter()
    delivered_before = data.draw(st.integers(0, len(events)))
    delivered = deliver(replay, events[:delivered_before], end=False)
    assert delivered == events[:delivered_before]
    resume = replay.resume_from()
    repeat_to = data.draw(st.integers(0, len(events)))
    repeat_from = data.draw(st.integers(0, repeat_to))
    admitted = deliver(replay, rejoin_stream(events, resume, repeat_from, repeat_to, delivered_before))
    assert delivered + admitted == events


@settings(max_examples=200, deadline=None)
@given(events=streams(), data=st.data())
def test_several_reconnects_in_a_row(events: list[RawEvent], data: st.DataObject) -> None:
    replay = ReplayFilter()
    result: list[RawEvent] = []
    position = 0
    source = events
    for _ in range(3):
        take = data.draw(st.integers(0, len(source)))
        result += deliver(replay, source[:take], end=False)
        position = len(result)
        resume = replay.resume_from()
        source = rejoin_stream(events, resume, position, position)
    result += deliver(replay, source)
    assert result == events


def test_the_resume_point_is_the_previous_distinct_id() -> None:
    replay = ReplayFilter()
    for event_id in ("5-0", "6-0", "6-0"):
        deliver(replay, [RawEvent("messages", f"[{event_id}]", event_id)])
    assert replay.resume_from() == "5-0"
    single = ReplayFilter()
    deliver(single, [RawEvent("metadata", "{}", "9-0")])
    assert single.resume_from() == "-"  # everything shares one id: replay from the start
    assert ReplayFilter().resume_from() is None


def test_events_without_ids_are_noted() -> None:
    replay = ReplayFilter()
    assert deliver(replay, [RawEvent("messages", "[1]", None)])
    assert replay.delivered_without_id and replay.resume_from() is None


def test_the_measured_repeat_is_dropped_and_identical_tokens_are_kept() -> None:
    def event(ms: int, token: str) -> RawEvent:
        return RawEvent("messages", f'["{token}"]', f"{ms}-0")

    replay = ReplayFilter()
    before = [event(1, "a"), event(2, "b"), event(2, "b")]  # two identical tokens in one millisecond
    assert deliver(replay, before) == before
    assert replay.resume_from() == "1-0"
    rejoin = [event(2, "b"), event(2, "b"), event(3, "c"), event(4, "d"), event(3, "c"), event(4, "d"), event(5, "e")]
    assert [e.data for e in deliver(replay, rejoin)] == ['["c"]', '["d"]', '["e"]']


def _event(ms: int, token: str) -> RawEvent:
    return RawEvent("messages", f'["{token}"]', f"{ms}-0")


def test_the_server_repeating_only_its_last_event_is_dropped() -> None:
    """Seen on the dev server: after a rejoin, one event arrives twice in a row (no inversion)."""
    replay = ReplayFilter()
    assert len(deliver(replay, [_event(1, "a"), _event(2, "b")])) == 2
    replay.resume_from()
    rejoin = [_event(2, "b"), _event(3, "c"), _event(4, "needed."), _event(4, "needed."), _event(5, "d")]
    assert [e.data for e in deliver(replay, rejoin)] == ['["c"]', '["needed."]', '["d"]']


def test_the_limit_a_run_that_repeats_itself_in_one_millisecond() -> None:
    """The documented trade-off: after a reconnect, events in one millisecond that repeat the run
    just before them (``| |``, ``a b a b``) read as the server's repeat (the copy is missing until
    the run is reconciled with the server's state); before any reconnect all are kept."""
    replay = ReplayFilter()
    assert len(deliver(replay, [_event(1, "|"), _event(1, "|")])) == 2
    replay.resume_from()
    rejoin = [_event(1, "|"), _event(1, "|"), _event(2, "x"), _event(2, "x"), _event(3, "a"), _event(3, "b")]
    rejoin += [_event(3, "a"), _event(3, "b")]
    assert [e.data for e in deliver(replay, rejoin)] == ['["x"]', '["a"]', '["b"]']


def test_the_server_sending_its_last_few_events_again_is_dropped() -> None:
    """Seen on the dev server under load, long after a rejoin: the last two events, which share a
    millisecond, sent again (no inversion, so the span cannot be told by its ids)."""
    replay = ReplayFilter()
    assert len(deliver(replay, [_event(1, "a"), _event(2, "b")], end=False)) == 2
    replay.resume_from()
    rejoin = [_event(2, "b"), _event(3, " an"), _event(14, " `i"), _event(14, "nterr")]
    rejoin += [_event(14, " `i"), _event(14, "nterr"), _event(18, "upt()`")]
    assert [e.data for e in deliver(replay, rejoin)] == ['[" an"]', '[" `i"]', '["nterr"]', '["upt()`"]']


def test_held_events_that_turn_out_new_are_delivered_in_order() -> None:
    """A copy of an earlier event of the newest millisecond is held until the next event shows
    whether the server is sending that end again; when it is not, both are delivered, in order,
    and at a normal end of the body nothing held is lost."""
    replay = ReplayFilter()
    deliver(replay, [_event(1, "a")], end=False)
    replay.resume_from()
    assert deliver(replay, [_event(2, "x"), _event(2, "y")], end=False) == [_event(2, "x"), _event(2, "y")]
    assert replay.select([_event(2, "x")]) == []  # held: it may begin "x y" again
    assert replay.select([_event(2, "z")]) == [_event(2, "x"), _event(2, "z")]
    assert replay.select([_event(2, "x")]) == []
    assert replay.finish() == [_event(2, "x")]
    assert replay.select([_event(2, "q")]) == [_event(2, "q")]


def test_held_events_are_left_to_the_next_rejoin_when_the_connection_breaks() -> None:
    replay = ReplayFilter()
    deliver(replay, [_event(1, "a")], end=False)
    replay.resume_from()
    deliver(replay, [_event(2, "x"), _event(2, "y")], end=False)
    assert replay.select([_event(2, "x")]) == []
    assert replay.resume_from() == "1-0"  # the cut: the held copy is dropped, the replay sends it
    rejoin = [_event(2, "x"), _event(2, "y"), _event(2, "x"), _event(3, "w")]
    assert deliver(replay, rejoin) == [_event(2, "x"), _event(3, "w")]


def test_a_long_stream_keeps_a_bounded_history_and_still_rejoins_exactly() -> None:
    """Before a reconnect only the last HISTORY fingerprints are kept (memory does not grow
    with the stream); a rejoin after thousands of events still delivers each event once."""
    events = [_event(1_000 + n // 3, f"t{n % 7}") for n in range(5_000)]  # three events per millisecond
    replay = ReplayFilter()
    assert deliver(replay, events[:4_000], end=False) == events[:4_000]
    assert len(replay._order) == HISTORY
    resume = replay.resume_from()
    assert resume == events[3_998].id  # the previous distinct id (events 3,999.. share the last one)
    start = next(i for i, e in enumerate(events) if event_id_key(e.id or "") > event_id_key(resume or ""))
    rejoin = events[start:4_100] + events[4_090:4_100] + events[4_100:]  # and the server's repeated span
    assert deliver(replay, rejoin) == events[4_000:]


def _aegra(n: int, token: str = "t") -> RawEvent:
    return RawEvent("messages", f'["{token}"]', f"0199a2c4-7d1e-7b3a-9f00-5b1c2d3e4f50_event_{n}")


@settings(max_examples=300, deadline=None)
@given(
    tokens=st.lists(st.sampled_from(["a", "b", " ", "\n"]), min_size=1, max_size=60),
    data=st.data(),
)
def test_unique_ids_a_rejoin_as_aegra_sends_it_delivers_every_event_once(
    tokens: list[str], data: st.DataObject
) -> None:
    """aegra-api 0.6.0: ids ``<run id>_event_<n>``; a rejoin replays the stored events after
    ``Last-Event-ID``, then the live ones numbered above ``Last-Event-ID`` (not above the last one
    replayed): the events between are sent twice. Identical tokens (even in a row) are kept."""
    events = [_aegra(n, token) for n, token in enumerate(tokens, 1)]
    replay = ReplayFilter()
    delivered = data.draw(st.integers(1, len(events)))
    assert deliver(replay, events[:delivered], end=False) == events[:delivered]
    resume = replay.resume_from()
    assert resume == events[delivered - 1].id  # unique ids: resumed from the last one itself
    stored = data.draw(st.integers(delivered, len(events)))  # what the server had stored by then
    rejoin = events[delivered:stored] + events[delivered:]
    assert deliver(replay, rejoin) == events[delivered:]


def test_opaque_ids_that_repeat_are_not_taken_for_unique() -> None:
    """A server whose opaque ids repeat (one id for several events): nothing is dropped by id."""
    replay = ReplayFilter()
    before = [RawEvent("messages", f'["{token}"]', "same") for token in ("a", "b")]
    assert deliver(replay, before) == before
    replay.resume_from()
    assert deliver(replay, [RawEvent("messages", '["c"]', "same")])
