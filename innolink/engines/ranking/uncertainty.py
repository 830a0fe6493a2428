"""Monte Carlo uncertainty analysis of a list: rank bands and membership frequency.

Each sample s multiplies every weight by an independent draw from U(1 − noise, 1 + noise),
renormalises the weights to sum 1, and picks one normalisation (and one aggregation) from the
methodology's lists with equal probability. The composite scores of all samples are computed
as one matrix product per (normalisation, aggregation) group, rounded like the nominal scores,
and ranked per sample with a stable sort over rows pre-ordered by the tie rule, so equal
scores are ordered exactly as in the nominal ranking. Per enterprise we report the median
rank, the 5th and 95th percentile ranks (linear interpolation, as ``numpy.percentile``) and
the share of samples in which it is inside the list. Everything follows from ``seed``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from .normalize import rescale_positive

__all__ = ["RankBands", "draw_perturbations", "perturbed_weights", "rank_bands"]


@dataclass(frozen=True)
class RankBands:
    """Per-enterprise results (input row order) of ``samples`` perturbed rankings."""

    median: np.ndarray
    p05: np.ndarray
    p95: np.ndarray
    in_list_frequency: np.ndarray
    samples: int


def draw_perturbations(
    seed: int, k: int, samples: int, noise: float, n_normalizations: int, n_aggregations: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The random draws of a run, in this order from ``numpy.random.default_rng(seed)``:
    weight factors (samples × k, uniform on [1 − noise, 1 + noise)), the normalisation index
    of each sample, the aggregation index of each sample.

    Examples:
        >>> f, ni, ai = draw_perturbations(7, 3, 4, 0.25, 3, 1)
        >>> f.shape, bool(((f >= 0.75) & (f < 1.25)).all()), ni.shape, ai.tolist()
        ((4, 3), True, (4,), [0, 0, 0, 0])
    """
    rng = np.random.default_rng(seed)
    factors = rng.uniform(1.0 - noise, 1.0 + noise, size=(samples, k))
    norm_idx = rng.integers(0, n_normalizations, size=samples)
    agg_idx = rng.integers(0, n_aggregations, size=samples)
    return factors, norm_idx, agg_idx


def perturbed_weights(weights: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """``weights·factors`` renormalised per sample (row) to sum 1.

    Examples:
        >>> perturbed_weights(np.array([0.5, 0.5]), np.array([[1.2, 0.8]])).tolist()
        [[0.6, 0.4]]
    """
    w = weights[None, :] * factors
    return w / w.sum(axis=1, keepdims=True)


def _rank_block(
    prepared: np.ndarray, w: np.ndarray, decimals: int, geometric: bool, ranks_out: np.ndarray
) -> None:
    """Ranks (1 = best) of every row for each weight vector in ``w``; rows are in tie order.

    Scores are rounded as ``rint(score·10^d)``, exactly the tie classes of
    ``numpy.round(score, d)``. The sort key ``−rounded·n + row`` is unique, so a fast
    (unstable, SIMD) sort yields the tie-rule order: equal scores keep their row order.
    The key is exact in float64 while |rounded|·n < 2^52; beyond that a stable sort is used.
    """
    n = prepared.shape[0]
    scores = w @ prepared.T  # (s, n), C-contiguous
    if geometric:  # prepared holds logs; exponentiate so rounding matches the nominal score
        np.exp(scores, out=scores)
        bound = float(np.exp(prepared.max())) if prepared.size else 0.0
    else:  # weights are positive and sum to 1: |score| <= max |x|
        bound = float(np.abs(prepared).max()) if prepared.size else 0.0
    scale = 10.0**decimals
    np.multiply(scores, scale, out=scores)
    np.rint(scores, out=scores)
    if (bound * scale + 1.0) * (n + 1) < 2.0**52:
        np.multiply(scores, -float(n), out=scores)
        scores += np.arange(n, dtype=np.float64)
        order = np.argsort(scores, axis=1)
    else:
        np.negative(scores, out=scores)
        order = np.argsort(scores, axis=1, kind="stable")
    order += (np.arange(order.shape[0], dtype=order.dtype) * n)[:, None]
    # np.put repeats the values cyclically: row s gets positions 1..n at its order
    np.put(ranks_out, order, np.arange(1, n + 1, dtype=ranks_out.dtype))


def _percentiles(sorted_rows: np.ndarray, qs: tuple[float, ...]) -> list[np.ndarray]:
    """Linear-interpolation percentiles of each row of an already sorted matrix, with
    numpy's ``_lerp`` formula (so results equal ``numpy.percentile``)."""
    m = sorted_rows.shape[1]
    out = []
    for q in qs:
        h = (m - 1) * q / 100.0
        lo = int(np.floor(h))
        hi = min(lo + 1, m - 1)
        t = h - lo
        a = sorted_rows[:, lo].astype(np.float64)
        b = sorted_rows[:, hi].astype(np.float64)
        diff = b - a
        out.append(b - diff * (1.0 - t) if t >= 0.5 else a + diff * t)
    return out


def rank_bands(
    normalized: Mapping[str, np.ndarray],
    weights: np.ndarray,
    *,
    list_size: int,
    samples: int,
    noise: float,
    normalizations: Sequence[str],
    aggregations: Sequence[str],
    seed: int,
    order_for_ties: np.ndarray,
    decimals: int = 6,
    threads: int = 2,
) -> RankBands:
    """Rank bands of every enterprise under weight and normalisation perturbation.

    ``normalized`` maps each normalisation name to the n × k normalised matrix;
    ``order_for_ties`` is the tie-rule order of the rows (:func:`rank.tie_order`).

    Examples:
        >>> x = np.array([[100.0, 0.0], [0.0, 100.0], [10.0, 10.0]])
        >>> b = rank_bands({"minmax": x}, np.array([0.9, 0.1]), list_size=1, samples=50,
        ...                noise=0.25, normalizations=["minmax"], aggregations=["weighted_sum"],
        ...                seed=1, order_for_ties=np.arange(3))
        >>> b.median.tolist(), b.in_list_frequency.tolist()
        ([1.0, 2.0, 3.0], [1.0, 0.0, 0.0])
    """
    n, k = next(iter(normalized.values())).shape
    if samples == 0 or n == 0:
        empty = np.full(n, np.nan)
        return RankBands(empty, empty, empty, empty, 0)
    factors, norm_idx, agg_idx = draw_perturbations(
        seed, k, samples, noise, len(normalizations), len(aggregations)
    )
    w_all = perturbed_weights(weights, factors)
    dtype = np.int32 if n < 2**31 - 1 else np.int64
    ranks = np.empty((samples, n), dtype=dtype)  # ranks[s, row in tie order]
    jobs = []
    for a, agg in enumerate(aggregations):
        for m, norm in enumerate(normalizations):
            idx = np.flatnonzero((norm_idx == m) & (agg_idx == a))
            if idx.size == 0:
                continue
            x = normalized[norm][order_for_ties]
            prepared = np.log(rescale_positive(x)) if agg == "geometric" else x
            prepared = np.ascontiguousarray(prepared)
            for chunk in np.array_split(idx, max(1, min(threads, idx.size))):
                jobs.append((prepared, w_all[chunk], chunk, agg == "geometric"))

    def work(job: tuple[np.ndarray, np.ndarray, np.ndarray, bool]) -> tuple[np.ndarray, np.ndarray]:
        prepared, w, chunk, geometric = job
        out = np.empty((chunk.size, n), dtype=dtype)
        _rank_block(prepared, w, decimals, geometric, out)
        return chunk, out

    if threads > 1 and len(jobs) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            results = list(pool.map(work, jobs))
    else:
        results = [work(j) for j in jobs]
    for chunk, out in results:
        ranks[chunk] = out

    by_row = np.ascontiguousarray(ranks.T)  # (n, samples): one row per enterprise
    del ranks
    by_row.sort(axis=1)
    freq_sorted = (by_row <= list_size).sum(axis=1) / samples
    p05, med, p95 = _percentiles(by_row, (5.0, 50.0, 95.0))
    inverse = np.empty(n, dtype=np.int64)
    inverse[order_for_ties] = np.arange(n)
    return RankBands(
        median=med[inverse],
        p05=p05[inverse],
        p95=p95[inverse],
        in_list_frequency=freq_sorted[inverse],
        samples=samples,
    )
