"""Dropped, stalled and slow streams: rejoined with Last-Event-ID; nothing lost, nothing twice."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.client.events import Reconnecting
from chat_tui.conversation import Conversation, RunOutcome
from chat_tui.service.turn import Turn, TurnRequest
from tests.faults.proxy import EndBody, FaultProxy
from tests.support import repairs
from tests.support.repairs import one_repeat_lost
from tests.support.runs import assert_matches_state

pytestmark = pytest.mark.server
RUN_STREAM = r"/runs/stream$"
REJOIN = r"/runs/[0-9a-f-]+/stream$"


async def streamed_turn(
    url: str, text: str, *, idle_timeout: float | None = None, **request: Any
) -> tuple[Conversation, Any, list[Any]]:
    events: list[Any] = []
    conversation = Conversation()
    async with LangGraphClient(url) as client:
        turn = Turn(
            client,
            conversation,
            TurnRequest("agent", text=text, **request),
            on_event=events.append,
            idle_timeout=idle_timeout,
        )
        result = await turn.run()
    return conversation, result, events


async def check_against_state(client: LangGraphClient, conversation: Conversation, result: Any) -> None:
    assert result.outcome is RunOutcome.SUCCESS, result
    state = await client.threads.get_state(result.thread_id)
    messages = conversation.run_messages(result.run_id)
    assert_matches_state(messages, state)
    ids = [m.id for m in conversation.messages]
    assert len(ids) == len(set(ids))  # nothing twice
    assert len(conversation.messages) == len(state.messages)  # nothing missing
    # What streamed was already right: reconciling with the stored state replaced no text, but for
    # the one loss the rejoin filter allows (tests/support/repairs.py), at most once a test.
    repaired = [m.id for m in conversation.messages if m.text_epoch]
    if repaired and repairs.CURRENT is not None:
        assert len(repairs.CURRENT) <= 1 and all(one_repeat_lost(*pair) for pair in repairs.CURRENT), repairs.CURRENT
    else:
        assert repaired == []


def offset_of(data: bytes, needle: bytes, inside: int = 1) -> int:
    return data.index(needle) + inside


@pytest.mark.parametrize("after", [300, 2500, 6000, 9001])
async def test_cut_mid_stream_is_rejoined_without_loss_or_duplicates(
    proxy: FaultProxy, client: LangGraphClient, after: int
) -> None:
    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=after)
    conversation, result, events = await streamed_turn(proxy.url, "compare the weather in paris and tokyo")
    await check_against_state(client, conversation, result)
    assert result.reconnects == 1 and any(isinstance(e, Reconnecting) for e in events)
    posts, rejoins = proxy.requests("POST", RUN_STREAM), proxy.requests("GET", REJOIN)
    assert len(posts) == 1  # the run was created once, never re-posted
    assert len(rejoins) == 1 and rejoins[0].body == b""
    assert rejoins[0].last_event_id is not None  # resumed, not restarted


async def test_cut_inside_a_multibyte_character_and_inside_crlf(proxy: FaultProxy, client: LangGraphClient) -> None:
    # Record the bytes of a CJK answer once, then cut a second identical run at awkward offsets.
    recorder = proxy.add(method="POST", path=RUN_STREAM, action="pass")
    captured: list[bytes] = []
    recorder.transform = lambda piece: (captured.append(piece), piece)[1]  # type: ignore[func-returns-value]
    await streamed_turn(proxy.url, "你好")
    stream = b"".join(captured)
    multibyte = stream.index("好".encode()) + 1  # between the bytes of one character
    crlf = stream.index(b"\r\n", 400) + 1  # between CR and LF
    for cut in (multibyte, crlf):
        proxy.add(method="POST", path=RUN_STREAM, action="cut", after=cut)
        conversation, result, _ = await streamed_turn(proxy.url, "你好")
        await check_against_state(client, conversation, result)
        assert "你好" in "".join(m.text for m in conversation.messages)


async def test_reset_mid_stream(proxy: FaultProxy, client: LangGraphClient) -> None:
    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=4000, reset=True)
    conversation, result, _ = await streamed_turn(proxy.url, "what's the weather in sf")
    await check_against_state(client, conversation, result)
    assert result.reconnects == 1


async def test_repeated_drops_including_during_rejoin(proxy: FaultProxy, client: LangGraphClient) -> None:
    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=3000)
    proxy.add(method="GET", path=REJOIN, action="cut", after=2000, times=2)
    conversation, result, _ = await streamed_turn(proxy.url, "hello there")
    await check_against_state(client, conversation, result)
    assert result.reconnects == 3
    ids = [r.last_event_id for r in proxy.requests("GET", REJOIN)]
    assert len(ids) == 3 and all(ids)


async def test_a_stall_is_detected_quickly_and_rejoined(proxy: FaultProxy, client: LangGraphClient) -> None:
    """Once the server has shown that it sends heartbeats (here: the first one of this stream),
    a silent connection is dead: it is rejoined. (Without heartbeats, silence is no stall:
    ``test_other_servers.py``.)"""
    proxy.add(method="POST", path=RUN_STREAM, action="stall", at=b": heartbeat\r\n\r\n")
    started = asyncio.get_running_loop().time()
    conversation, result, events = await streamed_turn(
        proxy.url, "hello there", idle_timeout=2.0, context={"delay_ms": 20}
    )
    await check_against_state(client, conversation, result)
    assert any(isinstance(e, Reconnecting) and "silent" in e.reason for e in events)
    assert asyncio.get_running_loop().time() - started < 30  # not the 300 s read timeout


async def test_one_byte_per_segment(proxy: FaultProxy, client: LangGraphClient) -> None:
    proxy.add(method="POST", path=RUN_STREAM, action="trickle", after=12_000)
    conversation, result, _ = await streamed_turn(proxy.url, "你好")
    await check_against_state(client, conversation, result)
    assert result.reconnects == 0


async def test_clean_close_while_running_checks_the_status_and_rejoins(
    proxy: FaultProxy, client: LangGraphClient
) -> None:
    seen = [0]

    def close_early(piece: bytes) -> bytes:
        """Pass about 2.5 KB, ending on an event boundary, then nothing: a clean but early end."""
        if seen[0] >= 2500:
            raise EndBody
        seen[0] += len(piece)
        return piece

    proxy.add(method="POST", path=RUN_STREAM, action="pass", transform=close_early)
    conversation, result, _ = await streamed_turn(proxy.url, "hello there", context={"delay_ms": 20})
    await check_against_state(client, conversation, result)
    assert proxy.requests("GET", r"/runs/[0-9a-f-]+$")  # it asked for the run's status


async def test_a_stream_without_ids_rejoins_live_and_is_repaired(proxy: FaultProxy, client: LangGraphClient) -> None:
    """A server that sends no ids (its streams are not resumable): a rejoin can only follow the
    live events, so what was missed is filled in from ``GET /state`` when the run ends, and the
    prompt is never sent again."""
    pending = [b""]

    def strip_ids(piece: bytes) -> bytes:
        data = pending[0] + piece
        events, sep, rest = data.rpartition(b"\r\n\r\n")
        if not sep:
            pending[0] = data
            return b""
        pending[0] = rest
        return re.sub(rb"(?m)^id: [^\r\n]*\r\n", b"", events + sep)

    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=3000, transform=strip_ids)
    conversation, result, _ = await streamed_turn(proxy.url, "hello there", context={"delay_ms": 20})
    assert result.outcome is RunOutcome.SUCCESS and result.reconnects == 1
    state = await client.threads.get_state(result.thread_id)
    assert_matches_state(conversation.run_messages(result.run_id), state)
    assert len(conversation.messages) == len(state.messages)  # nothing twice, nothing missing
    posts, rejoins = proxy.requests("POST", RUN_STREAM), proxy.requests("GET", REJOIN)
    assert len(posts) == 1 and len(rejoins) == 1
    assert rejoins[0].last_event_id is None  # nothing to resume from: live events only
    assert any(m.text_epoch for m in conversation.messages)  # the gap was filled from the stored state


async def test_a_stream_that_cannot_be_rejoined_gives_up_after_a_bounded_number_of_attempts(
    proxy: FaultProxy,
) -> None:
    """The POST is cut and every rejoin is refused: five attempts with backoff, then one clear
    error; the prompt is never sent twice."""
    from chat_tui.client.errors import StreamDropped
    from chat_tui.client.stream import DEFAULT_MAX_RECONNECTS

    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=2500)
    proxy.add(method="GET", path=REJOIN, action="respond", status=503, body=b"{}", times=100)
    _, result, events = await streamed_turn(proxy.url, "hello there", context={"delay_ms": 20})
    assert isinstance(result.error, StreamDropped)
    message = str(result.error)
    assert "could not be rejoined" in message and "\n" not in message and len(message) < 200
    assert len(proxy.requests("POST", RUN_STREAM)) == 1
    assert len(proxy.requests("GET", REJOIN)) == DEFAULT_MAX_RECONNECTS
    attempts = [e for e in events if isinstance(e, Reconnecting)]
    assert [e.attempt for e in attempts] == list(range(1, DEFAULT_MAX_RECONNECTS + 1))
    assert [e.delay for e in attempts] == sorted(e.delay for e in attempts)  # backing off
    assert result.outcome is RunOutcome.UNKNOWN  # not claimed a success: the stream never said how it ended
