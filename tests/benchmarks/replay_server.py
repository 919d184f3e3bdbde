"""A loopback stand-in for the Agent Server that replays generated streams at full speed.

It speaks just enough of the Agent Server's HTTP API for the client, the official SDK and the
app (``/ok``, threads: create, search, get, patch, state; runs: stream, get), and frames
streams as langgraph-api does: chunked transfer encoding, one
chunk per event, CRLF line endings, ``event:``/``data:``/``id:`` lines, ``: heartbeat``
comments, ``Location``/``Content-Location`` headers. Stream bytes are built once per scenario
and then written as fast as the socket takes them, so a benchmark measures the client, not
the server.

The scenario is named by the run's ``assistant_id``: ``answer:chunks=1000`` (one Markdown
answer), ``mixed:events=20000`` (text and tool-call chunks, tool results), ``marked:chunks=N`` (an answer with
marker words; ``/_bench/sent`` gives a paced stream's send times; with ``big=1000000``, in four
parts, or ``parts=8``, with a tool result of that many bytes between each two), ``bigtool:bytes=1000000`` (a tool
call whose result is that much JSON, then a short answer), with optional
``rate=200`` (events per second, paced; heartbeats then follow the real 5 s timer) and
``hb=1000`` (at full speed, a heartbeat every that many events, since a full-speed stream is
over before the real 5 s timer would fire).

It runs in its own process (``python -m tests.benchmarks.replay_server``; it prints
``PORT <n>``) so that it never competes with the measured client for the GIL. It binds
127.0.0.1 only.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.benchmarks.corpus import (
    Script,
    answer_script,
    big_tool_script,
    dumps,
    marked_script,
    metadata,
    mixed_script,
    thread_messages,
    thread_rows,
)
from tests.benchmarks.corpus_big import marked_with_results

HOST = "127.0.0.1"
HEARTBEAT = b": heartbeat\r\n\r\n"
HEARTBEAT_SECONDS = 5.0
WRITE_SLICE = 256 * 1024
RUN_MARK = "R" * 36  # placeholders of a uuid's length: the framing stays valid after replacing
THREAD_MARK = "T" * 36


def _chunk(payload: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(payload), payload)


@dataclass
class Scenario:
    kind: str
    size: int
    rate: float = 0.0
    heartbeat_every: int = 1000
    big: int = 0  # marked: bytes of each tool result between the answer's parts (0: none)
    parts: int = 4  # marked, with big: the answer's parts

    @classmethod
    def parse(cls, name: str) -> Scenario:
        kind, *options = name.split(":")
        values = dict(option.split("=", 1) for option in options if "=" in option)
        size = int(values.get("chunks") or values.get("events") or values.get("bytes") or 1000)
        rate, hb = float(values.get("rate", 0)), int(values.get("hb", 1000))
        return cls(kind, size, rate, hb, int(values.get("big", 0)), int(values.get("parts", 4)))

    def script(self) -> Script:
        if self.kind == "answer":
            return answer_script(self.size)
        if self.kind == "marked" and self.big:
            return marked_with_results(self.size, self.big, self.parts).script
        if self.kind == "marked":  # answer with unique marker words; paced, it logs its send times
            return marked_script(self.size)
        if self.kind == "mixed":
            return mixed_script(self.size)
        if self.kind == "bigtool":
            return big_tool_script(self.size)
        raise ValueError(f"unknown scenario {self.kind!r}")


class Prepared:
    """A scenario's event frames (with run/thread placeholders) and stored messages."""

    def __init__(self, scenario: Scenario) -> None:
        script = scenario.script()
        self.stored = script.stored
        base = int(time.time() * 1000)
        frames: list[bytes] = []
        for n, (_kind, message, step) in enumerate(script.events):
            data = dumps([message, metadata(RUN_MARK, THREAD_MARK, step)])
            event_id = f"{base + n // 4}-{n % 4}"
            frames.append(f"event: messages\r\ndata: {data}\r\nid: {event_id}\r\n\r\n".encode())
        self.frames = frames
        self.events = len(frames)
        self.payload_bytes = sum(len(f) for f in frames)
        hb = scenario.heartbeat_every
        body = bytearray()
        for n, frame in enumerate(frames, start=1):
            body += _chunk(frame)
            if hb and n % hb == 0:
                body += _chunk(HEARTBEAT)
        self.body = bytes(body)


class State:
    def __init__(self) -> None:
        self.threads: dict[str, dict[str, Any]] = {}
        self.order: list[str] = []  # newest first
        self.messages: dict[str, list[dict[str, Any]]] = {}
        self.state_cache: dict[str, bytes] = {}
        self.runs: dict[str, dict[str, Any]] = {}
        self.prepared: dict[str, Prepared] = {}
        self.sent: list[float] = []  # time.monotonic() as each frame of the last paced stream was written

    def reset(self) -> None:
        self.__init__()  # type: ignore[misc]

    def add_thread(self, row: dict[str, Any], *, front: bool = True) -> None:
        tid = row["thread_id"]
        if tid not in self.threads:
            if front:
                self.order.insert(0, tid)
            else:
                self.order.append(tid)
        self.threads[tid] = row

    def new_thread(self, thread_id: str | None = None, meta: dict[str, Any] | None = None) -> dict[str, Any]:
        now = _now()
        row = {
            "thread_id": thread_id or str(uuid.uuid4()),
            "created_at": now,
            "updated_at": now,
            "state_updated_at": now,
            "metadata": meta or {},
            "status": "idle",
            "config": {},
            "values": None,
            "interrupts": {},
            "error": None,
        }
        self.add_thread(row)
        return row

    def state_body(self, tid: str) -> bytes:
        cached = self.state_cache.get(tid)
        if cached is not None:
            return cached
        messages = self.messages.get(tid)
        if messages is None:  # rows made in bulk: a small conversation, made on demand
            n = self.order.index(tid) if tid in self.threads else 0
            messages = [
                {"type": "human", "content": f"first message of thread {n}", "id": f"h-{tid}"},
                {"type": "ai", "content": "An answer.", "id": f"a-{tid}", "tool_calls": []},
            ]
        state = {
            "values": {"messages": messages},
            "next": [],
            "tasks": [],
            "metadata": {"graph_id": "agent", "step": len(messages)},
            "created_at": _now(),
            "checkpoint": {"thread_id": tid, "checkpoint_ns": "", "checkpoint_id": str(uuid.uuid4())},
            "parent_checkpoint": None,
            "interrupts": [],
        }
        body = dumps(state).encode()
        if tid in self.messages:
            self.state_cache[tid] = body
        return body


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


STATE = State()


# -- HTTP ---------------------------------------------------------------------------------------


async def _read_request(reader: asyncio.StreamReader) -> tuple[str, str, dict[str, str], bytes] | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, target, _version = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    try:
        body = await reader.readexactly(length) if length else b""
    except (asyncio.IncompleteReadError, ConnectionError):
        return None  # the client went away (an app quitting mid-request)
    return method, target, headers, body


def _response(status: int, body: bytes, content_type: str = "application/json") -> bytes:
    reason = {200: "OK", 404: "Not Found", 422: "Unprocessable Entity"}.get(status, "OK")
    head = f"HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {len(body)}\r\n\r\n"
    return head.encode() + body


def _json(status: int, value: Any) -> bytes:
    return _response(status, dumps(value).encode())


async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request = await _read_request(reader)
            if request is None:
                break
            method, target, _headers, body = request
            path = target.split("?", 1)[0]
            parts = [p for p in path.split("/") if p]
            if method == "POST" and len(parts) == 4 and parts[0] == "threads" and parts[2:] == ["runs", "stream"]:
                await _stream(writer, parts[1], json.loads(body or b"{}"))
                continue
            writer.write(_route(method, parts, json.loads(body) if body else {}))
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    except Exception:  # a bug here must show, not look like a dropped connection
        import traceback

        traceback.print_exc()
        writer.write(_json(500, {"detail": "replay server error"}))
    finally:
        writer.close()


def _route(method: str, parts: list[str], body: Any) -> bytes:
    state = STATE
    if parts == ["ok"]:
        return _json(200, {"ok": True})
    if parts == ["info"]:
        return _json(200, {"version": "replay", "flags": {}})
    if parts == ["assistants", "search"]:
        return _json(200, [{"assistant_id": "agent", "graph_id": "agent", "name": "agent"}])
    if parts[:1] == ["_bench"]:
        return _control(parts[1], body)
    if parts == ["threads"] and method == "POST":
        return _json(200, state.new_thread(body.get("thread_id"), body.get("metadata")))
    if parts == ["threads", "search"]:
        offset, limit = int(body.get("offset", 0)), int(body.get("limit", 10))
        select = body.get("select")
        rows = [state.threads[t] for t in state.order[offset : offset + limit]]
        if select:
            rows = [{k: r.get(k) for k in select} for r in rows]
        return _json(200, rows)
    if parts == ["threads", "count"]:
        return _json(200, len(state.order))
    if len(parts) >= 2 and parts[0] == "threads":
        tid = parts[1]
        row = state.threads.get(tid)
        if row is None:
            return _json(404, {"detail": f"Thread {tid} not found"})
        if len(parts) == 2 and method == "GET":
            return _json(200, row)
        if len(parts) == 2 and method == "PATCH":
            row["metadata"] = {**row["metadata"], **body.get("metadata", {})}
            return _json(200, row)
        if parts[2:] == ["state"] and method == "GET":
            return _response(200, state.state_body(tid))
        if len(parts) == 4 and parts[2] == "runs":
            run = state.runs.get(parts[3])
            return _json(200, run) if run else _json(404, {"detail": "Run not found"})
    return _json(404, {"detail": "not found"})


def _control(what: str, body: dict[str, Any]) -> bytes:
    state = STATE
    if what == "reset":
        state.reset()
        return _json(200, {})
    if what == "threads":
        rows = thread_rows(int(body["count"]), untitled_every=int(body.get("untitled_every", 10)))
        state.order = []
        state.threads = {}
        for row in rows:
            state.add_thread(row, front=False)
        return _json(200, {"count": len(rows)})
    if what == "long_thread":
        row = state.new_thread(meta={"graph_id": "agent", "title": f"long thread ({body['messages']})"})
        state.messages[row["thread_id"]] = thread_messages(int(body["messages"]), seed=row["thread_id"])
        state.state_body(row["thread_id"])  # encode now, not while the client waits
        return _json(200, {"thread_id": row["thread_id"]})
    if what == "sent":
        return _json(200, state.sent)
    if what == "prepare":
        prepared = _prepared(body["scenario"])
        return _json(200, {"events": prepared.events, "payload_bytes": prepared.payload_bytes})
    return _json(404, {"detail": "unknown control"})


def _prepared(name: str) -> Prepared:
    prepared = STATE.prepared.get(name)
    if prepared is None:
        prepared = STATE.prepared[name] = Prepared(Scenario.parse(name))
    return prepared


async def _stream(writer: asyncio.StreamWriter, tid: str, body: dict[str, Any]) -> None:
    state = STATE
    name = str(body.get("assistant_id", "answer:chunks=100"))
    scenario = Scenario.parse(name)
    prepared = _prepared(name)
    if tid not in state.threads:
        state.new_thread(tid, {"graph_id": "agent"})
    run_id = str(uuid.uuid4())
    state.runs[run_id] = {"run_id": run_id, "thread_id": tid, "assistant_id": name, "status": "running"}
    head = (
        "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream; charset=utf-8\r\ncache-control: no-store\r\n"
        f"x-accel-buffering: no\r\nlocation: /threads/{tid}/runs/{run_id}/stream\r\n"
        f"content-location: /threads/{tid}/runs/{run_id}\r\ntransfer-encoding: chunked\r\n\r\n"
    )
    first = f"event: metadata\r\ndata: {dumps({'run_id': run_id, 'attempt': 1})}\r\n\r\n".encode()
    writer.write(head.encode() + _chunk(first))
    marks = ((RUN_MARK.encode(), run_id.encode()), (THREAD_MARK.encode(), tid.encode()))
    if scenario.rate <= 0:
        data = prepared.body
        for mark, value in marks:
            data = data.replace(mark, value)
        view = memoryview(data)
        for start in range(0, len(view), WRITE_SLICE):
            writer.write(view[start : start + WRITE_SLICE])
            await writer.drain()
    else:
        sent: list[float] = []
        state.sent = sent
        start = time.perf_counter()
        next_heartbeat = start + HEARTBEAT_SECONDS
        for n, frame in enumerate(prepared.frames):
            due = start + n / scenario.rate
            now = time.perf_counter()
            if due > now:
                await asyncio.sleep(due - now)
            if time.perf_counter() >= next_heartbeat:
                writer.write(_chunk(HEARTBEAT))
                next_heartbeat += HEARTBEAT_SECONDS
            for mark, value in marks:
                frame = frame.replace(mark, value)
            writer.write(_chunk(frame))
            sent.append(time.monotonic())
            await writer.drain()
    writer.write(b"0\r\n\r\n")
    await writer.drain()
    human = _human(body)
    stored = state.messages.setdefault(tid, [])
    stored.extend([*human, *prepared.stored])
    state.state_cache.pop(tid, None)
    state.runs[run_id]["status"] = "success"


def _human(body: dict[str, Any]) -> list[dict[str, Any]]:
    messages = (body.get("input") or {}).get("messages") or []
    out = []
    for message in messages:
        if isinstance(message, dict):
            out.append(
                {
                    "type": "human",
                    "content": message.get("content", ""),
                    "id": message.get("id") or str(uuid.uuid4()),
                }
            )
    return out


async def serve(port: int = 0) -> None:
    server = await asyncio.start_server(handle, HOST, port, limit=1 << 24)
    sock = server.sockets[0]
    print(f"PORT {sock.getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


# -- the client side: start it as a child process ------------------------------------------------


class ReplayServer:
    """``with ReplayServer() as server: server.url`` — a child process on a free loopback port."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""

    def __enter__(self) -> ReplayServer:
        root = Path(__file__).resolve().parents[2]
        env = {**os.environ, "PYTHONPATH": str(root)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.replay_server"],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise RuntimeError(f"the replay server did not start: {line!r}")
        self.url = f"http://{HOST}:{int(line.split()[1])}"
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None

    def control(self, what: str, **body: Any) -> Any:
        """Call a ``/_bench/<what>`` control endpoint (synchronously; not timed)."""
        import httpx

        response = httpx.post(f"{self.url}/_bench/{what}", json=body, timeout=120, trust_env=False)
        response.raise_for_status()
        return response.json()


if __name__ == "__main__":
    try:
        asyncio.run(serve(int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    except KeyboardInterrupt:
        pass
