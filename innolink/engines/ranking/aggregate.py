"""Aggregation of normalised indicators into one composite score per enterprise."""

from __future__ import annotations

import numpy as np

from .normalize import rescale_positive

__all__ = ["weighted_sum", "geometric_mean", "aggregate"]


def weighted_sum(normalized: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Σ_j w_j·x_ij (weights summing to 1 keep a min-max score on 0–100).

    Examples:
        >>> weighted_sum(np.array([[100.0, 0.0], [50.0, 50.0]]), np.array([0.25, 0.75])).tolist()
        [25.0, 50.0]
    """
    return normalized @ weights


def geometric_mean(normalized: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted geometric mean Π_j y_ij^{w_j} of the columns rescaled to [1, 100]
    (:func:`~innolink.engines.ranking.normalize.rescale_positive`), so a weak indicator is
    compensated less than under the weighted sum and a 0 never wipes out the product.

    Examples:
        >>> geometric_mean(np.array([[0.0, 100.0], [100.0, 100.0]]), np.array([0.5, 0.5])).round(6).tolist()
        [10.0, 100.0]
    """
    return np.exp(np.log(rescale_positive(normalized)) @ weights)


def aggregate(normalized: np.ndarray, weights: np.ndarray, method: str) -> np.ndarray:
    """Dispatch on ``weighted_sum`` or ``geometric``.

    Examples:
        >>> aggregate(np.array([[100.0, 0.0]]), np.array([0.5, 0.5]), "weighted_sum").tolist()
        [50.0]
    """
    if method == "weighted_sum":
        return weighted_sum(normalized, weights)
    if method == "geometric":
        return geometric_mean(normalized, weights)
    raise ValueError(f"unknown aggregation {method!r}")
