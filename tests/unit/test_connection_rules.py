"""The profile / flags / connect form → connection rules, as one table.

Every way in (``chat-tui``, ``chat-tui stream``, the connect screen, switching profiles)
resolves through ``chat_tui.connection``; these rows are the rules, run against real
settings files. A row: the last used profile, the variables set, the flags → where the
connection goes, where its key comes from, what else is sent, or the error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from chat_tui.client.errors import ClientError
from chat_tui.connection import Connection, Overrides
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.model import Profile
from chat_tui.settings.profile_form import ProfileEdit, form_connection

STORED = "lsv2_sk_stored_0123456789abcdef"
PROD = "https://prod.example.com"
LOCAL = "http://127.0.0.1:9999"
HOSTED = "https://my-agent.us.langgraph.app"
OTHER = "https://other.example.com"
ENV = {"PROFILE_KEY": "profile_env_key_1234", "FLAG_KEY": "flag_env_key_5678", "LANGSMITH_API_KEY": "sdk_key_9012"}
NO_PROFILE_KEY = {k: v for k, v in ENV.items() if k != "PROFILE_KEY"}


@dataclass(frozen=True)
class Expect:
    url: str | None = None  # None: no connection
    key: str | None = None  # where the key comes from (ApiKey.source), None: no key sent
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    assistant: str | None = None
    name: str | None = None  # the saved profile it came from (choices are remembered there)
    demo: bool = False
    problem: str | None = None  # the last profile failed: the app asks, with this reason
    error: str | None = None  # refused (exit 2 / an error line)


PROD_AS_IS = Expect(PROD, "profile prod", {"X-Tenant": "acme"}, 12.0, "writer", "prod")
ENVY_UNSET = "profile envy: the environment variable PROFILE_KEY is not set"

# (id, last used profile, environment, flags, expected)
ROWS: list[tuple[str, str | None, dict[str, str], Overrides, Expect]] = [
    # -- a profile alone
    ("nothing saved, no flags: ask", None, ENV, Overrides(), Expect()),
    ("the last profile", "prod", ENV, Overrides(), PROD_AS_IS),
    ("a named profile", None, ENV, Overrides(profile="prod"), PROD_AS_IS),
    ("a named profile beats the last", "envy", ENV, Overrides(profile="prod"), PROD_AS_IS),
    ("an unknown profile", None, ENV, Overrides(profile="nope"), Expect(error="no saved profile named 'nope'")),
    ("a profile's own variable", None, ENV, Overrides(profile="envy"),
     Expect(PROD, "env:PROFILE_KEY", {}, 45.0, None, "envy")),
    ("a profile that says none sends none, even to LangSmith", None, ENV, Overrides(profile="hosted"),
     Expect(HOSTED, None, {}, 30.0, None, "hosted")),
    # -- a profile that cannot be used: named is an error, the last used one asks
    ("a named profile's variable unset", None, NO_PROFILE_KEY, Overrides(profile="envy"), Expect(error=ENVY_UNSET)),
    ("the last profile's variable unset", "envy", NO_PROFILE_KEY, Overrides(), Expect(problem=ENVY_UNSET)),
    ("a named profile's stored key broken", None, ENV, Overrides(profile="broken"), Expect(error="contains spaces")),
    # -- --api-key-env replaces the profile's key (its own is not needed), keeps its headers
    ("--api-key-env over a stored key", None, ENV, Overrides(profile="prod", api_key_env="FLAG_KEY"),
     Expect(PROD, "env:FLAG_KEY", {"X-Tenant": "acme"}, 12.0, "writer", "prod")),
    ("--api-key-env over an unset profile variable", "envy", NO_PROFILE_KEY, Overrides(api_key_env="FLAG_KEY"),
     Expect(PROD, "env:FLAG_KEY", {}, 45.0, None, "envy")),
    ("--api-key-env unset", None, ENV, Overrides(profile="prod", api_key_env="UNSET_X"),
     Expect(error="the environment variable UNSET_X is not set")),
    # -- --url replaces the server: the profile's key and headers stay with the profile's server
    ("--url alone ignores the last profile", "prod", ENV, Overrides(url=LOCAL + "/"), Expect(LOCAL)),
    ("--url alone, the last profile broken", "envy", NO_PROFILE_KEY, Overrides(url=LOCAL), Expect(LOCAL)),
    ("--url with --profile: timeout and assistant carry over", None, ENV, Overrides(url=LOCAL, profile="prod"),
     Expect(LOCAL, None, {}, 12.0, "writer")),
    ("--url with a profile whose key cannot be had", None, NO_PROFILE_KEY, Overrides(url=LOCAL, profile="envy"),
     Expect(LOCAL, None, {}, 45.0)),
    ("--url with a profile whose stored key is broken", None, ENV, Overrides(url=LOCAL, profile="broken"),
     Expect(LOCAL)),
    ("--url with an unknown profile", None, ENV, Overrides(url=LOCAL, profile="nope"),
     Expect(error="no saved profile named 'nope'")),
    ("--url --api-key-env", None, ENV, Overrides(url=LOCAL, api_key_env="FLAG_KEY"), Expect(LOCAL, "env:FLAG_KEY")),
    ("--url --profile --api-key-env", None, ENV, Overrides(url=OTHER, profile="prod", api_key_env="FLAG_KEY"),
     Expect(OTHER, "env:FLAG_KEY", {}, 12.0, "writer")),
    ("--url LangSmith-hosted: the SDK variables", None, ENV, Overrides(url=HOSTED),
     Expect(HOSTED, "env:LANGSMITH_API_KEY")),
    ("--url LangSmith-hosted with --profile", None, ENV, Overrides(url=HOSTED, profile="prod"),
     Expect(HOSTED, "env:LANGSMITH_API_KEY", {}, 12.0, "writer")),
    ("--url elsewhere: no SDK variable", None, ENV, Overrides(url=OTHER), Expect(OTHER)),
    ("--url with credentials", None, ENV, Overrides(url="http://u:pw@h.example.com"), Expect(error="credentials")),
    ("--url not http", None, ENV, Overrides(url="ftp://h.example.com"), Expect(error="must start with http")),
    # -- --demo
    ("--demo", "prod", ENV, Overrides(demo=True), Expect(demo=True)),
    ("--demo, the last profile broken", "envy", NO_PROFILE_KEY, Overrides(demo=True), Expect(demo=True)),
    ("--demo --api-key-env: the demo needs none", None, ENV, Overrides(demo=True, api_key_env="FLAG_KEY"),
     Expect(demo=True)),
    ("--demo --profile", None, ENV, Overrides(demo=True, profile="prod"), Expect(error="cannot be combined")),
]  # fmt: skip


def _settings(tmp_path: Path, last: str | None, env: dict[str, str]) -> SettingsManager:
    manager = SettingsManager(tmp_path, env=env)
    prod = Profile(name="prod", url=PROD, key_source="stored", assistant="writer", timeout=12)
    manager.save_profile(prod, api_key=STORED, headers={"X-Tenant": "acme"})
    manager.save_profile(Profile(name="envy", url=PROD, key_source="env", key_env="PROFILE_KEY", timeout=45))
    manager.save_profile(Profile(name="hosted", url=HOSTED))
    manager.save_profile(Profile(name="broken", url=OTHER, key_source="stored"), api_key="placeholder_key_1")
    secrets = tmp_path / "secrets.json"  # a stored key that does not validate (hand-edited)
    doc = json.loads(secrets.read_text())
    doc["profiles"]["broken"]["api_key"] = "two words"
    secrets.write_text(json.dumps(doc))
    manager.use_profile(last)
    return manager


def _observed(connection: Connection | None) -> dict[str, Any]:
    if connection is None:
        return {"url": None}
    return {
        "url": connection.url,
        "key": connection.api_key.source if connection.api_key else None,
        "headers": connection.headers,
        "timeout": connection.timeout,
        "assistant": connection.assistant_id,
        "name": connection.name,
    }


@pytest.mark.parametrize(("last", "env", "flags", "expect"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS])
def test_the_override_rules(
    tmp_path: Path, last: str | None, env: dict[str, str], flags: Overrides, expect: Expect
) -> None:
    manager = _settings(tmp_path, last, env)
    if expect.error is not None:
        with pytest.raises(ClientError) as info:
            manager.resolve(flags)
        assert expect.error in str(info.value) and STORED not in str(info.value)
        return
    launch = manager.resolve(flags)
    assert (launch.demo, launch.problem) == (expect.demo, expect.problem)
    wanted = {"url": None}
    if expect.url is not None:
        wanted = {
            "url": expect.url,
            "key": expect.key,
            "headers": expect.headers,
            "timeout": expect.timeout,
            "assistant": expect.assistant,
            "name": expect.name,
        }
    assert _observed(launch.connection) == wanted


def test_a_saved_profile_resolves_the_same_when_switched_to(tmp_path: Path) -> None:
    """The palette's "Switch to profile" and the connect screen's list use the profile as is."""
    manager = _settings(tmp_path, None, ENV)
    assert _observed(manager.connection("prod")) == _observed(manager.resolve(Overrides(profile="prod")).connection)
    assert manager.connection() is None  # no last profile


# The connect form: its fields are a source, not a saved profile (even with a name typed in).
FORM_ROWS: list[tuple[str, Profile, str | None, str | None, dict[str, str] | None, Expect]] = [
    ("a typed key", Profile(name="new", url=OTHER, key_source="stored"), "typed_key_abcdef12", None, None,
     Expect(OTHER, "the key field")),
    ("editing: the stored key", Profile(name="prod", url=PROD, key_source="stored", timeout=5), None, "prod", None,
     Expect(PROD, "profile prod", {}, 5.0)),
    ("editing: a typed key replaces it", Profile(name="prod", url=PROD, key_source="stored"), "typed_key_abcdef12",
     "prod", None, Expect(PROD, "the key field")),
    ("a variable", Profile(name="v", url=LOCAL, key_source="env", key_env="FLAG_KEY"), None, None, None,
     Expect(LOCAL, "env:FLAG_KEY")),
    ("a variable unset", Profile(name="v", url=LOCAL, key_source="env", key_env="UNSET_X"), None, None, None,
     Expect(error="the environment variable UNSET_X is not set")),
    ("no key, even for LangSmith", Profile(name="h", url=HOSTED, assistant="a1"), None, None, {"X-Trace": "on"},
     Expect(HOSTED, None, {"X-Trace": "on"}, 30.0, "a1")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("profile", "typed", "editing", "headers", "expect"), [r[1:] for r in FORM_ROWS], ids=[r[0] for r in FORM_ROWS]
)
def test_the_connect_form_rules(
    tmp_path: Path,
    profile: Profile,
    typed: str | None,
    editing: str | None,
    headers: dict[str, str] | None,
    expect: Expect,
) -> None:
    manager = _settings(tmp_path, None, ENV)
    edit = ProfileEdit(profile, typed, headers)  # what the connect screen reads from its fields
    if expect.error is not None:
        with pytest.raises(ClientError, match=expect.error):
            form_connection(edit, manager, editing=editing, env=ENV)
        return
    wanted = {
        "url": expect.url,
        "key": expect.key,
        "headers": expect.headers,
        "timeout": expect.timeout,
        "assistant": expect.assistant,
        "name": None,
    }
    assert _observed(form_connection(edit, manager, editing=editing, env=ENV)) == wanted


def test_overrides_from_parsed_arguments() -> None:
    from chat_tui.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["--url", LOCAL, "--profile", "p", "--api-key-env", "K"])
    assert Overrides.from_args(args) == Overrides(url=LOCAL, profile="p", api_key_env="K")
    stream = parser.parse_args(["stream", "--demo", "hi"])  # (stream leaves flags it was not given unset)
    assert Overrides.from_args(stream) == Overrides(demo=True)


def test_data_keys_never_change_for_one_server_and_never_hold_secrets() -> None:
    demo_a, demo_b = Connection.for_demo("http://127.0.0.1:40001"), Connection.for_demo("http://127.0.0.1:40002")
    assert demo_a.data_key == demo_b.data_key == "demo"
    local_a, local_b = Connection("http://127.0.0.1:40001"), Connection("http://127.0.0.1:40002")
    assert local_a.data_key != local_b.data_key  # two local servers are two servers
    profile = Connection(PROD, name="prod")
    assert profile.data_key == Connection(PROD).data_key == PROD  # a profile and --url reach one server
    assert Connection(PROD, name="demo").data_key != demo_a.data_key  # a profile named "demo" is not the demo
