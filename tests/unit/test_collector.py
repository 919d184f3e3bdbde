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
        policy.streaming(True)  # a second run: nothing more is frozen
        assert gc.get_freeze_count() == frozen
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
