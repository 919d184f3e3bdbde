"""The connect form's fields, read without a screen: checks, kept secrets, the one header it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.client.errors import ClientError
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.model import Profile
from chat_tui.settings.profile_form import ProfileForm, kept_headers_note, key_rule, read_form, stored_key_note

KEY = "lsv2_sk_form_0123456789abcdef"
HEADERS = {"X-Tenant": "acme", "X-Trace": "on"}


@pytest.fixture
def manager(tmp_path: Path) -> SettingsManager:
    manager = SettingsManager(tmp_path)
    profile = Profile(name="prod", url="https://prod.example.com", key_source="stored", assistant="agent", timeout=5)
    manager.save_profile(profile, api_key=KEY, headers=HEADERS)
    return manager


def test_a_profile_read_back_from_its_own_form_is_unchanged_and_keeps_its_secrets(manager: SettingsManager) -> None:
    saved = manager.load().profiles["prod"]
    form = ProfileForm.for_profile(saved, manager.header_values("prod"))
    assert (form.key, form.header_name, form.header_value, form.timeout) == ("", "X-Tenant", "", "5")
    edit = read_form(form, manager, editing="prod")
    assert (edit.profile.name, edit.profile.url, edit.profile.key_source) == ("prod", saved.url, "stored")
    assert (edit.profile.assistant, edit.profile.timeout) == ("agent", 5.0)
    assert edit.api_key is None and edit.headers == HEADERS  # None: the stored key stays
    assert kept_headers_note(HEADERS) == "also sent, and kept when you save: X-Trace (edit them in secrets.json)"
    assert stored_key_note(manager, "prod") == "stored key: …cdef" and stored_key_note(manager, None) == ""


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("X-Org", "globex", {"X-Org": "globex", "X-Trace": "on"}),  # the shown header renamed
        ("X-Trace", "off", {"X-Trace": "off"}),  # the shown one becomes another: one of each name
        ("", "", {"X-Trace": "on"}),  # emptied: the others stay
    ],
)
def test_the_form_edits_the_first_header_and_keeps_the_others(
    manager: SettingsManager, name: str, value: str, expected: dict[str, str]
) -> None:
    form = ProfileForm(
        name="prod", url="https://prod.example.com", key_source="stored", header_name=name, header_value=value
    )
    assert read_form(form, manager, editing="prod").headers == expected


@pytest.mark.parametrize(
    ("form", "error"),
    [
        (ProfileForm(url="http://127.0.0.1:2024", timeout="soon"), "the timeout must be a number of seconds"),
        (ProfileForm(url="http://127.0.0.1:2024", timeout="0"), "the timeout is between 1 and 600 seconds"),
        (ProfileForm(url="http://127.0.0.1:2024", key_source="stored"), "paste the API key to store"),
        (ProfileForm(url="http://127.0.0.1:2024", header_name="X-Tenant"), "give a value for the header X-Tenant"),
    ],
)
def test_a_new_profile_says_what_to_fix(manager: SettingsManager, form: ProfileForm, error: str) -> None:
    with pytest.raises(ClientError, match=error):
        read_form(form, manager, editing=None)


def test_a_new_profile_without_secrets_stores_none(tmp_path: Path) -> None:
    edit = read_form(ProfileForm(url="http://127.0.0.1:2024"), SettingsManager(tmp_path), editing=None)
    assert edit.profile.name == "default" and (edit.api_key, edit.headers) == (None, None)


def test_the_key_rule_says_what_will_be_sent() -> None:
    env = {"LANGSMITH_API_KEY": "x"}
    assert key_rule("", "none", env).startswith("No key will be sent. $LANGSMITH_API_KEY is set")
    assert key_rule("http://127.0.0.1:2024", "env", {}).startswith("The named variable's key will be sent")
    assert key_rule("https://prod.example.com", "env", {}).startswith("Keys from LANGGRAPH_API_KEY")
