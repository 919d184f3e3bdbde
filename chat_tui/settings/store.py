"""A JSON document on disk that several app instances can update without losing anything.

Every update is a read-modify-write under an exclusive lock on a side file, and the write
is atomic: a temp file in the same directory, ``fsync``, ``os.replace``, then a
best-effort ``fsync`` of the directory. Both halves are needed for no lost updates *and*
no torn reads with concurrent writers: the lock keeps two read-modify-writes from
overwriting each other, and the replace means a reader (or a crash) never meets half a
file (``tests/unit/test_settings.py`` runs writers in several processes). Updates are
functions of the current on-disk value, so two instances changing different keys both
keep their change.

A file that cannot be parsed is renamed aside (``<name>.corrupt-<UTC time>``) and the
store starts from defaults, telling the caller where the file went. A file written by a
newer ``schema_version`` is never overwritten: the store turns read-only.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from chat_tui.errors import SettingsError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["JsonStore", "StoreError", "StoreNotice"]

Document = dict[str, Any]
Migration = Callable[[Document], Document]


class StoreError(SettingsError):
    """A save failed; the file on disk is unchanged (one-line message)."""


@dataclass(slots=True)
class StoreNotice:
    """Something the user should hear about once (a quarantined or read-only file)."""

    message: str
    path: Path | None = None


@dataclass
class JsonStore:
    """One JSON object on disk with versioned, locked, atomic updates."""

    path: Path
    schema_version: int
    migrations: dict[int, Migration] = field(default_factory=dict)  # from version -> next version
    secret: bool = False  # file 0600 in a 0700 directory
    notices: list[StoreNotice] = field(default_factory=list)
    read_only: bool = False

    # -- reading ------------------------------------------------------------------------

    def load(self) -> Document:
        """The current document (defaults when missing; quarantined when corrupt). Creates nothing."""
        with self._locked(create=False):
            return self._read_unlocked()

    def _read_unlocked(self) -> Document:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return {"schema_version": self.schema_version}
        except OSError as exc:  # (a directory in its place, no permission): aside, like a corrupt one
            if self._quarantine_quietly():
                return {"schema_version": self.schema_version}
            self.notices.append(
                StoreNotice(f"cannot read {self.path.name} ({exc.strerror}); using defaults", self.path)
            )
            self.read_only = True
            return {"schema_version": self.schema_version}
        try:
            document: Document = json.loads(raw.decode("utf-8"))
            if not isinstance(document, dict):
                raise ValueError("not an object")
            version = document.get("schema_version", 1)
            if not isinstance(version, int) or isinstance(version, bool):
                raise ValueError("bad schema_version")
        except (ValueError, UnicodeDecodeError):
            return self._quarantine()
        if version > self.schema_version:
            if not self.read_only:
                self.notices.append(
                    StoreNotice(f"{self.path.name} was written by a newer chat-tui; it is used read-only", self.path)
                )
            self.read_only = True
            return document
        while version < self.schema_version:
            migrate = self.migrations.get(version)
            document = migrate(document) if migrate else document
            version += 1
            document["schema_version"] = version
        return document

    def _quarantine_quietly(self) -> bool:
        """Move an unreadable file aside; True (and a notice saying where) when that worked."""
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            os.replace(self.path, aside)
        except OSError:
            return False
        self.notices.append(StoreNotice(f"{self.path.name} was unreadable; moved it to {aside}", aside))
        return True

    def _quarantine(self) -> Document:
        if not self._quarantine_quietly():
            self.read_only = True
            self.notices.append(StoreNotice(f"{self.path.name} is unreadable and could not be moved aside", self.path))
        return {"schema_version": self.schema_version}

    # -- writing ------------------------------------------------------------------------

    def update(self, change: Callable[[Document], Document | None]) -> Document:
        """Apply *change* to the on-disk document under the lock and save atomically.

        *change* receives the freshly read document and may mutate it in place (returning
        None) or return a new one. Raises :class:`StoreError` when the save fails; the file
        is then untouched.
        """
        with self._locked():
            document = self._read_unlocked()
            if self.read_only:
                raise StoreError(f"{self.path.name} is read-only (written by a newer version or unreadable)")
            result = change(document)
            document = document if result is None else result
            document["schema_version"] = self.schema_version
            self._write_unlocked(document)
            return document

    def _write_unlocked(self, document: Document) -> None:
        data = json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True).encode("utf-8")
        directory = self.path.parent
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{self.path.name}.", suffix=".tmp")  # mode 0600
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            if not self.secret:
                os.chmod(tmp, 0o644)
            os.replace(tmp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StoreError(f"could not save {self.path.name}: {exc.strerror or exc}") from None
        with contextlib.suppress(OSError):
            dir_fd = os.open(directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    # -- locking ------------------------------------------------------------------------

    @contextlib.contextmanager
    def _locked(self, *, create: bool = True) -> Iterator[None]:
        if create:
            self._ensure_directory()
        elif not self.path.parent.is_dir():
            yield  # nothing to read, nothing to lock, nothing created
            return
        lock_path = self.path.with_name(f".{self.path.name}.lock")
        try:
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except OSError:
            yield  # cannot lock (read-only file system): reads still work, writes will fail cleanly
            return
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    def _ensure_directory(self) -> None:
        directory = self.path.parent
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700 if self.secret else 0o755)
        except OSError:
            return
        if self.secret:
            with contextlib.suppress(OSError):
                if stat.S_IMODE(directory.stat().st_mode) & 0o077:
                    os.chmod(directory, 0o700)

    def clean_stale_temp_files(self, older_than: float = 3600.0) -> None:
        """Remove temp files left by a crash mid-save."""
        now = time.time()
        for leftover in self.path.parent.glob(f".{self.path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                if now - leftover.stat().st_mtime > older_than:
                    leftover.unlink()
