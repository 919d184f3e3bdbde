"""Which thread the composer's text belongs to, and the rules that keep it from being lost.

* The composer always belongs to one draft key (a thread id, or None for the thread not
  created yet). Switching saves the text under the old key *before* anything else
  happens, and loads the new key's draft at once, not after the thread has loaded, so
  nothing typed while a thread loads is overwritten.
* Text typed before the app was connected is kept: merged with the stored draft.
* A sent message stays in the stored draft until the server accepted the run; the
  composer is cleared at once, but an empty composer does not overwrite a draft that is
  still in flight. If the send fails the text comes back.
"""

from __future__ import annotations

from chat_tui.settings.userdata import UserData

__all__ = ["Drafts"]


class Drafts:
    def __init__(self, userdata: UserData, data_key: str) -> None:
        self.userdata = userdata
        self.data_key = data_key
        self.key: str | None = None  # the draft the composer holds now
        self._in_flight: dict[str | None, str] = {}

    def stored(self, key: str | None) -> str:
        return self.userdata.draft(self.data_key, key)

    def save(self, text: str, key: str | None = None, *, explicit_key: bool = False) -> bool:
        """Store *text* as the draft of *key* (default: the current one). False if the disk refused."""
        target = key if explicit_key else self.key
        if not text.strip() and target in self._in_flight:
            return True  # keep the sent text on disk until the server has it
        return self.userdata.save_draft(self.data_key, target, text)

    def switch(self, composer_text: str, key: str | None) -> str:
        """Leave the current draft (saving *composer_text*) and return the text to show for *key*."""
        self.save(composer_text)
        self.key = key
        return self.stored(key)

    def adopt(self, composer_text: str) -> str:
        """Text typed before connecting meets the stored draft of the current key: keep both."""
        stored = self.stored(self.key)
        if not composer_text.strip():
            return stored
        if stored.strip() and stored.strip() != composer_text.strip():
            return f"{stored}\n\n{composer_text}"
        return composer_text

    def sending(self, key: str | None, text: str) -> None:
        self._in_flight[key] = text
        self.userdata.save_draft(self.data_key, key, text)

    def accepted(self, key: str | None, thread_id: str) -> None:
        """The server has the message: drop the stored copy unless the user typed a new draft."""
        sent = self._in_flight.pop(key, None)
        if sent is not None and self.stored(key) == sent:
            self.userdata.save_draft(self.data_key, key, "")
        if self.key == key and key is None:
            self.key = thread_id  # the composer now belongs to the thread that was just created

    def failed(self, key: str | None, text: str, composer_text: str | None) -> str | None:
        """The send failed. Returns the text to put back in the composer, or None when the
        composer holds other text, or shows another conversation (*composer_text* None): then
        the failed text is merged into the stored draft."""
        self._in_flight.pop(key, None)
        if self.key == key and composer_text is not None and not composer_text.strip():
            self.userdata.save_draft(self.data_key, key, text)
            return text
        existing = self.stored(key)
        if text.strip() not in existing:
            self.userdata.save_draft(self.data_key, key, f"{existing}\n\n{text}" if existing.strip() else text)
        return None
