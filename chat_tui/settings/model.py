"""The shape of ``settings.json``: profiles, the last one used, display options, the keymap,
and what the app remembers for the user (``ui``: theme, sidebar, assistants picked with F2).

Secrets are not here. A stored API key and the values of extra headers (which may be a
custom ``Authorization``) live in ``secrets.json`` (mode 0600); this file only says where
a profile's key comes from.

Plain dataclasses validated by hand, not pydantic models: the settings are read before the
app's first frame, and pydantic's import and first model cost ~100 ms there (most of what
the app adds to Textual's own start-up; ``BENCHMARKS.md``, start-up). Unknown keys are
ignored (a newer version's settings still load); a wrong value raises
:class:`InvalidSetting`, a ``ValueError`` whose message is one line for the user.

Schema history:
* v1: one server, before profiles existed: ``{"url", "assistant", "api_key_env"}``;
* v2: named profiles;
* v3: ``ui``, the preferences that were kept with the session state in ``state.json``
  (data directory) until then: ``theme``, ``sidebar`` and, per server, ``assistant:<url>``
  (now ``ui.assistants``). :func:`migrate_v2` moves them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import TYPE_CHECKING, Any, Self, cast

from chat_tui.client.errors import InvalidURL
from chat_tui.client.urls import normalize_base_url
from chat_tui.connection import KEY_SOURCES, KeySource, Source
from chat_tui.errors import SettingsError

if TYPE_CHECKING:
    from chat_tui.client.auth import ApiKey

__all__ = [
    "KEY_SOURCES",
    "SCHEMA_VERSION",
    "DisplayOptions",
    "InvalidSetting",
    "KeySource",
    "Preferences",
    "Profile",
    "Settings",
    "migrate_v1",
    "migrate_v2",
]

SCHEMA_VERSION = 3
_NAME = re.compile(r"^[\w .@+-]{1,40}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$")


class InvalidSetting(SettingsError, ValueError):
    """A setting that does not validate. The message never repeats the value (it may be a secret).

    Also a ``ValueError``, which code that parses values catches."""


def _text(value: object, what: str) -> str:
    if not isinstance(value, str):
        raise InvalidSetting(f"{what} must be text")
    return value


def _known(cls: type, raw: object, what: str) -> dict[str, Any]:
    """The keys of *raw* that are fields of *cls* (others are ignored, as a newer version may add some)."""
    if not isinstance(raw, Mapping):
        raise InvalidSetting(f"{what} must be an object")
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in raw.items() if key in names}


@dataclass(eq=True)
class Profile:
    """One deployment: where it is and how to authenticate (never the secret itself).

    Validated (and normalised: the name stripped, the URL as the client will use it) when made.
    """

    name: str
    url: str
    key_source: KeySource = "none"
    key_env: str | None = None
    assistant: str | None = None
    header_names: list[str] = field(default_factory=list)  # values are in secrets.json
    timeout: float = 30.0

    def __post_init__(self) -> None:
        name = _text(self.name, "a profile name").strip()
        if not _NAME.match(name):
            raise InvalidSetting("a profile name is 1-40 letters, digits, spaces or . @ + - _")
        self.name = name
        try:
            self.url = normalize_base_url(_text(self.url, "the URL"))
        except InvalidURL as exc:
            raise InvalidSetting(str(exc)) from None
        if self.key_source not in KEY_SOURCES:
            raise InvalidSetting("the key source is one of: " + ", ".join(KEY_SOURCES))
        env = self.key_env
        if env is not None:
            env = _text(env, "an environment variable name").strip() or None
            if env is not None and not _ENV_NAME.match(env):
                raise InvalidSetting("an environment variable name is letters, digits and _")
        self.key_env = env
        if self.assistant is not None:
            _text(self.assistant, "an assistant")
        if not isinstance(self.header_names, list):
            raise InvalidSetting("the header names must be a list")
        for header in self.header_names:
            if not isinstance(header, str) or not _HEADER_NAME.match(header) or header.lower() == "x-api-key":
                shown = header[:40] if isinstance(header, str) else type(header).__name__
                raise InvalidSetting(f"{shown!r} is not a header chat-tui can send")
        timeout = self.timeout
        if isinstance(timeout, bool) or not isinstance(timeout, int | float):
            raise InvalidSetting("the timeout must be a number of seconds")
        if not 1.0 <= timeout <= 600.0:
            raise InvalidSetting("the timeout is between 1 and 600 seconds")
        self.timeout = float(timeout)

    @classmethod
    def from_dict(cls, raw: object) -> Self:
        known = _known(cls, raw, "a profile")
        for required in ("name", "url"):
            if required not in known:
                raise InvalidSetting(f"a profile needs a {required}")
        return cls(**known)

    def to_dict(self) -> dict[str, Any]:
        """As stored in ``settings.json`` (JSON types only)."""
        return asdict(self)

    def source(
        self,
        *,
        saved: bool,
        stored_key: Callable[[], ApiKey | None],
        headers: Callable[[], dict[str, str]],
    ) -> Source:
        """This profile as :func:`~chat_tui.connection.resolve_connection` takes it. *saved*: it
        is the saved profile of that name (the connect form's unsaved fields are not); the
        callables read its secrets, only if they will be sent."""
        return Source(
            self.url,
            name=self.name if saved else None,
            key_source=self.key_source,
            key_env=self.key_env,
            assistant=self.assistant,
            timeout=self.timeout,
            stored_key=stored_key,
            headers=headers,
        )


@dataclass(eq=True)
class DisplayOptions:
    """What a tester wants to see while streaming (F4; ``options`` in ``settings.json``)."""

    show_tool_panels: bool = True
    show_node_labels: bool = True
    stream_subgraphs: bool = False
    stream_tasks: bool = False  # node starts and ends on every run (the graph view asks while it is open)

    def __post_init__(self) -> None:
        invalid = self._invalid(asdict(self))
        if invalid:
            raise InvalidSetting(f"{invalid[0]} is true or false")

    @staticmethod
    def _invalid(values: Mapping[str, Any]) -> list[str]:
        return [name for name, value in values.items() if not isinstance(value, bool)]

    @classmethod
    def from_dict(cls, raw: object) -> Self:
        return cls(**_known(cls, raw, "the options"))

    @classmethod
    def salvage(cls, raw: object) -> tuple[Self, list[str]]:
        """The valid options in *raw* and defaults for the rest, with the names of the invalid
        ones (one bad value must not make the user's other choices, or new ones, not stick).
        Raises :class:`InvalidSetting` when *raw* is not an object at all."""
        known = _known(cls, raw, "the options")
        invalid = cls._invalid(known)
        return cls(**{name: value for name, value in known.items() if name not in invalid}), invalid

    def to_dict(self) -> dict[str, bool]:
        return cast("dict[str, bool]", asdict(self))

    def copy(self) -> Self:
        return replace(self)


def _is_theme(value: object) -> bool:
    return value is None or isinstance(value, str)


def _is_assistants(value: object) -> bool:
    return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())


_PREFERENCE_RULES = {
    "theme": (_is_theme, "text"),
    "sidebar": (lambda value: isinstance(value, bool), "true or false"),
    "assistants": (_is_assistants, "an object of assistant ids"),
}


@dataclass(eq=True)
class Preferences:
    """What the app remembers for the user (``ui`` in ``settings.json``)."""

    theme: str | None = None  # a Textual theme name; one the app does not have is ignored
    sidebar: bool = True  # the thread sidebar shown (a narrow terminal still starts without it)
    # Connection.data_key -> the assistant picked with F2, for connections that are not a saved
    # profile's (a profile keeps its own, as its default assistant).
    assistants: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        invalid = self._invalid(asdict(self))
        if invalid:
            raise InvalidSetting(f"ui.{invalid[0]} must be {_PREFERENCE_RULES[invalid[0]][1]}")

    @staticmethod
    def _invalid(values: Mapping[str, Any]) -> list[str]:
        return [name for name, value in values.items() if not _PREFERENCE_RULES[name][0](value)]

    @classmethod
    def salvage(cls, raw: object) -> tuple[Self, list[str]]:
        """The valid preferences in *raw*, defaults for the rest, and a message for each invalid
        one (a wrong value costs that one choice, never the others). Raises
        :class:`InvalidSetting` when *raw* is not an object at all."""
        known = _known(cls, raw, "ui")
        invalid = cls._invalid(known)
        values = {name: value for name, value in known.items() if name not in invalid}
        messages = [f"ui.{name} must be {_PREFERENCE_RULES[name][1]}; using the default" for name in invalid]
        assistants = known.get("assistants")
        if "assistants" in invalid and isinstance(assistants, dict):  # one bad entry costs only itself
            values["assistants"] = {k: v for k, v in assistants.items() if isinstance(k, str) and isinstance(v, str)}
            messages[invalid.index("assistants")] = "ui.assistants: an entry that is not text is ignored"
        return cls(**values), messages

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    profiles: dict[str, Profile] = field(default_factory=dict)
    last_profile: str | None = None
    options: DisplayOptions = field(default_factory=DisplayOptions)
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> keys, e.g. "chat.new-thread": "ctrl+y"
    ui: Preferences = field(default_factory=Preferences)


def migrate_v1(document: dict[str, Any]) -> dict[str, Any]:
    """v1 (one server) → v2 (profiles): the single server becomes profile ``default``."""
    url = document.pop("url", None)
    assistant = document.pop("assistant", None)
    env = document.pop("api_key_env", None)
    if isinstance(url, str) and url.strip():
        profile: dict[str, Any] = {"name": "default", "url": url, "assistant": assistant}
        if isinstance(env, str) and env.strip():
            profile.update(key_source="env", key_env=env)
        document.setdefault("profiles", {})["default"] = profile
        document.setdefault("last_profile", "default")
    return document


LEGACY_ASSISTANT_PREFIX = "assistant:"  # state.json's ui kept "assistant:<url>": <assistant id>


def migrate_v2(document: dict[str, Any], legacy_ui: Mapping[str, Any]) -> dict[str, Any]:
    """v2 → v3: the preferences kept in ``state.json``'s ``ui`` (*legacy_ui*) move under ``ui``.

    Also applied to a ``settings.json`` that does not exist yet (the preferences may be older
    than any profile). Values are copied as they were; loading salvages a wrong one. After
    this, ``document`` has a ``ui`` object, which is how the move is known to be done.
    """
    ui = document.get("ui")
    if not isinstance(ui, dict):
        ui = {}
    for name in ("theme", "sidebar"):
        if name in legacy_ui:
            ui.setdefault(name, legacy_ui[name])
    assistants = {
        key.removeprefix(LEGACY_ASSISTANT_PREFIX): value
        for key, value in legacy_ui.items()
        if isinstance(key, str) and key.startswith(LEGACY_ASSISTANT_PREFIX)
    }
    if assistants:
        current = ui.get("assistants")
        ui["assistants"] = {**assistants, **current} if isinstance(current, dict) else assistants
    document["ui"] = ui
    return document
