"""User preferences live in settings.json (schema v3); state.json keeps only session state.

And what is kept per server is kept under ``Connection.data_key``, which is the same for the
demo from one run to the next although its port is not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from chat_tui.connection import Connection
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.model import InvalidSetting, Preferences, Profile
from chat_tui.settings.userdata import UserData

LOCAL = "http://127.0.0.1:2024"
LEGACY_UI = {"theme": "nord", "sidebar": False, f"assistant:{LOCAL}": "asst-local"}
MOVED = Preferences(theme="nord", sidebar=False, assistants={LOCAL: "asst-local"})


def _dirs(tmp_path: Path) -> tuple[Path, Path]:
    config, data = tmp_path / "config", tmp_path / "data"
    config.mkdir()
    data.mkdir()
    return config, data


def _write_state(data: Path) -> None:
    drafts = {LOCAL: {"(new)": {"text": "half a thought", "saved_at": 1.0}}}
    (data / "state.json").write_text(json.dumps({"schema_version": 1, "ui": LEGACY_UI, "drafts": drafts}))


def _read(path: Path) -> dict[str, object]:
    document: dict[str, object] = json.loads(path.read_text())
    return document


def test_preferences_move_out_of_state_json_with_the_first_save(tmp_path: Path) -> None:
    config, data = _dirs(tmp_path)
    _write_state(data)
    v2 = {"schema_version": 2, "profiles": {"p": {"name": "p", "url": LOCAL}}, "last_profile": "p"}
    (config / "settings.json").write_text(json.dumps(v2))
    before = ((config / "settings.json").read_bytes(), (data / "state.json").read_bytes())

    manager = SettingsManager(config, data_directory=data)
    assert manager.load().ui == MOVED  # read where they are: nothing written by looking
    assert manager.describe()["ui"] == MOVED.to_dict()  # `chat-tui config show` shows them
    assert ((config / "settings.json").read_bytes(), (data / "state.json").read_bytes()) == before

    assert manager.use_profile("p")  # the first save, of anything, moves them
    settings = _read(config / "settings.json")
    assert settings["schema_version"] == 3 and settings["ui"] == MOVED.to_dict()
    state = _read(data / "state.json")
    assert "ui" not in state and state["drafts"] == json.loads(before[1])["drafts"]  # session state stays
    assert UserData(data).draft(LOCAL, None) == "half a thought"
    assert SettingsManager(config, data_directory=data).load().ui == MOVED
    assert manager.take_notices() == []


def test_preferences_move_when_there_is_no_settings_file_yet(tmp_path: Path) -> None:
    """Someone who only ever used --url or --demo has preferences but no settings.json."""
    config, data = _dirs(tmp_path)
    _write_state(data)
    manager = SettingsManager(config, data_directory=data)
    assert manager.load().ui == MOVED
    assert manager.set_preference("sidebar", True)
    assert _read(config / "settings.json")["ui"] == {**MOVED.to_dict(), "sidebar": True}
    assert "ui" not in _read(data / "state.json")


def test_a_newer_settings_file_leaves_the_old_preferences_where_they_are(tmp_path: Path) -> None:
    config, data = _dirs(tmp_path)
    _write_state(data)
    (config / "settings.json").write_text(json.dumps({"schema_version": 99}))
    manager = SettingsManager(config, data_directory=data)
    assert manager.set_preference("theme", "gruvbox") is False  # read-only: said once, never fatal
    assert _read(data / "state.json")["ui"] == LEGACY_UI
    assert _read(config / "settings.json") == {"schema_version": 99}


def test_a_wrong_preference_falls_back_to_its_default_alone(tmp_path: Path) -> None:
    config, data = _dirs(tmp_path)
    ui = {"theme": 5, "sidebar": False, "assistants": {"demo": "echo", "bad": 3}, "from_v4": 1}
    (config / "settings.json").write_text(json.dumps({"schema_version": 3, "ui": ui}))
    manager = SettingsManager(config, data_directory=data)
    assert manager.load().ui == Preferences(theme=None, sidebar=False, assistants={"demo": "echo"})
    assert [n.message for n in manager.take_notices()] == [
        "settings.json: ui.theme must be text; using the default",
        "settings.json: ui.assistants: an entry that is not text is ignored",
    ]
    (config / "settings.json").write_text(json.dumps({"schema_version": 3, "ui": "dark"}))
    assert manager.load().ui == Preferences()
    assert [n.message for n in manager.take_notices()] == ["settings.json: ui must be an object; using the defaults"]
    assert manager.set_preference("theme", "nord")  # and the next choice is saved over it
    assert manager.load().ui.theme == "nord"
    with pytest.raises(InvalidSetting):
        manager.set_preference("sidebar", "no")
    with pytest.raises(InvalidSetting):
        manager.set_preference("theme", 3)
    with pytest.raises(InvalidSetting):
        manager.set_preference("assistants", {})  # (remember_assistant's)


def test_the_remembered_assistant_has_one_rule(tmp_path: Path) -> None:
    """A saved profile keeps it (its default assistant); any other connection, per data key."""
    config, data = _dirs(tmp_path)
    manager = SettingsManager(config, data_directory=data)
    manager.save_profile(Profile(name="p", url=LOCAL, assistant="first"))
    from_profile = manager.connection("p")
    assert from_profile is not None and manager.remembered_assistant(from_profile) == "first"
    assert manager.remember_assistant(from_profile, "second")
    assert manager.load().profiles["p"].assistant == "second"
    flagged = Connection(LOCAL)  # --url: the same server, not the profile
    assert manager.remembered_assistant(flagged) is None
    assert manager.remember_assistant(flagged, "third")
    assert manager.load().profiles["p"].assistant == "second"
    assert manager.load().ui.assistants == {LOCAL: "third"}
    assert manager.remembered_assistant(flagged) == "third"
    assert not (data / "state.json").exists()  # nothing of it in the session state


def test_the_demo_finds_its_drafts_run_configuration_and_assistant_after_a_restart(tmp_path: Path) -> None:
    """The demo server gets a new port every run; what the user left must not stay behind."""
    config, data = _dirs(tmp_path)
    first = Connection.for_demo("http://127.0.0.1:41001")
    userdata = UserData(data)
    key = first.data_key
    assert userdata.save_draft(key, None, "draft for a new thread")
    assert userdata.save_draft(key, "thread-1", "draft for thread 1")
    assert userdata.set_run_config(key, "thread-1", {"target": "context", "values": {"model_name": "openai"}})
    assert userdata.add_prompt(key, "what's the weather in sf")
    assert userdata.set_active_run(key, "thread-1", "run-1")
    assert SettingsManager(config, data_directory=data).remember_assistant(first, "echo-assistant")

    again = Connection.for_demo("http://127.0.0.1:41002")  # the next run
    userdata, settings = UserData(data), SettingsManager(config, data_directory=data)
    assert userdata.draft(again.data_key, None) == "draft for a new thread"
    assert userdata.draft(again.data_key, "thread-1") == "draft for thread 1"
    assert userdata.run_config(again.data_key, "thread-1") == {"target": "context", "values": {"model_name": "openai"}}
    assert userdata.prompts(again.data_key) == ["what's the weather in sf"]
    assert userdata.active_runs(again.data_key) == {"thread-1": "run-1"}
    assert settings.remembered_assistant(again) == "echo-assistant"
    # (keyed by URL, as before, the next run found nothing)
    assert userdata.draft(again.url, None) == "" and userdata.prompts(again.url) == []
    # and a local server on another port is another server
    assert userdata.draft("http://127.0.0.1:41002", None) == ""
    assert settings.remembered_assistant(Connection("http://127.0.0.1:41001")) is None
