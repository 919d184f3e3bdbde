"""The status line: server (host only), assistant, and the state of the current run."""

from __future__ import annotations

import math
import time

from textual.content import Content
from textual.timer import Timer
from textual.widgets import Static

from chat_tui.conversation import RunInfo, RunOutcome

__all__ = ["StatusLine"]

_OUTCOMES = {
    RunOutcome.SUCCESS: ("done", "$success"),
    RunOutcome.ERROR: ("error", "$error"),
    RunOutcome.INTERRUPTED: ("⏸ waiting for you", "$warning"),
    RunOutcome.CANCELLED: ("cancelled", "$warning"),
    RunOutcome.STOPPED: ("stopped on the server", "$warning"),
    RunOutcome.UNKNOWN: ("ended (status unknown)", "$warning"),
}


class StatusLine(Static):
    """One line, rebuilt from facts; never shows a URL or a key."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.host = ""
        self.assistant = ""
        self.connection_state = ""  # e.g. "starting demo server…" or "cannot reach host"
        self.extra = ""  # e.g. "config set"
        self.waiting = ""  # threads waiting for a human ("⏸ 3 waiting · F6")
        self.marker = ""  # first: "● REC" while runs are recorded to a file, "▶ REPLAY 1/2" in a replay
        self.marker_style = "bold $error"
        self._stored: str | None = None
        self._run: RunInfo | None = None
        # A run creation the server refused with 429: when sending may work again (monotonic
        # time), counted down each second; nothing is sent again until the user presses Enter.
        self._retry_at: float | None = None
        self._ticker: Timer | None = None

    def rate_limited(self, retry_after: float | None) -> None:
        """Count down to when the server said a new run may be sent (None: stop showing it)."""
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        self._retry_at = None if retry_after is None else time.monotonic() + max(0.0, retry_after)
        if self._retry_at is not None:
            self._ticker = self.set_interval(1.0, self._tick)
        self.show(self._run, stored=self._stored)

    def _tick(self) -> None:
        self.show(self._run, stored=self._stored)
        if self._retry_at is not None and time.monotonic() >= self._retry_at and self._ticker is not None:
            self._ticker.stop()  # (the line now says "you can send again"; it stays until the next send)
            self._ticker = None

    def show(self, run: RunInfo | None, *, stored: str | None = None) -> None:
        """*stored*: how the opened thread's last run ended when this app did not see it run."""
        self._stored = stored
        self._run = run
        parts: list[tuple[str, str] | str] = []
        if self.marker:
            parts += [(self.marker, self.marker_style), "  "]
        if self.host:
            parts.append(("● ", "$success" if not self.connection_state else "$warning"))
            parts.append((self.host, "$text"))
        if self.assistant:
            parts += [("  ·  ", "$text-muted"), (self.assistant, "$accent")]
        parts.append(("  │  ", "$text-muted"))
        parts += self._run_parts(run)
        if self._retry_at is not None:
            left = math.ceil(self._retry_at - time.monotonic())
            wait = f"rate limited: send again in {left} s" if left > 0 else "rate limited: you can send again (Enter)"
            parts += [("  │  ", "$text-muted"), (wait, "$warning")]
        if self.waiting:
            parts += [("  │  ", "$text-muted"), (self.waiting, "$warning")]
        if self.extra:
            parts += [("  │  ", "$text-muted"), (self.extra, "$text-muted")]
        self.update(Content.assemble(*parts))

    def _run_parts(self, run: RunInfo | None) -> list[tuple[str, str] | str]:
        if self.connection_state:
            return [(self.connection_state, "$warning")]
        if run is None:
            if self._stored == "interrupted":
                return [("⏸ waiting for you", "$warning")]
            if self._stored == "error":
                return [("the last run failed", "$error")]
            return [("idle", "$text-muted")]
        if run.outcome is RunOutcome.INTERRUPTED:  # (what matters now is the answer, not the figures)
            return [_OUTCOMES[run.outcome]]
        if run.outcome is not RunOutcome.RUNNING:
            label, style = _OUTCOMES[run.outcome]
            return [(label, style), *self._figures(run)]
        if run.reconnecting:
            return [(f"reconnecting (attempt {run.reconnecting})…", "$warning")]
        if run.first_token_at is None:
            return [("connecting…" if run.run_id is None else "waiting for the first token…", "$warning")]
        label = f"streaming · {run.node}" if run.node else "streaming"
        return [(label, "$success"), *self._figures(run)]

    @staticmethod
    def _figures(run: RunInfo) -> list[tuple[str, str] | str]:
        figures: list[tuple[str, str] | str] = []
        if run.time_to_first_token is not None:
            figures.append((f"  ·  TTFT {run.time_to_first_token:.1f} s", "$text-muted"))
        rate = run.rate
        if rate is not None:
            figures.append((f"  ·  {rate[0]:.0f} {rate[1]}", "$text-muted"))
        return figures
