"""The draft rules: nothing typed is lost, whatever order switching, sending and failing happen in."""

from __future__ import annotations

from pathlib import Path

from chat_tui.service.drafts import Drafts
from chat_tui.settings.userdata import UserData

SERVER = "http://127.0.0.1:2024"


def make(tmp_path: Path) -> Drafts:
    return Drafts(UserData(tmp_path), SERVER)


def test_switching_saves_the_old_draft_and_loads_the_new_one(tmp_path: Path) -> None:
    drafts = make(tmp_path)
    assert drafts.switch("idea for a new thread", "t1") == ""
    assert drafts.switch("reply in t1", None) == "idea for a new thread"
    assert drafts.switch("", "t1") == "reply in t1"
    assert make(tmp_path).stored("t1") == "reply in t1"  # on disk, for the next start


def test_text_typed_before_connecting_is_merged_with_the_stored_draft(tmp_path: Path) -> None:
    make(tmp_path).save("stored earlier")
    drafts = make(tmp_path)
    assert drafts.adopt("typed while connecting") == "stored earlier\n\ntyped while connecting"
    assert drafts.adopt("") == "stored earlier"
    assert drafts.adopt("stored earlier") == "stored earlier"


def test_a_sent_message_stays_on_disk_until_accepted(tmp_path: Path) -> None:
    drafts = make(tmp_path)
    drafts.sending(None, "hello")
    drafts.save("")  # the cleared composer's debounced save
    assert drafts.stored(None) == "hello"
    drafts.accepted(None, "new-thread-id")
    assert drafts.stored(None) == "" and drafts.key == "new-thread-id"


def test_accepting_keeps_a_newer_draft(tmp_path: Path) -> None:
    drafts = make(tmp_path)
    drafts.key = "t1"
    drafts.sending("t1", "first")
    drafts.save("second, typed right after")
    drafts.accepted("t1", "t1")
    assert drafts.stored("t1") == "second, typed right after"


def test_failed_send_comes_back_or_is_merged(tmp_path: Path) -> None:
    drafts = make(tmp_path)
    drafts.key = "t1"
    drafts.sending("t1", "lost?")
    assert drafts.failed("t1", "lost?", "") == "lost?"
    drafts.sending("t1", "again")
    assert drafts.failed("t1", "again", "something else typed") is None
    assert "again" in drafts.stored("t1")
