"""Bad answers from the server (or a proxy): typed, one-line, sanitized errors; reads retried, runs never."""

from __future__ import annotations

import asyncio
import json
import time

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.client.errors import (
    AuthError,
    Conflict,
    ConnectError,
    EventTooLarge,
    NotAnEventStream,
    NotFound,
    RateLimited,
    RedirectRefused,
    ServerError,
    Unprocessable,
)
from chat_tui.client.events import Fault
from chat_tui.conversation import Conversation, RunOutcome
from chat_tui.service.turn import SendFailed, Turn, TurnRequest
from tests.faults.proxy import FaultProxy
from tests.faults.test_drops import RUN_STREAM, check_against_state, streamed_turn

pytestmark = pytest.mark.server
HTML = b"<html><body><h1>502 Bad Gateway</h1><p>nginx</p></body></html>"


def detail(text: str) -> bytes:
    return json.dumps({"detail": text}).encode()


@pytest.mark.parametrize(
    ("status", "body", "headers", "error", "needle"),
    [
        (401, detail("Invalid token"), {}, AuthError, "authentication failed"),
        (403, detail("Missing authentication headers"), {}, AuthError, "check the API key"),
        (422, detail("x" * 5000 + "\x1b]0;PWNED\x07"), {}, Unprocessable, "HTTP 422"),
        (429, detail("slow down"), {"retry-after": "7"}, RateLimited, "retry in 7 s"),
        (404, detail("Thread not found"), {}, NotFound, "not found"),
        (409, detail("Thread is busy running a task"), {}, Conflict, "HTTP 409"),
        (500, HTML, {"content-type": "text/html"}, ServerError, "HTTP 500"),
        (502, HTML, {"content-type": "text/html"}, ServerError, "HTTP 502"),
        (504, b"upstream timed out", {"content-type": "text/plain"}, ServerError, "HTTP 504"),
        (503, b"<html>" + b"x" * (10 * 1024 * 1024) + b"</html>", {"content-type": "text/html"}, ServerError, "503"),
    ],
)
async def test_a_refused_run_is_a_one_line_error_and_never_resent(
    proxy: FaultProxy, status: int, body: bytes, headers: dict[str, str], error: type, needle: str
) -> None:
    proxy.add(method="POST", path=RUN_STREAM, action="respond", status=status, body=body, headers=headers)
    conversation = Conversation()
    started = time.monotonic()
    async with LangGraphClient(proxy.url) as client:
        with pytest.raises(SendFailed) as info:
            await Turn(client, conversation, TurnRequest("agent", text="hello")).run()
    message = str(info.value.error)
    assert isinstance(info.value.error, error) and needle in message
    assert "\n" not in message and "\x1b" not in message and len(message) <= 400
    assert "<html" not in message and "http://" not in message
    assert len(proxy.requests("POST", RUN_STREAM)) == 1  # a run creation is never retried
    assert conversation.messages == []  # the optimistic message is taken back (the UI restores the draft)
    assert time.monotonic() - started < 10  # a 10 MB error body is not downloaded


def _in_two_seconds() -> str:
    from email.utils import formatdate

    return formatdate(time.time() + 2.5, usegmt=True)


@pytest.mark.parametrize(
    ("retry_after", "waits"),
    [("1", 1.0), ("in two seconds", 1.0), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0), ("-1", 0.0), ("garbage", 0.0)],
)
async def test_idempotent_reads_are_retried_honouring_a_sane_retry_after(
    proxy: FaultProxy, retry_after: str, waits: float
) -> None:
    if retry_after == "in two seconds":  # an HTTP-date, made when the test runs
        retry_after = _in_two_seconds()
    proxy.add(
        method="POST",
        path="/threads/search",
        action="respond",
        status=429,
        body=detail("busy"),
        headers={"retry-after": retry_after},
    )
    proxy.add(
        method="POST",
        path="/threads/search",
        action="respond",
        status=503,
        body=HTML,
        headers={"content-type": "text/html"},
    )
    started = time.monotonic()
    async with LangGraphClient(proxy.url) as client:
        threads = await client.threads.search(limit=1)
    assert isinstance(threads, list)
    assert len(proxy.requests("POST", "/threads/search")) == 3
    assert time.monotonic() - started >= waits  # the server's wait was honoured (a past or bad one is not a wait)


async def test_an_absurd_retry_after_is_reported_not_waited_for(proxy: FaultProxy) -> None:
    proxy.add(
        method="GET", path="/threads/", action="respond", status=429, body=b"{}", headers={"retry-after": "99999999"}
    )
    async with LangGraphClient(proxy.url) as client:
        with pytest.raises(RateLimited) as info:
            await client.threads.get("00000000-0000-0000-0000-000000000000")
    assert info.value.retry_after == 120 and "retry in 120 s" in str(info.value)
    assert len(proxy.requests("GET")) == 1


async def test_a_login_page_with_status_200_is_not_an_event_stream(proxy: FaultProxy) -> None:
    proxy.add(
        method="POST",
        path=RUN_STREAM,
        action="respond",
        status=200,
        body=HTML,
        headers={"content-type": "text/html; charset=utf-8"},
    )
    async with LangGraphClient(proxy.url) as client:
        with pytest.raises(SendFailed) as info:
            await Turn(client, Conversation(), TurnRequest("agent", text="hi")).run()
    assert isinstance(info.value.error, NotAnEventStream)
    assert str(info.value.error) == f"127.0.0.1:{proxy.port} did not return an event stream (got text/html)"


async def test_connection_refused(proxy: FaultProxy) -> None:
    await proxy.refuse()
    async with LangGraphClient(proxy.url, connect_retries=0, read_retries=0) as client:
        with pytest.raises(SendFailed) as info:
            await Turn(client, Conversation(), TurnRequest("agent", text="hi")).run()
    assert isinstance(info.value.error, ConnectError)
    assert str(info.value.error) == f"cannot reach 127.0.0.1:{proxy.port}: connection refused (is the server running?)"


async def test_a_redirect_is_not_followed_with_credentials(proxy: FaultProxy) -> None:
    from chat_tui.client.auth import normalize_key

    proxy.add(
        method="GET", path="/info", action="respond", status=307, headers={"location": "https://evil.example/steal"}
    )
    key = normalize_key("lsv2_sk_redirect_1234567", "test")
    async with LangGraphClient(proxy.url, api_key=key) as client:
        with pytest.raises(RedirectRefused) as info:
            await client.info()
    assert "evil.example" in str(info.value) and "not following" in str(info.value)
    assert len(proxy.log) == 1 and proxy.log[0].headers.get("x-api-key")  # only the configured server saw it


async def test_a_cross_origin_location_is_never_used_for_rejoining(proxy: FaultProxy, client: LangGraphClient) -> None:
    def evil(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, "https://evil.example/stream" if k.lower() == "location" else v) for k, v in headers]

    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=3000, rewrite_headers=evil)
    conversation, result, events = await streamed_turn(proxy.url, "hello there")
    await check_against_state(client, conversation, result)
    assert any(isinstance(e, Fault) and "another server" in e.reason for e in events)
    assert proxy.requests("GET", r"/runs/[0-9a-f-]+/stream$")  # rejoined at the configured server


def _insert_after_first_event(extra: bytes):  # type: ignore[no-untyped-def]
    done = [False]

    def transform(piece: bytes) -> bytes:
        if done[0] or b"\r\n\r\n" not in piece:
            return piece
        done[0] = True
        head, _, tail = piece.partition(b"\r\n\r\n")
        return head + b"\r\n\r\n" + extra + tail

    return transform


async def test_a_malformed_event_is_reported_and_skipped(proxy: FaultProxy, client: LangGraphClient) -> None:
    proxy.add(
        method="POST",
        path=RUN_STREAM,
        transform=_insert_after_first_event(
            b'event: messages\r\ndata: [{"type": "AIMessageChunk", oops\r\nid: 1-0\r\n\r\n'
        ),
    )
    conversation, result, events = await streamed_turn(proxy.url, "hello there")
    await check_against_state(client, conversation, result)
    assert [e for e in events if isinstance(e, Fault)]


async def test_a_bom_and_heartbeats_after_ids_are_harmless(proxy: FaultProxy, client: LangGraphClient) -> None:
    first = [True]

    def bom_and_heartbeats(piece: bytes) -> bytes:
        piece = piece.replace(b"\r\n\r\n", b"\r\n\r\n: heartbeat\r\n\r\n")
        if first[0]:
            first[0] = False
            piece = b"\xef\xbb\xbf" + piece
        return piece

    proxy.add(method="POST", path=RUN_STREAM, transform=bom_and_heartbeats)
    conversation, result, events = await streamed_turn(proxy.url, "what's the weather in sf")
    await check_against_state(client, conversation, result)
    assert not [e for e in events if isinstance(e, Fault)]
    assert conversation.run is not None and conversation.run.run_id  # the first (metadata) event survived the BOM


async def test_a_huge_event_is_refused_without_eating_memory(proxy: FaultProxy, client: LangGraphClient) -> None:
    huge = b"event: messages\r\ndata: " + b"x" * (20 * 1024 * 1024) + b"\r\n\r\n"
    proxy.add(method="POST", path=RUN_STREAM, transform=_insert_after_first_event(huge))
    conversation, result, _ = await streamed_turn(proxy.url, "hello there")
    assert isinstance(result.error, EventTooLarge) and "16 MiB" in str(result.error)
    # the run went on on the server: everything the view holds is something the server stored
    assert result.outcome in (RunOutcome.UNKNOWN, RunOutcome.SUCCESS)
    for _ in range(50):
        if (await client.threads.get(result.thread_id or "")).status == "idle":
            break
        await asyncio.sleep(0.1)
    stored = {m["id"] for m in (await client.threads.get_state(result.thread_id or "")).messages}
    assert conversation.messages and all(m.id in stored for m in conversation.messages if m.persisted)
