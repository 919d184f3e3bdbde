"""Typed client errors, each with a one-line message a user can act on.

Messages name the server by host only (never a full URL, which could carry secrets), and
any text taken from a response body is cleaned of control characters and truncated.
"""

from __future__ import annotations

from typing import Any

from chat_tui.errors import ChatTuiError
from chat_tui.sanitize import clean_line

__all__ = [
    "AuthError",
    "BadRequest",
    "ClientError",
    "Conflict",
    "ConnectError",
    "EventTooLarge",
    "HTTPStatusError",
    "InvalidApiKey",
    "InvalidURL",
    "NotAnEventStream",
    "NotFound",
    "RateLimited",
    "RedirectRefused",
    "RequestTimeout",
    "ServerError",
    "StreamDropped",
    "StreamStalled",
    "UnexpectedResponse",
    "Unprocessable",
    "error_for_status",
]

DETAIL_LIMIT = 200


class ClientError(ChatTuiError):
    """Base class of the client's errors: ``str(error)`` is a complete, one-line, safe message."""

    def __init__(self, message: str) -> None:
        self.message = clean_line(message, 400)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class InvalidURL(ClientError):
    """The server URL given by the user cannot be used."""


class InvalidApiKey(ClientError):
    """An API key contains characters no HTTP header may carry (message never shows it)."""


class ConnectError(ClientError):
    """The server could not be reached (refused, DNS, TLS, network down)."""

    def __init__(self, host: str, reason: str) -> None:
        self.host = host
        super().__init__(f"cannot reach {host}: {reason}")


class RequestTimeout(ClientError):
    """The server did not answer in time."""

    def __init__(self, host: str, what: str = "request") -> None:
        self.host = host
        super().__init__(f"{host} did not answer in time ({what} timed out)")


class RedirectRefused(ClientError):
    """The server answered with a redirect; credentials are never sent after one."""


class NotAnEventStream(ClientError):
    """A stream request got a 200 answer that is not ``text/event-stream`` (proxy login page...)."""

    def __init__(self, host: str, content_type: str) -> None:
        shown = clean_line(content_type.partition(";")[0].strip() or "no content type", 60)
        super().__init__(f"{host} did not return an event stream (got {shown})")


class EventTooLarge(ClientError):
    """One SSE event exceeded the size cap; the connection is closed to bound memory."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"a stream event exceeded {limit // (1024 * 1024)} MiB; the stream was closed")


class StreamStalled(ClientError):
    """No bytes (not even heartbeats) arrived for longer than the idle limit."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"the stream went silent for {seconds:.0f} s")


class StreamDropped(ClientError):
    """The stream broke and could not be rejoined."""


class UnexpectedResponse(ClientError):
    """A successful answer chat-tui cannot use: not JSON, or JSON of another shape.

    The message names the operation and the host only: never the path (it holds ids), the
    body (it may be anything) or what the validator said about it.
    """

    def __init__(self, what: str, host: str, problem: str = "") -> None:
        self.host = host
        suffix = f" ({problem})" if problem else ""
        super().__init__(f"{what}: {host} answered in a shape chat-tui does not understand{suffix}")


class HTTPStatusError(ClientError):
    """The server answered with an error status."""

    status_code: int = 0

    def __init__(self, message: str, *, status_code: int, detail: str | None, host: str) -> None:
        self.status_code = status_code
        self.detail = detail
        self.host = host
        super().__init__(message)


class BadRequest(HTTPStatusError):
    """400: the request was malformed."""


class AuthError(HTTPStatusError):
    """401/403: credentials missing or rejected."""


class NotFound(HTTPStatusError):
    """404: thread, run or assistant does not exist."""


class Conflict(HTTPStatusError):
    """409: e.g. the thread is busy with another run."""


class Unprocessable(HTTPStatusError):
    """422: the server rejected the request's content."""


class RateLimited(HTTPStatusError):
    """429: too many requests; ``retry_after`` in seconds when the server said so."""

    def __init__(self, message: str, *, retry_after: float | None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class ServerError(HTTPStatusError):
    """5xx: the server failed."""


def _detail_suffix(detail: str | None) -> str:
    return f": {detail}" if detail else ""


def error_for_status(
    status_code: int,
    *,
    host: str,
    detail: str | None,
    what: str = "request",
    retry_after: float | None = None,
) -> HTTPStatusError:
    """Build the typed error for an HTTP error status.

    *detail* must already be extracted from at most 64 KiB of body; it is cleaned and
    truncated here. *what* names the operation ("send message", "open thread").
    """
    detail = clean_line(detail, DETAIL_LIMIT) if detail else None
    kwargs: dict[str, Any] = {"status_code": status_code, "detail": detail, "host": host}
    if status_code in (401, 403):
        return AuthError(
            f"authentication failed for {host} (HTTP {status_code}{_detail_suffix(detail)}); check the API key",
            **kwargs,
        )
    if status_code == 404:
        return NotFound(f"{what}: not found on {host} (HTTP 404{_detail_suffix(detail)})", **kwargs)
    if status_code == 409:
        return Conflict(f"{what}: conflict (HTTP 409{_detail_suffix(detail)})", **kwargs)
    if status_code == 422:
        return Unprocessable(f"{what}: the server rejected it (HTTP 422{_detail_suffix(detail)})", **kwargs)
    if status_code == 429:
        wait = f"; retry in {retry_after:.0f} s" if retry_after else ""
        return RateLimited(f"{what}: rate limited by {host} (HTTP 429){wait}", retry_after=retry_after, **kwargs)
    if status_code >= 500:
        return ServerError(f"{what}: server error on {host} (HTTP {status_code}{_detail_suffix(detail)})", **kwargs)
    if status_code == 400:
        return BadRequest(f"{what}: bad request (HTTP 400{_detail_suffix(detail)})", **kwargs)
    return HTTPStatusError(f"{what}: HTTP {status_code} from {host}{_detail_suffix(detail)}", **kwargs)
