"""The `coin` demo graph in-process: its two random paths (the coin forced each way), and the
`escalate` branch only a message saying so takes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from chat_tui.demo import coin_script
from chat_tui.demo.coin import coin_graph
from chat_tui.demo.coin_script import ESCALATED, ONE_SEARCH, TWO_SEARCHES, coin_reply
from chat_tui.demo.context import DELAY_ENV_VAR


@pytest.fixture(autouse=True)
def no_delay(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv(DELAY_ENV_VAR, "0")
    yield


def test_the_script_searches_then_flips() -> None:
    asked = [HumanMessage("find the coin")]
    first = coin_reply(asked)
    assert [c.name for c in first.tool_calls] == ["search"]
    searched = [*asked, AIMessage(""), ToolMessage("{}", tool_call_id="1")]
    assert coin_reply(searched, flip=lambda: True).text == ONE_SEARCH
    again = coin_reply(searched, flip=lambda: False)
    assert [c.name for c in again.tool_calls] == ["search"]
    twice = [*searched, AIMessage(""), ToolMessage("{}", tool_call_id="2")]
    assert coin_reply(twice, flip=lambda: True).text == TWO_SEARCHES
    assert not coin_reply([HumanMessage("please escalate")]).tool_calls


async def nodes_of(message: str) -> tuple[list[str], str]:
    graph: Any = coin_graph
    nodes: list[str] = []
    async for update in graph.astream({"messages": [{"role": "user", "content": message}]}, stream_mode="updates"):
        nodes.extend(update)
    state = await graph.ainvoke({"messages": [{"role": "user", "content": message}]})  # (another run, same rules)
    return nodes, str(state["messages"][-1].content)


@pytest.mark.parametrize(("heads", "path", "answer"), [(True, 3, ONE_SEARCH), (False, 5, TWO_SEARCHES)])
async def test_each_side_of_the_coin_takes_its_path(
    monkeypatch: pytest.MonkeyPatch, heads: bool, path: int, answer: str
) -> None:
    monkeypatch.setattr(coin_script, "_heads", lambda: heads)
    nodes, said = await nodes_of("find the coin")
    assert nodes == ["agent", "tools", "agent", "tools", "agent"][:path] and said == answer


async def test_escalate_takes_the_branch_the_coin_never_takes() -> None:
    nodes, said = await nodes_of("escalate this please")
    assert nodes == ["agent", "escalate"] and said == ESCALATED
