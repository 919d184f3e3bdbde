"""Tests of the offline demo: scripted model, graphs and the `langgraph dev` launcher."""
