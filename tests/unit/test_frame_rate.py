"""The app paints at up to 120 frames a second unless the user set ``TEXTUAL_FPS`` (``chat_tui/launch.py``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from chat_tui import launch
from chat_tui.cli import main


@pytest.mark.parametrize(("given", "expected"), [(None, launch.FRAME_RATE), ("30", "30")])
def test_the_app_launches_at_120_frames_a_second_unless_the_user_set_a_rate(
    given: str | None, expected: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CONFIG", "DATA", "LOG"):
        monkeypatch.setenv(f"CHAT_TUI_{name}_DIR", str(tmp_path / name.lower()))
    if given is None:
        monkeypatch.delenv("TEXTUAL_FPS", raising=False)
    else:
        monkeypatch.setenv("TEXTUAL_FPS", given)
    seen: list[str | None] = []

    def no_terminal() -> bool:
        seen.append(os.environ.get("TEXTUAL_FPS"))
        return True

    monkeypatch.setattr(launch, "_needs_terminal", no_terminal)
    assert main(["--url", "http://127.0.0.1:9"]) == 2
    assert seen == [expected]
