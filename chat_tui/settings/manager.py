"""Profiles, options and preferences on disk: ``settings.json`` plus a 0600 ``secrets.json``
(:mod:`.secrets`).

Every change is a locked read-modify-write of the raw JSON (see :mod:`.store`), touching
only the keys it changes, so two instances never lose each other's edits, and data this
version does not understand (or a profile that does not validate) is left as it was.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from chat_tui.client.auth import ApiKey, normalize_key
from chat_tui.client.errors import ClientError, InvalidApiKey
from chat_tui.connection import Connection, Launch, Overrides, Source, resolve_connection, resolve_launch
from chat_tui.settings.model import (
    SCHEMA_VERSION,
    DisplayOptions,
    InvalidSetting,
    Preferences,
    Profile,
    Settings,
    migrate_v1,
    migrate_v2,
)
from chat_tui.settings.paths import config_dir
from chat_tui.settings.secrets import SecretsFile
from chat_tui.settings.store import JsonStore, StoreError, StoreNotice
from chat_tui.settings.userdata import forget_legacy_preferences, legacy_preferences

__all__ = ["SettingsManager"]

Document = dict[str, Any]


def _section(document: Document, name: str) -> Document:
    """``document[name]`` as an object to change (a value of another type was unusable: replaced)."""
    value = document.get(name)
    if not isinstance(value, dict):
        value = document[name] = {}
    return value


class SettingsManager:
    def __init__(
        self, directory: Path | None = None, env: Mapping[str, str] | None = None, data_directory: Path | None = None
    ) -> None:
        self._directory = directory
        self._env = env
        self._data_directory = data_directory  # where state.json may still hold preferences (before v3)
        self._settings_store: JsonStore | None = None
        self._secrets: SecretsFile | None = None
        self.notices: list[StoreNotice] = []
        self._refused = False  # a preference could not be saved (said once)
        self._adopted = False  # the last read took preferences from state.json

    # -- files ----------------------------------------------------------------------------

    @property
    def directory(self) -> Path:
        return self._directory or config_dir()

    @property
    def settings_store(self) -> JsonStore:
        if self._settings_store is None:
            self._settings_store = JsonStore(
                self.directory / "settings.json", SCHEMA_VERSION, migrations={1: migrate_v1}, notices=self.notices
            )
        return self._settings_store

    @property
    def secrets(self) -> SecretsFile:
        if self._secrets is None:
            self._secrets = SecretsFile(self.directory / "secrets.json", self.notices)
        return self._secrets

    def _with_preferences(self, document: Document) -> Document:
        """The v3 migration, for a v2 file and for one not written yet alike: a document without
        ``ui`` takes the preferences ``state.json`` still holds (read, not yet removed)."""
        if "ui" in document:
            return document
        legacy = legacy_preferences(self._data_directory)
        self._adopted = bool(legacy)
        return migrate_v2(document, legacy)

    def _update(self, change: Callable[[Document], Document | None]) -> Document:
        """A locked read-modify-write of ``settings.json``. The first one writes the preferences
        taken from ``state.json`` here, then removes them there: one home from then on."""
        self._adopted = False

        def apply(document: Document) -> Document:
            document = self._with_preferences(document)
            result = change(document)
            return document if result is None else result

        document = self.settings_store.update(apply)
        if self._adopted:
            self._adopted = False
            forget_legacy_preferences(self._data_directory)
        return document

    def _prefer(self, change: Callable[[Document], Document | None]) -> bool:
        """Save a preference; when the file refuses (read-only, newer, disk full) say so once, go on.

        A preference that is not saved costs the user a choice next time, never the session.
        """
        try:
            self._update(change)
            return True
        except StoreError as exc:
            if not self._refused:
                self._refused = True
                self.notices.append(StoreNotice(f"settings not saved: {exc}", self.settings_store.path))
            return False

    def take_notices(self) -> list[StoreNotice]:
        notices = list(self.notices)
        self.notices.clear()
        return notices

    # -- reading --------------------------------------------------------------------------

    def load(self) -> Settings:
        """The settings; a profile that does not validate is skipped (and reported), not lost."""
        document = self._with_preferences(self.settings_store.load())
        settings = Settings()
        profiles = document.get("profiles")
        if isinstance(profiles, dict):
            for name, raw in profiles.items():
                try:
                    settings.profiles[str(name)] = Profile.from_dict(raw)
                except InvalidSetting as exc:
                    self.notices.append(StoreNotice(f"profile {str(name)[:40]!r} in settings.json is ignored: {exc}"))
        try:
            settings.options, invalid = DisplayOptions.salvage(document.get("options") or {})
        except InvalidSetting as exc:
            self.notices.append(StoreNotice(f"settings.json: {exc}; using the defaults"))
        else:
            if invalid:
                names = ", ".join(invalid)
                self.notices.append(StoreNotice(f"settings.json: {names} must be true or false; using the default"))
        try:
            settings.ui, problems = Preferences.salvage(document.get("ui") or {})
        except InvalidSetting as exc:
            self.notices.append(StoreNotice(f"settings.json: {exc}; using the defaults"))
        else:
            self.notices.extend(StoreNotice(f"settings.json: {problem}") for problem in problems)
        last = document.get("last_profile")
        settings.last_profile = last if isinstance(last, str) and last in settings.profiles else None
        keymap = document.get("keymap")
        if isinstance(keymap, dict):
            settings.keymap = {str(k): str(v) for k, v in keymap.items() if isinstance(v, str)}
        return settings

    def stored_key(self, name: str) -> ApiKey | None:
        return self.secrets.key(name)

    def header_values(self, name: str) -> dict[str, str]:
        return self.secrets.headers(name)

    # -- connecting -----------------------------------------------------------------------

    def profile_source(self, name: str | None = None) -> Source | None:
        """Saved profile *name* (default: the last one used) as :func:`resolve_connection` takes
        it; None when there is none. ``secrets.json`` is read (once) only if its key or
        headers will be sent; only the headers the profile names are."""
        settings = self.load()
        name = name or settings.last_profile
        if not name:
            return None
        profile = settings.profiles.get(name)
        if profile is None:
            raise ClientError(f"no saved profile named {name!r} (see `chat-tui config show`)")
        entry = functools.cache(lambda: self.secrets.entry(profile.name))
        return profile.source(
            saved=True,
            stored_key=lambda: SecretsFile.key_in(entry(), profile.name),
            headers=lambda: {k: v for k, v in SecretsFile.headers_in(entry()).items() if k in profile.header_names},
        )

    def connection(self, name: str | None = None) -> Connection | None:
        """The connection of profile *name* (default: the last one used); None when there is none."""
        return resolve_connection(self.profile_source(name), env=self._env)

    def resolve(self, overrides: Overrides) -> Launch:
        """What the command line connects to (see :func:`~chat_tui.connection.resolve_launch`)."""
        return resolve_launch(overrides, self.profile_source, env=self._env)

    # -- writing --------------------------------------------------------------------------

    def save_profile(
        self,
        profile: Profile,
        *,
        api_key: str | None = None,
        headers: Mapping[str, str] | None = None,
        previous_name: str | None = None,
    ) -> None:
        """Add or update a profile. ``api_key``/``headers`` None keeps what is stored."""
        if api_key is not None:
            normalize_key(api_key, f"profile {profile.name}")  # refuse a bad key before writing anything
        old = previous_name if previous_name and previous_name != profile.name else None
        if headers is not None:
            profile.header_names = list(headers)
        stored = profile.key_source == "stored"
        self.secrets.save(profile.name, stored=stored, api_key=api_key, headers=headers, renamed_from=old)

        def change(doc: dict[str, Any]) -> None:
            profiles = doc.setdefault("profiles", {})
            if old:
                profiles.pop(old, None)
                if doc.get("last_profile") == old:
                    doc["last_profile"] = profile.name
            profiles[profile.name] = profile.to_dict()

        self._update(change)

    def delete_profile(self, name: str) -> None:
        def change(doc: dict[str, Any]) -> None:
            doc.setdefault("profiles", {}).pop(name, None)
            if doc.get("last_profile") == name:
                doc["last_profile"] = None

        self._update(change)
        self.secrets.delete(name)

    # Preferences: False (and a notice) when they could not be saved; see _prefer.

    def use_profile(self, name: str | None) -> bool:
        return self._prefer(lambda doc: doc.__setitem__("last_profile", name))

    def set_profile_assistant(self, name: str, assistant: str | None) -> bool:
        def change(doc: dict[str, Any]) -> None:
            profile = _section(doc, "profiles").get(name)
            if isinstance(profile, dict):
                profile["assistant"] = assistant

        return self._prefer(change)

    def set_option(self, key: str, value: Any) -> bool:
        DisplayOptions.from_dict({key: value})
        return self._prefer(lambda doc: _section(doc, "options").__setitem__(key, value))

    def set_preference(self, name: str, value: Any) -> bool:
        """Remember the theme or whether the sidebar shows (``ui`` in ``settings.json``)."""
        if name not in ("theme", "sidebar"):
            raise InvalidSetting(f"{name[:40]!r} is not a preference")
        Preferences(**{name: value})
        return self._prefer(lambda doc: _section(doc, "ui").__setitem__(name, value))

    # The assistant picked with F2 has one rule: a connection from a saved profile keeps it in
    # that profile (the connect form's "default assistant"); any other connection (``--url``,
    # the demo, "connect once") under its data key in ``ui.assistants``.

    def remembered_assistant(self, connection: Connection) -> str | None:
        settings = self.load()
        if connection.name is not None:
            profile = settings.profiles.get(connection.name)
            return profile.assistant if profile is not None else None
        return settings.ui.assistants.get(connection.data_key)

    def remember_assistant(self, connection: Connection, assistant: str) -> bool:
        if connection.name is not None:
            return self.set_profile_assistant(connection.name, assistant)
        key = connection.data_key
        return self._prefer(lambda doc: _section(_section(doc, "ui"), "assistants").__setitem__(key, assistant))

    def set_keymap(self, binding_id: str, keys: str | None) -> bool:
        def change(doc: dict[str, Any]) -> None:
            keymap = doc.setdefault("keymap", {})
            if keys:
                keymap[binding_id] = keys
            else:
                keymap.pop(binding_id, None)

        return self._prefer(change)

    # -- showing --------------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        """The effective settings with every secret masked (for ``chat-tui config show``)."""
        settings = self.load()
        profiles = {}
        for name, profile in settings.profiles.items():
            shown = profile.to_dict()
            if profile.key_source == "stored":
                try:
                    key = self.stored_key(name)
                    shown["api_key"] = f"stored ({key.masked()})" if key else "stored (missing)"
                except InvalidApiKey:
                    shown["api_key"] = "stored (invalid)"
            elif profile.key_source == "env":
                environ = os.environ if self._env is None else self._env
                state = "set" if environ.get(profile.key_env or "") else "not set"
                shown["api_key"] = f"from ${profile.key_env} ({state})"
            else:
                shown["api_key"] = "none"
            shown["headers"] = dict.fromkeys(profile.header_names, "********")
            shown.pop("header_names", None)
            profiles[name] = shown
        return {
            "last_profile": settings.last_profile,
            "profiles": profiles,
            "options": settings.options.to_dict(),
            "keymap": settings.keymap,
            "ui": settings.ui.to_dict(),
        }
