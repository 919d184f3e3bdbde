"""Every REST call the app makes, answering a body of an unexpected shape: one readable line, and
the app goes on.

For each call, one app runs against the real demo server behind the fault proxy. The proxy
lets the request reach the server (so what it does still happens) and replaces the answer
with each of these bodies in turn: ``{}``, ``[]``, ``"x"``, ``null``, a 200 ``text/plain``
page, the server's own answer cut in half, and an object where a list belongs. Each time,
the UI action that makes the call shows exactly one line (a notification, or the line of
the dialog it opened) saying the server answered in a shape chat-tui does not understand,
naming the host only. Where a body is a correct answer (``[]`` for a search, any object for
``/info``, any body for a delete or a cancel, whose answers are not read) the action shows
what it shows for that answer. Afterwards, with the server's own answers again, the same
action works and a message sends.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, OptionList, Static

from chat_tui.client import LangGraphClient
from chat_tui.client.errors import NotFound
from chat_tui.conversation import RunOutcome
from chat_tui.ui.app import ChatApp
from chat_tui.ui.screens.chat import ChatScreen
from chat_tui.ui.screens.dialogs import TextPromptScreen
from tests.faults.proxy import FaultProxy, Rule
from tests.support.pilot import connected, make_app, run_finished, send, wait_until
from tests.support.threads import long_thread

pytestmark = pytest.mark.server
SIZE = (120, 40)
SHAPE = "answered in a shape chat-tui does not understand"
SLOW = {"delay_ms": 12}  # the `slow` script then runs for seconds: time to cancel it


def _cut(real: bytes) -> bytes:
    """The first half of a real answer; a short one (a count such as ``11``, whose half ``1`` is still
    valid JSON) becomes the start of an object that never ends."""
    return real[: len(real) // 2] if len(real) >= 4 else b'{"cut'


@dataclass(frozen=True)
class Body:
    data: bytes
    content_type: str = "application/json"
    truncated: bool = False  # the server's own answer, cut in half

    def rule(self, method: str, path: str) -> Rule:
        return Rule(
            method=method,
            path=path,
            action="replace",
            times=10_000,
            body=self.data,
            headers={"content-type": self.content_type},
            transform=_cut if self.truncated else None,
        )


BODIES = {
    "{}": Body(b"{}"),
    "[]": Body(b"[]"),
    '"x"': Body(b'"x"'),
    "null": Body(b"null"),
    "text/plain": Body(b"the upstream proxy says hello", "text/plain; charset=utf-8"),
    "truncated": Body(b"", truncated=True),
    # An object where a list belongs (a paginated wrapper): this made F2 end the app.
    '{"items": []}': Body(b'{"items": []}'),
}


@dataclass
class Ctx:
    pilot: Pilot[Any]
    app: ChatApp
    screen: ChatScreen
    proxy: FaultProxy
    client: LangGraphClient  # straight to the server, for setting things up
    lines: list[tuple[str, str, bool]] = field(default_factory=list)  # every notification: text, severity, markup
    thread_id: str = ""
    run_id: str = ""
    threads: list[str] = field(default_factory=list)
    extra_rules: list[Rule] = field(default_factory=list)

    def notified(self, since: int) -> list[str]:
        return [text for text, _severity, _markup in self.lines[since:]]


Step = Callable[[Ctx], Awaitable[list[str]]]


@dataclass(frozen=True)
class Case:
    """One REST call: how the UI makes it, and what it shows for the bodies that are a correct answer."""

    method: str
    path: str  # a regular expression, searched in the request's path
    act: Step  # make the call from the UI; the lines it showed
    setup: Callable[[Ctx], Awaitable[None]] | None = None
    after: Callable[[Ctx], Awaitable[None]] | None = None  # with the server's answers: the action works
    valid: Mapping[str, str | None] = field(default_factory=dict)  # body -> the line shown (None: no line)


# -- the UI actions -------------------------------------------------------------------------------


def _text(widget: Static) -> str:
    return str(widget.render())


def _idle(app: ChatApp, group: str) -> bool:
    return not any(w.group == group and not w.is_finished for w in app.workers)


async def _settled(ctx: Ctx, group: str, what: str) -> None:
    rule = ctx.proxy.rules[-1] if ctx.proxy.rules else None
    await wait_until(ctx.pilot, lambda: (rule is None or rule.fired) and _idle(ctx.app, group), what=what)
    await ctx.pilot.pause(0.05)  # (a failure the worker policy reports comes just after)


async def _threads_loaded(ctx: Ctx, *thread_ids: str) -> None:
    ctx.screen.load_threads()
    await wait_until(
        ctx.pilot,
        lambda: all(t in {x.thread_id for x in ctx.screen.threads.threads} for t in thread_ids),
        what="the threads listed",
    )
    await ctx.pilot.pause()


async def _highlight(ctx: Ctx, thread_id: str) -> None:
    threads = ctx.screen.threads
    threads.focus()
    threads.highlighted = threads.get_option_index(thread_id)
    await ctx.pilot.pause()


async def _a_thread(ctx: Ctx) -> None:
    ctx.thread_id = await long_thread(ctx.client, 2, tool_every=0)
    await _threads_loaded(ctx, ctx.thread_id)


async def _a_thread_with_a_run(ctx: Ctx) -> None:
    """A thread with a run of its own (it has ended by the time the thread opens for real)."""
    await _a_thread(ctx)
    echo = {"messages": [{"role": "user", "content": "echo"}]}
    ctx.run_id = (await ctx.client.runs.create(ctx.thread_id, "agent", input=echo)).run_id


async def open_thread(ctx: Ctx) -> list[str]:
    since = len(ctx.lines)
    await _highlight(ctx, ctx.thread_id)
    await ctx.pilot.press("enter")
    await _settled(ctx, "open-thread", "the thread to open (or not)")
    assert "loading thread" not in _text(ctx.screen.status), "the status line is stuck on loading"
    return ctx.notified(since)


async def opened(ctx: Ctx) -> None:
    await open_thread(ctx)
    assert ctx.screen.conversation.thread_id == ctx.thread_id
    assert [m.text for m in ctx.screen.conversation.messages if m.role == "human"][:2] == ["question 0", "question 1"]


async def open_with_a_remembered_run(ctx: Ctx) -> list[str]:
    session = ctx.app.service
    assert session is not None
    session.userdata.set_active_run(session.data_key, ctx.thread_id, ctx.run_id)
    return await open_thread(ctx)


async def opened_and_the_finished_run_forgotten(ctx: Ctx) -> None:
    deadline = time.monotonic() + 30
    while (await ctx.client.runs.get(ctx.thread_id, ctx.run_id)).status in ("pending", "running"):
        assert time.monotonic() < deadline, "the thread's run did not end"
        await ctx.pilot.pause(0.1)
    assert await open_with_a_remembered_run(ctx) == []
    session = ctx.app.service
    assert session is not None and session.userdata.active_run(session.data_key, ctx.thread_id) is None


async def _seen_busy(ctx: Ctx) -> None:
    """The thread's own answer says it is busy, so opening it asks for its running run."""
    await _a_thread(ctx)

    def busy(piece: bytes) -> bytes:
        return piece.replace(b'"status":"idle"', b'"status":"busy"')

    ctx.extra_rules.append(Rule(method="GET", path=rf"^/threads/{ctx.thread_id}$", times=10_000, transform=busy))


async def refresh_threads(ctx: Ctx) -> list[str]:
    since = len(ctx.lines)
    ctx.screen.threads.focus()
    await ctx.pilot.press("f5")
    await _settled(ctx, "threads", "the thread list to refresh")
    return ctx.notified(since)


async def refreshed(ctx: Ctx) -> None:
    assert await refresh_threads(ctx) == []
    assert ctx.thread_id in {t.thread_id for t in ctx.screen.threads.threads}


async def rename_thread(ctx: Ctx) -> list[str]:
    since = len(ctx.lines)
    await _highlight(ctx, ctx.thread_id)
    await ctx.pilot.press("r")
    await wait_until(ctx.pilot, lambda: isinstance(ctx.app.screen, TextPromptScreen), what="the rename prompt")
    ctx.app.screen.query_one(Input).value = "renamed through the proxy"
    await ctx.pilot.press("enter")
    await _settled(ctx, "rename", "the rename")
    return ctx.notified(since)


async def renamed(ctx: Ctx) -> None:
    assert await rename_thread(ctx) == []
    assert ctx.screen.threads.title_of(ctx.thread_id) == "renamed through the proxy"


async def _threads_to_delete(ctx: Ctx) -> None:
    ctx.threads = [await long_thread(ctx.client, 1, tool_every=0) for _ in range(len(BODIES) + 1)]
    await _threads_loaded(ctx, *ctx.threads)


async def delete_thread(ctx: Ctx) -> list[str]:
    since = len(ctx.lines)
    ctx.thread_id = ctx.threads.pop()
    await _highlight(ctx, ctx.thread_id)
    await ctx.pilot.press("d")
    await wait_until(ctx.pilot, lambda: ctx.app.screen is not ctx.screen, what="the confirmation")
    await ctx.pilot.press("y")
    await _settled(ctx, "delete", "the delete")
    return ctx.notified(since)


async def deleted(ctx: Ctx) -> None:
    assert await delete_thread(ctx) == ["thread deleted"]
    assert ctx.thread_id not in {t.thread_id for t in ctx.screen.threads.threads}
    with pytest.raises(NotFound):
        await ctx.client.threads.get(ctx.thread_id)


async def cancel_run(ctx: Ctx) -> list[str]:
    session = ctx.app.service
    assert session is not None
    session.context = SLOW
    await send(ctx.pilot, "slow please")
    conversation = ctx.screen.conversation
    await wait_until(ctx.pilot, lambda: session.live and conversation.run and conversation.run.run_id, what="the run")
    since = len(ctx.lines)
    await ctx.pilot.press("escape")
    run = await run_finished(ctx.pilot, timeout=30)
    session.context = None
    assert run.outcome is RunOutcome.CANCELLED  # the server did cancel it: the request reached it
    return ctx.notified(since)


async def pick_assistant(ctx: Ctx) -> list[str]:
    from chat_tui.ui.screens.assistants import AssistantPicker

    since = len(ctx.lines)
    await ctx.pilot.press("f2")
    await wait_until(ctx.pilot, lambda: isinstance(ctx.app.screen, AssistantPicker), what="the picker")
    status = ctx.app.screen.query_one("#assistant-status", Static)
    await wait_until(ctx.pilot, lambda: _text(status) not in ("", "loading…"), what="the picker's list")
    await ctx.pilot.pause(0.1)
    listed = ctx.app.screen.query_one("#assistant-list", OptionList).option_count
    line = "(listed)" if listed else _text(status)
    await ctx.pilot.press("escape")
    await wait_until(ctx.pilot, lambda: ctx.app.screen is ctx.screen, what="the picker closed")
    return [line, *ctx.notified(since)]


async def picked(ctx: Ctx) -> None:
    assert await pick_assistant(ctx) == ["(listed)"]


async def configure_run(ctx: Ctx) -> list[str]:
    from chat_tui.ui.screens.run_config import RunConfigScreen

    since = len(ctx.lines)
    await ctx.pilot.press("f3")
    await wait_until(ctx.pilot, lambda: isinstance(ctx.app.screen, RunConfigScreen), what="the form")
    status = ctx.app.screen.query_one("#config-status", Static)
    await wait_until(ctx.pilot, lambda: "reading" not in _text(status) and _text(status), what="the schema")
    await ctx.pilot.pause(0.1)
    line = _text(status)
    await ctx.pilot.press("escape")
    await wait_until(ctx.pilot, lambda: ctx.app.screen is ctx.screen, what="the form closed")
    return [line, *ctx.notified(since)]


async def configured(ctx: Ctx) -> None:
    (line,) = await configure_run(ctx)
    assert "field(s) from the assistant's schema" in line


async def connection_test(ctx: Ctx) -> list[str]:
    """The connect screen's Test (``/ok``, then ``/info``, then ``assistants/count``)."""
    from chat_tui.ui.screens.connect import ConnectScreen

    if not isinstance(ctx.app.screen, ConnectScreen):
        ctx.app.choose_connection()
        await wait_until(ctx.pilot, lambda: isinstance(ctx.app.screen, ConnectScreen), what="the connect screen")
        ctx.app.screen.query_one("#url", Input).value = ctx.proxy.url
    since = len(ctx.lines)
    result = ctx.app.screen.query_one("#result", Static)
    result.update("")
    await ctx.pilot.press("ctrl+t")
    await wait_until(ctx.pilot, lambda: _text(result) not in ("", "testing…"), what="the test's result")
    await ctx.pilot.pause(0.1)
    return [_text(result), *ctx.notified(since)]


async def checked_and_closed(ctx: Ctx) -> None:
    (line,) = await connection_test(ctx)
    assert line.startswith(f"✓ 127.0.0.1:{ctx.proxy.port} answers: langgraph-api ")
    await ctx.pilot.press("escape")
    await wait_until(ctx.pilot, lambda: ctx.app.screen is ctx.screen, what="back to the chat")


OK_INFO = "answers: langgraph-api ?"  # (an empty /info object: a version unknown)

CASES: dict[str, Case] = {
    "GET /ok (Test on the connect screen)": Case("GET", r"^/ok", connection_test, after=checked_and_closed),
    "GET /info (Test)": Case(
        "GET", r"^/info", connection_test, after=checked_and_closed, valid={"{}": OK_INFO, '{"items": []}': OK_INFO}
    ),
    "POST /assistants/count (Test)": Case("POST", r"^/assistants/count", connection_test, after=checked_and_closed),
    "POST /threads/search (F5 in the sidebar)": Case(
        "POST", r"^/threads/search", refresh_threads, setup=_a_thread, after=refreshed, valid={"[]": None}
    ),
    "GET /threads/{id} (open a thread)": Case("GET", r"^/threads/[^/?]+$", open_thread, setup=_a_thread, after=opened),
    "GET /threads/{id}/state (open a thread)": Case(
        "GET", r"^/threads/[^/]+/state", open_thread, setup=_a_thread, after=opened
    ),
    "GET /threads/{id}/runs/{run} (open a thread whose run was remembered)": Case(
        "GET",
        r"^/threads/[^/]+/runs/[^/?]+$",
        open_with_a_remembered_run,
        setup=_a_thread_with_a_run,
        after=opened_and_the_finished_run_forgotten,
    ),
    "GET /threads/{id}/runs (open a busy thread)": Case(
        "GET", r"^/threads/[^/]+/runs(\?|$)", open_thread, setup=_seen_busy, valid={"[]": None}
    ),
    "PATCH /threads/{id} (rename in the sidebar)": Case(
        "PATCH", r"^/threads/[^/?]+$", rename_thread, setup=_a_thread, after=renamed
    ),
    "DELETE /threads/{id} (delete in the sidebar)": Case(
        "DELETE",
        r"^/threads/[^/?]+$",
        delete_thread,
        setup=_threads_to_delete,
        after=deleted,
        valid=dict.fromkeys(BODIES, "thread deleted"),
    ),
    "POST /threads/{id}/runs/{run}/cancel (Esc while streaming)": Case(
        "POST", r"/runs/[^/]+/cancel", cancel_run, valid=dict.fromkeys(BODIES, "cancelling the run…")
    ),
    "POST /assistants/search (F2)": Case(
        "POST",
        r"^/assistants/search",
        pick_assistant,
        after=picked,
        valid={"[]": "the server lists no assistants"},
    ),
    "GET /assistants/{id}/schemas (F3)": Case("GET", r"^/assistants/[^/]+/schemas", configure_run, after=configured),
}


@pytest.mark.parametrize("name", list(CASES))
async def test_an_unexpected_body_shows_one_line_and_the_app_goes_on(
    name: str, proxy: FaultProxy, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    case = CASES[name]
    host = f"127.0.0.1:{proxy.port}"
    app = make_app(proxy.url, user_dirs["data"])
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        screen = await connected(pilot)
        ctx = Ctx(pilot, app, screen, proxy, client)
        notify = app.notify

        def recording(message: str, *args: Any, **kwargs: Any) -> None:
            ctx.lines.append((str(message), kwargs.get("severity", "information"), kwargs.get("markup", True)))
            notify(message, *args, **kwargs)

        app.notify = recording  # type: ignore[method-assign]
        if case.setup is not None:
            await case.setup(ctx)
        for body_name, body in BODIES.items():
            rule = body.rule(case.method, case.path)
            proxy.rules[:] = [*ctx.extra_rules, rule]
            lines = await case.act(ctx)
            proxy.rules[:] = []
            assert rule.fired, f"{body_name}: the action did not make the call"
            expected = case.valid.get(body_name, SHAPE)
            if expected is None:
                assert lines == [], f"{body_name}: {lines}"
                continue
            assert len(lines) == 1, f"{body_name}: {lines}"
            (line,) = lines
            assert expected in line, f"{body_name}: {line}"
            assert "\n" not in line and len(line) <= 400
            if expected == SHAPE:
                assert host in line and "/threads" not in line and "/assistants" not in line
                assert not ctx.thread_id or ctx.thread_id not in line
        assert not any(markup for _text, _severity, markup in ctx.lines)  # (server text is never markup)
        ctx.extra_rules.clear()
        if case.after is not None:
            await case.after(ctx)
        await send(pilot, "echo after the faults")
        run = await run_finished(pilot)
        assert run.outcome is RunOutcome.SUCCESS
        assert app.is_running
