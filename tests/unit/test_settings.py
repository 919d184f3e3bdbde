"""Settings on disk: migration, corruption, newer versions, file modes, concurrent writers."""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import stat
from pathlib import Path

import pytest

from chat_tui.client.errors import ClientError, InvalidApiKey
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.model import DisplayOptions, Profile
from chat_tui.settings.store import JsonStore, StoreError

KEY = "lsv2_sk_unit_0123456789abcdef"


def test_profiles_round_trip_with_the_key_in_a_0600_secrets_file(tmp_path: Path) -> None:
    manager = SettingsManager(tmp_path / "config")
    profile = Profile(name="prod", url="https://deploy.example.com/", key_source="stored", assistant="agent")
    manager.save_profile(profile, api_key=f" {KEY}\n", headers={"X-Tenant": "acme"})
    manager.use_profile("prod")
    connection = SettingsManager(tmp_path / "config").connection()
    assert connection is not None and connection.url == "https://deploy.example.com"
    assert connection.api_key is not None and connection.api_key.secret.get_secret_value() == KEY
    assert connection.headers == {"X-Tenant": "acme"} and connection.assistant_id == "agent"
    settings_text = (tmp_path / "config" / "settings.json").read_text()
    assert KEY not in settings_text and "acme" not in settings_text
    secrets = tmp_path / "config" / "secrets.json"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "config").stat().st_mode) == 0o700
    shown = json.dumps(manager.describe(), ensure_ascii=False)
    assert KEY not in shown and "…cdef" in shown and "acme" not in shown


def test_env_profiles_and_missing_profiles(tmp_path: Path) -> None:
    manager = SettingsManager(tmp_path, env={"MY_KEY": "env_key_123456"})
    manager.save_profile(Profile(name="staging", url="https://s.example.com", key_source="env", key_env="MY_KEY"))
    connection = manager.connection("staging")
    assert connection is not None and connection.api_key is not None
    assert connection.api_key.source == "env:MY_KEY"
    with pytest.raises(InvalidApiKey):
        SettingsManager(tmp_path, env={}).connection("staging")
    with pytest.raises(ClientError):
        manager.connection("nope")
    assert SettingsManager(tmp_path / "empty").connection() is None


def test_renaming_deleting_and_switching_key_source_clean_up_secrets(tmp_path: Path) -> None:
    manager = SettingsManager(tmp_path)
    manager.save_profile(Profile(name="a", url="http://127.0.0.1:2024", key_source="stored"), api_key=KEY)
    manager.use_profile("a")
    manager.save_profile(Profile(name="b", url="http://127.0.0.1:2024", key_source="stored"), previous_name="a")
    assert set(manager.load().profiles) == {"b"} and manager.load().last_profile == "b"
    assert manager.stored_key("b") is not None
    manager.save_profile(Profile(name="b", url="http://127.0.0.1:2024", key_source="none"))
    assert KEY not in (tmp_path / "secrets.json").read_text()
    manager.delete_profile("b")
    assert manager.load().profiles == {} and manager.load().last_profile is None


def test_bad_keys_and_urls_are_refused_without_echo(tmp_path: Path) -> None:
    manager = SettingsManager(tmp_path)
    with pytest.raises(InvalidApiKey) as info:
        manager.save_profile(Profile(name="x", url="http://h", key_source="stored"), api_key="bad key\x1b")
    assert "bad key" not in str(info.value)
    with pytest.raises(ValueError):
        Profile(name="x", url="http://user:pw@h")
    with pytest.raises(ValueError):
        Profile(name="bad/name", url="http://h")


def test_v1_settings_are_migrated(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(
        json.dumps({"schema_version": 1, "url": "http://127.0.0.1:2024", "api_key_env": "MY_KEY"})
    )
    settings = SettingsManager(tmp_path).load()
    assert settings.last_profile == "default"
    assert settings.profiles["default"].key_env == "MY_KEY"


@pytest.mark.parametrize("content", ["", "{not json", "[1, 2]", '{"schema_version": "x"}', "\xff\xfe"])
def test_a_corrupt_file_is_moved_aside_and_defaults_are_used(tmp_path: Path, content: str) -> None:
    path = tmp_path / "settings.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape") if content != "\xff\xfe" else b"\xff\xfe")
    manager = SettingsManager(tmp_path)
    assert manager.load().profiles == {}
    (notice,) = manager.take_notices()
    aside = list(tmp_path.glob("settings.json.corrupt-*"))
    assert len(aside) == 1 and str(aside[0]) in notice.message
    assert "\n" not in notice.message
    manager.use_profile(None)  # writing works again
    assert path.exists()


def test_one_invalid_profile_is_skipped_and_kept_on_disk(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(
        json.dumps(
            {
                "schema_version": 2,
                "profiles": {
                    "good": {"name": "good", "url": "http://127.0.0.1:2024"},
                    "bad": {"name": "bad", "url": "ftp://nope"},
                },
            }
        )
    )
    manager = SettingsManager(tmp_path)
    assert set(manager.load().profiles) == {"good"}
    assert any("'bad'" in n.message for n in manager.take_notices())
    manager.use_profile("good")
    assert "bad" in json.loads((tmp_path / "settings.json").read_text())["profiles"]


@pytest.mark.parametrize(
    ("profile", "reason"),
    [
        ({"name": "x"}, "needs a url"),
        ({"name": "x", "url": 5}, "the URL must be text"),
        ({"name": "x", "url": "http://h", "timeout": "soon"}, "a number of seconds"),
        ({"name": "x", "url": "http://h", "timeout": True}, "a number of seconds"),
        ({"name": "x", "url": "http://h", "timeout": 0.5}, "between 1 and 600"),
        ({"name": "x", "url": "http://h", "key_source": "vault"}, "the key source is one of"),
        ({"name": "x", "url": "http://h", "key_env": "MY-KEY"}, "environment variable name"),
        ({"name": "x", "url": "http://h", "header_names": ["X-Api-Key"]}, "not a header"),
        ({"name": "x", "url": "http://h", "header_names": "Authorization"}, "must be a list"),
        ({"name": "x", "url": "http://h", "assistant": ["agent"]}, "an assistant must be text"),
        ("a string", "must be an object"),
    ],
)
def test_each_bad_profile_value_gets_a_one_line_reason(tmp_path: Path, profile: object, reason: str) -> None:
    """Settings are validated by hand (pydantic would cost the first frame ~0.1 s): every
    wrong value is refused with its own reason, and a newer version's extra keys are ignored."""
    profiles = {"bad": profile, "good": {"name": "good", "url": "http://h", "added_in_v3": {"x": 1}}}
    (tmp_path / "settings.json").write_text(json.dumps({"schema_version": 2, "profiles": profiles}))
    manager = SettingsManager(tmp_path)
    settings = manager.load()
    assert list(settings.profiles) == ["good"] and settings.profiles["good"].url == "http://h"
    [notice] = manager.take_notices()
    assert notice.message.startswith("profile 'bad' in settings.json is ignored: ") and reason in notice.message
    assert "\n" not in notice.message


def test_an_option_of_the_wrong_type_falls_back_to_its_default_alone(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(
        json.dumps(
            {"schema_version": 2, "options": {"show_tool_panels": "no", "stream_subgraphs": True, "future_option": 1}}
        )
    )
    manager = SettingsManager(tmp_path)
    assert manager.load().options == DisplayOptions(stream_subgraphs=True)
    assert [n.message for n in manager.take_notices()] == [
        "settings.json: show_tool_panels must be true or false; using the default"
    ]
    with pytest.raises(ValueError):
        manager.set_option("show_node_labels", "yes")
    assert manager.set_option("show_node_labels", False)
    assert manager.load().options.show_node_labels is False


def test_a_newer_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    original = json.dumps({"schema_version": 99, "profiles": {}, "future": {"x": 1}})
    path.write_text(original)
    manager = SettingsManager(tmp_path)
    manager.load()
    with pytest.raises(StoreError):  # a profile edit is refused (the connect screen shows why)
        manager.save_profile(Profile(name="p", url="http://h"))
    assert manager.use_profile("x") is False  # a preference: not saved, said once, never fatal
    assert manager.set_option("show_node_labels", False) is False
    assert path.read_text() == original
    messages = [n.message for n in manager.take_notices()]
    assert any("newer" in m for m in messages)
    assert sum("settings not saved" in m for m in messages) == 1


def test_an_unreadable_settings_file_is_moved_aside(tmp_path: Path) -> None:
    (tmp_path / "settings.json").mkdir()  # unreadable as a file, whoever runs the test (root included)
    manager = SettingsManager(tmp_path)
    assert manager.load().profiles == {}
    aside = list(tmp_path.glob("settings.json.corrupt-*"))
    assert len(aside) == 1 and aside[0].is_dir()
    assert any("moved it to" in n.message for n in manager.take_notices())
    assert manager.use_profile(None) is True  # and the file works again


def test_group_readable_secrets_are_fixed_and_symlinks_refused(tmp_path: Path) -> None:
    manager = SettingsManager(tmp_path)
    manager.save_profile(Profile(name="p", url="http://h", key_source="stored"), api_key=KEY)
    secrets = tmp_path / "secrets.json"
    os.chmod(secrets, 0o644)
    assert manager.stored_key("p") is not None
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    target = tmp_path / "elsewhere.json"
    secrets.rename(target)
    secrets.symlink_to(target)
    assert SettingsManager(tmp_path).stored_key("p") is None


def test_a_failed_save_leaves_the_file_intact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = JsonStore(tmp_path / "state.json", 1)
    store.update(lambda doc: doc.__setitem__("keep", 1))
    before = (tmp_path / "state.json").read_text()

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("chat_tui.settings.store.os.fsync", disk_full)
    with pytest.raises(StoreError) as info:
        store.update(lambda doc: doc.__setitem__("lost", 2))
    assert "No space left" in str(info.value)
    assert (tmp_path / "state.json").read_text() == before
    assert not list(tmp_path.glob(".state.json.*.tmp"))  # the temp file was removed


def _writer(directory: str, name: str, count: int) -> None:
    store = JsonStore(Path(directory) / "state.json", 1)
    for n in range(count):
        store.update(lambda doc, n=n: doc.setdefault("counters", {}).__setitem__(name, n))


def _reader(directory: str, rounds: int, torn: multiprocessing.Value) -> None:  # type: ignore[valid-type]
    path = Path(directory) / "state.json"
    for _ in range(rounds):
        try:
            json.loads(path.read_text())
        except FileNotFoundError:
            continue
        except ValueError:
            torn.value += 1  # type: ignore[attr-defined]


def test_concurrent_writers_in_processes_lose_nothing_and_never_tear(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    torn = context.Value("i", 0)
    count = 60
    writers = [context.Process(target=_writer, args=(str(tmp_path), f"w{n}", count)) for n in range(3)]
    reader = context.Process(target=_reader, args=(str(tmp_path), 3000, torn))
    for process in (*writers, reader):
        process.start()
    for process in (*writers, reader):
        process.join(120)
        assert process.exitcode == 0
    counters = json.loads((tmp_path / "state.json").read_text())["counters"]
    assert counters == {"w0": count - 1, "w1": count - 1, "w2": count - 1}
    assert torn.value == 0
    assert not list(tmp_path.glob(".state.json.*.tmp"))
