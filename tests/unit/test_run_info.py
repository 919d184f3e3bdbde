"""The status line's figures: honest or absent, never a number made of noise."""

from __future__ import annotations

from chat_tui.conversation.run import RATE_SECONDS, RunInfo


def test_a_burst_of_buffered_chunks_has_no_rate() -> None:
    """(A resume once showed '32911 tok/s': chunks read in one go, a few microseconds apart.)"""
    run = RunInfo(started_at=0.0, first_token_at=1.0, last_token_at=1.0 + RATE_SECONDS / 100, chunks=500)
    assert run.rate is None
    run.last_token_at = 1.0 + 2 * RATE_SECONDS
    assert run.rate == (499 / (2 * RATE_SECONDS), "chunks/s")  # chunks are not tokens: said as chunks


def test_tokens_a_second_when_the_model_reports_usage() -> None:
    run = RunInfo(started_at=0.0, first_token_at=1.0, last_token_at=3.0, chunks=10)
    run.add_usage({"output_tokens": 120, "input_tokens": 5})
    run.add_usage({"output_tokens": True})  # (not a count)
    assert run.rate == (60.0, "tok/s")


def test_an_attached_run_has_no_time_to_first_token() -> None:
    """Joining a run replays its first tokens at once: that is not a latency (it showed 'TTFT 0.0 s')."""
    assert RunInfo(started_at=0.0, first_token_at=0.4).time_to_first_token == 0.4
    assert RunInfo(started_at=0.0, first_token_at=0.001, attached=True).time_to_first_token is None
