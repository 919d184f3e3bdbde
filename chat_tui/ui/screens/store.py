"""The store browser: the server's namespaces as a tree (left), the items under the highlighted one
page by page (middle; more load as the cursor nears the end), the highlighted item's value as a JSON
tree (right). ``/`` ranks the items by a query (on a store with an index; others ignore it, and the
status line says so), ``n`` writes a new item, ``e`` edits one, ``d`` deletes one after asking.

What the server holds is shown cleaned (:func:`~chat_tui.sanitize.clean_line`) and never read as
markup; what is written is checked first (:mod:`chat_tui.service.store`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static, Tree
from textual.widgets.option_list import Option
from textual.widgets.tree import TreeNode

from chat_tui.client.errors import ClientError
from chat_tui.sanitize import clean_line
from chat_tui.service.store import (
    ItemPager,
    NamespaceNode,
    all_namespaces,
    namespace_text,
    namespace_tree,
    value_preview,
    value_text,
)
from chat_tui.ui.screens.dialogs import ConfirmScreen, TextPromptScreen
from chat_tui.ui.screens.state_view import add_value
from chat_tui.ui.screens.store_edit import StoreItemEditor
from chat_tui.ui.textual_compat import PacedFrames

if TYPE_CHECKING:
    from chat_tui.client.client import LangGraphClient
    from chat_tui.client.store import StoreItem

__all__ = ["StoreScreen"]

NEAR_END = 10
HINT = "Tab moves · / query · n new · e edit · d delete · F5 refresh · Esc closes"


class StoreScreen(PacedFrames, ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", id="store.close"),
        Binding("slash", "query", "Query", id="store.query"),
        Binding("n", "new", "New item", id="store.new"),
        Binding("e", "edit", "Edit", id="store.edit"),
        Binding("d,delete", "delete", "Delete", id="store.delete"),
        Binding("f5", "refresh", "Refresh", id="store.refresh"),
    ]

    def __init__(self, client: LangGraphClient) -> None:
        super().__init__(classes="dialog-screen")
        self.client = client
        self.namespaces: list[tuple[str, ...]] = []
        self.pager = ItemPager(client, ())
        self.query_text = ""
        self.problem = ""  # why the namespaces could not be listed (kept in the status line)

    def compose(self) -> ComposeResult:
        namespaces: Tree[tuple[str, ...]] = Tree(Text("(all)"), data=(), id="store-namespaces")
        value: Tree[Any] = Tree(Text("value"), id="store-value")
        value.show_root = False
        with Vertical(classes="dialog picker wide store"):
            yield Static(Content.styled(f"Store on {clean_line(self.client.host, 60)}", "bold $accent"))
            with Horizontal(id="store-panes"):
                yield namespaces
                yield OptionList(id="store-items")
                yield value
            yield Static(id="store-status")
            yield Static(Content.styled(HINT, "$text-muted"), id="store-hint")

    def on_mount(self) -> None:
        self.query_one("#store-namespaces", Tree).focus()
        self.load_namespaces()

    # -- namespaces -----------------------------------------------------------------------------

    @property
    def namespace(self) -> tuple[str, ...]:
        return self.pager.namespace

    def _status(self, text: str, style: str = "$text-muted") -> None:
        self.query_one("#store-status", Static).update(Content.styled(clean_line(text, 300), style))

    @work(group="store-namespaces", exclusive=True, exit_on_error=False)
    async def load_namespaces(self, select: tuple[str, ...] | None = None) -> None:
        self._status("asking the server…")
        try:
            self.namespaces = await all_namespaces(self.client)
        except ClientError as exc:
            self.problem = f"could not list the namespaces: {exc}"
            self._status(self.problem, "$error")
            return
        self.problem = ""
        tree: Tree[tuple[str, ...]] = self.query_one("#store-namespaces", Tree)
        tree.clear()
        root = namespace_tree(self.namespaces)
        _add_namespaces(tree.root, root)
        tree.root.expand()
        wanted = select if select is not None else self.namespace
        node = next((n for n in _walk(tree.root) if n.data == wanted), tree.root)
        _open_to(node)
        tree.move_cursor(node)
        self.show_namespace(node.data or ())

    @on(Tree.NodeHighlighted, "#store-namespaces")
    def _namespace_highlighted(self, event: Tree.NodeHighlighted[tuple[str, ...]]) -> None:
        path = event.node.data or ()
        if path != self.namespace or not self.pager.items:
            self.show_namespace(path)

    def show_namespace(self, namespace: tuple[str, ...]) -> None:
        self.pager = ItemPager(self.client, namespace, query=self.query_text)
        self.query_one("#store-items", OptionList).clear_options()
        self._show_value(None)
        self.load_items()

    # -- items ----------------------------------------------------------------------------------

    @work(group="store-items", exclusive=True, exit_on_error=False)
    async def load_items(self) -> None:
        pager = self.pager
        self._status(f"reading {namespace_text(pager.namespace)}…")
        try:
            fresh = await pager.next_page()
        except ClientError as exc:
            self._status(f"could not read the items: {exc}", "$error")
            return
        if pager is not self.pager:
            return
        items = self.query_one("#store-items", OptionList)
        first = items.option_count == 0
        items.add_options(self._option(item) for item in fresh)
        if first and fresh:
            items.highlighted = 0
        self._status(f"{self.problem} · {self._summary()}" if self.problem else self._summary(), self._style())

    def _style(self) -> str:
        return "$error" if self.problem else "$text-muted"

    def _summary(self) -> str:
        count = len(self.pager.items)
        said = f"{count}{'+' if self.pager.more else ''} item{'s' if count != 1 else ''}"
        said += f" under {namespace_text(self.namespace)}" if self.namespace else " in the store"
        if self.pager.query:
            ranked = self.pager.ranked or not self.pager.items
            said += (
                f" · ranked by {self.pager.query!r}"
                if ranked
                else f" · {self.pager.query!r} ignored: the store has no index (listing order)"
            )
        return said

    def _option(self, item: StoreItem) -> Option:
        below = item.namespace[len(self.namespace) :]
        preview = value_preview(item.value, 70)
        prompt = Content.assemble(
            (clean_line(item.key, 60) or "(blank)", "bold"),
            ("  " + namespace_text(below), "$accent") if below else "",
            (f"  {item.score:.2f}", "$text-muted") if item.score is not None else "",
            "\n  ",
            (preview, "$text-muted"),
        )
        return Option(prompt)

    @property
    def item(self) -> StoreItem | None:
        index = self.query_one("#store-items", OptionList).highlighted
        return self.pager.items[index] if index is not None and index < len(self.pager.items) else None

    @on(OptionList.OptionHighlighted, "#store-items")
    def _item_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._show_value(self.item)
        if self.pager.more and event.option_index >= len(self.pager.items) - NEAR_END:
            self.load_items()

    def _show_value(self, item: StoreItem | None) -> None:
        tree: Tree[Any] = self.query_one("#store-value", Tree)
        tree.clear()
        if item is None:
            return
        for key, value in item.value.items():
            add_value(tree.root, str(key), value)
        tree.border_title = clean_line(item.key, 40)

    # -- actions --------------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss(None)

    def action_refresh(self) -> None:
        self.load_namespaces()

    @work(group="store-dialog", exclusive=True, exit_on_error=False)
    async def action_query(self) -> None:
        text = await self.app.push_screen_wait(
            TextPromptScreen("Rank the items by (empty: listing order)", self.query_text, placeholder="query")
        )
        if text is not None:
            self.query_text = text.strip()
            self.show_namespace(self.namespace)

    @work(group="store-dialog", exclusive=True, exit_on_error=False)
    async def action_new(self) -> None:
        namespace = self.namespace
        if not namespace:
            self.notify("pick a namespace for the new item", severity="warning", markup=False)
            return

        async def save(key: str, value: dict[str, Any]) -> None:
            await self.client.store.put_item(namespace, key, value)

        if await self.app.push_screen_wait(StoreItemEditor(namespace, save)) is not None:
            self.load_namespaces(namespace)  # (a namespace that held nothing yet holds this item)

    @work(group="store-dialog", exclusive=True, exit_on_error=False)
    async def action_edit(self) -> None:
        item = self.item
        if item is None:
            return

        async def save(key: str, value: dict[str, Any]) -> None:
            await self.client.store.put_item(item.namespace, key, value)

        editor = StoreItemEditor(item.namespace, save, key=item.key, text=value_text(item.value))
        if await self.app.push_screen_wait(editor) is None:
            return
        try:
            fresh = await self.client.store.get_item(item.namespace, item.key)
        except ClientError as exc:
            self._status(f"saved, but could not read it back: {exc}", "$warning")
            return
        if fresh is None:
            self._status("saved, but it is gone already (deleted meanwhile?)", "$warning")
            return
        self._replace(item, fresh)
        self.notify(f"saved {clean_line(item.key, 60)}", markup=False)

    def _replace(self, old: StoreItem, new: StoreItem) -> None:
        index = self.pager.items.index(old)
        self.pager.items[index] = new
        items = self.query_one("#store-items", OptionList)
        items.replace_option_prompt_at_index(index, self._option(new).prompt)
        if items.highlighted == index:
            self._show_value(new)

    @work(group="store-dialog", exclusive=True, exit_on_error=False)
    async def action_delete(self) -> None:
        item = self.item
        if item is None:
            return
        question = Content.assemble(
            "Delete ",
            (clean_line(item.key, 60), "bold"),
            " from ",
            (namespace_text(item.namespace), "bold"),
            "? It cannot be undone.",
        )
        if not await self.app.push_screen_wait(ConfirmScreen(question, yes="Delete", danger=True)):
            return
        try:
            await self.client.store.delete_item(item.namespace, item.key)
        except ClientError as exc:
            self._status(f"could not delete it: {exc}", "$error")
            return
        items = self.query_one("#store-items", OptionList)
        index = self.pager.items.index(item)
        self.pager.forget(item.namespace, item.key)
        items.remove_option_at_index(index)
        self._show_value(self.item)
        self._status(self._summary(), self._style())
        self.notify(f"deleted {clean_line(item.key, 60)}", markup=False)


def _add_namespaces(parent: TreeNode[tuple[str, ...]], node: NamespaceNode) -> None:
    for child in node.children.values():
        label = Text(clean_line(child.label, 60) or "(blank)", style="" if child.stored else "dim")
        branch = parent.add(label, data=child.path, allow_expand=bool(child.children))
        _add_namespaces(branch, child)


def _walk(node: TreeNode[Any]) -> list[TreeNode[Any]]:
    found = [node]
    for child in node.children:
        found += _walk(child)
    return found


def _open_to(node: TreeNode[Any]) -> None:
    parent = node.parent
    while parent is not None:
        parent.expand()
        parent = parent.parent
