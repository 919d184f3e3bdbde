"""The store on the real demo server: ``StoreAPI`` reads the store's odd shapes (a missing item is
``200 null``; a search without a prefix would be a 500, so a prefix is always sent), the service's
tree and pager, and ``chat-tui store`` (exit codes; what the server would refuse is refused before
anything is sent: proven by the proxy's request log)."""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import uuid

import pytest

from chat_tui.client import LangGraphClient
from chat_tui.client.errors import ServerError, Unprocessable
from chat_tui.connection import Connection
from chat_tui.service.store import (
    ItemPager,
    StoreProblem,
    all_namespaces,
    check_namespace,
    namespace_tree,
    parse_namespace,
)
from chat_tui.store_command import run_store_command
from tests.faults.proxy import FaultProxy
from tests.support.cli import cli

pytestmark = pytest.mark.server


def root() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


async def test_item_round_trip_and_missing_item(client: LangGraphClient) -> None:
    ns = (root(), "alice", "memories")
    assert await client.store.get_item(ns, "m1") is None  # 200 null
    await client.store.put_item(ns, "m1", {"text": "likes tea", "kind": "pref"})
    item = await client.store.get_item(ns, "m1")
    assert item is not None and item.namespace == ns and item.key == "m1"
    assert item.value == {"text": "likes tea", "kind": "pref"}
    await client.store.put_item(ns, "m1", {"text": "likes coffee"})  # an update: 204 too
    assert (await client.store.get_item(ns, "m1")).value == {"text": "likes coffee"}  # type: ignore[union-attr]
    await client.store.delete_item(ns, "m1")
    await client.store.delete_item(ns, "m1")  # 204 also when it is gone
    assert await client.store.get_item(ns, "m1") is None


async def test_search_namespaces_and_the_servers_odd_shapes(client: LangGraphClient) -> None:
    top = root()
    await asyncio.gather(
        *(
            client.store.put_item((top, "a", "x"), f"k{n}", {"n": n, "kind": "even" if n % 2 else "odd"})
            for n in range(7)
        ),
        client.store.put_item((top, "b"), "only", {"n": 99}),
    )
    assert sorted(await client.store.list_namespaces(prefix=(top,))) == [(top, "a", "x"), (top, "b")]
    assert await client.store.list_namespaces(prefix=(top,), max_depth=2) in (
        [(top, "a"), (top, "b")],
        [(top, "b"), (top, "a")],
    )
    page = await client.store.search_items((top, "a"), limit=5)
    assert len(page) == 5 and all(item.namespace == (top, "a", "x") for item in page)
    rest = await client.store.search_items((top, "a"), limit=5, offset=5)
    assert len(rest) == 2 and {i.key for i in page}.isdisjoint(i.key for i in rest)
    odd = await client.store.search_items((top,), filter={"kind": "odd"}, limit=50)
    assert sorted(i.value["n"] for i in odd) == [0, 2, 4, 6]
    # the demo's store has an index (chat_tui.demo.embeddings, on the `text` field): a query ranks by score
    await client.store.put_item((top, "m"), "tea", {"text": "likes green tea, no sugar"})
    await client.store.put_item((top, "m"), "trip", {"text": "visiting Tokyo in May"})
    ranked = await client.store.search_items((top, "m"), query="green tea", limit=10)
    assert ranked[0].key == "tea" and ranked[0].score is not None
    assert ranked[0].score > ranked[-1].score
    # what the service never sends, and why: a search without a prefix, a label with a period
    with pytest.raises(ServerError):
        await client.http.request("POST", "/store/items/search", json={"limit": 1}, idempotent=False)
    with pytest.raises(Unprocessable, match="period"):
        await client.store.put_item((top, "a.b"), "k", {})
    with pytest.raises(StoreProblem, match="period"):
        check_namespace((top, "a.b"))  # (refused before sending)
    with pytest.raises(StoreProblem, match="empty"):
        parse_namespace(f"{top}..a")
    assert parse_namespace(".", root_ok=True) == ()


async def test_tree_and_pager(client: LangGraphClient) -> None:
    top = root()
    spaces = [(top,), (top, "a"), (top, "a", "deep"), (top, "b", "c")]
    await asyncio.gather(*(client.store.put_item(ns, f"k{n}", {"n": n}) for ns in spaces for n in range(30)))
    found = await all_namespaces(client, (top,), page=3)  # several pages
    assert sorted(found) == sorted(spaces)
    tree = namespace_tree(found).children[top]
    assert tree.stored and tree.children["a"].stored and not tree.children["b"].stored
    assert tree.children["b"].children["c"].stored and tree.stored_paths() == sorted(spaces)
    pager = ItemPager(client, (top, "a"), page=25)
    while pager.more:
        await pager.next_page()
    assert len(pager.items) == 60 and len({(i.namespace, i.key) for i in pager.items}) == 60


def args(action: str, *rest: str, as_json: bool = False, **extra: object) -> argparse.Namespace:
    names = {"ns": ["prefix"], "ls": ["namespace"], "get": ["namespace", "key"], "rm": ["namespace", "key"]}
    names["put"] = ["namespace", "key", "value"]
    values = dict(zip(names[action], rest, strict=True))
    options = {"query": None, "limit": 100} | extra
    return argparse.Namespace(store_command=action, json=as_json, **values, **options)


async def run(url: str, a: argparse.Namespace) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = await run_store_command(Connection(url), a, out=out, err=err)
    return code, out.getvalue(), err.getvalue()


async def test_store_command_in_process(server_url: str, client: LangGraphClient) -> None:
    top = root()
    assert (await run(server_url, args("put", f"{top}.u", "k1", '{"text": "hi\\u001b[31m"}')))[0] == 0
    code, out, _ = await run(server_url, args("get", f"{top}.u", "k1"))
    assert code == 0 and "\x1b" not in out and json.loads(out) == {"text": "hi\x1b[31m"}  # (escaped)
    code, out, _ = await run(server_url, args("ls", top, as_json=True))
    assert code == 0 and [(i["namespace"], i["key"]) for i in json.loads(out)] == [([top, "u"], "k1")]
    await client.store.put_item((top, "u"), "k2", {"text": "likes green tea"})
    code, out, err = await run(server_url, args("ls", top, query="green tea"))  # ranked: the best first
    assert code == 0 and out.count("\n") == 2 and out.split()[1] == "k2" and err == ""
    assert (await run(server_url, args("rm", f"{top}.u", "k2")))[0] == 0
    code, out, _ = await run(server_url, args("ns", top))
    assert code == 0 and out == f"{top}.u\n"
    assert (await run(server_url, args("get", f"{top}.u", "nope")))[0] == 5
    assert (await run(server_url, args("rm", f"{top}.u", "nope")))[0] == 5
    assert (await run(server_url, args("rm", f"{top}.u", "k1")))[0] == 0
    assert await client.store.get_item((top, "u"), "k1") is None


async def test_store_cli_exit_codes_and_refusals(proxy: FaultProxy, client: LangGraphClient) -> None:
    top = root()
    await client.store.put_item((top, "a"), "k", {"x": 1})
    (bad, out, err), (get, got, _) = await asyncio.gather(  # the command line's own exits, in child processes
        cli("store", "put", "--url", proxy.url, f"{top}.a", "k", "{not json"),
        cli("store", "get", "--url", proxy.url, f"{top}.a", "k", "--json"),
    )
    assert bad == 2 and out == "" and "not valid JSON" in err and "nothing was sent" in err
    assert get == 0 and json.loads(got)["value"] == {"x": 1}
    assert [r.method for r in proxy.log] == ["GET"]  # the get's only
    refusals = [  # (in process: the same checks, before the connection is made)
        (("put", f"{top}..a", "k", "{}"), "cannot be empty"),
        (("put", f"{top}.a", "k", '"a string"'), "JSON object"),
        (("put", f"{top}.a.b", "k", "[1]"), "JSON object"),
        (("rm", f"{top}.a", " "), "needs a key"),
        (("get", "", "k"), "at least one label"),
    ]
    for argv, says in refusals:
        code, out, err = await run(proxy.url, args(*argv))
        assert code == 2 and out == "" and says in err and "nothing was sent" in err, (argv, err)
    assert [r.method for r in proxy.log] == ["GET"]
    proxy.add(action="respond", path="/store/namespaces", status=401, body=b'{"detail": "bad key"}')
    refused, _, err = await run(proxy.url, args("ns", top))
    assert refused == 4 and "authentication failed" in err
    proxy.add(
        action="respond",
        method="PUT",
        status=422,
        body=b"Namespace label is wrong",
        headers={"content-type": "text/plain"},
    )
    failed, _, err = await run(proxy.url, args("put", f"{top}.a", "k", "{}"))
    assert failed == 1 and "Namespace label is wrong" in err
    assert await client.store.get_item((top, "a"), "k") is not None
