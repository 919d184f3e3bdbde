"""The command line: one-line errors, non-zero exits, no tracebacks, fast --version."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chat_tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--url", "ftp://example.com"], "must start with http"),
        (["--url", "http://user:pw@example.com"], "must not contain credentials"),
        (["--profile", "nope"], "no saved profile named 'nope'"),
        (["--demo", "--profile", "x"], "cannot be combined"),
        (["stream", "--demo", "--profile", "x", "hi"], "cannot be combined"),
        (["stream", "--url", "http://127.0.0.1:9", "--profile", "nope", "hi"], "no saved profile named 'nope'"),
        (["--demo", "--url", "http://x"], "not allowed with argument"),
        (["--bogus"], "unrecognized arguments"),
        (["--url", "notaurl"], "is not a server URL"),
        (["stream", "--url", "notaurl", "hi"], "is not a server URL"),
        (["--url", "http://127.0.0.1:9", "--api-key-env", "UNSET_VARIABLE_X"], "UNSET_VARIABLE_X is not set"),
        ([], "needs a terminal"),
        (
            ["stream", "--url", "http://127.0.0.1:9", "--thread", "t", "--decide", "approve", "--resume", "1"],
            "not both",
        ),
        (["stream", "--url", "http://127.0.0.1:9", "--thread", "t", "--decide", "approve", "hi"], "not both"),
        (["stream", "--url", "http://127.0.0.1:9", "--decide", "approve"], "add --thread ID"),
        (["stream", "--url", "http://127.0.0.1:9", "--resume", "yes"], "add --thread ID"),
        (["stream", "--url", "http://127.0.0.1:9", "--thread", "t", "--interrupt", "i"], "add --decide DECISION"),
        (["stream", "--url", "http://127.0.0.1:9", "--thread", "t"], "give a MESSAGE to send"),
        (["stream", "--url", "http://127.0.0.1:9", "--thread", "t", "--decide", "approve=1"], "approve takes nothing"),
        (["inbox", "--url", "http://127.0.0.1:9", "--limit", "0"], "between 1 and 1000"),
        (["inbox", "--url", "http://127.0.0.1:9", "--thread", "t"], "unrecognized arguments"),
    ],
)
def test_bad_invocations_fail_with_one_line(args: list[str], needle: str) -> None:
    done = run(*args)
    assert done.returncode == 2, done.stderr
    assert needle in done.stderr and "Traceback" not in done.stderr and "pw" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("chat-tui ")
    help_text = run("--help").stdout
    assert "examples:" in help_text and "chat-tui stream --demo" in help_text
    stream_help = run("stream", "--help").stdout
    assert "--decide DECISION" in stream_help and "reject[=REASON]" in stream_help and "--interrupt ID" in stream_help
    assert "3 the run waits at an interrupt" in stream_help
    inbox_help = run("inbox", "--help").stdout
    assert "--json" in inbox_help and "--limit N" in inbox_help and "newest first" in inbox_help


def test_config_path_and_show(tmp_path: Path) -> None:
    env = {
        "CHAT_TUI_CONFIG_DIR": str(tmp_path / "c"),
        "CHAT_TUI_DATA_DIR": str(tmp_path / "d"),
        "CHAT_TUI_LOG_DIR": str(tmp_path / "l"),
    }
    paths = run("config", "path", env=env).stdout
    assert str(tmp_path / "c" / "settings.json") in paths and str(tmp_path / "d") in paths
    shown = json.loads(run("config", "show", env=env).stdout)
    assert shown["profiles"] == {} and shown["last_profile"] is None
    assert shown["ui"] == {"theme": None, "sidebar": True, "assistants": {}}
    assert not (tmp_path / "c").exists()  # looking does not create anything
