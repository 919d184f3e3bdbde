"""Terminal: the real app (``python -m chat_tui``) in a 120x40 pseudo-terminal, measured from
the outside with the bytes it really writes.

- key-to-screen: a character written to the pty while a paced answer streams, until its echo
  is in the output. The characters are Cyrillic letters that neither the answer nor the UI
  holds, typed one at a time (each distinct from those already in the composer, which is
  cleared every 16 keys), the next one a random 20-60 ms after the previous echo.
- token-to-screen: the replay server logs ``time.monotonic()`` as it writes each event;
  the answer carries unique marker words (``zq00042``), each found in the output the first
  time it appears. Both sides read CLOCK_MONOTONIC, the same clock across processes.
- CPU per chunk: the app's CPU time (the kernel's process CPU clock, every thread) from Enter
  to the last marker on screen plus 0.5 s, beside the smallest Textual app that feeds the same
  chunks at the same pace into one ``MarkdownStream``, in the same pty, rounds alternating.
- idle: the app connected, a 200-message thread open and the answer in, nothing streaming.
- event-loop lag: the render group's probe (a task sleeping 5 ms) in the app's own loop
  (``tests/benchmarks/pty_app.py``), from Enter to the last marker on screen.
- the same three figures while 1 MB tool results arrive: the answer in eight parts (four in a
  quick run) with a tool call between each two whose result is about a megabyte of JSON (shown
  folded, as the app shows any result); keys typed, marker words sent and lag samples taken
  within a second of the server writing a result. (Seven results a session, not three: with
  three, ~160 keys fell in the windows of a full run, so its p99 was its second-slowest key.)
"""

from __future__ import annotations

import json
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.benchmarks.corpus import marked_pieces
from tests.benchmarks.corpus_big import marked_with_results
from tests.benchmarks.measure import Figure, Results, median, percentile, ratio_figure, spread
from tests.benchmarks.pty_app import read_lags
from tests.benchmarks.replay_server import ReplayServer
from tests.benchmarks.terminal_pty import Terminal, pty_env

ROOT = Path(__file__).resolve().parents[2]
RATE = 200
KEYS = "БГДЖЗИЙЛПФЦЧШЩЭЮ"  # in neither the streamed answer nor the app's own text
KEY_TIMEOUT = 1.0  # a key not echoed by then counts as this late
BIG = 1_000_000  # bytes of each tool result of the "big" sessions
WINDOW = 1.0  # seconds after a big result is written that count as "while it arrives"


@dataclass(frozen=True)
class Plan:
    chunks: int
    repetitions: int
    idle: float  # seconds of idle CPU measured
    settle: float  # after the answer, before the idle measurement (the run's end is read back)
    load: float  # after the first frame, before typing (connected, the thread's window filled)
    messages: int  # in the open thread
    parts: int = 8  # of the answer of a "big" session: a 1 MB tool result between each two


FULL = Plan(4000, 3, 5.0, 1.0, 1.0, 200)
QUICK = Plan(300, 1, 0.8, 0.3, 0.3, 50, parts=4)


@dataclass
class Session:
    keys: list[float] = field(default_factory=list)
    tokens: list[float] = field(default_factory=list)
    cpu: float = 0.0  # seconds, Enter to the last marker on screen (+0.5 s)
    idle: float | None = None  # % of a core
    idle_writes: float = 0.0  # reads of the pty per second while idle (about one per frame)
    missed_keys: int = 0
    missed_markers: int = 0
    key_times: list[float] = field(default_factory=list)  # when each key was typed
    token_times: list[float] = field(default_factory=list)  # when each marker's chunk was written
    lags: list[tuple[float, float]] = field(default_factory=list)  # (when, lag), Enter to the last marker
    results: list[float] = field(default_factory=list)  # when each big result was written

    def within(self, pairs: list[tuple[float, float]]) -> list[float]:
        """The values whose time is within WINDOW after a big result was written."""
        return [v for t, v in pairs if any(0 <= t - r <= WINDOW for r in self.results)]


def _stream(term: Terminal, chunks: int, typing: bool, session: Session) -> None:
    """Press Enter, then read (and type, if *typing*) until the answer's last marker is on screen."""
    markers = marked_pieces(chunks)[1]
    last = markers[-1][0]
    rng = random.Random(19)
    term.seen.clear()
    session.cpu = -term.cpu()
    started = term.type(b"\r")
    deadline = time.monotonic() + chunks / RATE + 20
    pending: tuple[bytes, float] | None = None
    typed = 0
    next_at = 0.0
    while last not in term.seen:
        now = time.monotonic()
        if now > deadline or (not term.seen and now > started + 15):
            raise RuntimeError(
                f"the answer's last marker never showed ({len(term.seen)} of {len(markers)} seen): {term.screen()!r}"
            )
        if typing and term.seen and pending is None and now >= next_at:
            if typed == len(KEYS):  # clear the composer: the letters can be used again
                term.type(b"\x7f" * len(KEYS))
                typed, next_at = 0, now + 0.15
                continue
            key = KEYS[typed].encode()
            typed += 1
            pending = (key, term.type(key))
        if pending is not None:
            wait = pending[1] + KEY_TIMEOUT - now
        else:
            wait = max(0.0, next_at - now) if typing and term.seen else 0.05
        got = term.pump(min(wait, 0.05))
        if pending is not None:
            if got is not None and term.arrived(pending[0]):
                session.keys.append(got[1] - pending[1])
                session.key_times.append(pending[1])
                pending, next_at = None, got[1] + rng.uniform(0.02, 0.06)
            elif time.monotonic() - pending[1] > KEY_TIMEOUT:
                session.keys.append(KEY_TIMEOUT)
                session.key_times.append(pending[1])
                session.missed_keys += 1
                pending, next_at = None, time.monotonic()
    term.drain(0.5)
    session.cpu += term.cpu()


def _compose(term: Terminal) -> None:
    """Type the message (until its last letter shows in the composer: early keys may be lost)."""
    for _ in range(10):
        term.type("goΩ".encode())
        try:
            term.wait_for("Ω".encode(), 2)
            term.drain(0.2)
            return
        except RuntimeError:
            term.type(b"\x7f" * 3)
            term.drain(0.3)
    raise RuntimeError("the composer never showed the message")


def _idle(term: Terminal, session: Session, plan: Plan) -> None:
    term.drain(plan.settle)  # the run's end: the thread's state is read back and reconciled
    cpu, start, reads = term.cpu(), time.monotonic(), term.reads
    term.drain(plan.idle)
    seconds = time.monotonic() - start
    session.idle = (term.cpu() - cpu) / seconds * 100
    session.idle_writes = (term.reads - reads) / seconds


def app_session(replay: ReplayServer, home: Path, plan: Plan, typing: bool, idle: bool, big: bool = False) -> Session:
    chunks = plan.chunks
    scenario = f"marked:chunks={chunks}:rate={RATE}" + (f":big={BIG}:parts={plan.parts}" if big else "")
    answer = marked_with_results(chunks, BIG, plan.parts) if big else None
    replay.control("prepare", scenario=scenario)
    thread = replay.control("long_thread", messages=plan.messages)["thread_id"]  # fresh: no markers of an earlier run
    # The app runs a thread's own graph: make it the scenario.
    httpx.patch(f"{replay.url}/threads/{thread}", json={"metadata": {"graph_id": scenario}}, trust_env=False)
    env = pty_env(home)
    module = "chat_tui"
    if typing:  # with the lag probe (not in the CPU-measured sessions: it wakes 200 times a second)
        module, lag_file = "tests.benchmarks.pty_app", home / "lags.txt"
        home.mkdir(parents=True, exist_ok=True)
        env.update(BENCH_LAG_FILE=str(lag_file), PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", module, "--url", replay.url, "--assistant", scenario, "--thread", thread]
    term = Terminal(command, env, ROOT)
    session = Session()
    try:
        term.mark()
        term.wait_for(b"Threads", 30)
        # The thread is open (its stored answers are on screen; typing earlier would go to the
        # new-thread draft, which opening the thread replaces), then its window fills.
        term.wait_for(b"what the numbers say", 30)
        term.drain(plan.load)
        _compose(term)
        started = time.monotonic()
        _stream(term, chunks, typing, session)
        ended = time.monotonic()
        sent = replay.control("sent")
        _tokens(session, term.seen, sent, chunks, answer.piece_events if answer else None)
        if answer:
            session.results = [sent[n] for n in answer.result_events]
        if typing:
            session.lags = [(t, lag) for t, lag in read_lags(lag_file) if started <= t <= ended]
        if idle:
            _idle(term, session, plan)
    finally:
        term.close()
    return session


def minimal_session(home: Path, plan: Plan, idle: bool) -> Session:
    chunks = plan.chunks
    home.mkdir(parents=True, exist_ok=True)
    sent_path = home / "sent.json"
    command = [sys.executable, "-m", "tests.benchmarks.terminal_minimal", str(chunks), str(RATE), str(sent_path)]
    term = Terminal(command, {**pty_env(home), "PYTHONPATH": str(ROOT)}, ROOT)
    session = Session()
    try:
        term.mark()
        term.wait_for(b"Ready.", 30)
        term.drain(0.3)
        _stream(term, chunks, False, session)
        if idle:
            _idle(term, session, plan)
    finally:
        term.close()
    _tokens(session, term.seen, json.loads(sent_path.read_text()), chunks)
    return session


def _tokens(
    session: Session, seen: dict[str, float], sent: list[float], chunks: int, events: tuple[int, ...] | None = None
) -> None:
    """Each marker's latency; *events*: the event index of each piece, when they are not the same."""
    for marker, index in marked_pieces(chunks)[1]:
        at = sent[events[index] if events is not None else index]
        if marker in seen:
            session.tokens.append(seen[marker] - at)
            session.token_times.append(at)
        else:
            session.missed_markers += 1


def run(results: Results, replay: ReplayServer, home: Path, quick: bool) -> None:
    plan = QUICK if quick else FULL
    home.mkdir(parents=True, exist_ok=True)
    kinds = ["typed", "big", "minimal"] if quick else ["typed", "big", "plain", "minimal"]
    sessions: dict[str, list[Session]] = {kind: [] for kind in kinds}
    for rep in range(plan.repetitions):
        for kind in kinds[rep % len(kinds) :] + kinds[: rep % len(kinds)]:
            where = home / f"{kind}{rep}"
            if kind == "minimal":
                session = minimal_session(where, plan, idle=not quick)
            else:  # in a quick run the typed one is also the CPU and idle one
                quiet = kind == "plain" or (quick and kind == "typed")
                typing = kind in ("typed", "big")
                session = app_session(replay, where, plan, typing=typing, idle=quiet, big=kind == "big")
            sessions[kind].append(session)
    _report(results, sessions, plan, quick)


def _ms(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000


def _tokens_figures(
    results: Results, name: str, sessions: list[Session], targets: dict[int, float | None], what: str
) -> None:
    tokens = [t for s in sessions for t in s.tokens]
    note = f"{what}; {len(tokens)} marker words, {sum(s.missed_markers for s in sessions)} never seen"
    for q, target in targets.items():
        per_rep = [_ms(s.tokens, q) for s in sessions]
        limit = ("<=", target) if target is not None else None
        results.add(Figure(f"{name}_p{q}", _ms(tokens, q), "ms", limit, spread(per_rep), note, len(sessions)))


def _big_figures(results: Results, name: str, sessions: list[Session]) -> None:
    """Key, token and lag figures within WINDOW of each big result being written."""
    keys = [s.within(list(zip(s.key_times, s.keys, strict=True))) for s in sessions]
    tokens = [s.within(list(zip(s.token_times, s.tokens, strict=True))) for s in sessions]
    lags = [s.within(s.lags) for s in sessions]
    count = sum(len(s.results) for s in sessions)
    note = (
        f"within {WINDOW:.0f} s of each of {count} tool results of {BIG / 1e6:.0f} MB being written:"
        f" {sum(map(len, keys))} keys, {sum(map(len, tokens))} marker words, at {RATE} chunks/s"
    )
    figures: list[tuple[str, list[list[float]], int, float | None]] = [
        ("key_to_screen_p50", keys, 50, None),
        ("key_to_screen_p99", keys, 99, 50.0),
        ("token_to_screen_p99", tokens, 99, None),
        ("loop_lag_p99", lags, 99, None),
    ]
    for figure, values, q, target in figures:
        whole = [v for rep in values for v in rep]
        limit = ("<=", target) if target is not None else None
        per_rep = spread([_ms(rep, q) for rep in values])
        results.add(Figure(f"{name}.{figure}", _ms(whole, q), "ms", limit, per_rep, note, len(sessions)))


def _report(results: Results, sessions: dict[str, list[Session]], plan: Plan, quick: bool) -> None:
    chunks = plan.chunks
    name = f"terminal.{chunks}"
    typed = sessions["typed"]
    keys = [k for s in typed for k in s.keys]
    missed = sum(s.missed_keys for s in typed)
    per_rep = [_ms(s.keys, 99) for s in typed]
    note = f"{len(keys)} keys, {missed} not echoed within {KEY_TIMEOUT:.0f} s, at {RATE} chunks/s"
    results.add(Figure(f"{name}.key_to_screen_p50", _ms(keys, 50), "ms", note=note, reps=len(typed)))
    results.add(
        Figure(f"{name}.key_to_screen_p99", _ms(keys, 99), "ms", ("<=", 33.0), spread(per_rep), note, len(typed))
    )
    _tokens_figures(results, f"{name}.token_to_screen", typed, {50: 40.0, 99: 70.0}, "server write to pty read")
    lags = [[lag for _, lag in s.lags] for s in typed]
    note = "the app's own loop: a task sleeping 5 ms, Enter to the last marker, with the typing"
    results.add(
        Figure(
            f"{name}.loop_lag_p99",
            _ms([lag for rep in lags for lag in rep], 99),
            "ms",
            ("<=", 25.0),
            spread([_ms(rep, 99) for rep in lags]),
            note,
            len(typed),
        )
    )
    _big_figures(results, f"{name}.big_result", sessions["big"])
    what = "the minimal app: chunk handed to its MarkdownStream to pty read"
    _tokens_figures(results, f"{name}.token_to_screen_minimal", sessions["minimal"], {50: None, 99: None}, what)
    if "plain" in sessions:
        _tokens_figures(results, f"{name}.token_to_screen_untyped", sessions["plain"], {99: None}, "no typing")
    ours = sessions["typed" if quick else "plain"]
    minimal = sessions["minimal"]
    cpu = [s.cpu / chunks * 1000 for s in ours]
    base = [s.cpu / chunks * 1000 for s in minimal]
    which = "(with the typing: quick run)" if quick else "(no typing)"
    results.add(Figure(f"{name}.cpu_per_chunk", median(cpu), "ms", spread=spread(cpu), note=which, reps=len(cpu)))
    results.add(
        Figure(
            f"{name}.cpu_per_chunk_minimal",
            median(base),
            "ms",
            spread=spread(base),
            note="one Markdown fed by its MarkdownStream, same chunks and pace, same pty",
            reps=len(base),
        )
    )
    results.add(
        ratio_figure(f"{name}.cpu_vs_minimal", cpu, base, 1.3, "app CPU per chunk / the minimal app's, round by round")
    )
    idle = [s.idle for s in ours if s.idle is not None]
    writes = median([s.idle_writes for s in ours])
    results.add(
        Figure(
            "terminal.idle_cpu",
            median(idle),
            "%",
            ("<=", 0.5),
            spread(idle),
            f"% of a core over {plan.idle:.0f} s; connected, a {plan.messages}-message thread open, the answer in,"
            f" nothing streaming; {writes:.1f} terminal writes/s",
            len(idle),
        )
    )
    idle_minimal = [s.idle for s in minimal if s.idle is not None]
    if idle_minimal:
        results.add(
            Figure(
                "terminal.idle_cpu_minimal",
                median(idle_minimal),
                "%",
                spread=spread(idle_minimal),
                note=f"the minimal app, same wait; {median([s.idle_writes for s in minimal]):.1f} terminal writes/s",
                reps=len(idle_minimal),
            )
        )
