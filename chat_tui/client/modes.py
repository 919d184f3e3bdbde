"""The stream modes runs ask for by default (a module of its own: the app needs the constant
before its first frame, and the event types that share a module with it need pydantic)."""

__all__ = ["DEFAULT_STREAM_MODES"]

# Every chat-model token, and the node updates that carry interrupts (an interrupt is
# invisible with messages-tuple alone).
DEFAULT_STREAM_MODES: tuple[str, ...] = ("messages-tuple", "updates")
