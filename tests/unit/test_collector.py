"""The cycle collector's policy: thresholds while the app runs, frozen objects and smaller young
collections while a run streams, and no full one."""

from __future__ import annotations

import gc

from chat_tui.ui.collector import CollectorPolicy


def test_a_stream_freezes_what_exists_and_its_end_or_the_apps_unfreezes_it() -> None:
    before = gc.get_threshold()
    policy = CollectorPolicy()
    policy.streaming(True)  # (not applied yet: the app's policy is not in force)
    assert gc.get_freeze_count() == 0
    policy.apply()
    try:
        assert gc.get_threshold() == CollectorPolicy.THRESHOLDS
        policy.streaming(True)
        frozen = gc.get_freeze_count()
        assert frozen > 0 and gc.get_threshold() == CollectorPolicy.STREAMING
        made_since: list[object] = []
        policy.streaming(True)  # a second run: nothing more is frozen (what was may have been freed since)
        assert any(o is made_since for o in gc.get_objects())  # (the permanent generation is not listed)
        policy.streaming(False)
        assert gc.get_freeze_count() == 0 and gc.get_threshold() == CollectorPolicy.THRESHOLDS
        policy.streaming(True)
    finally:
        policy.restore()
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before


def test_no_full_collection_comes_while_a_run_streams() -> None:
    """A full collection walks all the stream made (~40 ms in the middle of an answer): while a
    run streams the young generations are collected as usual, and the old one is left alone."""
    started: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    policy = CollectorPolicy()
    policy.apply()
    gc.set_threshold(1, 1, 10_000)  # many middle collections since the last full one, before the run: not counted
    held = [[] for _ in range(1_000)]
    gc.set_threshold(*CollectorPolicy.THRESHOLDS)
    del held
    assert gc.get_count()[2] > 100
    policy.streaming(True)
    gc.callbacks.append(note)
    try:
        kept: list[list[object]] = []
        for n in range(1_500_000):  # young garbage in cycles, and some that lives on (promoted)
            cycle: list[object] = []
            cycle.append(cycle)
            if n % 4 == 0:
                kept.append(cycle)
    finally:
        gc.callbacks.remove(note)
        policy.restore()
    assert started.count(1) >= 20 and 2 not in started, (started.count(0), started.count(1), started.count(2))
