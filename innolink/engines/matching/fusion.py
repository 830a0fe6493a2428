"""Fusing several signals into one ranking, metrics, and learning fusion weights.

* :func:`rrf` / :func:`rrf_scores` — reciprocal-rank fusion, ``sum_s w_s / (k + rank_s)``
  with 1-based ranks and ``k = 60`` by default (Cormack et al., 2009).
* :func:`weighted_fusion` — a weighted sum of per-query min–max normalised scores (ADR 0302,
  kept for comparison); the engine's default is ``"calibrated"``
  (:func:`.calibrate.calibrated_fusion`, ADR 0360: calibrated units, standardised per query
  with a floor on the spread).
* :func:`ndcg_at_k`, :func:`recall_at_k` — graded-relevance metrics (gain ``2^rel - 1``).
* :func:`learn_weights` — coordinate ascent over a small weight grid maximising mean
  nDCG@10 on training queries; :func:`cross_validate` learns on k−1 folds and reports the
  held-out fold, so the reported figure never sees the queries it was tuned on.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Hashable, Mapping, Sequence

import numpy as np

from .calibrate import calibrated_fusion

__all__ = [
    "DEFAULT_GRID",
    "METHODS",
    "CVResult",
    "FusionQuery",
    "cross_validate",
    "evaluate",
    "fuse",
    "kfold",
    "learn_weights",
    "minmax",
    "ndcg_at_k",
    "ranks",
    "recall_at_k",
    "rrf",
    "rrf_scores",
    "weighted_fusion",
]


def rrf(rankings: Sequence[Sequence[Hashable]], k: float = 60.0,
        weights: Sequence[float] | None = None) -> dict[Hashable, float]:
    """Reciprocal-rank fusion of ranked id lists (best first); returns id -> fused score.

    An id absent from a list gets nothing from it.

    Examples:
        >>> s = rrf([["a", "b", "c"], ["b", "a"]], k=60)
        >>> round(s["a"], 6) == round(1/61 + 1/62, 6), round(s["c"], 6) == round(1/63, 6)
        (True, True)
        >>> max(s, key=s.get)
        'a'
    """
    if weights is None:
        weights = [1.0] * len(rankings)
    out: dict[Hashable, float] = {}
    for w, ranking in zip(weights, rankings):
        for r, doc in enumerate(ranking, start=1):
            out[doc] = out.get(doc, 0.0) + w / (k + r)
    return out


def ranks(scores: np.ndarray) -> np.ndarray:
    """1-based ranks of ``scores`` (higher is better); ties keep input order.

    Examples:
        >>> ranks(np.array([0.2, 0.9, 0.2, 0.5])).tolist()
        [3, 1, 4, 2]
    """
    scores = np.asarray(scores, dtype=float)
    order = np.argsort(-scores, kind="stable")
    r = np.empty(len(scores), dtype=np.int64)
    r[order] = np.arange(1, len(scores) + 1)
    return r


def rrf_scores(signals: Mapping[str, np.ndarray], weights: Mapping[str, float] | None = None,
               k: float = 60.0) -> np.ndarray:
    """RRF over aligned score arrays (one per signal, same candidates in the same order).

    Examples:
        >>> out = rrf_scores({"a": np.array([3.0, 1.0]), "b": np.array([0.1, 0.2])})
        >>> np.allclose(out, [1/61 + 1/62, 1/62 + 1/61])
        True
    """
    names = list(signals)
    n = len(next(iter(signals.values()))) if names else 0
    total = np.zeros(n)
    for name in names:
        w = 1.0 if weights is None else float(weights.get(name, 0.0))
        if w:
            total += w / (k + ranks(signals[name]))
    return total


def minmax(x: np.ndarray) -> np.ndarray:
    """Min–max scale to [0, 1]; a constant array becomes zeros.

    Examples:
        >>> minmax(np.array([2.0, 4.0, 3.0])).tolist()
        [0.0, 1.0, 0.5]
        >>> minmax(np.array([1.0, 1.0])).tolist()
        [0.0, 0.0]
    """
    x = np.asarray(x, dtype=float)
    if len(x) == 0:
        return x
    lo, hi = float(x.min()), float(x.max())
    if hi - lo <= 1e-12:
        return np.zeros_like(x)
    return (x - lo) / (hi - lo)


def weighted_fusion(signals: Mapping[str, np.ndarray], weights: Mapping[str, float],
                    normalize: bool = True) -> np.ndarray:
    """``sum_s w_s * minmax(score_s)`` over aligned candidate arrays.

    Examples:
        >>> weighted_fusion({"a": np.array([0.0, 10.0]), "b": np.array([1.0, 0.0])},
        ...                 {"a": 1.0, "b": 2.0}).tolist()
        [2.0, 1.0]
    """
    names = list(signals)
    n = len(signals[names[0]]) if names else 0
    total = np.zeros(n)
    for name in names:
        w = float(weights.get(name, 0.0))
        if w:
            x = np.asarray(signals[name], dtype=float)
            total += w * (minmax(x) if normalize else x)
    return total


# ---------------------------------------------------------------------------------------------
# Metrics
# ---------------------------------------------------------------------------------------------


def ndcg_at_k(ranked: Sequence[Hashable], qrels: Mapping[Hashable, int], k: int = 10) -> float:
    """nDCG@k with gain ``2^rel - 1`` and ``log2(rank + 1)`` discount; 0 when nothing is
    relevant.

    Examples:
        >>> ndcg_at_k(["a", "b"], {"a": 3, "b": 1})
        1.0
        >>> round(ndcg_at_k(["b", "a"], {"a": 3, "b": 1}), 4)
        0.7098
    """
    gains = [2 ** qrels.get(d, 0) - 1 for d in list(ranked)[:k]]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((2 ** r - 1 for r in qrels.values() if r > 0), reverse=True)[:k]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg > 0 else 0.0


def recall_at_k(ranked: Sequence[Hashable], qrels: Mapping[Hashable, int], k: int = 20,
                min_rel: int = 2) -> float:
    """Share of the items with relevance ≥ ``min_rel`` found in the top ``k``.

    Examples:
        >>> recall_at_k(["a", "x", "b"], {"a": 3, "b": 2, "c": 2}, k=2)
        0.3333333333333333
    """
    rel = {d for d, r in qrels.items() if r >= min_rel}
    if not rel:
        return 0.0
    return len(rel.intersection(list(ranked)[:k])) / len(rel)


# ---------------------------------------------------------------------------------------------
# Learning weights
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FusionQuery:
    """One query for weight learning: candidate ids, aligned signal arrays, and judgements."""

    qid: Hashable
    candidates: Sequence[Hashable]
    signals: Mapping[str, np.ndarray]
    qrels: Mapping[Hashable, int]


DEFAULT_GRID = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)


METHODS = ("calibrated", "weighted", "rrf")


def fuse(signals: Mapping[str, np.ndarray], weights: Mapping[str, float], method: str = "calibrated",
         *, rrf_k: float = 60.0, floors: Mapping[str, float] | None = None) -> np.ndarray:
    """Fused scores of aligned candidate arrays by ``method`` (``calibrated``, ``weighted``
    (min–max) or ``rrf``).

    Examples:
        >>> s = {"a": np.array([0.5, 0.51]), "b": np.array([0.0, 1.0])}
        >>> fuse(s, {"a": 1.0, "b": 0.1}, "weighted").tolist()  # min–max stretches a's 0.01
        [0.0, 1.1]
        >>> [round(float(v), 3) for v in fuse(s, {"a": 1.0, "b": 0.1}, floors={"a": 0.15, "b": 0.1})]
        [-0.133, 0.133]
    """
    if method == "rrf":
        return rrf_scores(signals, weights, k=rrf_k)
    if method == "weighted":
        return weighted_fusion(signals, weights)
    if method == "calibrated":
        return calibrated_fusion(signals, weights, floors)
    raise ValueError(f"unknown fusion method: {method}")


def _ranked(q: FusionQuery, weights: Mapping[str, float], method: str, rrf_k: float,
            floors: Mapping[str, float] | None = None):
    s = fuse(q.signals, weights, method, rrf_k=rrf_k, floors=floors)
    order = np.argsort(-s, kind="stable")
    return [q.candidates[i] for i in order]


def evaluate(queries: Sequence[FusionQuery], weights: Mapping[str, float], *,
             method: str = "weighted", rrf_k: float = 60.0, k: int = 10,
             floors: Mapping[str, float] | None = None) -> float:
    """Mean nDCG@k of a fusion over queries.

    Examples:
        >>> q = FusionQuery("q", ["a", "b"], {"s": np.array([0.0, 1.0])}, {"a": 3})
        >>> evaluate([q], {"s": 1.0}), evaluate([q], {"s": -1.0})
        (0.6309297535714575, 1.0)
    """
    if not queries:
        return 0.0
    return float(np.mean([ndcg_at_k(_ranked(q, weights, method, rrf_k, floors), q.qrels, k)
                          for q in queries]))


def learn_weights(queries: Sequence[FusionQuery], names: Sequence[str], *,
                  grid: Sequence[float] = DEFAULT_GRID, rounds: int = 3,
                  method: str = "weighted", rrf_k: float = 60.0,
                  init: Mapping[str, float] | None = None,
                  min_gain: float = 0.0,
                  grids: Mapping[str, Sequence[float]] | None = None,
                  floors: Mapping[str, float] | None = None) -> dict[str, float]:
    """Coordinate ascent: for each signal in turn, pick the grid weight that maximises mean
    nDCG@10 with the others fixed; repeat ``rounds`` times or until nothing improves.  Ties
    keep the current weight, so the result is deterministic.  A move must gain more than
    ``min_gain``: a small margin keeps the equal-weight start unless the data clearly argue
    against it (zeroing a signal for a 0.001 gain is fitting noise). ``grids`` overrides the
    grid per signal (the shipped fit keeps BM25 on: its grid has no 0, ADR 0360).

    Examples:
        >>> good = FusionQuery("q", ["a", "b"], {"s": np.array([1.0, 0.0]),
        ...                    "t": np.array([0.0, 1.0])}, {"b": 2})
        >>> learn_weights([good], ["s", "t"])
        {'s': 0.0, 't': 1.0}
    """
    w = {n: 1.0 for n in names} if init is None else {n: float(init.get(n, 0.0)) for n in names}
    best = evaluate(queries, w, method=method, rrf_k=rrf_k, floors=floors)
    for _ in range(rounds):
        improved = False
        for n in names:
            for g in (grids or {}).get(n, grid):
                if g == w[n]:
                    continue
                trial = dict(w, **{n: g})
                if not any(trial.values()):
                    continue
                score = evaluate(queries, trial, method=method, rrf_k=rrf_k, floors=floors)
                if score > best + max(min_gain, 1e-12):
                    best, w, improved = score, trial, True
        if not improved:
            break
    return w


def kfold(n: int, n_folds: int = 5, seed: int = 0) -> list[np.ndarray]:
    """Deterministic shuffled folds of ``range(n)``.

    Examples:
        >>> folds = kfold(10, 3)
        >>> sorted(int(i) for f in folds for i in f) == list(range(10)), len(folds)
        (True, 3)
    """
    idx = np.random.default_rng(seed).permutation(n)
    return [np.sort(f) for f in np.array_split(idx, n_folds)]


@dataclass
class CVResult:
    """Held-out results of cross-validated weight learning."""

    ndcg10: float
    recall20: float
    fold_weights: list[dict[str, float]] = field(default_factory=list)
    per_query_ndcg: dict = field(default_factory=dict)

    def mean_weights(self) -> dict[str, float]:
        names = self.fold_weights[0] if self.fold_weights else {}
        return {n: float(np.mean([fw[n] for fw in self.fold_weights])) for n in names}


def cross_validate(queries: Sequence[FusionQuery], names: Sequence[str], *, n_folds: int = 5,
                   seed: int = 0, method: str = "weighted", rrf_k: float = 60.0,
                   grid: Sequence[float] = DEFAULT_GRID, recall_min_rel: int = 2,
                   min_gain: float = 0.0,
                   grids: Mapping[str, Sequence[float]] | None = None,
                   floors: Mapping[str, float] | None = None) -> CVResult:
    """Learn weights on ``n_folds - 1`` folds, score the held-out fold; average over folds.

    Each query is scored exactly once, by weights learned without it.

    Examples:
        >>> qs = [FusionQuery(i, ["a", "b"], {"s": np.array([1.0, 0.0]),
        ...       "t": np.array([0.0, 1.0])}, {"a": 2}) for i in range(4)]
        >>> cross_validate(qs, ["s", "t"], n_folds=2).ndcg10
        1.0
    """
    folds = kfold(len(queries), n_folds, seed)
    per_q: dict = {}
    recalls: list[float] = []
    fold_weights = []
    for f, test_idx in enumerate(folds):
        test_set = set(int(i) for i in test_idx)
        train = [q for i, q in enumerate(queries) if i not in test_set]
        w = learn_weights(train, names, grid=grid, method=method, rrf_k=rrf_k, min_gain=min_gain,
                          grids=grids, floors=floors)
        fold_weights.append(w)
        for i in sorted(test_set):
            q = queries[i]
            ranked = _ranked(q, w, method, rrf_k, floors)
            per_q[q.qid] = ndcg_at_k(ranked, q.qrels, 10)
            recalls.append(recall_at_k(ranked, q.qrels, 20, recall_min_rel))
    return CVResult(
        ndcg10=float(np.mean(list(per_q.values()))) if per_q else 0.0,
        recall20=float(np.mean(recalls)) if recalls else 0.0,
        fold_weights=fold_weights,
        per_query_ndcg=per_q,
    )
