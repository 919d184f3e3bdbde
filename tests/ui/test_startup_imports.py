"""The first frame waits for nothing it does not draw: pydantic (the typed protocol) and httpx
load after it. Together they were ~0.15 s of a ~0.5 s start (``BENCHMARKS.md``, start-up).

What must wait is listed once, in :mod:`chat_tui.deferred`: its ``CONNECTED`` and ``ON_USE``
modules are not loaded when the first frame is written, and the ``CONNECTED`` ones are once
the app has connected."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from chat_tui.deferred import DEFERRED, Load

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter (this one has imported everything already), the real app rendering real
# frames (the benchmarks' CaptureDriver), the modules loaded when the first frame is written.
CODE = r"""
import asyncio, json, sys
from pathlib import Path
from tests.benchmarks.app_harness import CaptureDriver
from tests.support.pilot import make_app

HEAVY = json.loads(sys.argv[3])
at_first_frame = []

class FirstFrame(CaptureDriver):
    def write(self, data):
        if not at_first_frame and "Threads" in data:
            at_first_frame.append([m for m in HEAVY if m in sys.modules])
        super().write(data)

async def main():
    app = make_app(sys.argv[1], Path(sys.argv[2]), driver_class=FirstFrame)
    async with app.run_test(size=(120, 40), headless=False) as pilot:
        while not (app.service is not None and app.chat.started):
            await pilot.pause(0.05)
        connected = [m for m in HEAVY if m in sys.modules]
    print(json.dumps({"first_frame": at_first_frame, "connected": connected}))

asyncio.run(main())
"""


def test_the_first_frame_is_drawn_before_pydantic_and_httpx_load(server_url: str, user_dirs: dict[str, Path]) -> None:
    deferred = [entry.module for entry in DEFERRED if entry.load is not Load.LOCAL]
    on_connect = {entry.module for entry in DEFERRED if entry.load is Load.CONNECTED}
    assert {"pydantic", "httpx", "chat_tui.conversation.state", "markdown_it"} <= set(deferred)
    result = subprocess.run(
        [sys.executable, "-c", CODE, server_url, str(user_dirs["data"]), json.dumps(deferred)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        check=True,
    )
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["first_frame"] == [[]], seen
    # ...and those needed to talk to the server do load once the app has connected (the check above sees imports).
    assert on_connect <= set(seen["connected"]), seen
