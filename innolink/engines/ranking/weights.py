"""Weighting schemes: given (from the methodology), equal, and entropy (熵权法)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["given_weights", "equal_weights", "entropy_weights"]


def given_weights(weights: Sequence[float]) -> np.ndarray:
    """Declared weights scaled to sum to 1 (the declared sum is checked at load time).

    Examples:
        >>> given_weights([30, 20, 50]).tolist()
        [0.3, 0.2, 0.5]
    """
    w = np.asarray(weights, dtype=np.float64)
    return w / w.sum()


def equal_weights(k: int) -> np.ndarray:
    """``1/k`` each.

    Examples:
        >>> equal_weights(4).tolist()
        [0.25, 0.25, 0.25, 0.25]
    """
    return np.full(k, 1.0 / k)


def entropy_weights(matrix: np.ndarray) -> np.ndarray:
    """Entropy weights of a non-negative matrix (rows = enterprises, columns = indicators).

    p_ij = x_ij / Σ_i x_ij;  e_j = −(1/ln n) Σ_i p_ij·ln p_ij  with **0·ln 0 = 0**;
    d_j = 1 − e_j;  w_j = d_j / Σ d. A column that is all zero or constant carries no
    information (e_j = 1, weight 0). If no column carries information, or n < 2, the
    weights are equal. (pymcdm's ``entropy_weights`` instead sets e_j = 0 for any column
    holding a zero, which hands that column the largest weight; see ADR 0201.)

    The engine feeds it the min-max normalised, oriented indicators on [0, 1].

    Examples:
        >>> entropy_weights(np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 3.0]])).round(6).tolist()
        [0.0, 1.0]
        >>> entropy_weights(np.array([[0.0, 2.0], [1.0, 2.0]])).round(6).tolist()
        [1.0, 0.0]
    """
    x = np.asarray(matrix, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError("entropy_weights needs a 2-D matrix")
    if (x < 0).any() or np.isnan(x).any():
        raise ValueError("entropy_weights needs non-negative values without NaN")
    n, k = x.shape
    if n < 2:
        return equal_weights(k)
    col = x.sum(axis=0)
    safe = np.where(col > 0, col, 1.0)
    p = x / safe
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    e = np.where(col > 0, -plogp.sum(axis=0) / np.log(n), 1.0)
    d = np.clip(1.0 - e, 0.0, None)
    total = d.sum()
    if total <= 1e-15:
        return equal_weights(k)
    return d / total
