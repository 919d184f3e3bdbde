"""What the status line knows of a run: its outcome and live figures (no protocol types here)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chat_tui.conversation.entries import ChatMessage

__all__ = ["RunInfo", "RunOutcome"]


class RunOutcome(StrEnum):
    RUNNING = "running"
    SUCCESS = "success"
    ERROR = "error"
    INTERRUPTED = "interrupted"  # waiting for input (an interrupt() is pending)
    CANCELLED = "cancelled"
    STOPPED = "stopped"  # interrupted or rolled back from elsewhere
    UNKNOWN = "unknown"  # the stream ended and the run's status could not be learned


@dataclass(slots=True)
class RunInfo:
    """Live facts about the current run, for the status line."""

    run_id: str | None = None
    assistant_id: str | None = None
    attempt: int = 1
    outcome: RunOutcome = RunOutcome.RUNNING
    started_at: float = 0.0
    first_token_at: float | None = None
    last_token_at: float | None = None
    chunks: int = 0
    node: str | None = None
    reconnecting: int = 0  # attempt number while a rejoin is in progress
    cancel_requested: bool = False
    input_message: ChatMessage | None = None

    @property
    def time_to_first_token(self) -> float | None:
        return None if self.first_token_at is None else self.first_token_at - self.started_at

    @property
    def tokens_per_second(self) -> float | None:
        if self.first_token_at is None or self.last_token_at is None or self.chunks < 2:
            return None
        elapsed = self.last_token_at - self.first_token_at
        return (self.chunks - 1) / elapsed if elapsed > 0 else None
