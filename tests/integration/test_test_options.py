"""`chat-tui test`'s command-line options, each run through the real command against the real demo
server (through the fault proxy where what was sent must be seen): --profile, --api-key-env (the key
is in the x-api-key header and never printed), -v, --assistant, --tag, --repeat with --pass-rate (a
flaky scenario and its F mark), and --demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.faults.proxy import FaultProxy, Request
from tests.support.cli import cli

pytestmark = pytest.mark.server

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tests"
RUN_STREAM = r"/runs/stream$"
NO_ASSISTANT = "version: 1\nscenarios:\n  - id: plain\n    turns: [{user: echo}]\n"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def suite_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def sent_assistants(proxy: FaultProxy) -> list[str]:
    return [json.loads(r.body)["assistant_id"] for r in proxy.requests("POST", RUN_STREAM)]


async def test_a_profile_gives_the_server_key_and_assistant_and_api_key_env_overrides_the_key(
    proxy: FaultProxy, tmp_path: Path, user_dirs: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from chat_tui.settings.manager import SettingsManager
    from chat_tui.settings.model import Profile

    profile_key, flag_key = "lsv2_pt_profile_key_0001", "lsv2_pt_flag_key_0002"
    monkeypatch.setenv("STAGING_KEY", profile_key)
    monkeypatch.setenv("FLAG_KEY", flag_key)
    SettingsManager(user_dirs["config"]).save_profile(
        Profile(name="staging", url=proxy.url, key_source="env", key_env="STAGING_KEY", assistant="echo")
    )
    suite = suite_file(tmp_path, NO_ASSISTANT)
    jsonl, junit = tmp_path / "r.jsonl", tmp_path / "r.xml"
    code, out, err = await cli("test", str(suite), "--profile", "staging", "--jsonl", str(jsonl), "-v")
    assert code == 0, out + err
    assert sent_assistants(proxy) == ["echo"]  # the profile's assistant, for a scenario that names none
    assert {r.headers.get("x-api-key") for r in proxy.log} == {profile_key}
    proxy.log.clear()
    code, out, err = await cli(
        "test", str(suite), "--profile", "staging", "--api-key-env", "FLAG_KEY", "--jsonl", str(jsonl),
        "--junit", str(junit), "-v",
    )  # fmt: skip
    assert code == 0, out + err
    assert {r.headers.get("x-api-key") for r in proxy.log} == {flag_key}
    # the key is sent, never shown: not on the console (-v included), not in a report
    for text in (out, err, jsonl.read_text(encoding="utf-8"), junit.read_text(encoding="utf-8")):
        assert flag_key not in text and profile_key not in text


async def test_verbose_prints_a_line_per_run_and_turn_and_the_command_an_answer_became(
    proxy: FaultProxy,
) -> None:
    code, out, err = await cli("test", str(EXAMPLES), "--url", proxy.url, "-k", "delete-approved", "-v")
    assert code == 0, out + err
    lines = out.splitlines()
    (run_line,) = [line for line in lines if line.startswith("PASS  delete-approved #1  thread ")]
    thread_id = run_line.split("thread ", 1)[1].split()[0]
    assert "  turn 1: user: delete the report -> interrupted (" in out
    assert "  turn 2: resume: yes -> success (" in out
    (command,) = [line.strip() for line in lines if "sent command:" in line]
    (resume,) = [json.loads(r.body)["command"] for r in proxy.requests("POST", RUN_STREAM) if b"command" in r.body]
    assert command == f"sent command: {json.dumps(resume, ensure_ascii=False)}"
    assert thread_id in proxy.requests("POST", RUN_STREAM)[0].path
    assert lines[1] == run_line  # (a line per run instead of marks)


async def test_assistant_names_the_assistant_of_scenarios_that_name_none(proxy: FaultProxy, tmp_path: Path) -> None:
    suite = suite_file(
        tmp_path,
        NO_ASSISTANT + "  - id: own\n    assistant: agent\n    turns: [{user: hello}]\n",
    )
    code, out, err = await cli("test", str(suite), "--url", proxy.url, "--assistant", "echo", "-j", "1")
    assert code == 0, out + err
    assert sent_assistants(proxy) == ["echo", "agent"]  # (a scenario's own assistant wins)


async def test_tag_selects_the_scenarios_with_any_of_the_tags(proxy: FaultProxy, tmp_path: Path) -> None:
    jsonl = tmp_path / "r.jsonl"
    code, out, err = await cli(
        "test", str(EXAMPLES), "--url", proxy.url, "--tag", "hitl", "--tag", "config", "--jsonl", str(jsonl)
    )
    assert code == 0, out + err
    chosen = [line["scenario"] for line in read_jsonl(jsonl) if line["type"] == "scenario"]
    assert chosen == [
        "delete-approved", "hitl-decide-each-call", "hitl-respond-and-approve", "two-questions-at-once", "echo-config"
    ]  # fmt: skip


def ask_for_something_else(request: Request) -> Request:
    """The first run is asked something without weather in it (same length: the body's size is kept)."""
    request.body = request.body.replace(b"what's the weather in sf", b"hello hello hello hello!")
    return request


@pytest.mark.parametrize(("rate", "code", "verdict"), [("0.5", 0, "ok (flaky)"), ("1", 1, "FAIL")])
async def test_repeat_and_pass_rate_make_one_failing_run_of_two_flaky_or_failing(
    proxy: FaultProxy, tmp_path: Path, rate: str, code: int, verdict: str
) -> None:
    proxy.add(method="POST", path=RUN_STREAM, rewrite_request=ask_for_something_else)  # (once)
    jsonl = tmp_path / "r.jsonl"
    got, out, err = await cli(
        "test", str(EXAMPLES), "--url", proxy.url, "-k", "weather-sf", "--repeat", "2", "--pass-rate", rate,
        "-j", "1", "--jsonl", str(jsonl),
    )  # fmt: skip
    assert got == code, out + err
    assert out.splitlines()[1] == "F."  # the first run failed its tool_calls check, the second passed
    (row,) = [line for line in out.splitlines() if line.startswith("weather-sf ")]
    assert "  1/2 50% " in row and f"  {verdict}  " in row
    (scenario,) = [line for line in read_jsonl(jsonl) if line["type"] == "scenario"]
    assert (scenario["runs"], scenario["passes"], scenario["flaky"], scenario["required"]) == (2, 1, True, float(rate))
    assert scenario["first_failure"].startswith("turn 1 tool_calls: get_weather: 0 found, expected at least 1")


@pytest.mark.slow
async def test_demo_starts_the_demo_server_and_runs_on_it(tmp_path: Path) -> None:
    jsonl = tmp_path / "r.jsonl"
    code, out, err = await cli("test", str(EXAMPLES), "--demo", "-k", "weather-sf", "--jsonl", str(jsonl), timeout=240)
    assert code == 0, out + err
    assert "starting the demo server" in err and out.splitlines()[1] == "."
    suite = read_jsonl(jsonl)[-1]
    assert suite["type"] == "suite" and suite["server"].startswith("127.0.0.1:")
