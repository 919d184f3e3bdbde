"""The HTTP layer: one shared ``httpx.AsyncClient``, typed errors, careful retries.

Rules this module enforces:

* redirects are never followed (httpx would forward ``x-api-key`` to another origin);
* only idempotent reads are retried (with jittered backoff, honouring a sane
  ``Retry-After``); a request that creates a run is never retried, because the server
  gives runs fresh ids and a retry could start the run twice. Connection *setup* is
  retried for every request by the transport, since such a request never reached the
  server;
* httpx exceptions are translated into :mod:`chat_tui.client.errors` types ``from None``,
  so tracebacks (and Textual's crash screen, which prints frame locals) never reach into
  httpcore frames that hold request headers;
* what a server answers is read by :mod:`chat_tui.client.responses`: every JSON answer
  through its one validating function, at most 64 KiB of an error body.
"""

from __future__ import annotations

import asyncio
import functools
import random
import socket
import ssl
from collections.abc import AsyncIterator, Generator, Mapping
from contextlib import asynccontextmanager
from typing import Any, TypeVar, overload

import httpx
from pydantic import BaseModel, TypeAdapter

from chat_tui import __version__
from chat_tui.client.auth import ApiKey, Secret
from chat_tui.client.errors import (
    ClientError,
    ConnectError,
    HTTPStatusError,
    NotAnEventStream,
    RateLimited,
    RedirectRefused,
    RequestTimeout,
    error_for_status,
)
from chat_tui.client.responses import decoded_json, error_detail, parse_retry_after, read_body, validated
from chat_tui.client.urls import display_host, normalize_base_url, same_origin

__all__ = ["HttpCore"]

_AUTO_RETRY_WAIT_MAX = 10.0  # longer waits are reported to the user instead
_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_RESERVED_HEADERS = frozenset({"x-api-key", "content-length", "host", "transfer-encoding"})

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def _connect_reason(exc: BaseException) -> str:
    """A short, safe reason, from the root cause (anyio wraps refusals as 'all attempts failed')."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused (is the server running?)"
        if isinstance(cause, socket.gaierror):
            return "host not found"
        if isinstance(cause, ssl.SSLError):
            return "TLS problem (the server's certificate was not accepted)"
        if isinstance(cause, ExceptionGroup):
            for inner in cause.exceptions:
                reason = _connect_reason(inner)
                if reason != "connection failed":
                    return reason
        cause = cause.__cause__ or cause.__context__
    text = str(exc).lower()
    if "refused" in text:
        return "connection refused (is the server running?)"
    if "name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
        return "host not found"
    if "certificate" in text or "ssl" in text or "tls" in text:
        return "TLS certificate problem (the server's certificate was not accepted)"
    if "unreachable" in text:
        return "network unreachable"
    if "all connection attempts failed" in text:
        return "all connection attempts failed"
    return "connection failed"


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """httpx's verifying TLS context, built once per process: loading the CA bundle takes
    ~20 ms, which every new client paid (the connect screen's test, profile switches)."""
    return httpx.create_ssl_context()


class ApiKeyAuth(httpx.Auth):
    """Adds ``x-api-key`` to requests for the configured origin, and to nothing else."""

    def __init__(self, key: ApiKey, base_url: str) -> None:
        self._key = key.secret
        self._base_url = base_url

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if same_origin(str(request.url), self._base_url):
            request.headers["x-api-key"] = self._key.get_secret_value()
        yield request

    def __repr__(self) -> str:
        return "ApiKeyAuth(secret='**********')"


class _HeaderAuth(httpx.Auth):
    """Adds secret-bearing extra headers (e.g. a custom ``Authorization``) same-origin only."""

    def __init__(self, headers: Mapping[str, str], base_url: str, key_auth: ApiKeyAuth | None) -> None:
        self._headers = {name: Secret(value) for name, value in headers.items()}
        self._base_url = base_url
        self._key_auth = key_auth

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if same_origin(str(request.url), self._base_url):
            for name, value in self._headers.items():
                request.headers[name] = value.get_secret_value()
        if self._key_auth is not None:
            yield from self._key_auth.auth_flow(request)
        else:
            yield request

    def __repr__(self) -> str:
        return "HeaderAuth(**********)"


class HttpCore:
    """Requests against one Agent Server, with the error and retry policy above."""

    def __init__(
        self,
        base_url: str,
        *,
        api_key: ApiKey | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        connect_retries: int = 2,
        read_retries: int = 3,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.host = display_host(self.base_url)
        self.read_retries = read_retries
        # The server has sent a heartbeat comment on one of its streams (langgraph-api: every
        # 5 s). Only then does a silent stream mean a dead connection (``client/stream.py``).
        self.sends_heartbeats = False
        key_auth = ApiKeyAuth(api_key, self.base_url) if api_key is not None else None
        auth: httpx.Auth | None = key_auth
        if headers:
            bad = [name for name in headers if name.lower() in _RESERVED_HEADERS]
            if bad:
                raise ClientError(f"header {bad[0]!r} cannot be set as an extra header")
            for name, value in headers.items():
                if any(not (0x20 <= ord(c) <= 0x7E) for c in f"{name}{value}"):
                    raise ClientError(f"extra header {name[:40]!r} contains characters a header cannot carry")
            auth = _HeaderAuth(headers, self.base_url, key_auth)
        self.client = httpx.AsyncClient(
            base_url=self.base_url,
            auth=auth,
            headers={"User-Agent": f"chat-tui/{__version__}"},
            timeout=httpx.Timeout(timeout, connect=connect_timeout),
            follow_redirects=False,
            transport=transport or httpx.AsyncHTTPTransport(retries=connect_retries, verify=_tls_context()),
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    # -- plain requests -------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool | None = None,
        what: str = "request",
    ) -> httpx.Response:
        """Send a request and return the (fully read) successful response."""
        if idempotent is None:
            idempotent = method in ("GET", "HEAD")
        attempts = 1 + (self.read_retries if idempotent else 0)
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                return await self._send_once(method, path, json=json, params=params, headers=headers, what=what)
            except (ConnectError, RequestTimeout):
                if last:
                    raise
                delay = _backoff(attempt)
            except HTTPStatusError as exc:
                if last or exc.status_code not in _RETRY_STATUSES:
                    raise
                retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
                if retry_after is not None and retry_after > _AUTO_RETRY_WAIT_MAX:
                    raise
                delay = retry_after if retry_after is not None else _backoff(attempt)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    async def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """The decoded JSON answer (None for an empty one); :class:`UnexpectedResponse` for a
        body that is not JSON (a proxy's text or HTML page, a truncated document)."""
        response = await self.request(method, path, **kwargs)
        return decoded_json(response, what=kwargs.get("what", "request"), host=self.host)

    @overload
    async def parsed(self, schema: type[M], method: str, path: str, **kwargs: Any) -> M: ...

    @overload
    async def parsed(self, schema: TypeAdapter[T], method: str, path: str, **kwargs: Any) -> T: ...

    async def parsed(self, schema: type[BaseModel] | TypeAdapter[Any], method: str, path: str, **kwargs: Any) -> Any:
        """:meth:`json`, then :func:`validated` against *schema*."""
        data = await self.json(method, path, **kwargs)
        return validated(schema, data, what=kwargs.get("what", "request"), host=self.host)

    async def _send_once(
        self,
        method: str,
        path: str,
        *,
        json: Any,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
        what: str,
    ) -> httpx.Response:
        request = self._build(method, path, json=json, params=params, headers=headers)
        response = await self._send(request, what)
        try:
            if response.status_code >= 300:
                raise await self._status_error(response, what)
            await read_body(response, self.host, what)
            return response
        finally:
            await response.aclose()

    # -- streams --------------------------------------------------------------------

    @asynccontextmanager
    async def open_stream(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        what: str = "stream",
    ) -> AsyncIterator[httpx.Response]:
        """Open an SSE response; errors (status, content type) are raised before any event."""
        merged = {"Accept": "text/event-stream", "Cache-Control": "no-store"}
        if headers:
            merged.update(headers)
        request = self._build(method, path, json=json, params=params, headers=merged)
        response = await self._send(request, what)
        try:
            if response.status_code >= 300:
                raise await self._status_error(response, what)
            content_type = response.headers.get("content-type", "")
            if "text/event-stream" not in content_type.lower():
                raise NotAnEventStream(self.host, content_type)
            yield response
        finally:
            await response.aclose()

    # -- helpers --------------------------------------------------------------------

    def _build(
        self,
        method: str,
        path: str,
        *,
        json: Any,
        params: Mapping[str, Any] | None,
        headers: Mapping[str, str] | None,
    ) -> httpx.Request:
        try:
            return self.client.build_request(method, path, json=json, params=params, headers=headers)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol):
            raise ClientError(f"invalid request path for {self.host}") from None

    async def _send(self, request: httpx.Request, what: str) -> httpx.Response:
        try:
            return await self.client.send(request, stream=True)
        except httpx.TimeoutException:
            raise RequestTimeout(self.host, what) from None
        except httpx.ConnectError as exc:
            raise ConnectError(self.host, _connect_reason(exc)) from None
        except httpx.LocalProtocolError:
            raise ClientError(f"{what}: the request could not be sent (invalid header value)") from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError, httpx.NetworkError):
            raise ConnectError(self.host, "the connection was closed unexpectedly") from None
        except httpx.HTTPError:
            raise ConnectError(self.host, "the request failed") from None

    async def _status_error(self, response: httpx.Response, what: str) -> ClientError:
        status = response.status_code
        if 300 <= status < 400:
            location = response.headers.get("location", "")
            target = response.url.join(location) if location else None
            if target is not None and not same_origin(str(target), self.base_url):
                return RedirectRefused(
                    f"{what}: {self.host} redirected to {display_host(str(target))} (HTTP {status}); "
                    "not following it, so credentials stay with the configured server"
                )
            return RedirectRefused(f"{what}: {self.host} answered with a redirect (HTTP {status}); check the URL")
        return error_for_status(
            status,
            host=self.host,
            detail=await error_detail(response),
            what=what,
            retry_after=parse_retry_after(response.headers.get("retry-after")),
        )


def _backoff(attempt: int) -> float:
    """0.5, 1, 2, 4 ... seconds (capped at 8) plus up to 25 % jitter."""
    base = min(8.0, 0.5 * 2.0**attempt)
    return base + random.uniform(0, base / 4)
