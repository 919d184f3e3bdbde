"""The demo store's embeddings: offline and deterministic (no model, no key), so that the store has an
index and a search with a query is ranked, as on a deployment with ``store.index`` configured.

A text is its words (lower case, letters and digits), each hashed into one of ``DIMS`` buckets,
weighted by count and normalised: texts that share words point the same way, so the server's
cosine ranking puts an item that holds the query's words first. Not semantic, and not meant to be:
it makes ranking observable and testable.
"""

from __future__ import annotations

import hashlib
import math
import re

__all__ = ["DIMS", "aembed_texts", "embed_texts"]

DIMS = 256
_WORD = re.compile(r"[a-z0-9]+")


def _vector(text: str) -> list[float]:
    vector = [0.0] * DIMS
    for word in _WORD.findall(text.lower()):
        bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "big") % DIMS
        vector[bucket] += 1.0
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def embed_texts(texts: list[str]) -> list[list[float]]:
    return [_vector(text) for text in texts]


async def aembed_texts(texts: list[str]) -> list[list[float]]:
    return embed_texts(texts)
