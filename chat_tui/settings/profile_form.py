"""The connect form as data: its fields to a profile and a connection, and a profile back to fields.

Free of the UI, so what the fields may hold, which key a form's connection sends and which
stored headers an edit keeps are plain functions; the connect screen only copies its
widgets' values into a :class:`ProfileForm` and back.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self

from chat_tui.client.auth import ENV_KEY_NAMES, ApiKey, normalize_key
from chat_tui.client.errors import ClientError
from chat_tui.client.urls import display_host, is_loopback, normalize_base_url
from chat_tui.connection import ENV_KEY_RULE, Connection, KeySource, resolve_connection
from chat_tui.sanitize import clean_line
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.model import InvalidSetting, Profile

__all__ = [
    "ProfileEdit",
    "ProfileForm",
    "form_connection",
    "kept_headers_note",
    "key_rule",
    "read_form",
    "stored_key_note",
    "suggested_key_env",
]


@dataclass(frozen=True, slots=True)
class ProfileForm:
    """The form's fields as typed (untrimmed), and the key source picked."""

    name: str = ""
    url: str = ""
    key_source: KeySource = "none"
    key_env: str = ""
    key: str = ""  # empty: keep the stored key
    assistant: str = ""
    header_name: str = ""
    header_value: str = ""  # empty: keep the stored value of that header
    timeout: str = "30"

    @classmethod
    def for_profile(cls, profile: Profile, headers: Mapping[str, str]) -> Self:
        """The form that edits *profile*, whose stored headers are *headers*. The secrets (the
        key, the header's value) stay empty: never shown, and kept unless typed again."""
        return cls(
            name=profile.name,
            url=profile.url,
            key_source=profile.key_source,
            key_env=profile.key_env or "",
            assistant=profile.assistant or "",
            header_name=next(iter(headers), ""),
            timeout=f"{profile.timeout:g}",
        )


@dataclass(frozen=True, slots=True)
class ProfileEdit:
    """The profile a form describes, with the secrets saving it stores."""

    profile: Profile
    api_key: str | None = None  # None: keep the stored key
    headers: dict[str, str] | None = None  # None: keep the stored headers


def read_form(form: ProfileForm, manager: SettingsManager, *, editing: str | None) -> ProfileEdit:
    """*form* checked, as a profile and its secrets; :class:`ClientError` (one line) saying
    what to fix. *editing*: the saved profile being edited (its name before any rename),
    whose stored key and headers the form keeps unless it replaces them.

    The form shows one extra header: the profile's first. Its other headers are kept as
    they are (and the one shown, renamed or emptied, is replaced or dropped).
    """
    try:
        timeout = float(form.timeout.strip() or "30")
    except ValueError:
        raise ClientError("the timeout must be a number of seconds") from None
    try:
        profile = Profile(
            name=form.name.strip() or "default",
            url=form.url,
            key_source=form.key_source,
            key_env=form.key_env or None,
            assistant=form.assistant.strip() or None,
            timeout=timeout,
        )
    except InvalidSetting as exc:
        raise ClientError(clean_line(str(exc), 200)) from None
    key = form.key or None
    if profile.key_source == "stored" and key is None and not (editing and manager.stored_key(editing)):
        raise ClientError("paste the API key to store, or choose another key source")
    if key is not None:
        normalize_key(key, "the key field")
    header_name = form.header_name.strip()
    headers: dict[str, str] | None = None
    existing = manager.header_values(editing) if editing else {}
    others = dict(list(existing.items())[1:])  # the form edits the first header; the rest are kept
    if header_name:
        value = form.header_value or existing.get(header_name, "")
        if not value:
            raise ClientError(f"give a value for the header {header_name[:40]}")
        headers = {header_name: value, **{k: v for k, v in others.items() if k != header_name}}
    elif editing:
        headers = others
    return ProfileEdit(profile, key, headers)


def form_connection(
    edit: ProfileEdit, manager: SettingsManager, *, editing: str | None, env: Mapping[str, str] | None = None
) -> Connection:
    """The form's fields as a connection (not a saved profile's, even with a name typed in):
    the typed key, else the stored key of the profile being edited; the form's headers.
    *env*: the environment a named variable is read from (default: this process's)."""

    def stored_key() -> ApiKey | None:
        if edit.api_key:
            return normalize_key(edit.api_key, "the key field")
        return manager.stored_key(editing) if editing else None

    headers = edit.headers
    source = edit.profile.source(saved=False, stored_key=stored_key, headers=lambda: dict(headers or {}))
    return resolve_connection(source, env=env)


def kept_headers_note(headers: Mapping[str, str]) -> str:
    """What the form says about the headers it does not show (all but the first); "" for none."""
    others = [clean_line(h, 40) for h in list(headers)[1:]]
    return f"also sent, and kept when you save: {', '.join(others)} (edit them in secrets.json)" if others else ""


def stored_key_note(manager: SettingsManager, editing: str | None) -> str:
    """What the form says of the stored key of the profile being edited (never the key)."""
    if not editing:
        return ""
    try:
        stored = manager.stored_key(editing)
    except ClientError:
        stored = None
    return f"stored key: {stored.masked()}" if stored else "no key stored yet"


def suggested_key_env(environ: Mapping[str, str] | None = None) -> str:
    """The variable the form proposes for an environment key: the first of the SDKs' set."""
    environ = os.environ if environ is None else environ
    return next((name for name in ENV_KEY_NAMES if environ.get(name)), ENV_KEY_NAMES[0])


def key_rule(url: str, source: KeySource, environ: Mapping[str, str] | None = None) -> str:
    """The key rule, for the form's *url* and key *source*: what will be sent, and why."""
    environ = os.environ if environ is None else environ
    try:
        host = normalize_base_url(url) if url.strip() else ""
    except ClientError:
        host = ""
    loopback = bool(host) and is_loopback(display_host(host).rsplit(":", 1)[0])
    if source == "none":
        present = [name for name in ENV_KEY_NAMES if environ.get(name)]
        if present:
            return f"No key will be sent. ${present[0]} is set but is only sent if you choose it here. " + ENV_KEY_RULE
        return "No key will be sent. " + ENV_KEY_RULE
    if source == "env" and loopback:
        return "The named variable's key will be sent to this local server because you chose it. " + ENV_KEY_RULE
    return ENV_KEY_RULE
