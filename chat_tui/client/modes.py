"""The stream modes runs ask for by default (a module of its own: the app needs the constant
before its first frame, and the event types that share a module with it need pydantic)."""

__all__ = ["DEFAULT_STREAM_MODES", "TASKS_MODE", "stream_modes"]

# Every chat-model token, and the node updates that carry interrupts (an interrupt is
# invisible with messages-tuple alone).
DEFAULT_STREAM_MODES: tuple[str, ...] = ("messages-tuple", "updates")

# Node starts and ends (the graph view). Asked for only when wanted: each start event carries the
# node's whole input state, so on a long thread it costs more than everything else streamed (README,
# "The graph view", has the figure).
TASKS_MODE = "tasks"


def stream_modes(*, tasks: bool = False) -> tuple[str, ...]:
    """The modes a run asks for: the defaults, plus ``tasks`` when node starts and ends are wanted."""
    return (*DEFAULT_STREAM_MODES, TASKS_MODE) if tasks else DEFAULT_STREAM_MODES
