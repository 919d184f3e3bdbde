"""`chat-tui test` runs against the real demo server, with the fault proxy where the server must misbehave:
back-off on 429/503, a turn timeout that ends promptly when no run streams yet (and cancels the run
the server did start), `status: cancelled`, the per-turn `request` in JSONL, `test record` for every
turn kind, the reports written when nothing could run, and a JUnit `<error>` for one run's
infrastructure error."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar
from xml.etree import ElementTree as ET

import httpx
import pytest
import yaml

from tests.faults.proxy import FaultProxy
from tests.support.cli import cli

pytestmark = pytest.mark.server

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "tests"
RUN_STREAM = r"/runs/stream$"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def suite_file(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


async def until(fetch: Callable[[], Awaitable[T]], done: Callable[[T], bool], timeout: float = 20.0) -> T:
    """Fetch again (briefly apart) until *done* says yes; fail after *timeout* seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = await fetch()
        if done(value):
            return value
        assert time.monotonic() < deadline, f"still {value!r} after {timeout} s"
        await asyncio.sleep(0.05)


# back-off and timeouts ----------------------------------------------------------------------------


async def test_429_and_503_are_waited_out_and_the_run_passes(proxy: FaultProxy, tmp_path: Path) -> None:
    proxy.add(method="POST", path=r"/threads$", action="respond", status=429, headers={"retry-after": "1"})
    proxy.add(method="POST", path=RUN_STREAM, action="respond", status=503, body=b'{"detail": "busy"}')
    jsonl = tmp_path / "r.jsonl"
    code, out, err = await cli("test", str(EXAMPLES), "--url", proxy.url, "-k", "weather-sf", "--jsonl", str(jsonl))
    assert code == 0, out + err
    assert out.splitlines()[1] == "."
    (run,) = [line for line in read_jsonl(jsonl) if line["type"] == "run"]
    assert run["status"] == "pass" and run["error"] is None
    assert len(proxy.requests("POST", r"/threads$")) == 2 and len(proxy.requests("POST", RUN_STREAM)) == 2
    # the thread was created once (its id is chosen by the runner), with one run
    async with httpx.AsyncClient(base_url=proxy.url) as http:
        runs = (await http.get(f"/threads/{run['thread_id']}/runs")).json()
    assert len(runs) == 1 and runs[0]["status"] == "success"


async def test_a_timeout_while_backing_off_ends_the_turn_at_once(proxy: FaultProxy, tmp_path: Path) -> None:
    """Before the fix the turn waited for its retries (and then 30 s of cancel grace) with nothing to cancel."""
    proxy.add(method="POST", path=RUN_STREAM, action="respond", status=429, headers={"retry-after": "5"}, times=99)
    suite = suite_file(tmp_path, "version: 1\nscenarios:\n  - id: late\n    turn_timeout: 1\n    turns: [{user: hi}]\n")
    jsonl = tmp_path / "r.jsonl"
    started = time.monotonic()
    code, out, err = await cli("test", str(suite), "--url", proxy.url, "--jsonl", str(jsonl))
    took = time.monotonic() - started
    assert code == 4, out + err  # the server's doing: an infrastructure error
    assert took < 10, took
    (run,) = [line for line in read_jsonl(jsonl) if line["type"] == "run"]
    assert (run["status"], run["infrastructure"]) == ("error", True)
    assert run["error"].startswith("turn 1: no run started within turn_timeout (1 s) (the server answered: ")
    assert "HTTP 429" in run["error"]
    assert len(proxy.requests("POST", RUN_STREAM)) == 1  # (the next try was 5 s away)
    async with httpx.AsyncClient(base_url=proxy.url) as http:
        assert (await http.get(f"/threads/{run['thread_id']}/runs")).json() == []


async def test_a_timeout_before_the_stream_answers_cancels_the_run_the_server_started(
    proxy: FaultProxy, server_url: str, tmp_path: Path
) -> None:
    """The server made the run but its answer is held back: nothing streams here to cancel, so the
    runner ends the send itself and cancels the run it finds in the thread."""
    proxy.add(method="POST", path=RUN_STREAM, action="pass", head_delay=20)
    suite = suite_file(
        tmp_path, "version: 1\nscenarios:\n  - id: held\n    turn_timeout: 1\n    turns: [{user: slow please}]\n"
    )
    jsonl = tmp_path / "r.jsonl"
    started = time.monotonic()
    code, out, err = await cli("test", str(suite), "--url", proxy.url, "--jsonl", str(jsonl))
    took = time.monotonic() - started
    assert code == 4, out + err
    assert took < 12, took  # not turn_timeout + 30 s of grace
    (run,) = [line for line in read_jsonl(jsonl) if line["type"] == "run"]
    assert run["error"] == "turn 1: no run started within turn_timeout (1 s)"
    async with httpx.AsyncClient(base_url=server_url) as http:

        async def runs() -> list[dict[str, Any]]:
            return list((await http.get(f"/threads/{run['thread_id']}/runs")).json())

        (server_run,) = await until(runs, lambda found: len(found) == 1 and found[0]["status"] != "running")
    assert server_run["status"] == "interrupted"  # cancelled on the server, not left to finish
    assert run["run_ids"] == [server_run["run_id"]]


async def test_a_run_cancelled_elsewhere_is_status_cancelled(
    proxy: FaultProxy, server_url: str, tmp_path: Path
) -> None:
    """A script cannot cancel its own run (a turn past turn_timeout is an error); `cancelled` is what a
    turn sees when someone else cancels its run: here, as soon as the server names it."""
    cancels: list[asyncio.Task[httpx.Response]] = []

    async def cancel(location: str) -> httpx.Response:
        async with httpx.AsyncClient(base_url=server_url) as http:
            return await http.post(f"{location}/cancel", params={"action": "interrupt"})

    def on_head(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        location = next(v for k, v in headers if k.lower() == "content-location")
        cancels.append(asyncio.get_running_loop().create_task(cancel(location.split("/stream")[0])))
        return headers

    proxy.add(method="POST", path=RUN_STREAM, rewrite_headers=on_head)
    suite = suite_file(
        tmp_path,
        "version: 1\nscenarios:\n  - id: stopped\n    turns:\n      - user: slow please\n"
        "        expect: {status: cancelled}\n",
    )
    jsonl = tmp_path / "r.jsonl"
    code, out, err = await cli("test", str(suite), "--url", proxy.url, "--jsonl", str(jsonl))
    assert code == 0, out + err
    assert [(await task).status_code for task in cancels] == [202]
    (run,) = [line for line in read_jsonl(jsonl) if line["type"] == "run"]
    assert run["turns"][0]["status"] == "cancelled"


# what a turn sent, and a thread recorded as a test ------------------------------------------------


async def test_each_turn_s_request_in_jsonl_is_what_the_server_got(server_url: str, tmp_path: Path) -> None:
    jsonl = tmp_path / "r.jsonl"
    code, out, err = await cli("test", str(EXAMPLES), "--url", server_url, "-k", "two-questions", "--jsonl", str(jsonl))
    assert code == 0, out + err
    (run,) = [line for line in read_jsonl(jsonl) if line["type"] == "run"]
    first, second = run["turns"]
    async with httpx.AsyncClient(base_url=server_url) as http:
        listed = (await http.get(f"/threads/{run['thread_id']}/runs")).json()
    created = {r["run_id"]: r["kwargs"] for r in listed}
    assert first["request"] == {"input": {"messages": [{"role": "user", "content": "plan the meeting"}]}}
    assert created[first["run_id"]]["input"] == first["request"]["input"]
    # the answers, keyed by the ids of the interrupts that were pending (the script matched them by question)
    resume = second["request"]["command"]["resume"]
    assert created[second["run_id"]]["command"]["resume"] == resume
    by_question = {i["value"]["question"]: i["id"] for i in first["interrupts"]}
    assert resume.pop(by_question.pop("Who should take the notes?")) == "Ada"
    assert list(resume.values()) == ["Tuesday"] and list(resume) == list(by_question.values())


MAKE_THREADS = """\
version: 1
scenarios:
  - id: with-decisions
    assistant: approvals
    turns:
      - user: email bob and delete the report
      - decide: [{edit: {to: bob@example.com, subject: Done, body: "The report is done."}}, {reject: keep it}]
  - id: with-input-config-and-resume
    assistant: agent
    turns:
      - input: {messages: [{type: human, content: [{type: text, text: delete the report}]}]}
        config: {configurable: {model_name: recorded-model}}
      - resume: "yes"
"""


async def test_record_writes_decide_resume_input_and_config_turns_that_replay(server_url: str, tmp_path: Path) -> None:
    jsonl = tmp_path / "r.jsonl"
    code, out, err = await cli(
        "test", str(suite_file(tmp_path, MAKE_THREADS)), "--url", server_url, "--jsonl", str(jsonl)
    )
    assert code == 0, out + err
    threads = {line["scenario"]: line["thread_id"] for line in read_jsonl(jsonl) if line["type"] == "run"}
    recorded: dict[str, dict[str, Any]] = {}
    for name, thread_id in threads.items():
        path = tmp_path / f"{name}.rec.yaml"
        code, _, err = await cli("test", "record", "--url", server_url, "--thread", thread_id, "-o", str(path))
        assert code == 0, err
        recorded[name] = yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"][0]
    decided = recorded["with-decisions"]
    assert decided["assistant"] == "approvals"
    assert [next(iter(turn)) for turn in decided["turns"]] == ["user", "decide"]
    assert decided["turns"][1]["decide"] == [
        {"edit": {"to": "bob@example.com", "subject": "Done", "body": "The report is done."}},
        {"reject": "keep it"},
    ]
    other = recorded["with-input-config-and-resume"]
    first, second = other["turns"]
    assert first["input"] == {
        "messages": [{"type": "human", "content": [{"type": "text", "text": "delete the report"}]}]
    }
    assert first["config"] == {"configurable": {"model_name": "recorded-model"}}
    assert first["expect"]["status"] == "interrupted" and second["resume"] == "yes"
    assert second["expect"]["status"] == "success"
    # each replays on a new thread and passes
    code, out, err = await cli(
        "test",
        str(tmp_path / "with-decisions.rec.yaml"),
        str(tmp_path / "with-input-config-and-resume.rec.yaml"),
        "--url",
        server_url,
    )
    assert code == 0, out + err


# reports when nothing ran, and one run's infrastructure error ------------------------------------


def reports(tmp_path: Path) -> tuple[list[str], Path, Path, Path]:
    junit, jsonl, md = tmp_path / "r.xml", tmp_path / "r.jsonl", tmp_path / "r.md"
    return ["--junit", str(junit), "--jsonl", str(jsonl), "--md", str(md)], junit, jsonl, md


@pytest.mark.parametrize(
    ("case", "code", "name", "kind", "reason"),
    [
        ("unreachable", 4, "server-unreachable", "InfrastructureError", "127.0.0.1:9"),
        ("unknown-assistant", 2, "invalid-or-unknown", "UsageError", "the server has no assistant 'nope'"),
        (
            "nothing-selected",
            5,
            "nothing-selected",
            "NothingSelected",
            "no scenario selected by -k/--tag (11 in 1 file(s))",
        ),
    ],
)
async def test_reports_are_written_when_nothing_could_run(
    proxy: FaultProxy, tmp_path: Path, case: str, code: int, name: str, kind: str, reason: str
) -> None:
    flags, junit, jsonl, md = reports(tmp_path)
    paths, url, extra = [str(EXAMPLES)], proxy.url, ["-k", "weather-sf"]
    if case == "unreachable":
        url = "http://127.0.0.1:9"
    elif case == "unknown-assistant":
        paths = [
            str(suite_file(tmp_path, "version: 1\nscenarios:\n  - {id: a, assistant: nope, turns: [{user: hi}]}\n"))
        ]
        extra = []
    else:
        extra = ["-k", "no-such-scenario"]
    got, out, err = await cli("test", *paths, "--url", url, *extra, *flags)
    assert got == code, out + err
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "1")
    (case_element,) = root.iter("testcase")
    error = case_element.find("error")
    assert case_element.get("name") == name and error is not None and error.get("type") == kind
    assert reason in (error.get("message") or "")
    (line,) = read_jsonl(jsonl)
    assert (line["type"], line["exit_code"], line["runs"]) == ("suite", code, 0) and reason in line["reason"]
    text = md.read_text(encoding="utf-8")
    assert text.startswith(f"**chat-tui test ran nothing** (exit {code}): ") and len(text.splitlines()) == 1
    assert proxy.requests("POST", RUN_STREAM) == []


async def test_one_run_s_infrastructure_error_is_a_junit_error_beside_passing_runs(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    proxy.add(method="POST", path=r"/threads$", action="respond", status=500, body=b'{"detail": "boom"}')
    flags, junit, _, _ = reports(tmp_path)
    code, out, err = await cli(
        "test", str(EXAMPLES), "--url", proxy.url, "-k", "weather-sf", "--repeat", "5", "-j", "1", *flags
    )
    assert code == 0, out + err  # 1 of 5 runs: not more than 20%, and the other four passed
    assert sorted(out.splitlines()[1]) == sorted("E....")
    (case,) = ET.parse(junit).getroot().iter("testcase")
    error = case.find("error")
    assert case.find("failure") is None and error is not None and error.get("type") == "InfrastructureError"
    assert (error.get("message") or "").startswith("1 of 5 run(s) hit an infrastructure error: run 1 (thread -): ")


@pytest.mark.slow  # (the client's rejoins and reads back off for ~20 s before it gives up)
async def test_a_run_whose_end_cannot_be_learned_is_an_infrastructure_error_not_a_pass_or_a_fail(
    proxy: FaultProxy, tmp_path: Path
) -> None:
    """The stream is cut and the server then answers nothing but 500: the turn could not complete. Before
    the fix that was an `F` (a failed status check); it is an `E`, and the server's fault (exit 4)."""
    proxy.add(method="POST", path=RUN_STREAM, action="cut", after=300)
    proxy.add(method="GET", path=r"/threads/", action="respond", status=500, body=b'{"detail": "down"}', times=999)
    jsonl = tmp_path / "r.jsonl"
    code, out, err = await cli("test", str(EXAMPLES), "--url", proxy.url, "-k", "weather-sf", "--jsonl", str(jsonl))
    assert code == 4, out + err
    assert out.splitlines()[1] == "E"
    (run,) = [line for line in read_jsonl(jsonl) if line["type"] == "run"]
    assert (run["status"], run["infrastructure"]) == ("error", True)
    assert run["error"].startswith("turn 1 could not complete (expected success): "), run["error"]
    assert "HTTP 500" in run["error"]
