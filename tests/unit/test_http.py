"""The HTTP layer's bounds, measured on the bytes a response gives up."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx

from chat_tui.client.responses import ERROR_BODY_LIMIT, _extract_detail, _read_capped


class CountingStream(httpx.AsyncByteStream):
    def __init__(self, total: int, chunk: int = 8192) -> None:
        self.total, self.chunk, self.consumed = total, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        while self.consumed < self.total:
            self.consumed += self.chunk
            yield b"x" * self.chunk


async def test_an_error_body_is_read_only_up_to_64_kib() -> None:
    stream = CountingStream(10 * 1024 * 1024)
    response = httpx.Response(503, stream=stream, headers={"content-type": "text/html"})
    body = await _read_capped(response, ERROR_BODY_LIMIT)
    assert len(body) == ERROR_BODY_LIMIT
    assert stream.consumed <= ERROR_BODY_LIMIT + stream.chunk  # the other 10 MB were never read


def test_details_come_from_json_never_from_html() -> None:
    assert _extract_detail(b'{"detail": "Thread busy"}', "application/json") == "Thread busy"
    assert _extract_detail(b'{"message": "x"}', "application/json") == "x"
    assert _extract_detail(b"<html><h1>502</h1></html>", "text/html") is None
    assert (
        _extract_detail(b"plain failure\\nsecond line", "text/plain") == "plain failure\\nsecond line".splitlines()[0]
    )
    assert _extract_detail(b"", "application/json") is None


def test_connect_failures_name_their_root_cause() -> None:
    import socket
    import ssl

    from chat_tui.client.http import _connect_reason

    def wrapped(cause: BaseException) -> httpx.ConnectError:
        try:
            try:
                raise cause
            except BaseException as inner:
                raise httpx.ConnectError("All connection attempts failed") from inner
        except httpx.ConnectError as outer:
            return outer

    assert _connect_reason(wrapped(socket.gaierror(-2, "Name or service not known"))) == "host not found"
    assert _connect_reason(wrapped(ConnectionRefusedError(111, "refused"))).startswith("connection refused")
    assert _connect_reason(wrapped(ssl.SSLCertVerificationError("self-signed"))).startswith("TLS problem")
    assert _connect_reason(wrapped(ExceptionGroup("many", [OSError("x"), ConnectionRefusedError()]))).startswith(
        "connection refused"
    )
    assert _connect_reason(httpx.ConnectError("something odd")) == "connection failed"
