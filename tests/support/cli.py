"""`chat-tui ARGS` in a child process, asynchronously (a proxy or the test's client may run in the
same event loop): exit code, stdout, stderr."""

from __future__ import annotations

import asyncio
import os
import sys


async def cli(*args: str, timeout: float = 180) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chat_tui",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "NO_COLOR": "1"},
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()
