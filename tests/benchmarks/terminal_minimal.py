"""The smallest Textual app that streams the terminal benchmark's answer: one ``Markdown`` fed
through its ``MarkdownStream`` (``Markdown.get_stream``) at the replay server's pace, and
nothing else. Enter starts the stream, as it sends the message in the app.

``python -m tests.benchmarks.terminal_minimal CHUNKS RATE SENT_JSON``: when each chunk was handed to the
stream (``time.monotonic()``) is written to SENT_JSON at the end, for its token-to-screen times.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.events import Key
from textual.widgets import Markdown

from tests.benchmarks.corpus import marked_pieces


class MinimalStream(App[None]):
    def __init__(self, chunks: int, rate: float, sent_path: str) -> None:
        super().__init__()
        self.pieces = marked_pieces(chunks)[0]
        self.rate = rate
        self.started = False
        self.sent_path = sent_path

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Markdown("Ready.\n\n")

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).anchor()  # follow the end, as the app's message pane does

    def on_key(self, event: Key) -> None:
        if event.key == "enter" and not self.started:
            self.started = True
            self.run_worker(self.feed())

    async def feed(self) -> None:
        stream = Markdown.get_stream(self.query_one(Markdown))
        sent: list[float] = []
        start = time.perf_counter()
        for n, piece in enumerate(self.pieces):
            due = start + n / self.rate
            now = time.perf_counter()
            if due > now:
                await asyncio.sleep(due - now)
            sent.append(time.monotonic())
            await stream.write(piece)
        await stream.stop()
        Path(self.sent_path).write_text(json.dumps(sent))  # noqa: ASYNC240 (once, at the end)


if __name__ == "__main__":
    MinimalStream(int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]).run()
