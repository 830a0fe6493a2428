"""Outlier treatment and normalisation of an indicator matrix (rows = enterprises).

Order of operations for each indicator column (see ``docs/decisions/0201``):
transform (optional signed log) → absolute clip → quantile winsorisation → orientation
(``lower is better`` columns are negated, so every column is "higher is better") →
normalisation. Every normalisation maps the best value of a column to the top of its scale;
a constant column maps to the middle of the scale (it cannot separate enterprises).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.stats import rankdata

__all__ = [
    "signed_log",
    "winsorize",
    "orient",
    "normalize",
    "minmax",
    "zscore",
    "percentile_rank",
    "efficacy",
    "rescale_positive",
]


def signed_log(x: np.ndarray) -> np.ndarray:
    """``sign(x)·ln(1+|x|)``: compresses heavy tails, keeps 0 at 0 and losses negative.

    Examples:
        >>> signed_log(np.array([0.0, np.e - 1, -(np.e - 1)])).round(6).tolist()
        [0.0, 1.0, -1.0]
    """
    return np.sign(x) * np.log1p(np.abs(x))


def winsorize(x: np.ndarray, lower: float, upper: float) -> np.ndarray:
    """Cap a column (or each column of a matrix) at its ``lower`` and ``upper`` quantiles
    (linear interpolation, as ``numpy.quantile``).

    Examples:
        >>> winsorize(np.array([1.0, 2.0, 3.0, 4.0, 100.0]), 0.0, 0.75).tolist()
        [1.0, 2.0, 3.0, 4.0, 4.0]
    """
    lo, hi = np.quantile(x, [lower, upper], axis=0)
    return np.clip(x, lo, hi)


def orient(x: np.ndarray, directions: Sequence[str]) -> np.ndarray:
    """Negate the ``lower``-is-better columns of a matrix.

    Examples:
        >>> orient(np.array([[1.0, 2.0]]), ["higher", "lower"]).tolist()
        [[1.0, -2.0]]
    """
    sign = np.array([1.0 if d == "higher" else -1.0 for d in directions])
    return x * sign


def _span(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    lo = x.min(axis=0)
    span = x.max(axis=0) - lo
    flat = span <= 0
    return lo, np.where(flat, 1.0, span), flat


def minmax(x: np.ndarray) -> np.ndarray:
    """Min-max to [0, 100] per column; a constant column gives 50.

    Examples:
        >>> minmax(np.array([[0.0, 5.0], [5.0, 5.0], [10.0, 5.0]])).tolist()
        [[0.0, 50.0], [50.0, 50.0], [100.0, 50.0]]
    """
    lo, span, flat = _span(x)
    return np.where(flat, 50.0, (x - lo) / span * 100.0)


def zscore(x: np.ndarray) -> np.ndarray:
    """Standard score per column (population standard deviation); a constant column gives 0.

    Examples:
        >>> zscore(np.array([[1.0, 0.1], [3.0, 0.1], [5.0, 0.1]])).round(6).tolist()
        [[-1.224745, 0.0], [0.0, 0.0], [1.224745, 0.0]]
    """
    mean = x.mean(axis=0)
    sd = x.std(axis=0)
    # exact test: a constant column's computed sd can be a rounding residue like 1e-17
    flat = (x.max(axis=0) == x.min(axis=0)) | (sd <= 0)
    return np.where(flat, 0.0, (x - mean) / np.where(flat, 1.0, sd))


def percentile_rank(x: np.ndarray) -> np.ndarray:
    """Average ranks (ties share the mean rank) mapped to [0, 100]: (r-1)/(n-1)·100.

    Examples:
        >>> percentile_rank(np.array([[10.0], [0.0], [0.0]])).tolist()
        [[100.0], [25.0], [25.0]]
    """
    n = x.shape[0]
    if n <= 1:
        return np.full(x.shape, 50.0)
    r = rankdata(x, method="average", axis=0)
    return (r - 1.0) / (n - 1.0) * 100.0


def efficacy(x: np.ndarray) -> np.ndarray:
    """功效系数法: 60 + 40·(x − worst)/(best − worst), i.e. [60, 100]; constant gives 80.

    Examples:
        >>> efficacy(np.array([[0.0], [1.0]])).tolist()
        [[60.0], [100.0]]
    """
    return 60.0 + 0.4 * minmax(x)


_METHODS = {"minmax": minmax, "zscore": zscore, "rank": percentile_rank, "efficacy": efficacy}


def normalize(oriented: np.ndarray, method: str) -> np.ndarray:
    """Normalise an oriented (higher-is-better) matrix with ``method``
    (``minmax``, ``zscore``, ``rank`` or ``efficacy``).

    Examples:
        >>> normalize(np.array([[1.0], [2.0], [3.0]]), "rank").ravel().tolist()
        [0.0, 50.0, 100.0]
    """
    try:
        fn = _METHODS[method]
    except KeyError:
        raise ValueError(f"unknown normalisation {method!r}") from None
    return fn(oriented)


def rescale_positive(normalized: np.ndarray) -> np.ndarray:
    """Map each column linearly onto [1, 100] (constant column: 100), the input of the
    geometric mean, so that the worst enterprise on one indicator is not multiplied by 0.

    Examples:
        >>> rescale_positive(np.array([[-2.0], [0.0], [2.0]])).ravel().tolist()
        [1.0, 50.5, 100.0]
    """
    lo, span, flat = _span(normalized)
    return np.where(flat, 100.0, 1.0 + (normalized - lo) / span * 99.0)
