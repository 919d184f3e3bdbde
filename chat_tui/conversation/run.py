"""What the status line knows of a run: its outcome and live figures (no protocol types here)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chat_tui.conversation.entries import ChatMessage

__all__ = ["RATE_SECONDS", "RunInfo", "RunOutcome"]


class RunOutcome(StrEnum):
    RUNNING = "running"
    SUCCESS = "success"
    ERROR = "error"
    INTERRUPTED = "interrupted"  # waiting for input (an interrupt() is pending)
    CANCELLED = "cancelled"
    STOPPED = "stopped"  # interrupted or rolled back from elsewhere
    UNKNOWN = "unknown"  # the stream ended and the run's status could not be learned


RATE_SECONDS = 0.5  # a rate over less time is noise (a burst of buffered chunks read at once)


@dataclass(slots=True)
class RunInfo:
    """Live facts about the current run, for the status line.

    The run's id is learned from the stream (which owns it, with the cancel request); this copy
    is what the conversation's entries are tagged with.
    """

    run_id: str | None = None
    assistant_id: str | None = None
    attempt: int = 1
    outcome: RunOutcome = RunOutcome.RUNNING
    started_at: float = 0.0
    first_token_at: float | None = None
    last_token_at: float | None = None
    chunks: int = 0
    output_tokens: int = 0  # from the model's usage metadata, when it reports any
    node: str | None = None
    reconnecting: int = 0  # attempt number while a rejoin is in progress
    attached: bool = False  # joined a run already going: its first tokens are a replay, not a latency
    input_message: ChatMessage | None = None

    def add_usage(self, usage: dict[str, object]) -> None:
        value = usage.get("output_tokens")
        if isinstance(value, int) and not isinstance(value, bool):
            self.output_tokens += value

    @property
    def time_to_first_token(self) -> float | None:
        if self.first_token_at is None or self.attached:
            return None
        return self.first_token_at - self.started_at

    @property
    def rate(self) -> tuple[float, str] | None:
        """Tokens a second when the model reports usage, else chunks a second; None until it means something."""
        if self.first_token_at is None or self.last_token_at is None or self.chunks < 2:
            return None
        elapsed = self.last_token_at - self.first_token_at
        if elapsed < RATE_SECONDS:
            return None
        if self.output_tokens:
            return self.output_tokens / elapsed, "tok/s"
        return (self.chunks - 1) / elapsed, "chunks/s"
