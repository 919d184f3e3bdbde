"""Session state that must survive restarts: drafts, prompt history, run configuration, runs in flight.

Stored in one small JSON document, ``state.json``, in the data directory (see :mod:`.store`
for how concurrent instances share it). Everything is kept per server, under the
connection's :attr:`~chat_tui.connection.Connection.data_key` (its URL, or ``"demo"``),
which never holds secrets. The user's preferences are not here but in ``settings.json``
(:class:`~chat_tui.settings.model.Preferences`); before schema v3 of that file they were
kept here under ``ui``, which :func:`legacy_preferences` and :func:`forget_legacy_preferences`
read and remove once they have moved.
"""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path
from typing import Any

from chat_tui.settings.paths import data_dir
from chat_tui.settings.store import JsonStore, StoreError, StoreNotice

__all__ = ["NEW_THREAD", "STATE_FILE", "UserData", "forget_legacy_preferences", "legacy_preferences"]

STATE_FILE = "state.json"
STATE_VERSION = 1

PROMPTS = 200  # prompts remembered per server
UNSAVED_PER_THREAD = 10  # partial answers kept per thread (the newest)
UNSAVED_CHARS = 8000  # of each
NEW_THREAD = "(new)"  # the draft of the thread that does not exist yet


class UserData:
    """Drafts and run configuration per (server, thread), prompts per server, the run each thread is streaming.

    *server* is always a :attr:`Connection.data_key <chat_tui.connection.Connection.data_key>`.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
        self._store: JsonStore | None = None
        self._cache: dict[str, Any] | None = None

    @property
    def store(self) -> JsonStore:
        if self._store is None:
            directory = self._directory or data_dir()
            self._store = JsonStore(directory / STATE_FILE, schema_version=STATE_VERSION)
            self._store.clean_stale_temp_files()
        return self._store

    @property
    def path(self) -> Path:
        return self.store.path

    def notices(self) -> list[StoreNotice]:
        notices, self.store.notices = self.store.notices, []
        return notices

    def _doc(self) -> dict[str, Any]:
        if self._cache is None:
            self._cache = self.store.load()
        return self._cache

    def _update(self, change: Any) -> bool:
        """Save a change; False (and the in-memory copy still updated) when the disk refused."""
        try:
            self._cache = self.store.update(change)
            return True
        except StoreError:
            if self._cache is not None:
                change(self._cache)
            return False

    # -- drafts -------------------------------------------------------------------------

    def draft(self, server: str, thread_id: str | None) -> str:
        drafts = self._doc().get("drafts", {})
        value = drafts.get(server, {}).get(thread_id or NEW_THREAD, {}) if isinstance(drafts, dict) else {}
        text = value.get("text") if isinstance(value, dict) else None
        return text if isinstance(text, str) else ""

    def save_draft(self, server: str, thread_id: str | None, text: str) -> bool:
        key = thread_id or NEW_THREAD

        def change(doc: dict[str, Any]) -> None:
            drafts = doc.setdefault("drafts", {})
            scoped = drafts.setdefault(server, {})
            if text.strip():
                scoped[key] = {"text": text, "saved_at": time.time()}
            else:
                scoped.pop(key, None)
                if not scoped:
                    drafts.pop(server, None)

        return self._update(change)

    # -- prompt history (Up in the composer, across threads and restarts) ----------------

    def prompts(self, server: str) -> list[str]:
        """What the user sent to *server*, oldest first."""
        history = self._doc().get("prompts", {})
        scoped = history.get(server, []) if isinstance(history, dict) else []
        return [p for p in scoped if isinstance(p, str)] if isinstance(scoped, list) else []

    def add_prompt(self, server: str, text: str) -> bool:
        """Remember a sent prompt: the last PROMPTS, a repeat moved to the end rather than kept twice."""
        if not text.strip():
            return True

        def change(doc: dict[str, Any]) -> None:
            history = doc.setdefault("prompts", {})
            scoped = [p for p in history.get(server, []) if isinstance(p, str) and p != text]
            history[server] = [*scoped, text][-PROMPTS:]

        return self._update(change)

    # -- run configuration per thread ---------------------------------------------------

    def run_config(self, server: str, thread_id: str | None) -> Any:
        configs = self._doc().get("run_configs", {})
        return configs.get(server, {}).get(thread_id or NEW_THREAD) if isinstance(configs, dict) else None

    def set_run_config(self, server: str, thread_id: str | None, config: Any) -> bool:
        def change(doc: dict[str, Any]) -> None:
            scoped = doc.setdefault("run_configs", {}).setdefault(server, {})
            if config:
                scoped[thread_id or NEW_THREAD] = config
            else:
                scoped.pop(thread_id or NEW_THREAD, None)

        return self._update(change)

    # -- runs in flight (to resume streaming after a restart) ---------------------------

    def active_run(self, server: str, thread_id: str) -> str | None:
        runs = self._doc().get("active_runs", {})
        value = runs.get(server, {}).get(thread_id) if isinstance(runs, dict) else None
        return value.get("run_id") if isinstance(value, dict) else None

    def active_runs(self, server: str) -> dict[str, str]:
        """Thread id -> run id of the runs this app was streaming when it last stopped."""
        runs = self._doc().get("active_runs", {})
        scoped = runs.get(server, {}) if isinstance(runs, dict) else {}
        return {t: v["run_id"] for t, v in scoped.items() if isinstance(v, dict) and isinstance(v.get("run_id"), str)}

    def set_active_run(self, server: str, thread_id: str, run_id: str | None) -> bool:
        def change(doc: dict[str, Any]) -> None:
            runs = doc.setdefault("active_runs", {}).setdefault(server, {})
            if run_id:
                runs[thread_id] = {"run_id": run_id, "since": time.time()}
            else:
                runs.pop(thread_id, None)

        return self._update(change)

    # -- preferences kept here before settings.json v3 ------------------------------------------

    # -- partial answers the server did not keep (a cancelled or failed node's text) ------------

    def unsaved_answers(self, server: str, thread_id: str) -> list[dict[str, Any]]:
        kept = self._doc().get("unsaved", {})
        scoped = kept.get(server, {}).get(thread_id, []) if isinstance(kept, dict) else []
        return [a for a in scoped if isinstance(a, dict)] if isinstance(scoped, list) else []

    def keep_unsaved_answer(self, server: str, thread_id: str, answer: dict[str, Any]) -> bool:
        answer = {**answer, "text": str(answer.get("text", ""))[:UNSAVED_CHARS]}

        def change(doc: dict[str, Any]) -> None:
            scoped = doc.setdefault("unsaved", {}).setdefault(server, {})
            kept = [a for a in scoped.get(thread_id, []) if isinstance(a, dict) and a.get("run_id") != answer["run_id"]]
            scoped[thread_id] = [*kept, answer][-UNSAVED_PER_THREAD:]

        return self._update(change)

    def forget_unsaved_answer(self, server: str, thread_id: str, run_id: str) -> bool:
        """A rolled-back run's partial answer: the server erased the run, it is not kept here either."""

        def change(doc: dict[str, Any]) -> None:
            scoped = doc.get("unsaved", {}).get(server)
            if isinstance(scoped, dict) and isinstance(scoped.get(thread_id), list):
                kept = [a for a in scoped[thread_id] if not (isinstance(a, dict) and a.get("run_id") == run_id)]
                scoped[thread_id] = kept

        return self._update(change)

    def forget_thread(self, server: str, thread_id: str) -> bool:
        """Everything kept for a deleted thread."""

        def change(doc: dict[str, Any]) -> None:
            for section in ("drafts", "run_configs", "active_runs", "unsaved"):
                scoped = doc.get(section, {}).get(server)
                if isinstance(scoped, dict):
                    scoped.pop(thread_id, None)

        return self._update(change)


def legacy_preferences(directory: Path | None = None) -> dict[str, Any]:
    """``state.json``'s old ``ui`` object ({} when there is none, or the file cannot be read).

    A plain read, no lock (writes replace the file atomically) and no quarantine: a broken
    file is the session state's to report, when it is first used.
    """
    path = (directory or data_dir()) / STATE_FILE
    try:
        ui = json.loads(path.read_bytes()).get("ui")
    except (OSError, ValueError, AttributeError):
        return {}
    return ui if isinstance(ui, dict) else {}


def forget_legacy_preferences(directory: Path | None = None) -> None:
    """Remove the old ``ui`` from ``state.json`` (best effort: a copy left behind is never read)."""
    path = (directory or data_dir()) / STATE_FILE
    if not path.is_file():
        return

    def change(doc: dict[str, Any]) -> None:
        doc.pop("ui", None)

    with contextlib.suppress(StoreError):
        JsonStore(path, schema_version=STATE_VERSION).update(change)
