"""The cycle collector's policy: thresholds while the app runs, frozen objects and smaller young
collections while a run streams."""

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
