"""What a server answers, read carefully: bodies, error details, ``Retry-After``, typed values.

* every JSON answer is decoded by :func:`decoded_json` and validated by :func:`validated`:
  a body that is not JSON, or JSON of another shape, raises
  :class:`~chat_tui.client.errors.UnexpectedResponse`, never a pydantic or decoding error;
* at most 64 KiB of an error body is read, and only its ``detail``/``message``/``error``
  (or a plain-text first line) is shown, never an HTML page.
"""

from __future__ import annotations

import email.utils
import time
from typing import Any, TypeVar, overload

import httpx
import pydantic_core
from pydantic import BaseModel, TypeAdapter, ValidationError

from chat_tui.client.errors import ConnectError, RequestTimeout, UnexpectedResponse
from chat_tui.sanitize import clean_line

__all__ = ["ERROR_BODY_LIMIT", "decoded_json", "error_detail", "parse_retry_after", "read_body", "validated"]

ERROR_BODY_LIMIT = 64 * 1024
RETRY_AFTER_MAX = 120.0

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


@overload
def validated(schema: type[M], data: Any, *, what: str, host: str) -> M: ...


@overload
def validated(schema: TypeAdapter[T], data: Any, *, what: str, host: str) -> T: ...


def validated(schema: type[BaseModel] | TypeAdapter[Any], data: Any, *, what: str, host: str) -> Any:
    """*data* (a decoded server answer) as *schema*; :class:`UnexpectedResponse` when it does not fit.

    The one place server JSON becomes typed values. *what* names the operation and *host*
    the server, the only things the message shows. The error is raised outside the
    ``except`` block and ``from None``, so it carries no validation error (which holds the
    body) in its context or traceback.
    """
    try:
        if isinstance(schema, TypeAdapter):
            return schema.validate_python(data)
        return schema.model_validate(data)
    except ValidationError:
        pass
    raise UnexpectedResponse(what, host) from None


def decoded_json(response: httpx.Response, *, what: str, host: str) -> Any:
    """The JSON of a (fully read) successful *response*, None for an empty one;
    :class:`UnexpectedResponse` for a body that is not JSON (a proxy's text or HTML page, a
    truncated document)."""
    if response.status_code == 204 or not response.content.strip():
        return None
    content_type = response.headers.get("content-type", "").partition(";")[0].strip().lower()
    if content_type and "json" not in content_type:
        raise UnexpectedResponse(what, host, f"{clean_line(content_type, 60)}, not JSON") from None
    try:
        return pydantic_core.from_json(response.content)
    except ValueError:
        pass  # (raised below: the decoding error, which quotes the body, stays out of its context)
    raise UnexpectedResponse(what, host, "invalid JSON") from None


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date).

    Unparsable, negative or absurd values give None (use the default backoff); values
    are capped at two minutes.
    """
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        if len(value) > 6:
            return RETRY_AFTER_MAX
        return min(float(value), RETRY_AFTER_MAX)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    delta = when.timestamp() - (time.time() if now is None else now)
    if delta < 0:
        return 0.0
    return min(delta, RETRY_AFTER_MAX)


async def read_body(response: httpx.Response, host: str, what: str) -> None:
    """Read a successful answer in full; a timeout or a drop meanwhile as our error types."""
    try:
        await response.aread()
    except httpx.TimeoutException:
        raise RequestTimeout(host, what) from None
    except httpx.HTTPError:
        raise ConnectError(host, "the connection was closed while reading the answer") from None


async def error_detail(response: httpx.Response) -> str | None:
    """The explanation an error *response* gives, from at most :data:`ERROR_BODY_LIMIT` bytes of it."""
    body = await _read_capped(response, ERROR_BODY_LIMIT)
    return _extract_detail(body, response.headers.get("content-type", ""))


async def _read_capped(response: httpx.Response, limit: int) -> bytes:
    """Read at most *limit* bytes of a body; the rest is never downloaded."""
    parts: list[bytes] = []
    size = 0
    try:
        async for chunk in response.aiter_bytes():
            parts.append(chunk)
            size += len(chunk)
            if size >= limit:
                break
    except httpx.HTTPError:
        pass
    return b"".join(parts)[:limit]


def _extract_detail(body: bytes, content_type: str) -> str | None:
    """The server's explanation: ``detail``/``message``/``error`` of a JSON body, or plain text."""
    if not body.strip():
        return None
    content_type = content_type.lower()
    if "json" in content_type or body.lstrip()[:1] in (b"{", b"["):
        try:
            data = pydantic_core.from_json(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("detail", "message", "error"):
                value = data.get(key)
                if isinstance(value, str) and value.strip():
                    return value
                if value:
                    return str(value)[:400]
        return None
    if "html" in content_type or body.lstrip()[:1] == b"<":
        return None  # an HTML error page says nothing a terminal user can act on
    return body.decode("utf-8", "replace").strip().splitlines()[0] if body.strip() else None
