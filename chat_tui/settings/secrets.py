"""``secrets.json``: each profile's stored API key and extra header values, mode 0600.

Kept out of ``settings.json`` so that file never holds a secret. The file is read only when
a key or header will be sent (or shown masked), and not at all while it is a symlink.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chat_tui.client.auth import ApiKey, normalize_key
from chat_tui.settings.store import JsonStore, StoreNotice

__all__ = ["SecretsFile"]


class SecretsFile:
    """The profiles' secrets, by profile name; what is wrong with the file becomes a notice."""

    def __init__(self, path: Path, notices: list[StoreNotice]) -> None:
        self.store = JsonStore(path, 1, secret=True, notices=notices)
        self._notices = notices

    @property
    def path(self) -> Path:
        return self.store.path

    # -- reading --------------------------------------------------------------------------

    def entries(self) -> dict[str, Any]:
        """Every profile's entry; none from a file that is a symlink. A file others can read is
        made 0600 (or, failing that, reported)."""
        path = self.store.path
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return {}
        except OSError:
            return {}
        if stat.S_ISLNK(info.st_mode):
            self._notices.append(StoreNotice(f"{path} is a symlink; stored keys are not used", path))
            return {}
        if stat.S_IMODE(info.st_mode) & 0o077:
            try:
                os.chmod(path, 0o600)
                self._notices.append(StoreNotice(f"{path} was readable by others; its mode is now 0600", path))
            except OSError:
                self._notices.append(StoreNotice(f"{path} is readable by others; fix it with chmod 600", path))
        profiles = self.store.load().get("profiles")
        return profiles if isinstance(profiles, dict) else {}

    def entry(self, name: str) -> object:
        return self.entries().get(name)

    @staticmethod
    def key_in(entry: object, name: str) -> ApiKey | None:
        """The key an *entry* holds, checked (:class:`~chat_tui.client.errors.InvalidApiKey`)."""
        value = entry.get("api_key") if isinstance(entry, dict) else None
        return normalize_key(value, f"profile {name}") if isinstance(value, str) and value.strip() else None

    @staticmethod
    def headers_in(entry: object) -> dict[str, str]:
        headers = entry.get("headers") if isinstance(entry, dict) else None
        return {str(k): str(v) for k, v in headers.items()} if isinstance(headers, dict) else {}

    def key(self, name: str) -> ApiKey | None:
        return self.key_in(self.entry(name), name)

    def headers(self, name: str) -> dict[str, str]:
        return self.headers_in(self.entry(name))

    # -- writing --------------------------------------------------------------------------

    def save(
        self,
        name: str,
        *,
        stored: bool,
        api_key: str | None,
        headers: Mapping[str, str] | None,
        renamed_from: str | None,
    ) -> None:
        """Profile *name*'s secrets (moved from *renamed_from*, when given). *api_key* and
        *headers* None keep what is stored; a profile whose key is not *stored* keeps none."""
        if api_key is None and headers is None and not renamed_from and stored:
            return  # nothing would change: the file is left alone

        def change(doc: dict[str, Any]) -> None:
            profiles = doc.setdefault("profiles", {})
            entry = profiles.pop(renamed_from, None) if renamed_from else None
            entry = profiles.get(name, entry) or {}
            if api_key is not None:
                entry["api_key"] = api_key.strip().strip('"').strip("'").strip()
            if not stored:
                entry.pop("api_key", None)
            if headers is not None:
                entry["headers"] = dict(headers)
            if entry:
                profiles[name] = entry
            else:
                profiles.pop(name, None)

        self.store.update(change)

    def delete(self, name: str) -> None:
        self.store.update(lambda doc: doc.setdefault("profiles", {}).pop(name, None))
