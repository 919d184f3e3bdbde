"""The store's use cases, for the store browser and ``chat-tui store``: namespaces as a tree, the
items under one namespace page by page, and checks of what is about to be written.

Nothing is sent that the server would refuse in an odd shape (``protocol-wave2.md`` §5): a
namespace label that is empty or holds a ``.`` (the server's text/plain 422, and a ``.`` could
never be read back: reads join the labels with ``.``), an empty key, a value that is not a JSON
object (a 422). :class:`StoreProblem` says what is wrong, in one line, before anything is sent.

On the command line a namespace is written with dots, ``users.alice.memories`` (labels cannot hold
one, so the syntax is unambiguous); ``""`` or ``.`` is the root (every namespace).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from chat_tui.errors import ChatTuiError
from chat_tui.sanitize import clean_line

if TYPE_CHECKING:
    from chat_tui.client.client import LangGraphClient
    from chat_tui.client.store import StoreItem

__all__ = [
    "ItemPager",
    "NamespaceNode",
    "StoreProblem",
    "all_namespaces",
    "check_key",
    "check_namespace",
    "item_json",
    "namespace_text",
    "namespace_tree",
    "parse_namespace",
    "parse_value",
    "value_preview",
    "value_text",
]

NAMESPACE_PAGE = 1000
ITEM_PAGE = 50
LABEL_LIMIT = 200


class StoreProblem(ChatTuiError):
    """What is wrong with a namespace, key or value about to be sent (one line; nothing was sent)."""


def check_namespace(namespace: Iterable[str], *, root_ok: bool = False) -> tuple[str, ...]:
    """*namespace* as a tuple, or :class:`StoreProblem` for a label the server would refuse."""
    labels = tuple(namespace)
    if not labels and not root_ok:
        raise StoreProblem("a namespace needs at least one label, e.g. users.alice")
    for label in labels:
        if not label:
            raise StoreProblem("a namespace label cannot be empty")
        if "." in label:
            raise StoreProblem(f"a namespace label cannot hold a period: {clean_line(label, 60)!r}")
        if len(label) > LABEL_LIMIT:
            raise StoreProblem(f"a namespace label is at most {LABEL_LIMIT} characters")
    return labels


def parse_namespace(text: str, *, root_ok: bool = False) -> tuple[str, ...]:
    """``users.alice.memories`` → ``("users", "alice", "memories")``; ``""`` / ``.`` → ``()`` (the root)."""
    text = text.strip()
    if text in ("", "."):
        return check_namespace((), root_ok=root_ok)
    return check_namespace(text.split("."), root_ok=root_ok)


def namespace_text(namespace: Iterable[str]) -> str:
    """The dotted form (``parse_namespace``'s input), cleaned for display; ``.`` for the root."""
    return clean_line(".".join(namespace), 200) or "."


def check_key(key: str) -> str:
    if not key.strip():
        raise StoreProblem("an item needs a key")
    if len(key) > 1000:
        raise StoreProblem("an item's key is at most 1000 characters")
    return key


def parse_value(text: str) -> dict[str, Any]:
    """An item's value from its JSON text: an object, or :class:`StoreProblem` saying where it is wrong."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreProblem(f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    if not isinstance(value, dict):
        raise StoreProblem('an item\'s value must be a JSON object, e.g. {"text": "likes tea"}')
    return value


def value_text(value: Any) -> str:
    """An item's value as editable JSON."""
    return json.dumps(value, ensure_ascii=False, indent=2)


def value_preview(value: Any, limit: int = 80) -> str:
    """An item's value on one line, shortened and cleaned."""
    return clean_line(json.dumps(value, ensure_ascii=False, default=str), limit)


@dataclass
class NamespaceNode:
    """One label of the namespace tree. ``stored``: this path is itself a namespace the server listed
    (it holds items); a node can also only be the parent of deeper ones."""

    label: str
    path: tuple[str, ...]
    stored: bool = False
    children: dict[str, NamespaceNode] = field(default_factory=dict)

    def walk(self) -> Iterable[NamespaceNode]:
        yield self
        for child in self.children.values():
            yield from child.walk()

    def stored_paths(self) -> list[tuple[str, ...]]:
        return sorted(node.path for node in self.walk() if node.stored)


def namespace_tree(namespaces: Iterable[tuple[str, ...]]) -> NamespaceNode:
    """The flat list the server gives, as a tree of labels (children sorted by label)."""
    root = NamespaceNode("", ())
    for namespace in sorted(set(namespaces)):
        node = root
        for depth, label in enumerate(namespace):
            child = node.children.get(label)
            if child is None:
                child = node.children[label] = NamespaceNode(label, namespace[: depth + 1])
            node = child
        node.stored = True
    return root


async def all_namespaces(
    client: LangGraphClient, prefix: tuple[str, ...] = (), *, page: int = NAMESPACE_PAGE, limit: int = 100_000
) -> list[tuple[str, ...]]:
    """Every namespace under *prefix*, page by page (the server sends no count)."""
    found: list[tuple[str, ...]] = []
    while len(found) < limit:
        batch = await client.store.list_namespaces(prefix=prefix, limit=page, offset=len(found))
        found += batch
        if len(batch) < page:
            break
    return found[:limit]


class ItemPager:
    """The items under one namespace (its sub-namespaces' too: the server searches by prefix),
    page by page, in the server's order (by last update; by score with a query on an indexed store)."""

    def __init__(
        self, client: LangGraphClient, namespace: tuple[str, ...], *, query: str = "", page: int = ITEM_PAGE
    ) -> None:
        self.client = client
        self.namespace = namespace
        self.query = query.strip()
        self.page = page
        self.items: list[StoreItem] = []
        self.more = True
        self._keys: set[tuple[tuple[str, ...], str]] = set()

    async def next_page(self) -> list[StoreItem]:
        """The next page (empty at the end); an item already seen (the list moved) is left out."""
        if not self.more:
            return []
        batch = await self.client.store.search_items(  # (one more than a page: is there another?)
            self.namespace, query=self.query or None, limit=self.page + 1, offset=len(self.items)
        )
        self.more = len(batch) > self.page
        batch = batch[: self.page]
        fresh = [item for item in batch if (item.namespace, item.key) not in self._keys]
        self._keys.update((item.namespace, item.key) for item in fresh)
        self.items += fresh
        return fresh

    @property
    def ranked(self) -> bool:
        """The server ranked the items by the query (its store has an index)."""
        return any(item.score is not None for item in self.items)

    def forget(self, namespace: tuple[str, ...], key: str) -> None:
        """An item deleted here: out of the list (the next page's offset moves with it)."""
        self.items = [item for item in self.items if (item.namespace, item.key) != (namespace, key)]
        self._keys.discard((namespace, key))


def item_json(item: StoreItem) -> dict[str, Any]:
    """One item, as ``chat-tui store --json`` prints it."""
    return {
        "namespace": list(item.namespace),
        "key": item.key,
        "value": item.value,
        "created_at": item.created_at.isoformat() if item.created_at else None,
        "updated_at": item.updated_at.isoformat() if item.updated_at else None,
        "score": item.score,
    }
