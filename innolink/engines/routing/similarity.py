"""Near-duplicate requests: cosine similarity of token counts, with the shared terms as the
reason ("与 #12 相似：污水、管网、接驳")."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Similar", "cosine", "similar"]


@dataclass(frozen=True)
class Similar:
    index: int  # position in the candidates
    score: float
    shared: tuple[str, ...]  # terms both texts use, most frequent first


def cosine(a: Sequence[str], b: Sequence[str]) -> float:
    """Examples:
        >>> round(cosine(["污水", "管网", "接驳"], ["污水", "管网", "堵塞"]), 3)
        0.667
        >>> cosine([], ["污水"])
        0.0
    """
    ca, cb = Counter(a), Counter(b)
    dot = sum(n * cb[t] for t, n in ca.items())
    if not dot:
        return 0.0
    return dot / math.sqrt(sum(n * n for n in ca.values()) * sum(n * n for n in cb.values()))


def similar(query: Sequence[str], candidates: Sequence[Sequence[str]], *,
            threshold: float = 0.5, limit: int = 5) -> list[Similar]:
    """Candidates at least ``threshold`` similar to ``query``, most similar first."""
    cq = Counter(query)
    found = []
    for i, tokens in enumerate(candidates):
        score = cosine(query, tokens)
        if score >= threshold:
            ct = Counter(tokens)
            shared = sorted((t for t in cq if t in ct), key=lambda t: (-(cq[t] + ct[t]), t))
            found.append(Similar(i, round(score, 3), tuple(shared[:6])))
    found.sort(key=lambda s: (-s.score, s.index))
    return found[:limit]
