"""What the chat use cases return: plain facts a front end maps to widgets, lines or verdicts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chat_tui.client.errors import ClientError
    from chat_tui.client.models import Thread
    from chat_tui.conversation import Conversation, RunOutcome
    from chat_tui.run_config import RunConfig
    from chat_tui.service.turn import Turn, TurnRequest

__all__ = [
    "Accepted",
    "AskBusy",
    "AttachOutcome",
    "BusyChoice",
    "LiveTurn",
    "OpenedThread",
    "Outgoing",
    "SendOutcome",
]


class BusyChoice(StrEnum):
    """What to do with a message for a thread that is running a task (the run's multitask strategy)."""

    ENQUEUE = "enqueue"  # send when the running run ends
    INTERRUPT = "interrupt"  # stop the running run (keeping what it wrote), then send
    ROLLBACK = "rollback"  # stop it and erase what it wrote, then send


AskBusy = Callable[[bool], Awaitable[BusyChoice | None]]
"""Asked when a thread is busy; the argument says whether the running run is this app's own.
None keeps the message unsent (a dialog's Cancel, a CLI without a strategy, a test's choice)."""


@dataclass(eq=False)
class LiveTurn:
    """A turn that is streaming, with the conversation it feeds (shown or not)."""

    conversation: Conversation
    turn: Turn
    done: asyncio.Event = field(default_factory=asyncio.Event)


@dataclass(slots=True)
class Outgoing:
    """A message or an answer on its way: what to send, and the user's text behind it."""

    conversation: Conversation
    request: TurnRequest
    text: str = ""  # what the user typed (given back if the send fails)
    run_config: RunConfig | None = None  # kept as the thread's once the server accepts the run
    draft_key: str | None = None  # the draft the text was typed in
    drops_interrupts: int = 0  # a new message while this many approvals wait: the server would drop them


@dataclass(frozen=True, slots=True)
class Accepted:
    """The server accepted a run: from now on it can be cancelled, and the prompt is never resent."""

    thread_id: str
    run_id: str | None
    new_thread: bool
    first_message: str  # the thread's first message when it was just created ("" for a resume)


@dataclass(slots=True)
class OpenedThread:
    """A thread loaded from the server, ready to show."""

    conversation: Conversation
    thread: Thread | None  # None when it was already live in this app (nothing was fetched)
    running_run: str | None = None  # a run going on in the thread now: attach to it
    first_message: str = ""
    problem: str | None = None  # one line: the running run could not be looked up


@dataclass(slots=True)
class SendOutcome:
    """How a send ended. When ``sent`` is False nothing was started on the server."""

    sent: bool
    thread_id: str | None
    run_id: str | None = None
    outcome: RunOutcome | None = None
    restored_text: str | None = None  # put back in the composer: it was not sent and the composer was empty
    problem: str | None = None  # one line: why it was not sent (``sent`` False), or what went wrong while it streamed
    declined: bool = False  # the user chose to keep the message (nothing to report)
    error: ClientError | None = None  # what the server or the network answered, when ``sent`` is False
    titled: Thread | None = None  # a thread this send created, after it was given a title


@dataclass(slots=True)
class AttachOutcome:
    """Following a run that was already going."""

    followed: bool
    outcome: RunOutcome | None = None
    problem: str | None = None
