"""Human in the loop from the command line, on the real demo server: `chat-tui stream --json` lists
each pending interrupt with its gated calls, `--decide` / `--interrupt` / `--resume` answer them (and
what cannot be sent is refused before anything is: proven by the proxy's request log), and
`chat-tui inbox` lists the threads that wait."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.headless import EXIT_CODES
from tests.faults.proxy import FaultProxy
from tests.support.cli import cli as run_cli

pytestmark = pytest.mark.server

T = TypeVar("T")
EMAIL_AND_DELETE = "email alice and delete the report"
ALL_DECISIONS = ["approve", "edit", "reject", "respond"]


async def cli(url: str | None, command: str, *args: str) -> tuple[int, str, str]:
    """`chat-tui COMMAND [--url URL] ARGS` in a child process."""
    return await run_cli(command, *(("--url", url) if url else ()), *args, timeout=120)


async def ask(client: LangGraphClient, assistant: str, text: str) -> str:
    """A new thread where *assistant* was told *text* (the run streamed to its end)."""
    thread = await client.threads.create()
    body = {"input": {"messages": [{"role": "user", "content": text}]}}
    async with client.runs.stream(thread.thread_id, assistant, stream_mode=["updates"], **body) as stream:
        async for _ in stream:
            pass
    return thread.thread_id


async def pending(client: LangGraphClient, thread_id: str) -> dict[str, Any]:
    """The pending interrupts by id, as the thread's state lists them (the truth for what can be resumed)."""
    return {i.id: i.value for i in (await client.threads.get_state(thread_id)).interrupts}


async def tools(client: LangGraphClient, thread_id: str) -> dict[str, dict[str, Any]]:
    """The thread's stored tool results, by tool name."""
    return {m["name"]: m for m in (await client.threads.get_state(thread_id)).messages if m["type"] == "tool"}


async def until(fetch: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 20.0) -> T:
    """Fetch again (briefly apart) until *done* says yes; fail after *timeout* seconds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        value = await fetch()
        if done(value):
            return value
        assert asyncio.get_running_loop().time() < deadline, f"still not done: {value!r}"
        await asyncio.sleep(0.05)


# -- what `stream --json` lists -------------------------------------------------------------------


async def test_json_lists_a_batched_approval_with_each_gated_call_in_order(server_url: str) -> None:
    code, out, err = await cli(server_url, "stream", "--assistant", "approvals", "--json", EMAIL_AND_DELETE)
    assert code == EXIT_CODES["interrupted"], err
    document = json.loads(out)
    assert document["status"] == "interrupted"
    (interrupt,) = document["interrupts"]
    assert sorted(interrupt) == ["actions", "id", "kind", "value"]
    assert interrupt["kind"] == "hitl" and len(interrupt["id"]) == 32
    assert interrupt["value"]["review_configs"][1]["allowed_decisions"] == ["approve", "reject"]  # the raw payload
    assert interrupt["actions"] == [
        {
            "name": "send_email",
            "args": {
                "to": "alice@example.com",
                "subject": "Status update",
                "body": "Hi Alice, the report is done and the draft is in the shared folder.",
            },
            "allowed": ALL_DECISIONS,
        },
        {"name": "delete_file", "args": {"path": "/tmp/report.txt"}, "allowed": ["approve", "reject"]},
    ]


async def test_json_lists_per_call_approvals_and_value_interrupts(server_url: str) -> None:
    code, out, err = await cli(server_url, "stream", "--assistant", "approvals_per_call", "--json", EMAIL_AND_DELETE)
    assert code == EXIT_CODES["interrupted"], err
    email, delete = json.loads(out)["interrupts"]
    assert email["kind"] == delete["kind"] == "tool_approval" and email["id"] != delete["id"]
    assert [a["name"] for a in email["actions"]] == ["send_email"] and email["actions"][0]["allowed"] == ALL_DECISIONS
    assert delete["actions"] == [
        {"name": "delete_file", "args": {"path": "/tmp/report.txt"}, "allowed": ["approve", "reject"]}
    ]
    assert delete["value"]["type"] == "tool_approval"

    code, out, err = await cli(server_url, "stream", "--assistant", "parallel", "--json", "plan the meeting")
    assert code == EXIT_CODES["interrupted"], err
    interrupts = json.loads(out)["interrupts"]
    assert [(i["kind"], i["actions"]) for i in interrupts] == [("value", []), ("value", [])]
    assert {i["value"]["question"] for i in interrupts} == {
        "Which day should the team meet?",
        "Who should take the notes?",
    }


async def test_human_output_shows_each_gated_call_and_how_to_answer(server_url: str) -> None:
    code, out, err = await cli(server_url, "stream", "--assistant", "approvals", EMAIL_AND_DELETE)
    assert code == EXIT_CODES["interrupted"], err
    lines = out.splitlines()
    start = next(n for n, line in enumerate(lines) if line.startswith("⏸ 2 tool calls wait for a decision (hitl"))
    assert lines[start + 1].startswith('  1. send_email {"to": "alice@example.com"')
    assert lines[start + 1].endswith("[approve | edit | reject | respond]")
    assert (
        lines[start + 2] == '  2. delete_file {"path": "/tmp/report.txt"}  [approve | reject]  (Deleting is permanent)'
    )
    thread_id = err.split()[1]
    hint = err.strip().splitlines()[-1]
    assert f"chat-tui stream --thread {thread_id} --decide DECISION --decide DECISION (one per call, in order)" in hint


# -- answering ------------------------------------------------------------------------------------


async def test_two_decisions_reach_the_server_in_order_edit_and_reject(
    server_url: str, client: LangGraphClient
) -> None:
    thread_id = await ask(client, "approvals", EMAIL_AND_DELETE)
    edited = {"to": "carol@example.com", "subject": "Edited", "body": "Hi Carol."}
    code, out, err = await cli(
        server_url,
        "stream",
        "--thread",
        thread_id,
        "--decide",
        f"edit={json.dumps(edited)}",
        "--decide",
        "reject=keep the report",
    )
    assert code == EXIT_CODES["success"], err
    assert "send_email**: done with your edits. Email to carol@example.com" in out
    assert await pending(client, thread_id) == {}
    results = await tools(client, thread_id)
    assert "carol@example.com" in results["send_email"]["content"]  # the edited call ran
    assert results["send_email"]["status"] == "success"
    rejected = results["delete_file"]
    assert rejected["status"] == "error" and "keep the report" in rejected["content"]
    assert rejected["additional_kwargs"]["lc_data"] == {"decision": "reject"}

    code, out, _ = await cli(server_url, "inbox", "--json")  # answered: it no longer waits
    assert code == 0 and thread_id not in {row["thread_id"] for row in json.loads(out)}


async def test_per_call_respond_then_approve_the_one_left(server_url: str, client: LangGraphClient) -> None:
    thread_id = await ask(client, "approvals_per_call", EMAIL_AND_DELETE)
    waiting = await pending(client, thread_id)
    email = next(i for i, v in waiting.items() if v["name"] == "send_email")
    delete = next(i for i, v in waiting.items() if v["name"] == "delete_file")

    code, out, err = await cli(
        server_url, "stream", "--thread", thread_id, "--interrupt", email, "--decide", "respond=sent it by hand"
    )
    assert code == EXIT_CODES["interrupted"], err
    assert list(await pending(client, thread_id)) == [delete]  # the other one waits, with its id
    assert "delete_file" in out and f"--thread {thread_id} --decide DECISION" in err  # no --interrupt needed now

    code, out, err = await cli(server_url, "stream", "--thread", thread_id, "--decide", "approve")
    assert code == EXIT_CODES["success"], err
    results = await tools(client, thread_id)
    assert results["send_email"]["content"] == "sent it by hand" and results["send_email"]["status"] == "success"
    assert "Deleted /tmp/report.txt" in results["delete_file"]["content"]
    assert (await client.threads.get(thread_id)).status == "idle"


async def test_interrupt_picks_one_of_two_parallel_interrupts(server_url: str, client: LangGraphClient) -> None:
    thread_id = await ask(client, "parallel", "plan the meeting")
    waiting = await pending(client, thread_id)
    day = next(i for i, v in waiting.items() if "day" in v["question"])
    notes = next(i for i in waiting if i != day)

    code, _, err = await cli(server_url, "stream", "--thread", thread_id, "--interrupt", day, "--resume", "Tuesday")
    assert code == EXIT_CODES["interrupted"], err
    assert list(await pending(client, thread_id)) == [notes]  # the same id, still waiting
    assert (await client.threads.get(thread_id)).status == "interrupted"

    code, out, err = await cli(server_url, "stream", "--thread", thread_id, "--resume", "Ana")  # the one left
    assert code == EXIT_CODES["success"], err
    assert "**Tuesday**" in out and "**Ana**" in out


async def test_a_resume_keyed_by_pending_ids_answers_several_at_once(server_url: str, client: LangGraphClient) -> None:
    thread_id = await ask(client, "parallel", "plan the meeting")
    waiting = await pending(client, thread_id)
    answers = {i: ("Monday" if "day" in v["question"] else "Bob") for i, v in waiting.items()}
    code, out, err = await cli(server_url, "stream", "--thread", thread_id, "--resume", json.dumps(answers))
    assert code == EXIT_CODES["success"], err
    assert "**Monday**" in out and "**Bob**" in out


async def test_an_answer_the_server_refused_can_be_decided_again(server_url: str, client: LangGraphClient) -> None:
    """`--resume` is sent as given: a per-call answer the server refuses (before saving it) leaves the thread in
    `error` with the interrupt still pending in its state, and `--decide` answers it from there."""
    thread_id = await ask(client, "approvals_per_call", "delete /tmp/x.log")
    wrong = {"type": "edit", "edited_action": {"name": "delete_file", "args": {}}}
    code, _, err = await cli(server_url, "stream", "--thread", thread_id, "--resume", json.dumps(wrong))
    assert code == EXIT_CODES["run_error"] and "ValidationError" in err
    assert (await client.threads.get(thread_id)).status == "error" and await pending(client, thread_id)

    code, _, err = await cli(server_url, "stream", "--thread", thread_id, "--decide", "approve")
    assert code == EXIT_CODES["success"], err
    assert "Deleted /tmp/x.log" in (await tools(client, thread_id))["delete_file"]["content"]
    assert (await client.threads.get(thread_id)).status == "idle"


async def test_a_new_message_drops_the_pending_interrupt_and_says_so(server_url: str, client: LangGraphClient) -> None:
    thread_id = await ask(client, "approvals", "email bob")
    code, out, err = await cli(server_url, "stream", "--thread", thread_id, "--json", "look up carol")
    assert code == EXIT_CODES["success"], err
    assert "drops the thread's 1 pending interrupt(s)" in err
    assert json.loads(out)["interrupts"] == [] and await pending(client, thread_id) == {}  # as the server says


# -- refused before anything is sent ----------------------------------------------------------------


@pytest.fixture(scope="module")
async def waiting_threads(server_url: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """One thread of each kind, waiting (never answered: the refusals below send nothing)."""
    async with LangGraphClient(server_url) as client:
        made = {}
        for name, assistant in (("batched", "approvals"), ("per_call", "approvals_per_call"), ("parallel", "parallel")):
            thread_id = await ask(client, assistant, EMAIL_AND_DELETE)
            made[name] = (thread_id, await pending(client, thread_id))
        return made


def _interrupt_of(waiting: dict[str, Any], tool: str) -> str:
    return next(i for i, v in waiting.items() if v.get("name") == tool)


REFUSALS: list[tuple[str, str, list[str], str]] = [
    # (id, thread kind, arguments after --thread, what the one line says)
    ("wrong-count", "batched", ["--decide", "approve"], "2 gated calls need 2 decision(s), in order; 1 given"),
    ("too-many", "batched", ["--decide", "approve"] * 3, "2 gated calls need 2 decision(s), in order; 3 given"),
    (
        "not-allowed",
        "batched",
        ["--decide", "approve", "--decide", 'edit={"path": "/tmp/y"}'],
        "delete_file (call 2) allows approve, reject, not edit",
    ),
    ("bad-json", "batched", ["--decide", "approve", "--decide", "edit={path"], "must be the arguments as JSON"),
    ("no-decision", "batched", ["--decide", "maybe", "--decide", "approve"], "'maybe' is no decision"),
    ("several-pending", "per_call", ["--decide", "approve"], "2 interrupts are pending"),
    ("several-pending-resume", "parallel", ["--resume", "Tuesday"], "pick one with --interrupt ID"),
    ("unknown-interrupt", "per_call", ["--interrupt", "deadbeef", "--decide", "approve"], "no pending interrupt"),
    ("not-allowed-per-call", "per_call", ["--interrupt", "@delete_file", "--decide", "respond=hi"], "not respond"),
    (
        "edit-schema",
        "per_call",
        ["--interrupt", "@send_email", "--decide", 'edit={"to": "x"}'],
        "'subject' is required",
    ),
    ("decide-on-a-value", "parallel", ["--interrupt", "@first", "--decide", "approve"], "asks for a value"),
    ("decide-and-resume", "batched", ["--decide", "approve", "--resume", "1"], "either --decide or --resume"),
    ("decide-and-message", "batched", ["--decide", "approve", "hello"], "either a MESSAGE or --decide"),
    ("interrupt-alone", "batched", ["--interrupt", "x", "hello"], "add --decide DECISION or --resume JSON"),
]


@pytest.mark.parametrize(("kind", "args", "says"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS])
async def test_refused_answers_send_nothing(
    proxy: FaultProxy,
    client: LangGraphClient,
    waiting_threads: dict[str, tuple[str, dict[str, Any]]],
    kind: str,
    args: list[str],
    says: str,
) -> None:
    thread_id, waiting = waiting_threads[kind]
    picks = {"@first": next(iter(waiting))} | {f"@{v['name']}": i for i, v in waiting.items() if "name" in v}
    args = [picks.get(a, a) for a in args]
    runs_before = len(await client.runs.list(thread_id, limit=100))
    code, out, err = await cli(proxy.url, "stream", "--thread", thread_id, *args)
    assert code == EXIT_CODES["usage"], err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], err
    assert out == ""
    assert proxy.requests("POST") == []  # no run, no state update: nothing was sent
    assert all("/runs" not in r.path for r in proxy.log)
    if proxy.log:  # refused after reading the thread's state (a bad argument is refused before any request)
        assert proxy.requests("GET", rf"/threads/{thread_id}/state$")
    assert await pending(client, thread_id) == waiting  # untouched
    assert (await client.threads.get(thread_id)).status == "interrupted"
    assert len(await client.runs.list(thread_id, limit=100)) == runs_before


async def test_refusals_read_the_state_and_bad_arguments_need_no_server(
    proxy: FaultProxy, waiting_threads: dict[str, tuple[str, dict[str, Any]]]
) -> None:
    thread_id, _ = waiting_threads["batched"]
    code, _, _ = await cli(proxy.url, "stream", "--thread", thread_id, "--decide", "approve")
    assert code == EXIT_CODES["usage"] and proxy.requests("GET", rf"/threads/{thread_id}/state$")
    proxy.log.clear()
    code, _, _ = await cli(proxy.url, "stream", "--thread", thread_id, "--decide", "edit=[1]", "--decide", "approve")
    assert code == EXIT_CODES["usage"] and proxy.log == []


# -- the inbox ----------------------------------------------------------------------------------------


async def test_inbox_lists_waiting_threads_newest_first_not_cancelled_or_finished(
    server_url: str, client: LangGraphClient
) -> None:
    older = await ask(client, "approvals_per_call", "delete /tmp/x.log")
    newer = await ask(client, "approvals", "email bob")
    finished = await ask(client, "agent", "hello")
    cancelled = (await client.threads.create()).thread_id
    run = await client.runs.create(
        cancelled, "agent", input={"messages": [{"role": "user", "content": "slow"}]}, context={"delay_ms": 200}
    )
    await until(lambda: client.runs.get(cancelled, run.run_id), lambda r: r.status == "running")
    await client.runs.cancel(cancelled, run.run_id, wait=True)
    assert (await client.threads.get(cancelled)).status == "interrupted"  # the status alone would list it

    code, out, err = await cli(server_url, "inbox", "--json", "--limit", "200")
    assert code == 0, err
    rows = json.loads(out)
    ids = [row["thread_id"] for row in rows]
    assert finished not in ids and cancelled not in ids
    assert ids.index(newer) < ids.index(older)  # newest first
    row = rows[ids.index(newer)]
    assert sorted(row) == ["interrupts", "kind", "preview", "since", "status", "thread_id"]
    assert (row["kind"], row["preview"], row["status"]) == ("hitl", "send_email", "interrupted")
    (interrupt,) = row["interrupts"]
    assert interrupt["kind"] == "hitl" and [a["name"] for a in interrupt["actions"]] == ["send_email"]
    assert interrupt["id"] in await pending(client, newer)
    assert rows[ids.index(older)]["interrupts"][0]["actions"][0]["allowed"] == ["approve", "reject"]

    code, out, err = await cli(server_url, "inbox", "--limit", "2")
    assert code == 0, err
    first = out.splitlines()[0]
    assert first.startswith(f"{newer}  ") and " ago)  hitl " in first and first.endswith("send_email")
    assert len(out.splitlines()) <= 2


async def test_inbox_refused_is_exit_4_with_one_line_and_no_key(proxy: FaultProxy) -> None:
    proxy.add(method="POST", path=r"/threads/search$", action="respond", status=401, body=b'{"detail": "bad key"}')
    key = "lsv2_pt_inbox_secret_0001"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chat_tui",
        "inbox",
        "--url",
        proxy.url,
        "--api-key-env",
        "INBOX_TEST_KEY",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env={**os.environ, "INBOX_TEST_KEY": key},
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == EXIT_CODES["connection"] and out == b""
    assert len(err.decode().strip().splitlines()) == 1 and "authentication failed" in err.decode()
    assert key not in err.decode() and proxy.requests("POST")[0].headers.get("x-api-key") == key


async def test_an_interrupt_inside_a_subgraph_prints_once_and_its_answer_continues(
    server_url: str, client: LangGraphClient
) -> None:
    from chat_tui.demo.nested import PUBLISHED, QUESTION

    code, out, err = await cli(server_url, "stream", "--assistant", "nested_approval", "--subgraphs", "go")
    assert code == EXIT_CODES["interrupted"], err
    assert out.count(QUESTION) == 1  # streamed twice (in the subgraph's namespace, then at the root)
    assert "[researcher › research_llm]" in out and "Research findings" in out
    thread_id = err.split("thread ", 1)[1].split()[0]
    (interrupt_id,) = await pending(client, thread_id)
    code, out, err = await cli(server_url, "stream", "--thread", thread_id, "--subgraphs", "--resume", '"yes"')
    assert code == EXIT_CODES["success"], err
    assert PUBLISHED in out and QUESTION not in out
    runs = await client.runs.list(thread_id)
    assert len(runs) == 2 and [r.resume[1] for r in runs if r.resume[0]] == [{interrupt_id: "yes"}]
    assert await pending(client, thread_id) == {}
