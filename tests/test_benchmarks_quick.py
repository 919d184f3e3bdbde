"""The benchmark suite keeps working: ``python -m tests.benchmarks --quick`` runs and prints its figures.

Benchmarks are not tests: nothing here asserts a time. It only checks that every group ran
and printed its lines (``name value unit``) and that the report was written (to a temporary
file, never over the repository's ``BENCHMARKS.md``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chat_tui.launch import FRAME_RATE

ROOT = Path(__file__).resolve().parents[1]

# One representative line per figure of the quick run (a missing group shows up here).
QUICK_FIGURES = [
    "startup.version",
    "startup.first_frame",
    "startup.first_frame_vs_minimal_textual",
    "startup.demo_ok",
    "ingest.5000.raw",
    "ingest.5000.sdk",
    "ingest.5000.ours",
    "ingest.5000.ours_vs_sdk",
    "ingest.5000.ours_vs_raw",
    "ingest.5000.ours_events_per_s",
    "ingest.5000.ours_peak_memory",
    "ingest.real.ours_vs_sdk",
    "test_runner.8.ours_vs_sdk",
    "time_travel.timeline_60.open",
    "render.250.per_chunk",
    "render.1000.per_chunk",
    "render.per_chunk_1000_vs_250",
    "render.naive.per_chunk",
    "render.naive_vs_ours.1000",
    "render.paced200.500.finish_ratio",
    "render.paced200.500.lag_p99",
    "long_thread.200.first_paint",
    "long_thread.200.rss_growth",
    "long_thread.200.page_scroll_frame_p95",
    "long_thread.200.to_top",
    "long_thread.200.to_bottom",
    "long_thread.1000.first_paint",
    "long_thread.rss_growth_1000_vs_200",
    "thread_list.500.first_page",
    "thread_list.500.to_end_frame_p95",
    "thread_list.first_page_rss_500_minus_50",
    "thread_list.rss_per_1000_rows",
    "inspector.paced200.200.shown_vs_hidden",
    "inspector.paced200.200.lag_p99_shown",
    "inspector.big_result.preview",
    "inspector.big_result.expand_first_frame",
    "inspector.big_result.scroll_frame_p95",
    "terminal.300.key_to_screen_p99",
    "terminal.300.token_to_screen_p99",
    "terminal.300.loop_lag_p99",
    "terminal.300.big_result.key_to_screen_p99",
    "terminal.300.cpu_vs_minimal",
    "terminal.idle_cpu",
]


@pytest.mark.slow
@pytest.mark.timeout(420)
def test_quick_benchmarks_run_and_print_every_figure(tmp_path: Path) -> None:
    report = tmp_path / "BENCHMARKS.md"
    done = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks", "--quick", "--output", str(report)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    printed = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3:
            printed[parts[0]] = parts
    missing = [name for name in QUICK_FIGURES if name not in printed]
    assert not missing, f"not printed: {missing}\n{done.stdout[-3000:]}"
    for name in QUICK_FIGURES:
        float(printed[name][1])  # a number, whatever it is
    text = report.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks") and "## Machine" in text and "What limits" in text


def test_the_terminal_benchmarks_wrapper_paints_at_the_apps_frame_rate() -> None:
    """The typed sessions run the app through ``pty_app``: it must import Textual as ``chat-tui``
    does, after setting the frame rate (Textual reads it once, on its first import)."""
    env = {key: value for key, value in os.environ.items() if key != "TEXTUAL_FPS"}
    code = "from tests.benchmarks.pty_app import textual_app; textual_app(); "
    code += "from textual import constants; print(constants.MAX_FPS)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == [FRAME_RATE]
