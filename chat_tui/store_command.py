"""``chat-tui store ns|ls|get|put|rm``: the server's store, for scripts (see ``chat-tui store --help``).

* ``ns [PREFIX]``: every namespace (under PREFIX), one dotted line each (``--json``: a list of lists
  of labels);
* ``ls NAMESPACE [--query Q] [--limit N]``: the items under NAMESPACE (its sub-namespaces' too),
  one line each: namespace, key, updated, score, the value in one line (``--json``: a list of items);
* ``get NAMESPACE KEY``: the item's value as JSON (``--json``: the whole item); exit 5 when there is
  none (the server answers ``200 null``);
* ``put NAMESPACE KEY VALUE``: create or replace (VALUE a JSON object, checked before sending);
* ``rm NAMESPACE KEY``: delete, after checking the item exists (exit 5 when it does not).

Exit codes: 0 ok, 1 the server failed the request, 2 bad usage (nothing was sent), 4 unreachable or
refused, 5 nothing found. Everything printed from the server is cleaned of control characters.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any, TextIO

from chat_tui.client.errors import AuthError, ClientError, ConnectError, RedirectRefused, RequestTimeout
from chat_tui.connection import Connection
from chat_tui.sanitize import clean, clean_line
from chat_tui.service.store import (
    ItemPager,
    StoreProblem,
    all_namespaces,
    check_key,
    item_json,
    namespace_text,
    parse_namespace,
    parse_value,
)

__all__ = ["run_store_command", "store_main"]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_CONNECTION, EXIT_NOT_FOUND = 0, 1, 2, 4, 5


def _dumps(value: Any, indent: int | None = 2) -> str:
    return clean(json.dumps(value, ensure_ascii=False, indent=indent, default=str))


def _checked(args: argparse.Namespace) -> dict[str, Any]:
    """The command's namespace, key and value, checked (:class:`StoreProblem` before anything is sent)."""
    action = args.store_command
    if action == "ns":
        return {"namespace": parse_namespace(args.prefix, root_ok=True)}
    if action == "ls":
        return {"namespace": parse_namespace(args.namespace, root_ok=True)}
    checked: dict[str, Any] = {"namespace": parse_namespace(args.namespace), "key": check_key(args.key)}
    if action == "put":
        checked["value"] = parse_value(args.value)
    return checked


def store_main(
    args: argparse.Namespace,
    with_connection: Callable[[Callable[[Any, argparse.Namespace], int], argparse.Namespace], int],
    fail: Callable[[str], int],
) -> int:
    """The command line's entry: refuse bad input (exit 2, no connection made), then run."""
    try:
        _checked(args)
    except StoreProblem as exc:
        return fail(f"{exc} (nothing was sent)")
    return with_connection(lambda connection, a: asyncio.run(run_store_command(connection, a)), args)


def _item_line(item: Any) -> str:
    when = item.updated_at.astimezone().strftime("%Y-%m-%d %H:%M:%S") if item.updated_at else "?"
    score = f"{item.score:.3f}" if item.score is not None else "-"
    return (
        f"{namespace_text(item.namespace)}  {clean_line(item.key, 60)}  {when}  {score}  "
        f"{clean_line(_dumps(item.value, None), 120)}"
    )


async def run_store_command(
    connection: Connection, args: argparse.Namespace, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """One store action (``args.store_command``); returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        checked = _checked(args)
    except StoreProblem as exc:
        err.write(f"chat-tui: error: {exc} (nothing was sent)\n")
        return EXIT_USAGE
    namespace: tuple[str, ...] = checked["namespace"]
    action = args.store_command
    async with connection.client() as client:
        try:
            if action == "ns":
                found = await all_namespaces(client, namespace)
                if args.json:
                    out.write(_dumps([list(ns) for ns in found]) + "\n")
                else:
                    out.write("".join(namespace_text(ns) + "\n" for ns in found))
                if not found:
                    err.write("no namespace\n")
            elif action == "ls":
                pager = ItemPager(client, namespace, query=args.query or "", page=min(args.limit, 100))
                while pager.more and len(pager.items) < args.limit:
                    await pager.next_page()
                items = pager.items[: args.limit]
                if args.json:
                    out.write(_dumps([item_json(item) for item in items]) + "\n")
                else:
                    out.write("".join(_item_line(item) + "\n" for item in items))
                if not items:
                    err.write(f"no item under {namespace_text(namespace)}\n")
                elif pager.query and not pager.ranked:
                    err.write("the store has no index: --query was ignored (listing order)\n")
            else:
                key: str = checked["key"]
                if action == "put":
                    await client.store.put_item(namespace, key, checked["value"])
                    err.write(f"saved {namespace_text(namespace)} {clean_line(key, 60)}\n")
                    return EXIT_OK
                item = await client.store.get_item(namespace, key)
                if item is None:
                    err.write(f"chat-tui: error: no item {clean_line(key, 60)} in {namespace_text(namespace)}\n")
                    return EXIT_NOT_FOUND
                if action == "rm":
                    await client.store.delete_item(namespace, key)
                    err.write(f"deleted {namespace_text(namespace)} {clean_line(key, 60)}\n")
                    return EXIT_OK
                out.write(_dumps(item_json(item) if args.json else item.value) + "\n")
        except (ConnectError, RequestTimeout, AuthError, RedirectRefused) as exc:
            err.write(f"chat-tui: error: {exc}\n")
            return EXIT_CONNECTION
        except ClientError as exc:
            err.write(f"chat-tui: error: {exc}\n")
            return EXIT_FAILED
    out.flush()
    return EXIT_OK
