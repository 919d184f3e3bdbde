"""The root of chat-tui's own errors: every error the project raises on purpose is a :class:`ChatTuiError`.

Its ``str()`` is one line a user can read and act on, and never holds a secret (a key, a
header value, a full URL). Each layer has its branch:

* ``chat_tui.client.errors.ClientError``: talking to an Agent Server (status, network, a body
  of an unexpected shape);
* :class:`SettingsError`: the settings and data files (``InvalidSetting``, ``StoreError``);
* ``chat_tui.demo.launcher.DemoServerError``: the embedded demo server.

Anything else that reaches the UI is a bug: the app's worker policy logs it with its
traceback and shows one line. This module imports nothing, so every layer (the demo
launcher included) can use it.
"""

from __future__ import annotations

__all__ = ["ChatTuiError", "SettingsError"]


class ChatTuiError(Exception):
    """Base class of the errors chat-tui raises on purpose; ``str(error)`` is one safe line."""


class SettingsError(ChatTuiError):
    """A settings or data file could not be read, validated or written."""
