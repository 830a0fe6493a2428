"""Plain result types shared by the matching engine's modules."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

__all__ = ["SearchResult"]


class SearchResult(NamedTuple):
    """Top hits of one query, best first: external document ids and their scores.

    Ties are broken by ascending document id, so results are deterministic.
    """

    ids: np.ndarray  # int64
    scores: np.ndarray  # float32

