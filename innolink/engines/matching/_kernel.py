"""Compiled scoring loops of the lexical index (numba), kept apart from its bookkeeping.

Why compiled: BM25 top-k over 350,000 profiles reads about 700,000 postings per challenge.
numpy needs one ``np.add.at`` call per query term and cannot share the reading of a posting
list between queries; these loops do both (decision 0303, docs/performance/matching.md).

The layout the loops work on (built by :class:`~.lexical.LexicalIndex`):

* postings by term, ``docs[j]`` (int32 row) and ``imp[j]`` (float32 BM25 impact), sorted by
  row inside each term;
* the rows are cut into blocks of :data:`BLOCK` rows; ``cut[t, b]`` is the first posting of
  term ``t`` whose row is at least ``bounds[b]``, so a block's part of a posting list is the
  slice ``cut[t, b]:cut[t, b + 1]``;
* up to :data:`LANES` queries are scored together ("lanes"): ``terms`` is the union of their
  terms and ``weights[i, lane]`` the weight of ``terms[i]`` in that query (0 if absent).

For each block, every posting of the union is read once and added to the eight lanes of its
row in an accumulator of ``BLOCK x LANES`` float32 (512 KiB, resident in the core's cache);
then the block's rows are compared with each lane's current k-th best score. The eight
additions are written out one by one so that LLVM's superword vectoriser turns them into one
vector operation; numba leaves that vectoriser off by default, so this module switches it on
before numba compiles anything (it only changes speed: the results are checked against exact
float64 re-scoring by the caller and by the tests).
"""

from __future__ import annotations

import os
import sys

if "numba" not in sys.modules:
    os.environ.setdefault("NUMBA_SLP_VECTORIZE", "1")

import numba  # noqa: E402
import numpy as np  # noqa: E402
from numba.core import config as _numba_config  # noqa: E402

_numba_config.SLP_VECTORIZE = 1  # effective if no numba function was compiled before

__all__ = [
    "BLOCK", "LANES", "block_bounds", "block_cuts", "top_k_lanes", "score_rows", "top_k_merge",
]

#: rows per block: BLOCK x LANES float32 accumulators = 512 KiB
BLOCK = 16_384
#: queries scored together
LANES = 8


def block_bounds(n_rows: int, block: int = BLOCK) -> np.ndarray:
    """Row boundaries of the blocks: ``[0, block, 2*block, ..., n_rows]``.

    Examples:
        >>> block_bounds(40_000).tolist()
        [0, 16384, 32768, 40000]
        >>> block_bounds(0).tolist()
        [0, 0]
    """
    bounds = np.arange(0, n_rows, block, dtype=np.int64)
    return np.append(bounds, np.int64(n_rows)) if n_rows else np.zeros(2, np.int64)


@numba.njit(cache=True, nogil=True)
def block_cuts(indptr, docs, bounds):  # pragma: no cover - compiled
    """``cut[t, b]``: first posting of term ``t`` with row >= ``bounds[b]``."""
    n_terms = indptr.shape[0] - 1
    cut = np.empty((n_terms, bounds.shape[0]), np.int64)
    for t in range(n_terms):
        j = indptr[t]
        end = indptr[t + 1]
        for b in range(bounds.shape[0]):
            while j < end and docs[j] < bounds[b]:
                j += 1
            cut[t, b] = j
    return cut


@numba.njit(cache=True, nogil=True, fastmath=True)
def top_k_lanes(cut, docs, imp, bounds, terms, weights, alive, keep, acc, out_rows, out_scores):
    """Best ``keep`` rows of each lane by float32 score (unordered; row -1 = empty slot).

    ``acc`` is a zeroed float32 buffer of ``BLOCK * LANES`` and is left zeroed. ``alive[r]``
    is 0 for a removed row. Returns, per lane, the smallest kept score (0 when fewer than
    ``keep`` rows scored above 0): any row not kept scores at most that (in float32).
    """
    floor = np.zeros(LANES, np.float32)  # lane's smallest kept score
    slot = np.zeros(LANES, np.int64)  # where that score sits
    out_rows[:, :] = -1
    out_scores[:, :] = 0.0
    for b in range(bounds.shape[0] - 1):
        lo = bounds[b]
        for i in range(terms.shape[0]):
            t = terms[i]
            w0 = weights[i, 0]
            w1 = weights[i, 1]
            w2 = weights[i, 2]
            w3 = weights[i, 3]
            w4 = weights[i, 4]
            w5 = weights[i, 5]
            w6 = weights[i, 6]
            w7 = weights[i, 7]
            for j in range(cut[t, b], cut[t, b + 1]):
                o = (docs[j] - lo) * LANES
                v = imp[j]
                # eight loads, then eight stores: one vector add after SLP vectorisation
                a0 = acc[o]
                a1 = acc[o + 1]
                a2 = acc[o + 2]
                a3 = acc[o + 3]
                a4 = acc[o + 4]
                a5 = acc[o + 5]
                a6 = acc[o + 6]
                a7 = acc[o + 7]
                acc[o] = a0 + v * w0
                acc[o + 1] = a1 + v * w1
                acc[o + 2] = a2 + v * w2
                acc[o + 3] = a3 + v * w3
                acc[o + 4] = a4 + v * w4
                acc[o + 5] = a5 + v * w5
                acc[o + 6] = a6 + v * w6
                acc[o + 7] = a7 + v * w7
        f0, f1, f2, f3 = floor[0], floor[1], floor[2], floor[3]
        f4, f5, f6, f7 = floor[4], floor[5], floor[6], floor[7]
        for r in range(bounds[b + 1] - lo):
            o = r * LANES
            if ((acc[o] > f0) | (acc[o + 1] > f1) | (acc[o + 2] > f2) | (acc[o + 3] > f3)
                    | (acc[o + 4] > f4) | (acc[o + 5] > f5) | (acc[o + 6] > f6)
                    | (acc[o + 7] > f7)) and alive[lo + r]:
                for lane in range(LANES):
                    s = acc[o + lane]
                    if s > floor[lane]:
                        row_slot = slot[lane]
                        out_scores[lane, row_slot] = s
                        out_rows[lane, row_slot] = lo + r
                        low, at = out_scores[lane, 0], 0
                        for q in range(1, keep):
                            if out_scores[lane, q] < low:
                                low, at = out_scores[lane, q], q
                        floor[lane] = low
                        slot[lane] = at
                f0, f1, f2, f3 = floor[0], floor[1], floor[2], floor[3]
                f4, f5, f6, f7 = floor[4], floor[5], floor[6], floor[7]
        acc[: (bounds[b + 1] - lo) * LANES] = 0.0
    return floor


@numba.njit(cache=True, nogil=True)
def score_rows(indptr, row_terms, row_imp, rows, slot_of_term, weights):
    """Exact float64 BM25 of ``rows[lane, i]`` for its lane (0 where the row is -1), from the
    by-row side of the index.

    ``slot_of_term[t]`` is the position of term ``t`` in ``weights`` (-1 if not queried).
    Products are float32 and sums float64, in row order, as :meth:`LexicalIndex.score` does,
    so both give bit-identical scores.
    """
    out = np.zeros(rows.shape, np.float64)
    for lane in range(rows.shape[0]):
        for i in range(rows.shape[1]):
            r = rows[lane, i]
            if r < 0:
                continue
            s = 0.0
            for j in range(indptr[r], indptr[r + 1]):
                p = slot_of_term[row_terms[j]]
                if p >= 0:
                    s += np.float64(row_imp[j] * weights[p, lane])
            out[lane, i] = s
    return out


@numba.njit(cache=True, nogil=True)
def top_k_merge(s, col0, out_idx, out_val):  # pragma: no cover - compiled
    """Merge the columns of ``s`` (numbered from ``col0``) into each row's best
    ``k = out_idx.shape[1]`` so far (unordered; an empty slot is column -1 with ``-inf``).

    One pass per row compares each value with the row's current k-th best and rarely does
    more. ``-inf`` (a removed column) is never taken; of equal values the lower columns are
    kept, so merging blocks in column order equals one pass over all columns.
    """
    k = out_idx.shape[1]
    for i in range(s.shape[0]):
        low, at = _weakest(out_val, out_idx, i, k)
        for c in range(s.shape[1]):
            v = s[i, c]
            if v > low:
                out_val[i, at] = v
                out_idx[i, at] = col0 + c
                low, at = _weakest(out_val, out_idx, i, k)


@numba.njit(cache=True, nogil=True, inline="always")
def _weakest(out_val, out_idx, i, k):  # pragma: no cover - compiled
    """The kept value to evict next: the smallest, of equal ones the highest column."""
    low, at = out_val[i, 0], 0
    for q in range(1, k):
        v = out_val[i, q]
        if v < low or (v == low and out_idx[i, q] > out_idx[i, at]):
            low, at = v, q
    return low, at
