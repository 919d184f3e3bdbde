"""A crash shows a traceback but never a secret (Textual's default prints every frame's locals)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SECRET = "lsv2_sk_crashtest_0123456789abcdef"

SCRIPT = textwrap.dedent(
    f"""
    import sys
    from chat_tui.client.auth import normalize_key
    from chat_tui.connection import Connection
    from chat_tui.ui.app import ChatApp, LaunchPlan
    from chat_tui.ui.screens.chat import ChatScreen

    def crash(self):
        leaked = "{SECRET}"  # a plain local holding the key: the worst case
        raise RuntimeError("deliberate crash " + str(len(leaked)))

    ChatScreen.on_mount = crash
    key = normalize_key("{SECRET}", "test")
    app = ChatApp(LaunchPlan(connection=Connection("http://127.0.0.1:9", api_key=key)))
    app.run(headless=True)
    sys.exit(app.return_code or 0)
    """
)


def test_crash_prints_no_secret_and_exits_non_zero(tmp_path: object) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=False)
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert "deliberate crash" in output  # the traceback is shown...
    assert SECRET not in output and SECRET[-12:] not in output  # ...without locals
