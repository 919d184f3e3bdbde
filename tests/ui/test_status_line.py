"""The status line says true things: no stale or meaningless figures, the assistant by name, the config whole."""

from __future__ import annotations

from pathlib import Path

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.run_config import RunConfig
from tests.support.pilot import connected, make_app, run_finished, send, wait_until

pytestmark = pytest.mark.server


async def test_figures_belong_to_the_run_shown(server_url: str, user_dirs: dict[str, Path]) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await connected(pilot)
        await send(pilot, "hello")
        await run_finished(pilot)
        assert "TTFT" in str(screen.status.render())
        screen.service.context = {"delay_ms": 30}  # type: ignore[union-attr]
        await send(pilot, "slow please")
        seen: list[str] = []
        await wait_until(
            pilot,
            lambda: seen.append(str(screen.status.render())) or "streaming" in seen[-1],
            what="the new run streaming",
        )
        before_tokens = [line for line in seen if "streaming" not in line]
        assert not [line for line in before_tokens if "TTFT" in line], before_tokens  # not the last run's
        await pilot.press("escape")
        await run_finished(pilot)


async def test_a_joined_run_shows_no_time_to_first_token(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    thread = await client.threads.create()
    await client.runs.create(
        thread.thread_id, "agent", input={"messages": [{"role": "user", "content": "slow"}]}, context={"delay_ms": 8}
    )
    app = make_app(server_url, user_dirs["data"], thread=thread.thread_id)
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await connected(pilot)
        await wait_until(pilot, lambda: screen.service and screen.service.live, what="following the run")
        run = await run_finished(pilot, timeout=60)
        assert run.attached and "TTFT" not in str(screen.status.render())


async def test_the_run_configuration_is_shown_whole_when_there_is_room(
    server_url: str, user_dirs: dict[str, Path]
) -> None:
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=(200, 40)) as pilot:
        screen = await connected(pilot)
        screen.run_config = RunConfig("context", {"persona": "pirate", "model_name": "scripted-careful", "x": "y" * 30})
        screen._update_status()
        await pilot.pause()
        assert "x=" + "y" * 30 in str(screen.status.render())
