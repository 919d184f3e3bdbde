"""A server answer of an unexpected shape is an UnexpectedResponse: one line, the host only.

Every REST method of the client is asked against a transport that answers ``{}``, ``[]``,
``"x"``, ``null``, a 200 ``text/plain`` body and a truncated JSON document.
"""

from __future__ import annotations

import ast
import traceback
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from chat_tui.client import LangGraphClient
from chat_tui.client.auth import ApiKey, Secret
from chat_tui.client.errors import ClientError, UnexpectedResponse
from chat_tui.client.models import COUNT, JSON_OBJECT, GraphSchemas, Health, Thread, ThreadState
from chat_tui.client.responses import validated
from chat_tui.errors import ChatTuiError, SettingsError

KEY = "lsv2_sk_unit_test_secret_key_0123456789"
THREAD = "0a1b2c3d-0000-4000-8000-00000000000a"
RUN = "0a1b2c3d-0000-4000-8000-00000000000b"
HOST = "agents.example.test"
SHAPE = "answered in a shape chat-tui does not understand"

BODIES: dict[str, tuple[str, bytes]] = {
    "{}": ("application/json", b"{}"),
    "[]": ("application/json", b"[]"),
    '"x"': ("application/json", b'"x"'),
    "null": ("application/json", b"null"),
    "text/plain": ("text/plain; charset=utf-8", b"upstream says hello"),
    "truncated": ("application/json", b'{"thread_id": "0a1b2c3d-0000-40'),
}

Call = Callable[[LangGraphClient], Awaitable[Any]]

# Each REST method and the bodies that are a valid answer for it (an empty list is one for a
# search; any object is server info; every other body is of the wrong shape).
CALLS: dict[str, tuple[Call, set[str]]] = {
    "ok": (lambda c: c.ok(), set()),
    "info": (lambda c: c.info(), {"{}"}),
    "threads.create": (lambda c: c.threads.create(), set()),
    "threads.search": (lambda c: c.threads.search(), {"[]"}),
    "threads.count": (lambda c: c.threads.count(), set()),
    "threads.get": (lambda c: c.threads.get(THREAD), set()),
    "threads.update": (lambda c: c.threads.update(THREAD, metadata={"title": "t"}), set()),
    "threads.copy": (lambda c: c.threads.copy(THREAD), set()),
    "threads.get_state": (lambda c: c.threads.get_state(THREAD), set()),
    "threads.update_state": (lambda c: c.threads.update_state(THREAD, {"messages": []}), {"{}"}),
    "threads.get_history": (lambda c: c.threads.get_history(THREAD), {"[]"}),
    "runs.create": (lambda c: c.runs.create(THREAD, "agent", input={}), set()),
    "runs.get": (lambda c: c.runs.get(THREAD, RUN), set()),
    "runs.list": (lambda c: c.runs.list(THREAD), {"[]"}),
    "assistants.search": (lambda c: c.assistants.search(), {"[]"}),
    "assistants.count": (lambda c: c.assistants.count(), set()),
    "assistants.get": (lambda c: c.assistants.get(RUN), set()),
    "assistants.schemas": (lambda c: c.assistants.schemas(RUN), set()),
    "assistants.graph": (lambda c: c.assistants.graph(RUN), {"{}"}),
}


def answering(content_type: str, body: bytes) -> LangGraphClient:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers.get("x-api-key") == KEY  # the key was sent: it must not come back
        return httpx.Response(200, headers={"content-type": content_type}, content=body)

    key = ApiKey(Secret(KEY), "--api-key")
    return LangGraphClient(f"https://{HOST}", api_key=key, transport=httpx.MockTransport(handler), read_retries=0)


def assert_safe(error: UnexpectedResponse) -> None:
    """One line; the host and nothing of the path, the body or the key, in the message,
    the traceback or the locals of any frame it passed through."""
    message = str(error)
    assert "\n" not in message and HOST in message
    for secret in (KEY, THREAD, RUN, "/threads", "/assistants", "hello", "0a1b2c3d"):
        assert secret not in message
    assert error.__cause__ is None and error.__suppress_context__
    assert error.__context__ is None  # not even a suppressed validation error (it holds the body)
    assert KEY not in "".join(traceback.format_exception(error))
    frame = error.__traceback__
    while frame is not None:
        for value in frame.tb_frame.f_locals.values():
            assert KEY not in repr(value)
        frame = frame.tb_next


@pytest.mark.parametrize("body", list(BODIES))
@pytest.mark.parametrize("call", list(CALLS))
async def test_every_rest_call_turns_an_unexpected_body_into_one_safe_line(call: str, body: str) -> None:
    method, valid = CALLS[call]
    async with answering(*BODIES[body]) as client:
        if body in valid:
            await method(client)
            return
        with pytest.raises(UnexpectedResponse) as info:
            await method(client)
    assert SHAPE in str(info.value)
    assert_safe(info.value)


async def test_a_body_that_is_not_json_says_what_it_was() -> None:
    async with answering("text/html", b"<html>sign in</html>") as client:
        with pytest.raises(UnexpectedResponse, match=r"^open thread: agents\.example\.test .*\(text/html, not JSON\)$"):
            await client.threads.get(THREAD)
    async with answering("application/json", b'{"thread_id": "ab') as client:
        with pytest.raises(UnexpectedResponse, match=r"\(invalid JSON\)$"):
            await client.threads.get(THREAD)
    async with answering("", b'{"thread_id": "ab"}') as client:  # no content type: the body decides
        assert (await client.threads.get(THREAD)).thread_id == "ab"


async def test_an_empty_answer_is_a_shape_error_where_something_was_expected() -> None:
    async with answering("application/json", b"") as client:
        with pytest.raises(UnexpectedResponse):
            await client.threads.get_state(THREAD)
        with pytest.raises(UnexpectedResponse):
            await client.assistants.count()
        await client.threads.delete(THREAD)  # (whose answer is never read)
        await client.runs.cancel(THREAD, RUN)


@pytest.mark.parametrize(
    ("schema", "good", "bad"),
    [
        (Thread, {"thread_id": "t"}, [{}, [], "x", None, {"thread_id": 3}]),
        (ThreadState, {"values": {}}, [{}, [], "x", None]),
        (GraphSchemas, {"graph_id": "agent"}, [{}, [], "x", None]),
        (Health, {"ok": True}, [{}, [], "x", None]),
        (COUNT, 3, [{}, [], "x", None, "3", 2.5, True, -1]),
        (JSON_OBJECT, {}, [[], "x", None, 3]),
    ],
)
def test_validated_accepts_the_shape_and_refuses_others(schema: Any, good: Any, bad: list[Any]) -> None:
    validated(schema, good, what="read it", host=HOST)
    for data in bad:
        with pytest.raises(UnexpectedResponse) as info:
            validated(schema, data, what="read it", host=HOST)
        assert str(info.value) == f"read it: {HOST} {SHAPE}"
        assert info.value.host == HOST
        assert info.value.__context__ is None and info.value.__cause__ is None


def test_the_error_root_imports_nothing_and_the_demo_nothing_heavy_of_the_app() -> None:
    package = Path(__file__).resolve().parents[2] / "chat_tui"
    root = ast.parse((package / "errors.py").read_text(encoding="utf-8"))
    imports = [n for n in ast.walk(root) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert [getattr(n, "module", None) for n in imports] == ["__future__"]
    offenders = []
    for path in sorted((package / "demo").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                light = ("chat_tui.demo", "chat_tui.errors", "chat_tui.settings.paths")  # (where logs go)
                if name.startswith("chat_tui.") and not name.startswith(light):
                    offenders.append(f"{path.name} imports {name}")
    assert offenders == []


def test_one_root_for_the_projects_errors() -> None:
    from chat_tui.demo.launcher import DemoServerError
    from chat_tui.settings.model import InvalidSetting
    from chat_tui.settings.store import StoreError

    assert issubclass(UnexpectedResponse, ClientError) and issubclass(ClientError, ChatTuiError)
    assert issubclass(InvalidSetting, SettingsError) and issubclass(InvalidSetting, ValueError)
    assert issubclass(StoreError, SettingsError) and issubclass(SettingsError, ChatTuiError)
    assert issubclass(DemoServerError, ChatTuiError)
