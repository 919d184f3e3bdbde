"""chat-tui: a terminal client for LangGraph Agent Server deployments."""

__version__ = "0.1.0"
