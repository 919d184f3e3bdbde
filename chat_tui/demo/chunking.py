"""Split canned text into token-like pieces, and pace them like a real model.

Real providers stream word-ish pieces of a few characters ("Let", " me", " check", "Fran",
"cisco"); clients must cope with markup, escapes and multi-byte characters split across pieces.
Everything here is deterministic so tests and screenshots are stable.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

_TOKEN_RE = re.compile(r"\n+|[ \t]*[^\s]+|[ \t]+")
_ASCII_SIZES = (4, 3, 5, 6, 2, 7, 3, 5)
_WIDE_SIZES = (2, 3, 1, 2, 4, 2)
MIN_PIECE = 2
MAX_PIECE = 8

_ZWJ = "\u200d"


def _glued_to_previous(ch: str) -> bool:
    """Characters that must stay with the previous one (combining marks, emoji modifiers)."""
    code = ord(ch)
    return (
        unicodedata.combining(ch) != 0
        or 0x1F3FB <= code <= 0x1F3FF  # skin tones
        or 0xFE00 <= code <= 0xFE0F  # variation selectors
        or ch == _ZWJ
    )


def _safe_cut(s: str, i: int) -> int:
    """Move a cut position forward so a grapheme (e.g. 👍🏽) is never split."""
    while 0 < i < len(s) and (_glued_to_previous(s[i]) or s[i - 1] == _ZWJ):
        i += 1
    return i


def _is_wide(s: str) -> bool:
    stripped = s.strip()
    return bool(stripped) and sum(ord(c) > 0x2E7F for c in stripped) * 2 >= len(stripped)


def _split_long(token: str, seed: int) -> list[str]:
    sizes = _WIDE_SIZES if _is_wide(token) else _ASCII_SIZES
    pieces: list[str] = []
    i = 0
    n = seed
    while i < len(token):
        j = _safe_cut(token, min(len(token), i + sizes[n % len(sizes)]))
        pieces.append(token[i:j])
        i = j
        n += 1
    if len(pieces) > 1 and len(pieces[-1]) < MIN_PIECE and not _is_wide(pieces[-1]):
        tail = pieces.pop()
        pieces[-1] += tail
    return pieces


def split_text(text: str) -> list[str]:
    """Cut `text` into pieces of roughly 2-8 characters along word boundaries.

    Joining the pieces gives back `text` exactly.
    """
    raw: list[str] = []
    for n, token in enumerate(_TOKEN_RE.findall(text)):
        limit = 4 if _is_wide(token) else MAX_PIECE
        raw.extend(_split_long(token, n) if len(token) > limit else [token])
    # Glue tiny pieces (a lone "\n", ".") onto a neighbour when the result stays small.
    pieces: list[str] = []
    carry = ""
    for piece in raw:
        if carry and len(carry) + len(piece) <= MAX_PIECE:
            piece = carry + piece
        elif carry:
            pieces.append(carry)
        carry = ""
        if len(piece) < MIN_PIECE and not _is_wide(piece):
            if pieces and len(pieces[-1]) + len(piece) <= MAX_PIECE:
                pieces[-1] += piece
            else:
                carry = piece
            continue
        pieces.append(piece)
    if carry:
        pieces.append(carry)
    assert "".join(pieces) == text
    return pieces


def pace(delay_ms: float, index: int, factor: float = 1.0) -> float:
    """Seconds to wait before chunk `index`: `delay_ms` ±25 % (deterministic jitter).

    The first chunk waits three times longer, like a model's time to first token.
    """
    if delay_ms <= 0 or factor <= 0:
        return 0.0
    jitter = 0.75 + 0.5 * ((index * 37) % 11) / 10
    first = 3.0 if index == 0 else 1.0
    return delay_ms * factor * jitter * first / 1000.0


def iter_json_pieces(text: str) -> Iterator[str]:
    """Cut a JSON string into argument deltas the way providers stream tool arguments."""
    sizes = (3, 5, 2, 6, 4)
    i = 0
    n = 0
    while i < len(text):
        j = min(len(text), i + sizes[n % len(sizes)])
        yield text[i:j]
        i = j
        n += 1
