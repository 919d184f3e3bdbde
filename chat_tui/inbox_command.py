"""``chat-tui inbox``: the threads waiting for a human, newest first, for scripts and quick checks.

The server filters (``POST /threads/search`` by status, one page of each of ``interrupted`` and
``error``, with the pending interrupts selected); threads without a pending interrupt (a cancelled
run, a finished one) are left out (:meth:`~chat_tui.service.approvals.Approvals.inbox`).

* default: one line per thread: its id, since when it waits (and how long), the kind, a preview;
* ``--json``: a list of ``{"thread_id", "status", "since", "kind", "preview", "interrupts"}``,
  each interrupt in the shape ``chat-tui stream --json`` prints.

Exit 0, also when no thread waits (an empty list; "no thread is waiting" on stderr), 4 when the
server could not be reached or refused. Everything printed from the server is cleaned first.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any, TextIO

from chat_tui.client.errors import ClientError
from chat_tui.connection import Connection
from chat_tui.conversation import InterruptEntry
from chat_tui.headless_answers import interrupt_json
from chat_tui.sanitize import clean_line
from chat_tui.service.approvals import InboxRow
from chat_tui.service.chat import ChatService

__all__ = ["inbox_json", "run_inbox", "waited"]

EXIT_OK, EXIT_CONNECTION = 0, 4
PREVIEW_LIMIT = 100


def waited(since: datetime | None, now: datetime) -> str:
    """How long ago: ``12s``, ``5m``, ``3h``, ``2d``."""
    if since is None:
        return "?"
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    seconds = max(0, int((now - since).total_seconds()))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "m")):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def inbox_json(row: InboxRow) -> dict[str, Any]:
    """One waiting thread, with its pending interrupts in the ``stream --json`` shape."""
    thread = row.thread
    pending = [item for items in thread.interrupts.values() for item in items]
    entries = [
        InterruptEntry.from_server(n, item.id, item.value, response_schema=item.response_schema)
        for n, item in enumerate(pending)
    ]
    return {
        "thread_id": thread.thread_id,
        "status": thread.status,
        "since": row.since.isoformat() if row.since else None,
        "kind": str(row.kind),
        "preview": clean_line(row.preview, 500),
        "interrupts": [interrupt_json(entry) for entry in entries],
    }


def _line(row: InboxRow, now: datetime) -> str:
    since = row.since.astimezone().strftime("%Y-%m-%d %H:%M") if row.since else "?"
    return (
        f"{clean_line(row.thread.thread_id, 60)}  {since} ({waited(row.since, now)} ago)  "
        f"{row.kind!s:<13}  {clean_line(row.preview, PREVIEW_LIMIT)}"
    )


async def run_inbox(
    connection: Connection,
    *,
    as_json: bool = False,
    limit: int = 50,
    out: TextIO = sys.stdout,
    err: TextIO = sys.stderr,
) -> int:
    """Print the threads waiting for a human; returns the process exit code."""
    if connection.api_key is not None and connection.plaintext_remote:
        err.write(f"warning: the API key is sent unencrypted to {connection.host} (http://)\n")
    async with connection.client() as client:
        service = ChatService(connection, client)
        try:
            rows = await service.inbox(limit=limit)
        except ClientError as exc:
            err.write(f"error: {exc}\n")
            return EXIT_CONNECTION
    if as_json:
        out.write(json.dumps([inbox_json(row) for row in rows], ensure_ascii=False, indent=2, default=str) + "\n")
    else:
        now = datetime.now(UTC)
        out.write("".join(f"{_line(row, now)}\n" for row in rows))
    out.flush()
    if not rows:
        err.write("no thread is waiting for a human\n")
    return EXIT_OK
