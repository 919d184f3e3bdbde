"""Which server to talk to, with which key: the rules in one place.

A connection comes from a *source* (a saved profile, or the connect form's fields) and the
command line's *overrides* (``--url``, ``--profile``, ``--api-key-env``, ``--demo``). Every
caller (the launch, ``chat-tui stream``, the connect screen, switching profiles) goes
through :func:`resolve_connection`; :func:`resolve_launch` adds the launch's own rules
(which profile applies, and what a profile that cannot be used means).

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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, Self, get_args, overload
from urllib.parse import urlsplit

from chat_tui.client.auth import ENV_KEY_NAMES, ApiKey, key_from_env, normalize_key
from chat_tui.client.errors import ClientError, InvalidApiKey
from chat_tui.client.urls import display_host, is_loopback, normalize_base_url

if TYPE_CHECKING:
    from chat_tui.client import LangGraphClient

__all__ = [
    "DEMO_DATA_KEY",
    "ENV_KEY_RULE",
    "KEY_SOURCES",
    "Connection",
    "KeySource",
    "Launch",
    "Overrides",
    "Source",
    "is_langsmith_hosted",
    "resolve_api_key",
    "resolve_connection",
    "resolve_launch",
]

ENV_KEY_RULE = (
    "Keys from LANGGRAPH_API_KEY / LANGSMITH_API_KEY / LANGCHAIN_API_KEY are sent automatically only to "
    "LangSmith-hosted deployments (*.langgraph.app), never to localhost (e.g. the demo) or other servers; "
    "name a variable to send its key anywhere else."
)
_HOSTED_SUFFIXES = (".langgraph.app", ".langchain.com", ".langsmith.com")

KeySource = Literal["none", "env", "stored"]
KEY_SOURCES: tuple[KeySource, ...] = get_args(KeySource)  # in the order the connect form shows them

DEMO_DATA_KEY = "demo"  # not a URL (no "://"), so no server's key can be the same


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
    name: str | None = None  # the saved profile it came from (F2's choice is remembered there)
    demo: bool = False  # the embedded demo server

    @classmethod
    def for_demo(cls, url: str) -> Self:
        """The embedded demo server at *url* (no key, no headers: it needs none)."""
        return cls(url, demo=True)

    @property
    def host(self) -> str:
        return display_host(self.url)

    @property
    def data_key(self) -> str:
        """What drafts, prompts, run configurations, runs in flight and the remembered assistant
        are kept under, from one run of the app to the next.

        The server's normalised URL: thread, run and assistant ids belong to a server (not to
        a profile name, which can be renamed, or shared by ``--url``), and a URL never holds
        credentials (they are refused). The demo is ``"demo"``: its threads survive restarts
        but its port is new every time.
        """
        return DEMO_DATA_KEY if self.demo else self.url

    @property
    def plaintext_remote(self) -> bool:
        """True when a key would travel unencrypted to another machine."""
        parts = urlsplit(self.url)
        return parts.scheme == "http" and not is_loopback(parts.hostname)

    def client(self) -> LangGraphClient:
        from chat_tui.client import LangGraphClient

        return LangGraphClient(self.url, api_key=self.api_key, headers=self.headers or None, timeout=self.timeout)


def _no_key() -> ApiKey | None:
    return None


def _no_headers() -> dict[str, str]:
    return {}


@dataclass(frozen=True, slots=True)
class Source:
    """A saved profile, or the connect form's fields: where a connection comes from.

    The secrets are not held here: ``stored_key`` and ``headers`` read them only when the
    connection will send them (with ``--url`` it sends neither, so they are never read).
    """

    url: str  # normalised
    name: str | None = None  # the saved profile's name; None for the form's unsaved fields
    key_source: KeySource = "none"
    key_env: str | None = None
    assistant: str | None = None
    timeout: float = 30.0
    stored_key: Callable[[], ApiKey | None] = _no_key
    headers: Callable[[], dict[str, str]] = _no_headers


@dataclass(frozen=True, slots=True)
class Overrides:
    """What the command line says, for this launch only."""

    url: str | None = None
    profile: str | None = None
    api_key_env: str | None = None
    demo: bool = False

    @classmethod
    def from_args(cls, args: object) -> Self:
        """From parsed arguments (``chat-tui stream`` leaves the flags it was not given unset)."""
        return cls(
            url=getattr(args, "url", None) or None,
            profile=getattr(args, "profile", None) or None,
            api_key_env=getattr(args, "api_key_env", None) or None,
            demo=bool(getattr(args, "demo", False)),
        )


@dataclass(frozen=True, slots=True)
class Launch:
    """What a launch connects to: a connection, the demo (started later), or neither (ask)."""

    connection: Connection | None = None
    demo: bool = False
    problem: str | None = None  # why the last used profile could not be used


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


def _source_key(source: Source, environ: Mapping[str, str]) -> ApiKey | None:
    """The key the source itself names (its choice is explicit: "none" sends none, even to LangSmith)."""
    if source.key_source == "stored":
        return source.stored_key()
    if source.key_source == "env" and source.key_env:
        value = environ.get(source.key_env)
        if not value or not value.strip():
            whose = f"profile {source.name}: " if source.name else ""
            raise InvalidApiKey(f"{whose}the environment variable {source.key_env} is not set")
        return normalize_key(value, f"env:{source.key_env}")
    return None


@overload
def resolve_connection(
    source: Source, overrides: Overrides | None = None, *, env: Mapping[str, str] | None = None
) -> Connection: ...


@overload
def resolve_connection(
    source: Source | None, overrides: Overrides | None = None, *, env: Mapping[str, str] | None = None
) -> Connection | None: ...


def resolve_connection(
    source: Source | None, overrides: Overrides | None = None, *, env: Mapping[str, str] | None = None
) -> Connection | None:
    """The connection *source* describes, with the command line's *overrides*; None without either.

    * ``--url`` replaces the source's server. The source's key and headers are for its own
      server, so they are not sent (nor read): the key comes from ``--api-key-env``, or, for a
      LangSmith-hosted URL only, the SDK variables. The source's timeout and assistant carry
      over; the connection is not the profile's (choices made on it are not saved there).
    * ``--api-key-env`` replaces the source's key (the source's own is then not read).
    * Otherwise the source's key (none, its variable, or the stored one) and headers.

    Raises :class:`~chat_tui.client.errors.ClientError` (one line, never the key) for a bad
    URL or a key that cannot be had.
    """
    overrides = overrides or Overrides()
    environ = os.environ if env is None else env
    timeout = source.timeout if source is not None else 30.0
    assistant = source.assistant if source is not None else None
    if overrides.url:
        url = normalize_base_url(overrides.url)
        key = resolve_api_key(url, api_key_env=overrides.api_key_env, env=environ)
        return Connection(url, api_key=key, timeout=timeout, assistant_id=assistant)
    if source is None:
        return None
    if overrides.api_key_env:
        key = resolve_api_key(source.url, api_key_env=overrides.api_key_env, env=environ)
    else:
        key = _source_key(source, environ)
    return Connection(
        source.url,
        api_key=key,
        headers=dict(source.headers()),
        timeout=timeout,
        assistant_id=assistant,
        name=source.name,
    )


def resolve_launch(
    overrides: Overrides, profiles: Callable[[str | None], Source | None], *, env: Mapping[str, str] | None = None
) -> Launch:
    """What the command line connects to. *profiles* looks up a saved profile by name (None:
    the last one used; None back when there is none) and raises ``ClientError`` for an
    unknown name.

    * ``--demo`` starts the demo; with ``--profile`` (or ``--url``) it is an error.
    * ``--url`` alone uses no profile (the last one used is for its own server); with
      ``--profile`` the named profile must exist, and lends its timeout and assistant.
    * A profile named with ``--profile`` that cannot be used is an error; the last used one
      failing is not: the launch asks (the app opens the connect screen with the reason).
    * Then :func:`resolve_connection`.
    """
    if overrides.demo:
        if overrides.profile:
            raise ClientError("--demo and --profile cannot be combined")
        if overrides.url:
            raise ClientError("--demo and --url cannot be combined")
        return Launch(demo=True)
    named = overrides.profile is not None
    source = profiles(overrides.profile) if named or not overrides.url else None
    try:
        connection = resolve_connection(source, overrides, env=env)
    except ClientError as exc:
        if named or overrides.url:
            raise
        return Launch(problem=str(exc))
    return Launch(connection)
