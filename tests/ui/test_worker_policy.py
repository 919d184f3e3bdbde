"""One policy for every worker: a failure is logged with its traceback, said in one line, and
the app goes on, whichever screen or widget ran the worker."""

from __future__ import annotations

import ast
import stat
from pathlib import Path

from chat_tui.client.auth import normalize_key
from chat_tui.client.errors import UnexpectedResponse
from chat_tui.connection import Connection
from chat_tui.settings.manager import SettingsManager
from chat_tui.settings.userdata import UserData
from chat_tui.ui.app import ChatApp, LaunchPlan
from tests.support.pilot import wait_until

PACKAGE = Path(__file__).resolve().parents[2] / "chat_tui"
SECRET = "lsv2_sk_policytest_0123456789abcdef"
HEADER_VALUE = "Bearer policy-header-value-42"


def app_without_server(user_dirs: dict[str, Path]) -> ChatApp:
    """An app whose connection is refused (it keeps retrying quietly): the workers are the test's."""
    key = normalize_key(SECRET, "test")
    connection = Connection("http://127.0.0.1:9", api_key=key, headers={"Authorization": HEADER_VALUE})
    return ChatApp(
        LaunchPlan(connection=connection, assistant="agent"),
        userdata=UserData(user_dirs["data"]),
        settings=SettingsManager(user_dirs["config"]),
    )


async def test_a_failed_worker_anywhere_is_logged_and_said_in_one_line(user_dirs: dict[str, Path]) -> None:
    app = app_without_server(user_dirs)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()

        async def refresh_badges() -> None:  # a bug whose message holds a secret
            raise KeyError(f"{SECRET} / {HEADER_VALUE}")

        async def action_open_thread() -> None:  # an error of the project's own
            raise UnexpectedResponse("open thread", "127.0.0.1:9")

        async def connect_quietly() -> None:
            raise ValueError("on the app itself")

        # A widget deep in a screen, the screen, and the app: StateChanged reaches the app from each.
        app.chat.sidebar.threads.run_worker(refresh_badges(), name="refresh_badges", exit_on_error=False)
        app.chat.run_worker(action_open_thread(), name="action_open_thread", exit_on_error=False)
        app.run_worker(connect_quietly(), name="_connect_quietly", exit_on_error=False)
        await wait_until(pilot, lambda: len(app._notifications) >= 3, what="three notifications")
        await pilot.pause(0.2)
        assert app.is_running  # the app went on
        messages = sorted(str(n.message) for n in app._notifications)
        assert len(messages) == 3
        log = user_dirs["log"] / "chat-tui.log"
        assert messages[0].startswith("connect quietly failed unexpectedly (ValueError); details in ")
        assert messages[1] == (
            "open thread failed: open thread: 127.0.0.1:9 answered in a shape chat-tui does not understand; "
            f"details in {log}"
        )
        assert messages[2] == f"refresh badges failed unexpectedly (KeyError); details in {log}"
        assert all("\n" not in m and SECRET not in m and HEADER_VALUE not in m for m in messages)
        assert all(n.severity == "error" and not n.markup for n in app._notifications)

    text = log.read_text(encoding="utf-8")
    assert "refresh badges failed" in text and "Traceback (most recent call last)" in text
    assert "raise KeyError(" in text and "in refresh_badges" in text  # the traceback, with its frames
    assert "UnexpectedResponse: open thread: 127.0.0.1:9" in text
    assert SECRET not in text and HEADER_VALUE not in text and "**********" in text
    assert stat.S_IMODE(log.stat().st_mode) == 0o600


def test_every_worker_of_the_ui_is_declared_not_to_end_the_app() -> None:
    offenders = []
    for path in sorted((PACKAGE / "ui").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef):
                continue
            for decorator in node.decorator_list:
                if isinstance(decorator, ast.Call) and getattr(decorator.func, "id", None) == "work":
                    keywords = {k.arg: k.value for k in decorator.keywords}
                    value = keywords.get("exit_on_error")
                    if not (isinstance(value, ast.Constant) and value.value is False):
                        offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name}")
                elif getattr(decorator, "id", None) == "work":
                    offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.name} (bare @work)")
    assert offenders == []
