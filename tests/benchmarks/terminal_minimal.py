"""The smallest Textual app that streams the terminal benchmark's answer: one ``Markdown`` fed
through its ``MarkdownStream`` (``Markdown.get_stream``) at the replay server's pace, and
nothing else. Enter starts the stream, as it sends the message in the app.

``python -m tests.benchmarks.terminal_minimal CHUNKS RATE``
"""

from __future__ import annotations

import asyncio
import sys
import time

from textual.app import App, ComposeResult
from textual.containers import VerticalScroll
from textual.events import Key
from textual.widgets import Markdown

from tests.benchmarks.corpus import marked_pieces


class MinimalStream(App[None]):
    def __init__(self, chunks: int, rate: float) -> None:
        super().__init__()
        self.pieces = marked_pieces(chunks)[0]
        self.rate = rate
        self.started = False

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
        start = time.perf_counter()
        for n, piece in enumerate(self.pieces):
            due = start + n / self.rate
            now = time.perf_counter()
            if due > now:
                await asyncio.sleep(due - now)
            await stream.write(piece)
        await stream.stop()


if __name__ == "__main__":
    MinimalStream(int(sys.argv[1]), float(sys.argv[2])).run()
