"""The application core: the chat use cases every front end shares (no Textual here).

Import the submodules directly (``chat_tui.service.chat``...): this package imports nothing
itself, so a light module of it (``threads``' title rule) costs the app's first frame nothing.
"""
