"""BENCHMARKS.md: the figures with their targets, the machine, and what limits each figure."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from tests.benchmarks.measure import Figure, Results, fmt

PACKAGES = (
    "chat-tui",
    "textual",
    "rich",
    "httpx",
    "httpx-sse",
    "pydantic",
    "pydantic-core",
    "langgraph-sdk",
    "langgraph-api",
)

GROUPS = {
    "startup": "Start-up",
    "ingest": "1. Ingest (client: bytes to conversation state)",
    "render": "2. Render (one streamed answer in the real app)",
    "long_thread": "3. Long thread (open, scroll, top and back)",
    "thread_list": "4. Thread list (10,000 threads on the server)",
    "test_runner": "5. `chat-tui test` (a suite beside a plain SDK loop)",
    "time_travel": "6. Time travel (the timeline of a long thread)",
    "inspector": "7. Event inspector and big tool results",
    "terminal": "8. At the terminal (the real app in a pty, measured from outside)",
}

# What limits each group's figures, from the profiles taken while making them (see the
# report of the change that added this suite for the before/after numbers).
LIMITS = {
    "ingest": (
        "The replay server sends each event as its own HTTP chunk, as langgraph-api does, so "
        "httpx/h11 spend ~11 µs per event before any client sees a byte: that is the `raw` figure, "
        "and more than half of ours. Of the rest (~8 µs an event): pydantic validation of the "
        "message half (~1.5 µs; the metadata half, ~900 of ~1,100 bytes, is validated once per model "
        "call and reused), SSE decoding (~2.5 µs: a read holding exactly one event is decoded by a "
        "few searches, anything else by httpx-sse), the replay bookkeeping (~0.3 µs), folding into "
        "the conversation (~0.9 µs) and the async generators. The SDK decodes line by line and "
        "JSON-decodes without types, accumulating nothing. The two spend most of their time in the "
        "same HTTP stack, so the ratio sits near parity (0.81-1.10 across the runs of two sessions on "
        "this 2-core machine, ±20% inside a run). Ours reads the transport's byte stream directly, "
        "one generator layer (httpx's `aiter_raw` re-chunking) fewer per read than before (~4%, 30 "
        "interleaved rounds); getting further under the SDK would mean fewer layers in "
        "httpx/httpcore/h11 per chunk, which a client on httpx cannot change. Against the real server "
        "its own pace dominates."
    ),
    "render": (
        "Textual's cost, not ours: every Markdown append re-parses the last block and re-mounts it when "
        "it is a list or a table, and every frame whose layout changed re-lays out every displayed widget "
        "of the screen, so frames grow with the widget count. Here tables, text-only lists and quotes of "
        "paragraphs are one widget each (`chat_tui/ui/widgets/markdown.py`): halving an answer's widgets "
        "cut the p99 loop lag at 200 chunks/s over a 4,000-chunk answer from ~87 to ~46 ms (measured side "
        "by side, old and new commit alternating). While the pane follows a stream, the finished blocks "
        "of the answer that end more than a screen above the view leave layout "
        "(`chat_tui/ui/widgets/dormancy.py`), so the streaming widget's layout stays the size of a screen "
        "or two. The app collects Python's young generation every 20,000 allocations and freezes the "
        "objects that existed when a run started (`chat_tui/ui/collector.py`): with the default 700, full "
        "collections paused the whole app for 100-500 ms while it streamed (p99 loop lag at 200 chunks/s "
        "was ~110 ms), and without the freeze a full collection still walked the whole app about once per "
        "20-second answer (~180 ms with a 200-message thread open). Lag p99 over 4,000 chunks, one run "
        "each, same session: 29.8 ms before these two changes, 19.3 and 22.6 ms after (this group runs "
        "the app under Pilot, in an empty thread, at Textual's default 60 frames a second; one round per "
        "figure, so ±30% between runs). What is left is a frame (~7-10 ms: the compositor re-renders the "
        "whole pane, every line of which moved up) plus a young collection (~4-5 ms, every 20,000 "
        "allocations; ~15-20 ms every tenth, the middle generation). The naive approach re-parses and "
        "re-mounts the whole message on every chunk."
    ),
    "long_thread": (
        "Mounting a Markdown answer costs a few ms and ~1 MB per widget-heavy answer in Textual, so "
        "the pane mounts the last 8 entries, paints, then fills its window (at most 50 entries, "
        "~120,000 characters) six entries at a time between frames; Home and End mount a fresh window "
        "instead of the whole thread, so memory depends on the window, not the thread. Page-scroll "
        "frames pay for the first render of newly exposed blocks."
    ),
    "thread_list": (
        "The sidebar is one line-virtualised OptionList filled 50 rows per request, so the first "
        "page does not depend on the server's size. Memory grows with the rows fetched (a Thread "
        "model and a two-line option per row). Paging to the end is 200 requests, each followed by "
        "lazy first-message fetches for untitled rows. Textual's OptionList forgets every row's "
        "measured height on each Resize, and it gets one whenever its virtual size grows, i.e. on "
        "every page added: paging re-measured all loaded rows per page (O(rows) per page; frames p95 "
        "40-66 ms and 60 s to reach the end of 10,000). The sidebar now keeps them unless the width "
        "changed (`ThreadList.on_resize`): p95 ~23 ms, ~28 s to the end, the slowest frames the ones "
        "that add a page. The minute's relative-time refresh re-renders only the rows in view (the "
        "others as they scroll in); it re-rendered every loaded row, ~1 s at 10,000."
    ),
    "time_travel": (
        "Each checkpoint in the history carries the whole state at that step, so a page of a long thread "
        "is big (300 checkpoints of a growing conversation: the sum of its prefixes; 25 of them are 2.5 "
        "MB). The timeline asks for the newest 25 first and the rest as the cursor nears the end, so "
        "opening it costs one small page whatever the thread's length. F5 asks for that page at once and "
        "opens the screen with its rows (an empty list drawn first cost frames while the page was read), "
        "and the branch marks' walk of the whole history (read in the background when a thread opens, 25 "
        "checkpoints a page so no one parse holds the loop long) waits meanwhile: pages of 100 parsed "
        "beside the timeline's page made its tail 0.6-0.8 s. The figure is taken once the opened thread "
        "is drawn (its messages mount for ~0.7 s after the view is ready; F5 pressed during that measured"
        " both: 0.24 s median, 0.37 s at worst, on the same machine); what is left is the server's page "
        "and one frame, and on a shared 2-core machine the spread."
    ),
    "inspector": (
        "The stream worker only appends a reference to each decoded event to the thread's event log "
        "(O(1), no parsing); the inspector reads it on its own 20 Hz timer while it is shown, takes in "
        "only the events that arrived, and draws only the rows on screen (a line-virtualised ScrollView; "
        "a row's summary is parsed from its JSON once, when first drawn), so the paced stream's cost is "
        "the same shown or hidden within the noise of a 2-core machine. A 1 MB JSON result is "
        "pretty-printed once by pydantic-core's serializer (~35 ms; `json.dumps` with an indent runs in "
        "Python, ~110 ms) and kept for the folded preview, the expanded view, copying and saving; "
        "expanding fills a line-virtualised Log (its lines measured once), and paging redraws only the "
        "lines in view."
    ),
    "test_runner": (
        "The demo server streams with no token delay here, so the client's share of a run is as large "
        "as it gets; both sides share the machine's two cores with the server, whose work per run "
        "(a new thread, a model turn, a tool, a second model turn) dominates. Beyond the SDK loop, "
        "each of our runs folds every event into the conversation the app shows, reads the thread's "
        "state once at its end (the same reconciliation the app does) and evaluates its checks."
    ),
    "terminal": (
        "Measured from outside, with the bytes the app writes to a real pty: a key or a marker word "
        "counts when the reader gets the frame that draws it, so Textual's frame pacing and the pty are "
        "included, and the app, the replay server and the reader share the machine's two cores with other "
        "work (the final run's load average was 0.0-0.9). Where the time went (profiled in the app in the "
        "pty, 200-message thread, typing): a frame cost ~40 ms, of which the layout of all ~600 mounted "
        "widgets (`Compositor.reflow`) ~21 ms, rendering the pane ~11 ms, writing ~1 ms; Markdown parsing "
        "~0.3 ms a flush and mounting new blocks (styling) ~0.8 ms. Frames took ~60% of a core, so a key "
        "or a flush mostly waited for the frame being built. Three changes, each measured against the "
        "commit before it, rounds interleaved: what ends more than a screen above the view leaves layout "
        "while the pane follows the stream (whole entries, then the answer's own finished blocks; "
        "`chat_tui/ui/widgets/dormancy.py`; reflow ~2 ms, a frame ~7-10 ms): key p50 0.26x and p99 0.36x, "
        "token p50 0.40x and p99 0.57x, CPU 0.84x (3 rounds); freezing the objects that existed when the "
        "run started removes the one full collection of a 20-second answer (~180 ms; 0.91-0.96x on the "
        "medians over 6 rounds, within the noise but never a full collection after it in 3 profiled "
        "streams); painting at 120 frames a second instead of 60 (a key or a token waited up to 16.7 ms "
        "for the next tick of Textual's frame clock; `chat_tui/launch.py`): key p99 0.83x, token p99 "
        "0.81x, token p50 0.93x, CPU 1.08x (4 rounds). Deferring a flush by a frame after a key made no "
        "difference (key p99 0.97x, 6 rounds) and was dropped. Together, key to screen went from ~86 / "
        "~210 ms (p50 / p99) to ~23 / ~58 ms and token to screen from ~95 / ~290 to ~34 / ~74. What is "
        "left: the key's p99 misses its 33 ms target by ~25 ms and the token's its 70 ms by ~4 ms. A key "
        "waits for the frame in progress (p99 ~25-35 ms when it holds a flush's layout, longer when a "
        "collection of the middle generation, ~15-20 ms, falls in it), then for its own; a token waits in "
        "addition for the 30 Hz flush (0-33 ms). The answer's first second is no longer the p99 (token "
        "p99 per eighth of the answer: ~55-105 ms, no eighth standing out). CPU per chunk: Textual's "
        "MarkdownStream is most of it (the minimal app spends more, ~4.7 ms, because every list, table "
        "and quote of its document stays a widget tree of its own and all of it stays in layout; ours "
        "folds each into one widget, see Render), so the app is at ~0.7x over 4,000 chunks. Idle: nothing "
        "is painted (the composer's cursor stops blinking after 10 s), so the app idles at the minimal "
        "app's ~0.16% (Textual's timers)."
    ),
    "startup": (
        "The smallest Textual app drawing one word is measured beside it (`first_frame_minimal_textual`): "
        "that is what the interpreter, Textual's core and one frame cost on this machine at that moment "
        "(it drifts by half between runs here, and the app's figure with it). The rest is the Textual "
        "widgets the first screen uses (TextArea, OptionList, Footer), the stylesheets and chat-tui's "
        "own light modules. What the first frame does not draw loads after it: pydantic and the typed "
        "protocol models (~0.1 s: pydantic's import and its first model; the settings read before the "
        "first frame are dataclasses validated by hand for this reason, and the API key sits in our own "
        "`Secret`), the conversation state, httpx (when it connects), Markdown, markdown-it and Pygments "
        "(with the first assistant message), the secondary screens. "
        "`tests/ui/test_startup_imports.py` checks that none of them is loaded when the first frame is "
        "written. Together this took the app from ~2.2x the minimal app to ~1.6x."
    ),
}


def machine() -> dict[str, str]:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return {
        "cores": str(os.cpu_count()),
        "cpu": model or platform.processor() or "unknown",
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        **versions,
    }


def _target(figure: Figure) -> str:
    if figure.target is None:
        return ""
    op, limit = figure.target
    return f"{'≤' if op == '<=' else '≥'} {fmt(limit)}"


def _result(figure: Figure) -> str:
    passed = figure.passed
    return "" if passed is None else ("pass" if passed else "**miss**")


def _spread(figure: Figure) -> str:
    if figure.spread is None:
        return ""
    return f"{fmt(figure.spread[0])}–{fmt(figure.spread[1])}"


def write(results: Results, path: Path, *, quick: bool, command: str, elapsed: float) -> None:
    info = machine()
    lines = [
        "# Benchmarks",
        "",
        f"Generated by `{command}` on {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}"
        f" ({'quick: reduced sizes' if quick else 'full run'}, {elapsed:.0f} s). "
        "Rerun it to regenerate this file; `--quick` runs reduced sizes in under a minute.",
        "",
        "Every comparison is measured side by side in the same process, interleaved round by round, "
        "and reported as the median of the per-round ratios with their range. Streams come from a "
        "loopback replay server (`tests/benchmarks/replay_server.py`, its own process) that frames "
        "events as langgraph-api does (CRLF, `id:` lines, heartbeats, ~1.1 KB per `messages` event) "
        "and sends them as fast as the socket takes them; `ingest.real.*` runs against the real "
        "`langgraph dev` demo server. UI figures use the real app under Pilot with a driver that "
        "renders every frame to terminal bytes; the terminal group runs `python -m chat_tui` in a 120x40 "
        "pseudo-terminal and measures it from outside.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in info.items()],
        "",
    ]
    for group, title in GROUPS.items():
        figures = [f for f in results.figures if f.name.split(".")[0] == group]
        if not figures:
            continue
        lines += [
            f"## {title}",
            "",
            "| figure | value | unit | target | result | spread (min–max) | n | note |",
            "|---|---:|---|---|---|---|---:|---|",
        ]
        for figure in figures:
            lines.append(
                f"| `{figure.name}` | {fmt(figure.value)} | {figure.unit} | {_target(figure)} | {_result(figure)} "
                f"| {_spread(figure)} | {figure.reps} | {figure.note} |"
            )
        lines.append("")
    lines += ["## What limits each figure", ""]
    for group, text in LIMITS.items():
        if any(f.name.split(".")[0] == group for f in results.figures):
            lines += [f"- **{GROUPS[group].split(' (')[0]}.** {text}", ""]
    missed = [f.name for f in results.figures if f.passed is False]
    lines += [
        "## Summary",
        "",
        f"{sum(1 for f in results.figures if f.passed)} targets met, {len(missed)} missed"
        + (": " + ", ".join(f"`{name}`" for name in missed) if missed else "")
        + ".",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")
