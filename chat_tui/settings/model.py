"""The shape of ``settings.json``: profiles, the last one used, UI options, the keymap.

Secrets are not here. A stored API key and the values of extra headers (which may be a
custom ``Authorization``) live in ``secrets.json`` (mode 0600); this file only says where
a profile's key comes from.

Schema history:
* v1: one server, before profiles existed: ``{"url", "assistant", "api_key_env"}``;
* v2: named profiles.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from chat_tui.client.errors import InvalidURL
from chat_tui.client.urls import normalize_base_url

__all__ = ["SCHEMA_VERSION", "Profile", "Settings", "StreamOptions", "migrate_v1"]

SCHEMA_VERSION = 2
_NAME = re.compile(r"^[\w .@+-]{1,40}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_HEADER_NAME = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}$")

KeySource = Literal["none", "env", "stored"]


class Profile(BaseModel):
    """One deployment: where it is and how to authenticate (never the secret itself)."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    name: str
    url: str
    key_source: KeySource = "none"
    key_env: str | None = None
    assistant: str | None = None
    header_names: list[str] = Field(default_factory=list)  # values are in secrets.json
    timeout: float = Field(default=30.0, ge=1.0, le=600.0)

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        value = value.strip()
        if not _NAME.match(value):
            raise ValueError("a profile name is 1-40 letters, digits, spaces or . @ + - _")
        return value

    @field_validator("url")
    @classmethod
    def _url(cls, value: str) -> str:
        try:
            return normalize_base_url(value)
        except InvalidURL as exc:
            raise ValueError(str(exc)) from None

    @field_validator("key_env")
    @classmethod
    def _env(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not _ENV_NAME.match(value):
            raise ValueError("an environment variable name is letters, digits and _")
        return value

    @field_validator("header_names")
    @classmethod
    def _headers(cls, value: list[str]) -> list[str]:
        for name in value:
            if not _HEADER_NAME.match(name) or name.lower() == "x-api-key":
                raise ValueError(f"{name[:40]!r} is not a header chat-tui can send")
        return value


class StreamOptions(BaseModel):
    """What a tester wants to see while streaming."""

    model_config = ConfigDict(extra="ignore")

    show_tool_panels: bool = True
    show_node_labels: bool = True
    stream_subgraphs: bool = False


class Settings(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    schema_version: int = SCHEMA_VERSION
    profiles: dict[str, Profile] = Field(default_factory=dict)
    last_profile: str | None = None
    options: StreamOptions = Field(default_factory=StreamOptions)
    keymap: dict[str, str] = Field(default_factory=dict)  # binding id -> keys, e.g. "chat.new-thread": "ctrl+y"


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
