"""`chat-tui test record` with choices, against the real demo server: which expectations it keeps
(tool calls and their args_mode, status, interrupts, the node path, budgets), the id and repeat,
and --append to a hand-written file whose comments stay; the recorded scenario then passes."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from chat_tui.testing.loader import load_file
from tests.support.cli import cli

pytestmark = pytest.mark.server

HAND_WRITTEN = """\
# Our agent's regression tests. (This comment, and the blank lines, must stay.)
version: 1
defaults:
  turn_timeout: 60   # seconds

scenarios:
  - id: hello
    turns:
      - user: hello   # the Markdown answer
"""


async def approved_thread(server_url: str) -> str:
    """A thread of the `approvals` graph: a gated tool call, its interrupt, then the approval."""
    code, _, err = await cli("stream", "--url", server_url, "--assistant", "approvals", "email bob")
    assert code == 3, err
    thread_id = err.split("--thread ")[1].split()[0]
    code, _, err = await cli("stream", "--url", server_url, "--thread", thread_id, "--decide", "approve")
    assert code == 0, err
    return thread_id


async def test_record_keeps_the_chosen_expectations_and_appends_to_a_commented_file(
    server_url: str, tmp_path: Path
) -> None:
    thread_id = await approved_thread(server_url)
    suite = tmp_path / "agent.yaml"
    suite.write_text(HAND_WRITTEN)
    code, _, err = await cli(
        "test", "record", "--url", server_url, "--thread", thread_id, "-o", str(suite), "--append",
        "--id", "email-bob", "--repeat", "2", "--args-mode", "exact", "--nodes", "--budgets",
    )  # fmt: skip
    assert code == 0, err
    text = suite.read_text()
    assert text.startswith(HAND_WRITTEN + "\n  - id: email-bob\n")  # every byte kept, the scenario after them
    line = text.splitlines().index("  - id: email-bob") + 1
    assert f"added scenario email-bob to {suite}:{line}" in err
    scenario = yaml.safe_load(text)["scenarios"][1]
    assert scenario["repeat"] == 2 and scenario["assistant"] == "approvals"
    first, second = (turn["expect"] for turn in scenario["turns"])
    assert first["status"] == "interrupted"
    assert first["interrupt"] == {"count": 1, "value": {"action_requests": [{"name": "send_email"}]}}
    (call,) = first["tool_calls"]
    assert call["name"] == "send_email" and call["args_mode"] == "exact" and call["args"]["to"]
    assert first["nodes"]["in_order"][0] == "model" and second["status"] == "success"
    budget = second["budget"]
    assert budget["latency_ms"] >= 5000 and budget["latency_ms"] % 1000 == 0 and budget["tool_calls"] == 2
    assert load_file(suite).scenario_lines == [7, line]

    code, out, err = await cli("test", str(suite), "--url", server_url, "-k", "email-bob")
    assert code == 0, out + err
    assert "1 scenario(s), 2 run(s)" in out

    before = suite.read_bytes()
    code, _, err = await cli("test", "record", "--url", server_url, "--thread", thread_id, "-o", str(suite), "--append")
    # (the default id is the first message's, and this file has it now)
    assert code == 2 and f"{suite} already has a scenario 'email-bob'; nothing was written" in err
    assert suite.read_bytes() == before


async def test_record_leaves_out_what_it_is_told_to(server_url: str) -> None:
    thread_id = await approved_thread(server_url)
    code, out, err = await cli(
        "test", "record", "--url", server_url, "--thread", thread_id,
        "--no-tools", "--no-status", "--no-interrupts",
    )  # fmt: skip
    assert code == 0, err
    scenario = yaml.safe_load(out)["scenarios"][0]
    assert scenario["id"] == "email-bob"  # from the first message
    first, second = scenario["turns"]
    assert "expect" not in first and first["user"] == "email bob"
    assert second == {"decide": ["approve"], "expect": {"final_text": {"min_length": 1}}}
    code, out, err = await cli("test", "record", "--url", server_url, "--thread", thread_id, "--args-mode", "ignore")
    assert code == 0, err
    assert yaml.safe_load(out)["scenarios"][0]["turns"][0]["expect"]["tool_calls"] == [{"name": "send_email"}]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--append"], "--append adds to the FILE of -o FILE"),
        (["--id", "two words"], "a scenario id is letters, digits"),
        (["--repeat", "0"], "--repeat: must be between 1 and 1000"),
        (["-o", "x.yaml", "--append", "--force"], "not allowed with argument"),
    ],
)
async def test_record_refuses_bad_choices_before_reading_the_thread(
    server_url: str, tmp_path: Path, args: list[str], message: str
) -> None:
    code, out, err = await cli("test", "record", "--url", server_url, "--thread", "no-such-thread", *args)
    assert code == 2 and message in err and out == ""
