"""The store browser (F9) under Pilot against the real demo server, on a store the test fills
(~300 items in nested namespaces, and a namespace whose labels carry markup and control characters):
the namespace tree is the API's, a namespace's items page in as the cursor nears the end, an item's
value is a JSON tree, an edit with bad JSON is refused with the text kept and a good one is saved
(read back with the client), and a delete happens only after the confirmation."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, OptionList, Static, TextArea, Tree

from chat_tui.client import LangGraphClient
from chat_tui.service.store import all_namespaces
from chat_tui.ui.screens.dialogs import ConfirmScreen, TextPromptScreen
from chat_tui.ui.screens.store import StoreScreen
from chat_tui.ui.screens.store_edit import StoreItemEditor
from tests.faults.proxy import FaultProxy
from tests.support.pilot import connected, make_app, wait_until
from tests.support.screen_text import screen_lines

pytestmark = pytest.mark.server
SIZE = (160, 45)
BAD_LABEL = "[b]bold[/b]\x1b[31mred"


async def fill(client: LangGraphClient, top: str) -> dict[tuple[str, ...], int]:
    """~300 items: (top, users, uN, memories) x 20, (top, big) x 200, the bad namespace x 3, (top,) x 2."""
    counts = {(top, "users", f"u{n}", "memories"): 20 for n in range(5)}
    counts |= {(top, "big"): 200, (top, BAD_LABEL, "x"): 3, (top,): 2}
    writes = [
        client.store.put_item(ns, f"k{n:03d}", {"n": n, "text": f"item {n} of {'/'.join(ns[1:])}", "tags": ["a", n]})
        for ns, count in counts.items()
        for n in range(count)
    ]
    for start in range(0, len(writes), 50):  # (concurrent, in batches the server takes at once)
        await asyncio.gather(*writes[start : start + 50])
    return counts


def tree_paths(tree: Tree[Any]) -> set[tuple[str, ...]]:
    found: set[tuple[str, ...]] = set()

    def walk(node: Any) -> None:
        if node.data:
            found.add(node.data)
        for child in node.children:
            walk(child)

    walk(tree.root)
    return found


async def test_store_browser_pages_shows_edits_and_deletes(
    server_url: str, user_dirs: dict[str, Path], client: LangGraphClient
) -> None:
    top = f"s{uuid.uuid4().hex[:8]}"
    counts = await fill(client, top)
    app = make_app(server_url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f9")
        screen = await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen) and app.screen, what="F9")
        assert isinstance(screen, StoreScreen)
        namespaces: Tree[Any] = screen.query_one("#store-namespaces", Tree)
        await wait_until(pilot, lambda: any(p[0] == top for p in tree_paths(namespaces)), what="the tree")
        # The tree is the API's namespaces (every prefix of them a node).
        api = set(await all_namespaces(client))
        assert {p for p in tree_paths(namespaces) if p[0] == top} == {
            ns[:depth] for ns in api if ns[0] == top for depth in range(1, len(ns) + 1)
        }
        assert {p for p in api if p[0] == top} == set(counts)
        # The bad namespace's labels are shown as text, cleaned (no markup read, no control character).
        bad = next(n for n in _nodes(namespaces.root) if n.data == (top, BAD_LABEL))
        bad.parent.expand()
        await pilot.pause()
        namespaces.move_cursor(bad)
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert top in text and "[b]bold[/b]␛[31mred" in text and "\x1b" not in text
        # (top, big): 200 items, 50 a page; End moves to the last loaded, the next pages come in.
        big = next(n for n in _nodes(namespaces.root) if n.data == (top, "big"))
        big.parent.expand()
        await pilot.pause()
        namespaces.move_cursor(big)
        items = screen.query_one("#store-items", OptionList)
        await wait_until(pilot, lambda: screen.namespace == (top, "big") and items.option_count == 50, what="page 1")
        assert screen.pager.more
        items.focus()
        for loaded in (100, 150, 200):
            await pilot.press("end")
            await wait_until(pilot, lambda n=loaded: items.option_count == n, what=f"{loaded} items")  # type: ignore[misc]
        await wait_until(pilot, lambda: items.option_count == 200 and not screen.pager.more, what="every page")
        assert sorted(i.key for i in screen.pager.items) == [f"k{n:03d}" for n in range(200)]
        # An item's value, as a JSON tree.
        await pilot.press("home")
        item = screen.item
        assert item is not None
        value: Tree[Any] = screen.query_one("#store-value", Tree)
        assert [child.data for child in value.root.children] == list(item.value.values())
        assert all(key in str(child.label) for key, child in zip(item.value, value.root.children, strict=True))
        # Edit: bad JSON is refused, the text kept; good JSON is saved.
        await pilot.press("e")
        editor = await wait_until(pilot, lambda: isinstance(app.screen, StoreItemEditor) and app.screen, what="e")
        area = editor.query_one(TextArea)
        area.load_text('{"n": 1,')
        await pilot.press("ctrl+s")
        error = editor.query_one("#store-edit-error", Static)
        await wait_until(pilot, lambda: "not valid JSON" in str(error.render()), what="the refusal")
        assert area.text == '{"n": 1,' and app.screen is editor
        area.load_text('{"n": "edited", "nested": {"deep": [1, 2]}}')
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, what="saved")
        saved = await client.store.get_item((top, "big"), item.key)
        assert saved is not None and saved.value == {"n": "edited", "nested": {"deep": [1, 2]}}
        await wait_until(pilot, lambda: screen.item is not None and screen.item.value == saved.value, what="shown")
        # Delete: nothing happens on "no"; it is gone after "yes".
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("n")
        await wait_until(pilot, lambda: app.screen is screen, what="back")
        assert await client.store.get_item((top, "big"), item.key) is not None
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")
        await pilot.press("y")
        await wait_until(pilot, lambda: items.option_count == 199, what="the row gone")
        assert await client.store.get_item((top, "big"), item.key) is None
        assert item.key not in {i.key for i in screen.pager.items}
        # A query: the demo's store has an index (on `text`), so the items come ranked by score.
        await pilot.press("slash")
        await wait_until(pilot, lambda: isinstance(app.screen, TextPromptScreen), what="the query prompt")
        await pilot.press(*"item 7 of big", "enter")
        await wait_until(pilot, lambda: screen.pager.query == "item 7 of big" and screen.pager.ranked, what="ranked")
        assert items.option_count == 50
        scores = [item.score or 0.0 for item in screen.pager.items]
        assert scores == sorted(scores, reverse=True) and scores[0] > scores[-1]  # the server's ranking, kept
        exact = await client.store.search_items((top, "big"), query="item 7 of big", limit=200)
        assert next(i for i in exact if i.key == "k007").score == pytest.approx(1.0)  # (the exact text)
        items.focus()
        # New: a bad key is refused; a new item in a namespace shown.
        await pilot.press("n")
        editor = await wait_until(pilot, lambda: isinstance(app.screen, StoreItemEditor) and app.screen, what="n")
        editor.query_one(TextArea).load_text('{"fresh": true}')
        await pilot.press("ctrl+s")
        error = editor.query_one("#store-edit-error", Static)
        await wait_until(pilot, lambda: "needs a key" in str(error.render()), what="no key")
        editor.query_one(Input).value = "new-one"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is screen, what="saved")
        fresh = await client.store.get_item((top, "big"), "new-one")
        assert fresh is not None and fresh.value == {"fresh": True}


def _nodes(node: Any) -> list[Any]:
    found = [node]
    for child in node.children:
        found += _nodes(child)
    return found


async def test_store_errors_are_one_line_in_the_status(proxy: FaultProxy, user_dirs: dict[str, Path]) -> None:
    """The server refusing a read: the status line says so (the screen stays, nothing is shown as markup)."""
    proxy.add(action="respond", path="/store/namespaces", status=403, body=b'{"detail": "[b]no store[/b] for you"}')
    app = make_app(proxy.url, user_dirs["data"])
    async with app.run_test(size=SIZE) as pilot:
        await connected(pilot)
        await pilot.press("f9")
        screen = await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen) and app.screen, what="F9")
        status = screen.query_one("#store-status", Static)
        said = await wait_until(
            pilot,
            lambda: "could not list" in str(status.render()) and str(status.render()),
            what=f"error {status.render()!s}",
        )
        assert "[b]no store[/b] for you" in said and "HTTP 403" in said and "\n" not in said
        await pilot.press("f5")  # refreshed: the server answers now
        await wait_until(pilot, lambda: "in the store" in str(status.render()), what="the items")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, StoreScreen), what="closed")
