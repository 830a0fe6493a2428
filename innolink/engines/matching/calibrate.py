"""Putting the matching signals on comparable, calibrated scales before they are fused.

The first fusion (ADR 0302) min–max scaled every signal per query. On real listings that turned
a 0.015 spread of the structured prior, or one homonym keyword hit, into the full weight of the
signal. ADR 0360 replaces it with two steps:

1. **Calibrated units** (:func:`idf_mass`, computed by the engine): every signal is first read
   on a scale that means the same for every query — BM25 and character n-grams as the share of
   the query's information (its idf mass) that a candidate matches, in [0, 1); dense as the
   cosine; indicator coverage and structured fit in [0, 1] as they are.
2. **Standardisation with a floor** (:func:`standardize`): per query, each signal is centred on
   its "no evidence" value (:data:`CENTRES`: no keyword matched, no indicator met; the
   candidates' median for dense, which has no natural zero, and for the structured fit, whose
   "neutral" 0.5 is no evidence either: when every candidate shares the query's domain, the
   fit is high for all and lifts nobody above anybody) and divided by
   ``max(std over the candidates, floor)``. The floor is in calibrated units
   (:data:`FLOORS`), so a signal whose candidates barely differ is divided by the floor, not
   by its tiny spread, and contributes barely anything; a signal that separates candidates
   widely is brought to the same "standard deviation" units as the others.

The fused score is ``sum_s w_s * z_s``; a candidate's **contribution** from signal ``s`` is
``w_s * z_s`` (how far that signal lifts it above "no evidence"), which is what the explanation
credits (:func:`contributions`, :func:`shares`). The centre is a constant per query and signal,
so it changes no ranking, only what the explanation calls a contribution.
"""

from __future__ import annotations

from collections import Counter
from typing import Iterable, Mapping

import numpy as np

__all__ = ["CENTRES", "FLOORS", "calibrated_fusion", "contributions", "idf_mass", "shares",
           "standardize"]

#: Spread floors per signal, in calibrated units (see the module docstring and ADR 0360).
#: lexical/ngram: share of the query's idf mass; dense: cosine; indicator, structured: [0, 1].
FLOORS: dict[str, float] = {
    "lexical": 0.05,
    "ngram": 0.05,
    "dense": 0.04,
    "indicator": 0.25,
    "structured": 0.15,
}
DEFAULT_FLOOR = 0.1
#: "No evidence" value per signal in calibrated units; a signal not listed is centred on the
#: candidates' median.
#: The structured fit is centred on the median: centred on its neutral 0.5, a fit every
#: candidate shares (same domain for all) was credited as the main reason for each of them
#: while separating nobody (issue #10). A centre shifts every candidate of a query alike, so it
#: changes no ranking, only what the explanation credits.
CENTRES: dict[str, float] = {"lexical": 0.0, "ngram": 0.0, "indicator": 0.0}


def idf_mass(vocab: Mapping[str, int], idf, tokens: Iterable[str]) -> float:
    """Upper bound of a query's BM25 score: ``sum`` of the idf of its known tokens (each
    occurrence counts, as in scoring). The lucene BM25 term part ``tf / (tf + k1 · norm)`` is
    below 1, so ``score / idf_mass`` is a share in [0, 1).

    Examples:
        >>> idf_mass({"石墨烯": 0, "需求": 1}, [2.0, 0.1], ["石墨烯", "石墨烯", "需求", "未知"])
        4.1
    """
    counts = Counter(vocab[t] for t in tokens if t in vocab)
    idf = np.asarray(idf, dtype=np.float64)
    return float(sum(c * idf[i] for i, c in counts.items() if i < len(idf)))


def standardize(x, floor: float, centre: float | None = None) -> np.ndarray:
    """``(x - centre) / max(std, floor)``, centre defaulting to the median.

    Examples:
        >>> standardize([0.50, 0.51, 0.515], floor=0.15).round(3).tolist()
        [-0.067, 0.0, 0.033]
        >>> standardize([0.0, 0.4, 0.8], floor=0.05).round(3).tolist()
        [-1.225, 0.0, 1.225]
        >>> standardize([0.0, 0.4, 0.8], floor=0.05, centre=0.0).round(3).tolist()
        [0.0, 1.225, 2.449]
    """
    x = np.asarray(x, dtype=np.float64)
    if len(x) == 0:
        return x
    spread = max(float(x.std()), float(floor))
    if spread <= 0:
        return np.zeros_like(x)
    c = float(np.median(x)) if centre is None else float(centre)
    return (x - c) / spread


def contributions(signals: Mapping[str, np.ndarray], weights: Mapping[str, float],
                  floors: Mapping[str, float] | None = None,
                  centres: Mapping[str, float] | None = None) -> dict[str, np.ndarray]:
    """``w_s * standardize(signal_s, floor_s, centre_s)`` for every signal with a non-zero
    weight.

    Examples:
        >>> c = contributions({"lexical": np.array([0.0, 0.2]),
        ...                    "structured": np.array([0.5, 0.515])},
        ...                   {"lexical": 1.0, "structured": 1.0})
        >>> [round(float(v), 3) for v in c["lexical"]], [round(float(v), 3) for v in c["structured"]]
        ([0.0, 2.0], [-0.05, 0.05])
        >>> same = contributions({"structured": np.array([0.72, 0.72, 0.72])}, {"structured": 2.0})
        >>> same["structured"].tolist()  # a fit all candidates share lifts nobody
        [0.0, 0.0, 0.0]
    """
    floors = FLOORS if floors is None else floors
    centres = CENTRES if centres is None else centres
    out = {}
    for name, x in signals.items():
        w = float(weights.get(name, 0.0))
        if w:
            out[name] = w * standardize(x, floors.get(name, DEFAULT_FLOOR), centres.get(name))
    return out


def calibrated_fusion(signals: Mapping[str, np.ndarray], weights: Mapping[str, float],
                      floors: Mapping[str, float] | None = None) -> np.ndarray:
    """Fused score: the sum of :func:`contributions`.

    Examples:
        >>> calibrated_fusion({"a": np.array([0.0, 1.0]), "b": np.array([0.9, 0.0])},
        ...                   {"a": 1.0, "b": 0.5}).round(3).tolist()
        [-0.5, 0.5]
        >>> calibrated_fusion({"lexical": np.array([0.0, 1.0])}, {"lexical": 1.0}).tolist()
        [0.0, 2.0]
    """
    names = list(signals)
    n = len(signals[names[0]]) if names else 0
    total = np.zeros(n)
    for v in contributions(signals, weights, floors).values():
        total += v
    return total


def shares(contrib: Mapping[str, float]) -> dict[str, float]:
    """Each signal's share of a candidate's positive contributions (negative ones get 0): what
    lifted this candidate above the median candidate, in proportion.

    Examples:
        >>> shares({"lexical": 1.5, "dense": 0.5, "structured": -0.2})
        {'lexical': 0.75, 'dense': 0.25, 'structured': 0.0}
        >>> shares({"lexical": -0.1})
        {'lexical': 0.0}
    """
    pos = {k: max(0.0, float(v)) for k, v in contrib.items()}
    total = sum(pos.values())
    return {k: (v / total if total > 0 else 0.0) for k, v in pos.items()}
