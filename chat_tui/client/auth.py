"""API keys: resolution and validation (the auth flow that sends them is in ``http``).

The key lives in a :class:`Secret` from the moment it is read, so it never shows in a
repr, a log line or the locals that Textual's crash screen prints. (Our own three-method
class rather than ``pydantic.SecretStr``: keys are read before the app's first frame, and
pydantic is not imported until the app first reads from a server.) It is put
on a request only inside ``http.ApiKeyAuth``, and only for requests to the configured
origin.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from chat_tui.client.errors import InvalidApiKey

__all__ = ["ENV_KEY_NAMES", "ApiKey", "Secret", "key_from_env", "normalize_key"]

# The official SDKs' order of precedence.
ENV_KEY_NAMES = ("LANGGRAPH_API_KEY", "LANGSMITH_API_KEY", "LANGCHAIN_API_KEY")


class Secret:
    """A string that shows as ``'**********'`` everywhere but :meth:`get_secret_value`."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get_secret_value(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('**********')"

    def __str__(self) -> str:
        return "**********"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A validated key and where it came from (``--api-key``, ``env:NAME``, ``profile``)."""

    secret: Secret
    source: str

    def masked(self) -> str:
        """The last four characters only, e.g. ``…a1b2``."""
        value = self.secret.get_secret_value()
        return "…" + value[-4:] if len(value) > 8 else "…"

    def __repr__(self) -> str:
        return f"ApiKey(source={self.source!r}, secret='**********')"


def normalize_key(raw: str | Secret, source: str) -> ApiKey:
    """Strip whitespace and surrounding quotes (as the SDK does) and validate.

    A key with a trailing newline or a control character would make h11 raise
    ``Illegal header value b'<the key>'``, printing it; validate first so that cannot
    happen, and never include the value in the error.
    """
    value = raw.get_secret_value() if isinstance(raw, Secret) else raw
    value = value.strip().strip('"').strip("'").strip()
    if not value:
        raise InvalidApiKey(f"the API key from {source} is empty")
    if any(not (0x21 <= ord(c) <= 0x7E) for c in value):
        raise InvalidApiKey(f"the API key from {source} contains spaces, control or non-ASCII characters; re-copy it")
    return ApiKey(Secret(value), source)


def key_from_env(env: Mapping[str, str] | None = None, names: tuple[str, ...] = ENV_KEY_NAMES) -> ApiKey | None:
    """The first non-empty key among *names* in the environment, or None."""
    environ = os.environ if env is None else env
    for name in names:
        raw = environ.get(name)
        if raw and raw.strip().strip('"').strip("'").strip():
            return normalize_key(raw, f"env:{name}")
    return None
