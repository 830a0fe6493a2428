"""Ranking with a written tie rule.

Scores are compared after rounding to ``decimals`` places. The display order is: score
(descending), then each tie key in its declared order, then enterprise id ascending (the last
resort, so the order is total and never depends on input row order). With ``shared_rank``
enterprises with equal rounded scores share the best rank of their group (competition
ranking 1, 2, 2, 4); otherwise only enterprises equal on score *and* every tie key share one.
Missing tie-key values sort last.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["Ranking", "tie_order", "rank_scores"]


@dataclass(frozen=True)
class Ranking:
    """``order``: row indices in display order; ``rank``/``tied`` per row (input order)."""

    order: np.ndarray
    rank: np.ndarray
    tied: np.ndarray
    rounded: np.ndarray


def _key_columns(keys: Sequence[tuple[np.ndarray, str]]) -> list[np.ndarray]:
    cols = []
    for values, direction in keys:
        v = np.asarray(values, dtype=np.float64)
        v = -v if direction == "desc" else v  # ascending sort of the key
        cols.append(np.where(np.isnan(v), np.inf, v))
    return cols


def tie_order(ids: np.ndarray, keys: Sequence[tuple[np.ndarray, str]]) -> np.ndarray:
    """Row indices sorted by the tie keys then id: the order among equal scores.

    Examples:
        >>> tie_order(np.array([3, 1, 2]), [(np.array([5.0, 5.0, 9.0]), "desc")]).tolist()
        [2, 1, 0]
    """
    cols = _key_columns(keys)
    return np.lexsort([np.asarray(ids)] + cols[::-1])


def rank_scores(
    scores: np.ndarray,
    ids: np.ndarray,
    keys: Sequence[tuple[np.ndarray, str]] = (),
    *,
    shared_rank: bool = True,
    decimals: int = 6,
) -> Ranking:
    """Rank scores (higher is better) under the tie rule described in the module docstring.

    Examples:
        >>> r = rank_scores(np.array([90.0, 80.0, 90.0, 70.0]), np.array([10, 11, 12, 13]),
        ...                 [(np.array([5.0, 1.0, 7.0, 1.0]), "desc")])
        >>> r.order.tolist(), r.rank.tolist(), r.tied.tolist()
        ([2, 0, 1, 3], [1, 3, 1, 4], [True, False, True, False])
        >>> rank_scores(np.array([90.0, 80.0, 90.0, 70.0]), np.array([10, 11, 12, 13]),
        ...             [(np.array([5.0, 1.0, 7.0, 1.0]), "desc")], shared_rank=False).rank.tolist()
        [2, 3, 1, 4]
    """
    rounded = np.round(np.asarray(scores, dtype=np.float64), decimals)
    cols = _key_columns(keys)
    order = np.lexsort([np.asarray(ids)] + cols[::-1] + [-rounded])
    n = order.size
    s = rounded[order]
    same_score = np.zeros(n, dtype=bool)  # same_score[i]: row i of the order equals row i-1
    if n > 1:
        same_score[1:] = s[1:] == s[:-1]
    if shared_rank:
        same = same_score
    else:
        same = same_score.copy()
        for c in cols:
            cs = c[order]
            same[1:] &= cs[1:] == cs[:-1]
    starts = np.where(~same, np.arange(n), 0)
    group_first = np.maximum.accumulate(starts) if n else starts
    rank_sorted = group_first + 1
    tied_sorted = same_score.copy()
    if n > 1:
        tied_sorted[:-1] |= same_score[1:]
    rank = np.empty(n, dtype=np.int64)
    tied = np.empty(n, dtype=bool)
    rank[order] = rank_sorted
    tied[order] = tied_sorted
    return Ranking(order=order, rank=rank, tied=tied, rounded=rounded)
