"""One UI scenario in a fresh interpreter, so its memory, caches and collector state are its own.

``python -m tests.benchmarks.child KIND URL DATA_DIR JSON`` prints ``RESULT <json>`` last.
With ``URL`` ``-`` it starts its own replay server (handy for profiling one scenario, e.g.
``python -m pyinstrument -m tests.benchmarks.child render - /tmp/x '{"scenario": "answer:chunks=4000"}'``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


async def scenario(kind: str, url: str, data_dir: Path, params: dict[str, Any]) -> dict[str, Any]:
    from tests.benchmarks import inspector, long_thread, render, thread_list

    if kind == "render":
        return await render.stream_into_app(
            url, data_dir, params["scenario"], params.get("timeout", 600), params.get("inspector")
        )
    if kind == "big_result":
        return await inspector.expand_big_result(url, data_dir, params["scenario"], params["scrolls"])
    if kind == "naive":
        done, elapsed = await render.naive(url, params["scenario"], params["cap"])
        return {"done": done, "elapsed": elapsed}
    if kind == "long_thread":
        return await long_thread.open_long_thread(
            url, data_dir, params["thread_id"], params["pages"], params.get("top", True)
        )
    if kind == "thread_list":
        return await thread_list.browse(url, data_dir, to_end=params["to_end"])
    raise ValueError(f"unknown scenario kind {kind!r}")


def main() -> int:
    kind, url, data_dir, raw = sys.argv[1:5]
    params = json.loads(raw)
    for name in ("CONFIG", "DATA", "LOG"):
        os.environ.setdefault(f"CHAT_TUI_{name}_DIR", str(Path(data_dir) / name.lower()))
    from tests.benchmarks.replay_server import ReplayServer

    with contextlib.ExitStack() as stack:
        if url == "-":
            replay = stack.enter_context(ReplayServer())
            url = replay.url
            if "scenario" in params:
                replay.control("prepare", scenario=params["scenario"])
            if "messages" in params:
                params["thread_id"] = replay.control("long_thread", messages=params["messages"])["thread_id"]
            if "threads" in params:
                replay.control("threads", count=params["threads"])
        result = asyncio.run(scenario(kind, url, Path(data_dir), params))
    print("RESULT " + json.dumps(result), flush=True)
    return 0


async def run_child(kind: str, url: str, data_dir: Path, **params: Any) -> dict[str, Any]:
    """Run *kind* in a child interpreter; its JSON result."""
    root = ROOT
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.benchmarks.child",
        kind,
        url,
        str(data_dir),
        json.dumps(params),
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    lines = [line for line in out.decode().splitlines() if line.startswith("RESULT ")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"benchmark child {kind} failed ({process.returncode}): {err.decode()[-3000:]}")
    result: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    return result


if __name__ == "__main__":
    sys.exit(main())
