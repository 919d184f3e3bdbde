"""``chat-tui export --thread ID [--format md|json|jsonl] [-o FILE] [--force]``: a thread, for a bug
report or an archive (the formats are :mod:`chat_tui.service.export`'s).

Written to stdout, or to FILE: an existing FILE is refused unless ``--force`` (one line, exit 2,
nothing written; the CLI checks it before connecting, and the file is created exclusively).
Exit 0, 2 for a thread the server does not have or a FILE that cannot be written, 4 when the
server cannot be reached or refuses.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from chat_tui.client.errors import ClientError, NotFound
from chat_tui.connection import Connection
from chat_tui.sanitize import clean_line
from chat_tui.service.chat import ChatService
from chat_tui.service.export import export_thread, save_export
from chat_tui.service.outfile import OutputRefused, output_problem

__all__ = ["output_problem", "run_export"]

EXIT_OK, EXIT_USAGE, EXIT_CONNECTION = 0, 2, 4


async def run_export(
    connection: Connection,
    thread_id: str,
    fmt: str,
    *,
    output: Path | None = None,
    force: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Export *thread_id* as *fmt* to *output* (None: *out*); returns the exit code."""
    out, err = out or sys.stdout, err or sys.stderr
    async with connection.client() as client:
        service = ChatService(connection, client)
        try:
            text = await export_thread(service, thread_id, fmt)
        except NotFound:
            err.write(f"chat-tui: error: {connection.host} has no thread {clean_line(thread_id, 60)}\n")
            return EXIT_USAGE
        except ClientError as exc:
            err.write(f"chat-tui: error: {exc}\n")
            return EXIT_CONNECTION
    if output is None:
        out.write(text)
        out.flush()
        return EXIT_OK
    try:
        save_export(output, text, force=force)
    except OutputRefused as exc:
        err.write(f"chat-tui: error: {exc} (nothing was written)\n")
        return EXIT_USAGE
    err.write(f"exported thread {clean_line(thread_id, 60)} to {clean_line(str(output), 200)}\n")
    return EXIT_OK
