"""The cycle collector's policy while the app runs.

A Textual app holds hundreds of thousands of long-lived objects (widgets, styles, strips,
Markdown blocks), and every widget has reference cycles (parent ↔ child), so CPython's
default collector (a young collection every 700 allocations, promotions that soon trigger
full collections) paused the whole app for 100-500 ms at a time while a message streamed
or a long thread filled its window: the event loop's p99 lag at 200 chunks/s was about
110 ms. Collecting the young generation every 20,000 allocations lets short-lived objects
die by reference counting before any collection sees them, so far fewer reach the old
generations and full collections become rare (p99 lag about 40 ms; ``python -m
tests.benchmarks --only render``). Garbage in cycles is still collected, only less often.

A full collection still came about once in a 20-second answer, and walked every object of the
app: ~180 ms with a 200-message thread open, the one frame that set the p99 of key and token
to screen. While a run streams, the objects that existed when it started are frozen
(``gc.freeze()``: collections leave them alone; moving them is O(1)), so a collection walks
only what the stream made; they are unfrozen when nothing streams any more, and garbage among
them is collected as before, only after the answer.

While frozen, the young generation is collected every 5,000 allocations instead: each
collection then holds up the app less. Most of what a stream allocates is garbage in cycles
(Textual's strips cache themselves, and each layout's map stays tied to a recursive closure),
so young collections came about twice a second at 20,000, took 6-10 ms, and every tenth (the
middle generation) ~20 ms; seven of the eight slowest keys to screen of a traced run had one
in their path. At 5,000, in the pty, 4 rounds each: key to screen p99 24.9 vs 31.1 ms, loop lag
p99 0.85x; at 2,000 the p99s got worse again (key 33.8 ms, token 61.6 vs 51.3).

While frozen, the old generation is collected only after 100 collections of the middle one
(about 110 s of streaming at 200 chunks/s) instead of 10. The full collection that came once
in a 20-second answer walked all the stream had made: 35-42 ms at once, in the middle of it
(in one traced run, 0.4 s after a 1 MB tool result: a 52 ms frame, the slowest key of that
second). What the stream left in cycles (~20,000 objects in a 20-second answer) waits for the
answer to end.
"""

from __future__ import annotations

import gc

__all__ = ["CollectorPolicy"]


class CollectorPolicy:
    """Apply the app's thresholds; restore the previous ones when the app ends."""

    THRESHOLDS = (20_000, 10, 10)
    STREAMING = (5_000, 10, 100)  # while what existed is frozen (see the module's doc)

    def __init__(self) -> None:
        self._saved: tuple[int, int, int] | None = None
        self._frozen = False

    def apply(self) -> None:
        if self._saved is None:
            self._saved = gc.get_threshold()
            gc.set_threshold(*self.THRESHOLDS)

    def streaming(self, streaming: bool) -> None:
        """A run starts streaming (freeze what exists), or nothing streams any more (unfreeze)."""
        if streaming and not self._frozen and self._saved is not None:
            gc.freeze()
            gc.set_threshold(*self.STREAMING)  # (freezing also zeroes the counts: they count from now)
            self._frozen = True
        elif not streaming and self._frozen:
            gc.unfreeze()
            gc.set_threshold(*self.THRESHOLDS)
            self._frozen = False

    def restore(self) -> None:
        self.streaming(False)
        if self._saved is not None:
            gc.set_threshold(*self._saved)
            self._saved = None
