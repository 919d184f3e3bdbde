"""Which server to talk to, with which key: the rules in one place.

The official SDKs send the first of ``LANGGRAPH_API_KEY``, ``LANGSMITH_API_KEY`` and
``LANGCHAIN_API_KEY`` to *whatever* URL they are given, so a LangSmith key leaks to a
local or third-party server. Here an environment key is used only

* when the user names the variable (``--api-key-env NAME`` or a profile), or
* automatically, in the SDKs' order, for a LangSmith-hosted deployment (``*.langgraph.app``,
  ``*.langchain.com``), which is what those variables are for,

and never for a loopback server such as the embedded demo or any other server.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from chat_tui.client.auth import ENV_KEY_NAMES, ApiKey, key_from_env, normalize_key
from chat_tui.client.errors import InvalidApiKey
from chat_tui.client.urls import display_host, is_loopback, normalize_base_url

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient

__all__ = ["ENV_KEY_RULE", "Connection", "is_langsmith_hosted", "resolve_api_key"]

ENV_KEY_RULE = (
    "Keys from LANGGRAPH_API_KEY / LANGSMITH_API_KEY / LANGCHAIN_API_KEY are sent automatically only to "
    "LangSmith-hosted deployments (*.langgraph.app), never to localhost (e.g. the demo) or other servers; "
    "name a variable to send its key anywhere else."
)
_HOSTED_SUFFIXES = (".langgraph.app", ".langchain.com", ".langsmith.com")


def is_langsmith_hosted(host: str | None) -> bool:
    """Deployments LangSmith hosts, where the LangSmith/LangGraph environment keys belong."""
    return bool(host) and any(host.lower().endswith(suffix) for suffix in _HOSTED_SUFFIXES)  # type: ignore[union-attr]


@dataclass(slots=True)
class Connection:
    """Everything needed to build a client; ``repr`` never shows the key."""

    url: str
    api_key: ApiKey | None = None
    headers: dict[str, str] = field(default_factory=dict, repr=False)
    timeout: float = 30.0
    assistant_id: str | None = None
    name: str | None = None  # profile name, or "demo"

    @property
    def host(self) -> str:
        return display_host(self.url)

    @property
    def plaintext_remote(self) -> bool:
        """True when a key would travel unencrypted to another machine."""
        parts = urlsplit(self.url)
        return parts.scheme == "http" and not is_loopback(parts.hostname)

    def client(self) -> LangGraphClient:
        from chat_tui.client import LangGraphClient

        return LangGraphClient(self.url, api_key=self.api_key, headers=self.headers or None, timeout=self.timeout)


def resolve_api_key(
    url: str,
    *,
    api_key: str | None = None,
    api_key_env: str | None = None,
    env: Mapping[str, str] | None = None,
) -> ApiKey | None:
    """The key for *url*: explicit value, else a named variable, else (LangSmith-hosted only) the SDK order."""
    environ = os.environ if env is None else env
    if api_key is not None:
        return normalize_key(api_key, "--api-key")
    if api_key_env:
        value = environ.get(api_key_env)
        if value is None or not value.strip():
            raise InvalidApiKey(f"the environment variable {api_key_env} is not set")
        return normalize_key(value, f"env:{api_key_env}")
    host = urlsplit(normalize_base_url(url)).hostname
    if is_loopback(host) or not is_langsmith_hosted(host):
        return None
    return key_from_env(environ, ENV_KEY_NAMES)
