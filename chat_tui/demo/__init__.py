"""Offline demo: scripted LangGraph graphs and a launcher for a local `langgraph dev` server.

Kept import-free on purpose: the app imports `chat_tui.demo.launcher` even when the `demo`
extra (langgraph / langchain) is not installed; only the graph modules import those.
"""
