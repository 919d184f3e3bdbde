"""A loopback HTTP proxy that injects faults between chat-tui and the real demo server.

Each request is matched against the proxy's rules (first match wins, each rule fires a
given number of times); unmatched requests pass through. The proxy speaks HTTP/1.1 with
``Connection: close`` on both sides, decodes the server's chunked body and re-chunks it
toward the client, so a fault can act on exact byte offsets of the SSE stream:

* ``cut(after=N, reset=False)``: send N body bytes, then close (FIN mid-chunk, which the
  client sees as an incomplete body) or reset (RST);
* ``stall(after=N)``: send N bytes, then nothing until the client gives up;
* ``pause(after=N, seconds=S)``: send N bytes, then nothing for S seconds, then the rest
  (a node that thinks in silence);
* for ``cut``, ``stall`` and ``pause``, ``at=MARKER`` instead of ``after``: right after the
  first occurrence of MARKER in the body (e.g. the first heartbeat);
* ``append=BYTES``: sent after the server's body ended (e.g. events another server sends last);
* ``rewrite_request(fn)``: change the request on its way to the server (the log keeps what
  the client sent);
* ``trickle(after=N)``: one byte per TCP segment (for the first N bytes; all when 0);
* ``drop()``: send the request to the server and wait for its answer to begin (so the server
  has acted on it), then close the client's connection with no answer at all;
* ``respond(status, body, headers)``: answer without asking the server;
* ``replace(status, body, headers)``: ask the server (so what it does still happens), then
  answer *body* instead of its answer; with ``transform``, the server's whole body
  rewritten (e.g. truncated) instead;
* ``transform(fn)``: rewrite each piece of the body (BOM, malformed events, a 20 MB event...);
  an empty result sends nothing, and ``raise EndBody`` ends the body cleanly there;
* ``rewrite_headers(fn)``: e.g. a cross-origin ``Location``;
* ``head_delay=S`` (with any forwarding action): hold the server's answer S seconds before its
  status line reaches the client (the server has acted: a run it created is going on);
* ``refuse()`` / ``accept()`` on the proxy itself: stop or resume listening.

Every request is logged (method, path, ``Last-Event-ID``, whether an API key was sent).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

__all__ = ["EndBody", "FaultProxy", "Request", "Rule"]

BodyTransform = Callable[[bytes], bytes]


class EndBody(Exception):
    """Raised by a transform: the body ends cleanly here (a server that closes early)."""


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def last_event_id(self) -> str | None:
        return self.headers.get("last-event-id")


@dataclass
class Rule:
    method: str | None = None
    path: str | None = None  # a regular expression, searched in the path
    times: int = 1
    action: str = "pass"  # pass | cut | stall | pause | trickle | respond | replace | drop
    after: int = 0
    at: bytes | None = None  # cut/stall/pause right after this marker instead of after N bytes
    seconds: float = 0.0  # how long a pause lasts
    append: bytes = b""
    rewrite_request: Callable[[Request], Request] | None = None
    reset: bool = False
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    transform: BodyTransform | None = None
    rewrite_headers: Callable[[list[tuple[str, str]]], list[tuple[str, str]]] | None = None
    head_delay: float = 0.0
    fired: int = 0

    def matches(self, request: Request) -> bool:
        if self.fired >= self.times:
            return False
        if self.method and request.method != self.method:
            return False
        return not (self.path and not re.search(self.path, request.path))


class FaultProxy:
    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream_host = parts.hostname or "127.0.0.1"
        self.upstream_port = parts.port or 80
        self.rules: list[Rule] = []
        self.log: list[Request] = []
        self.port = 0
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- configuring ------------------------------------------------------------------------

    def add(self, **kwargs: object) -> Rule:
        rule = Rule(**kwargs)  # type: ignore[arg-type]
        self.rules.append(rule)
        return rule

    def requests(self, method: str | None = None, path: str | None = None) -> list[Request]:
        return [
            r for r in self.log if (method is None or r.method == method) and (path is None or re.search(path, r.path))
        ]

    # -- lifecycle --------------------------------------------------------------------------

    async def start(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def refuse(self) -> None:
        """Stop listening: new connections are refused (the port stays ours to reuse)."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def accept(self) -> None:
        if self._server is None:
            await self.start()

    async def stop(self) -> None:
        await self.refuse()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    # -- the proxy --------------------------------------------------------------------------

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            request = await _read_request(reader)
            if request is None:
                return
            self.log.append(request)
            rule = next((r for r in self.rules if r.matches(request)), None)
            if rule is not None:
                rule.fired += 1
            if rule is not None and rule.action == "respond":
                await _respond(writer, rule)
                return
            if rule is not None and rule.action == "drop":
                up_reader, up_writer = await self._send_upstream(request, rule)
                try:
                    await _read_head(up_reader)
                finally:
                    up_writer.close()
                return  # (the client's connection is closed with nothing sent on it)
            if rule is not None and rule.action == "replace":
                await _respond(writer, rule, await self._ask_upstream(request))
                return
            await self._forward(request, rule, writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()
            if task is not None:
                self._tasks.discard(task)

    async def _send_upstream(
        self, request: Request, rule: Rule | None = None
    ) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if rule is not None and rule.rewrite_request is not None:
            request = rule.rewrite_request(request)
        up_reader, up_writer = await asyncio.open_connection(self.upstream_host, self.upstream_port)
        headers = {k: v for k, v in request.headers.items() if k not in ("connection", "host", "keep-alive")}
        lines = [
            f"{request.method} {request.path} HTTP/1.1",
            f"host: {self.upstream_host}:{self.upstream_port}",
            "connection: close",
        ] + [f"{k}: {v}" for k, v in headers.items()]
        try:
            up_writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + request.body)
            await up_writer.drain()
        except BaseException:
            up_writer.close()
            raise
        return up_reader, up_writer

    async def _ask_upstream(self, request: Request) -> bytes:
        """The server's whole answer body (its status and headers are dropped)."""
        up_reader, up_writer = await self._send_upstream(request)
        try:
            _status_line, response_headers = await _read_head(up_reader)
            chunked = any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in response_headers)
            length = next((int(v) for k, v in response_headers if k.lower() == "content-length"), None)
            body = _dechunk(up_reader) if chunked else _raw(up_reader, length)
            return b"".join([piece async for piece in body])
        finally:
            with contextlib.suppress(Exception):
                up_writer.close()

    async def _forward(self, request: Request, rule: Rule | None, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await self._send_upstream(request, rule)
        try:
            status_line, response_headers = await _read_head(up_reader)
            if rule is not None and rule.head_delay:
                await asyncio.sleep(rule.head_delay)
            chunked = any(k.lower() == "transfer-encoding" and "chunked" in v.lower() for k, v in response_headers)
            length = next((int(v) for k, v in response_headers if k.lower() == "content-length"), None)
            kept = [
                (k, v)
                for k, v in response_headers
                if k.lower() not in ("transfer-encoding", "content-length", "connection")
            ]
            if rule is not None and rule.rewrite_headers is not None:
                kept = rule.rewrite_headers(kept)
            head = [status_line, *(f"{k}: {v}" for k, v in kept), "transfer-encoding: chunked", "connection: close"]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
            await writer.drain()
            body = _dechunk(up_reader) if chunked else _raw(up_reader, length)
            await self._relay(body, rule, writer)
        finally:
            with contextlib.suppress(Exception):
                up_writer.close()

    async def _relay(self, body: object, rule: Rule | None, writer: asyncio.StreamWriter) -> None:
        sent = 0
        transform = rule.transform if rule is not None else None
        after = rule.after if rule is not None and rule.at is None else None
        seen = b""  # what was sent, while a marker is looked for
        async for piece in body:  # type: ignore[attr-defined]
            if transform is not None:
                try:
                    piece = transform(piece)
                except EndBody:
                    break
            if not piece:
                continue  # (an empty chunk would end the body)
            if rule is not None and rule.at is not None and after is None:
                seen += piece
                found = seen.find(rule.at)
                if found >= 0:
                    after = found + len(rule.at)
            if rule is not None and rule.action == "pause" and after is not None and sent + len(piece) >= after:
                keep, piece = piece[: after - sent], piece[after - sent :]
                if keep:
                    writer.write(_chunk(keep))
                    await writer.drain()
                await asyncio.sleep(rule.seconds)
                sent += len(keep)
                after = None
                rule = Rule(transform=transform, append=rule.append)  # paused once; the rest passes
            if (
                rule is not None
                and rule.action in ("cut", "stall")
                and after is not None
                and sent + len(piece) >= after
            ):
                keep = piece[: after - sent]
                if keep:
                    writer.write(_chunk(keep)[:-2] if rule.action == "cut" else _chunk(keep))  # cut mid-chunk
                    await writer.drain()
                if rule.action == "stall":
                    await asyncio.sleep(3600)
                if rule.reset:
                    _reset(writer)
                return
            if rule is not None and rule.action == "trickle" and (not rule.after or sent < rule.after):
                sock = writer.get_extra_info("socket")
                if sock is not None:  # every byte its own TCP segment
                    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                for index in range(len(piece)):
                    writer.write(_chunk(piece[index : index + 1]))
                    await writer.drain()
            elif piece:
                writer.write(_chunk(piece))
                await writer.drain()
            sent += len(piece)
        if rule is not None and rule.append:
            writer.write(_chunk(rule.append))
        writer.write(b"0\r\n\r\n")
        await writer.drain()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with RST instead of FIN."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def _read_head(reader: asyncio.StreamReader) -> tuple[str, list[tuple[str, str]]]:
    raw = await reader.readuntil(b"\r\n\r\n")
    lines = raw.decode("latin-1").split("\r\n")
    headers = []
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers.append((name.strip(), value.strip()))
    return lines[0], headers


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        request_line, header_list = await _read_head(reader)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return None
    method, path, _version = request_line.split(" ", 2)
    headers = {k.lower(): v for k, v in header_list}
    length = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(length) if length else b""
    return Request(method, path, headers, body)


async def _dechunk(reader: asyncio.StreamReader):  # type: ignore[no-untyped-def]
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";")[0].strip() or b"0", 16)
        if size == 0:
            with contextlib.suppress(Exception):
                await reader.readuntil(b"\r\n")
            return
        data = await reader.readexactly(size)
        await reader.readexactly(2)
        yield data


async def _raw(reader: asyncio.StreamReader, length: int | None):  # type: ignore[no-untyped-def]
    remaining = length
    while remaining is None or remaining > 0:
        data = await reader.read(65536 if remaining is None else min(65536, remaining))
        if not data:
            return
        if remaining is not None:
            remaining -= len(data)
        yield data


async def _respond(writer: asyncio.StreamWriter, rule: Rule, upstream: bytes | None = None) -> None:
    """Answer *rule*'s status, headers and body (for ``replace``, the body made from *upstream*)."""
    body = rule.transform(upstream) if upstream is not None and rule.transform is not None else rule.body
    reasons = {
        200: "OK",
        307: "Temporary Redirect",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        422: "Unprocessable Entity",
        429: "Too Many Requests",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
    }
    headers = {
        "content-type": "application/json",
        **rule.headers,
        "content-length": str(len(body)),
        "connection": "close",
    }
    head = [f"HTTP/1.1 {rule.status} {reasons.get(rule.status, 'Status')}", *(f"{k}: {v}" for k, v in headers.items())]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
    with contextlib.suppress(ConnectionError):
        view = memoryview(body)
        for start in range(0, len(view), 65536):
            writer.write(view[start : start + 65536])
            await writer.drain()
