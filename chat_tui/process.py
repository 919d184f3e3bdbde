"""Ending this process for certain."""

from __future__ import annotations

import os
import threading

__all__ = ["end_process_after"]


def end_process_after(seconds: float, code: int) -> None:
    """End the process *seconds* from now with exit status *code*, whatever it is doing then.

    A daemon timer: a process that ends by itself first takes the timer with it. (For a signal
    that must end the app even when a clean exit waits on something that never finishes.)
    """
    timer = threading.Timer(seconds, os._exit, args=(code,))
    timer.daemon = True
    timer.start()
