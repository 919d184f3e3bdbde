"""Reading what the real app writes to its pseudo-terminal."""

from __future__ import annotations

import os
import select
import time

__all__ = ["read_pty"]


def read_pty(fd: int, until: bytes | None, timeout: float, sink: bytearray, since: int = 0) -> bool:
    """Read into *sink* until *until* is in what came after byte *since* (None: until *timeout*).

    False when the app closed its side (or *until* never came)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            sink.extend(data)
            if until is not None and until in sink[since:]:
                return True
    return until is None
