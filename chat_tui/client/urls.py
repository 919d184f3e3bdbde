"""Validate and display server URLs.

A server URL is configuration, not a secret: credentials in it (``user:pw@``,
``?api_key=``) are refused up front so they can never leak into an error, a log or the
status line. Only the host is ever shown to the user.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit, urlunsplit

from chat_tui.client.errors import InvalidURL

__all__ = ["display_host", "is_loopback", "normalize_base_url", "same_origin"]

_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str | None) -> bool:
    """True for localhost names and loopback addresses (127.0.0.0/8, ::1)."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host in _LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalize_base_url(raw: str) -> str:
    """Return a clean ``scheme://host[:port][/path]`` or raise :class:`InvalidURL`.

    A missing scheme defaults to ``http`` for loopback hosts and ``https`` otherwise.
    """
    text = raw.strip()
    if not text:
        raise InvalidURL("the server URL is empty")
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in text):
        raise InvalidURL("the server URL contains spaces or control characters")
    if "://" not in text:
        host_part, _, port_part = text.split("/", 1)[0].partition(":")
        if "." not in host_part and not port_part and not is_loopback(host_part):
            # A bare word (`notaurl`) is far likelier a slip than an intranet host: say so at once
            # instead of retrying a name that does not resolve. `http://name` still reaches one.
            raise InvalidURL(
                f"{text[:40]!r} is not a server URL: give its scheme and host, "
                "e.g. https://my-deployment.example.com or http://127.0.0.1:2024"
            )
        text = ("http://" if is_loopback(host_part) else "https://") + text
    try:
        parts = urlsplit(text)
        port = parts.port  # raises ValueError for a bad port
    except ValueError:
        raise InvalidURL("the server URL is not valid (bad host or port)") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InvalidURL(f"the server URL must start with http:// or https:// (got {scheme[:10]}://)")
    if parts.username is not None or parts.password is not None:
        raise InvalidURL("the server URL must not contain credentials; pass the API key with --api-key-env instead")
    if parts.query or parts.fragment:
        raise InvalidURL("the server URL must not contain a query string or fragment")
    if not parts.hostname:
        raise InvalidURL("the server URL has no host")
    host = parts.hostname
    netloc = f"[{host}]" if ":" in host else host
    if port is not None:
        netloc = f"{netloc}:{port}"
    path = parts.path.rstrip("/")
    return urlunsplit((scheme, netloc, path, "", ""))


def display_host(url: str) -> str:
    """The part of a URL that is safe and useful to show: ``host[:port]``."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "?"
        port = parts.port
    except ValueError:
        return "?"
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}" if port else host


def same_origin(a: str, b: str) -> bool:
    """True when both URLs have the same scheme, host and port (default ports resolved)."""

    def origin(url: str) -> tuple[str, str, int | None]:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
        return scheme, (parts.hostname or "").lower(), port

    try:
        return origin(a) == origin(b)
    except ValueError:
        return False
