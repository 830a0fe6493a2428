"""BM25 lexical index with precomputed impacts and exact MaxScore top-k.

Scoring (the "lucene" variant of bm25s 0.3.16, which is also its default)::

    idf(t)      = ln(1 + (N - df(t) + 0.5) / (df(t) + 0.5))
    impact(t,d) = idf(t) * tf / (tf + k1 * (1 - b + b * |d| / avgdl))      k1 = 1.2, b = 0.75
    score(q,d)  = sum over query tokens t (with repetition) of impact(t, d)

|d| counts every token of the document (repetitions included). A query token that occurs twice
counts twice, exactly as bm25s does. Unknown query tokens are ignored.

Layout: impacts are computed once at build time and stored twice, as float32:

* by term (CSC): ``t_indptr[t]:t_indptr[t+1]`` slices ``t_docs`` / ``t_imp`` (postings);
* by document (CSR): ``d_indptr[r]:d_indptr[r+1]`` slices ``d_terms`` / ``d_imp`` / ``d_tf``
  (for exact re-scoring of candidates, explanations and compaction).

Top-k is exact. The compiled loops of ``_kernel`` score up to eight queries at once, block by
block of rows, and keep each query's best ``k + KEEP_SLACK`` rows by float32 score; those
rows are re-scored exactly (float32 products, float64 sums, as :meth:`LexicalIndex.score`)
and ranked (ties by ascending document id). If a query's smallest kept float32 score comes
within rounding of its exact k-th score, a row that was not kept could still belong in the
top k, and the query is run again alone keeping four times as many rows; so results always
equal exhaustive scoring. Queries of a batch are grouped by their longest posting lists, so
the queries of a group share most of the postings that are read (decision 0303).

Incremental updates: ``add_or_replace`` / ``remove`` tombstone the document's row in the main
segment and keep new versions in a small delta segment, scored alongside with the *main*
statistics (N, avgdl, idf frozen at the last build; a term unknown to the main segment gets
the idf of its delta document frequency). This idf drift is negligible while the delta is a
small fraction of the corpus; ``compact()`` (or a nightly full rebuild) folds the delta in and
recomputes every statistic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

import numpy as np
import scipy.sparse as sp

from ._errors import InvalidInputError, UnknownDocumentError
from ._kernel import BLOCK, LANES, block_bounds, block_cuts, score_rows, top_k_lanes
from .types import SearchResult

if TYPE_CHECKING:
    from .tokenize import Encoded, Tokenizer

__all__ = ["LexicalIndex", "bm25_idf", "bm25_tf_norm", "K1", "B"]

K1 = 1.2
B = 0.75

#: rows kept per query beyond k before exact re-scoring
KEEP_SLACK = 12

_EMPTY = SearchResult(np.zeros(0, np.int64), np.zeros(0, np.float32))


def bm25_idf(df: np.ndarray, n_docs: int) -> np.ndarray:
    """Lucene / bm25s ``"lucene"`` idf: ``ln(1 + (N - df + 0.5) / (df + 0.5))``.

    Examples:
        >>> round(float(bm25_idf(np.array([1]), 10)[0]), 4)
        1.9924
    """
    df = np.asarray(df, dtype=np.float64)
    return np.log1p((n_docs - df + 0.5) / (df + 0.5))


def bm25_tf_norm(tf: np.ndarray, dl: np.ndarray, avgdl: float, k1: float = K1, b: float = B):
    """The term-frequency part of BM25 (Lucene: no ``k1 + 1`` factor).

    Examples:
        >>> float(bm25_tf_norm(np.array([1.0]), np.array([10.0]), 10.0)[0].round(4))
        0.4545
    """
    tf = np.asarray(tf, dtype=np.float64)
    return tf / (tf + k1 * (1.0 - b + b * np.asarray(dl, dtype=np.float64) / avgdl))


def _topk_order(scores: np.ndarray, ids: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k best (score desc, id asc), positive scores only."""
    pos = np.flatnonzero(scores > 0)
    if pos.size > k:
        s = scores[pos]
        kth = np.partition(-s, k - 1)[k - 1]
        pos = pos[-s <= kth]  # keeps every tie of the k-th score
    order = np.lexsort((ids[pos], -scores[pos]))[:k]
    return pos[order]


def _gather_rows(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flat positions of CSR rows ``rows`` and, for each position, its index in ``rows``."""
    starts = indptr[rows]
    lens = indptr[rows + 1] - starts
    total = int(lens.sum())
    seg = np.repeat(np.arange(len(rows), dtype=np.int64), lens)
    first = np.cumsum(lens) - lens
    pos = np.arange(total, dtype=np.int64) + (starts - first)[seg]
    return pos, seg


class LexicalIndex:
    """BM25 index over pre-tokenised documents with exact fast top-k and a delta segment.

    Build with :meth:`build` (token lists), :meth:`from_texts` (texts + :class:`Tokenizer`,
    optionally in worker processes) or :meth:`from_encoded`.

    Examples:
        >>> idx = LexicalIndex.build([["锂电池", "正极"], ["芯片", "设计"], ["锂电池", "回收"]],
        ...                          doc_ids=[10, 20, 30])
        >>> res = idx.search(["锂电池", "回收"], k=2)
        >>> res.ids.tolist(), [round(s, 3) for s in res.scores.tolist()]
        ([30, 10], [0.659, 0.214])
        >>> idx.matched_terms(["锂电池", "回收"], 30)[0][0]
        '回收'
        >>> idx.add_or_replace(20, ["锂电池", "回收", "回收"])
        >>> idx.search(["回收"], k=3).ids.tolist()
        [20, 30]
    """

    def __init__(self, *, k1: float = K1, b: float = B, block_rows: int = BLOCK) -> None:
        if not 1 <= block_rows <= BLOCK:
            raise InvalidInputError(f"block_rows must be between 1 and {BLOCK}",
                                    block_rows=block_rows)
        self.k1 = float(k1)
        self.b = float(b)
        self.block_rows = int(block_rows)  # smaller blocks only to test the block logic
        self.vocab: dict[str, int] = {}
        self.terms: list[str] = []
        self.n_main = 0
        self.avgdl = 1.0
        self.main_ids = np.zeros(0, np.int64)
        self.doc_len = np.zeros(0, np.int32)
        self.df = np.zeros(0, np.int64)
        self.idf = np.zeros(0, np.float32)
        self.t_indptr = np.zeros(1, np.int64)
        self.t_docs = np.zeros(0, np.int32)
        self.t_imp = np.zeros(0, np.float32)
        self.t_max = np.zeros(0, np.float32)
        self.bounds = block_bounds(0)
        self.cut = np.zeros((0, 2), np.int64)
        self._all_alive = np.zeros(0, bool)
        self.d_indptr = np.zeros(1, np.int64)
        self.d_terms = np.zeros(0, np.int32)
        self.d_imp = np.zeros(0, np.float32)
        self.d_tf = np.zeros(0, np.uint16)
        self._row_of: dict[int, int] = {}
        self._alive: np.ndarray | None = None  # None: every main row alive
        self._n_dead = 0
        # delta segment: doc id -> (term ids, tf, length)
        self._delta: dict[int, tuple[np.ndarray, np.ndarray, int]] = {}
        self._delta_cache: tuple | None = None
        self._local = threading.local()

    # ------------------------------------------------------------------ building

    @classmethod
    def build(
        cls,
        docs_tokens: Sequence[Sequence[str]],
        doc_ids: Sequence[int] | None = None,
        *,
        k1: float = K1,
        b: float = B,
        block_rows: int = BLOCK,
    ) -> LexicalIndex:
        """Index token lists; ``doc_ids`` default to ``0..n-1``.

        Examples:
            >>> LexicalIndex.build([["a", "b"], ["b"]]).n_docs
            2
        """
        vocab: dict[str, int] = {}
        setdefault = vocab.setdefault
        ids: list[int] = []
        lengths = np.zeros(len(docs_tokens) + 1, np.int64)
        for i, toks in enumerate(docs_tokens):
            ids.extend([setdefault(t, len(vocab)) for t in toks])
            lengths[i + 1] = len(toks)
        from .tokenize import Encoded

        enc = Encoded(list(vocab), np.asarray(ids, np.int32), np.cumsum(lengths))
        return cls.from_encoded(enc, doc_ids, k1=k1, b=b, block_rows=block_rows)

    @classmethod
    def from_texts(
        cls,
        texts: Sequence[str],
        tokenizer: Tokenizer,
        doc_ids: Sequence[int] | None = None,
        *,
        n_jobs: int = 1,
        k1: float = K1,
        b: float = B,
    ) -> LexicalIndex:
        """Tokenize (in ``n_jobs`` processes) and index raw texts.

        Examples:
            >>> from innolink.engines.matching.tokenize import Tokenizer
            >>> idx = LexicalIndex.from_texts(["石墨烯电池", "芯片设计"], Tokenizer())
            >>> idx.search(Tokenizer().tokenize("芯片"), k=5).ids.tolist()
            [1]
        """
        enc = tokenizer.encode_many(texts, n_jobs=n_jobs)
        return cls.from_encoded(enc, doc_ids, k1=k1, b=b)

    @classmethod
    def from_encoded(
        cls,
        enc: Encoded,
        doc_ids: Sequence[int] | None = None,
        *,
        k1: float = K1,
        b: float = B,
        block_rows: int = BLOCK,
    ) -> LexicalIndex:
        """Index documents given as token ids (see :meth:`Tokenizer.encode_many`)."""
        n = len(enc.offsets) - 1
        n_vocab = len(enc.vocab)
        # copies: sum_duplicates sorts in place and must not touch the caller's arrays
        counts = sp.csr_matrix(
            (np.ones(len(enc.ids), np.float32), np.array(enc.ids, np.int32),
             np.array(enc.offsets, np.int64)),
            shape=(n, n_vocab),
        )
        counts.sum_duplicates()  # sorts each row's term ids and merges repeats into tf
        self = cls(k1=k1, b=b, block_rows=block_rows)
        self._set_main(
            list(enc.vocab),
            _as_ids(doc_ids, n),
            counts.indptr.astype(np.int64, copy=False),
            counts.indices.astype(np.int32, copy=False),
            counts.data,
        )
        return self

    def _set_main(self, vocab_terms, doc_ids, indptr, terms, tf) -> None:
        n = len(doc_ids)
        n_vocab = len(vocab_terms)
        if len(np.unique(doc_ids)) != n:
            raise InvalidInputError("doc_ids must be unique")
        self.terms = list(vocab_terms)
        self.vocab = {t: i for i, t in enumerate(self.terms)}
        self.n_main = n
        self.main_ids = doc_ids
        row_len = np.diff(indptr)
        doc_len = np.add.reduceat(tf, indptr[:-1]) if len(tf) else np.zeros(n)
        doc_len = np.where(row_len > 0, doc_len, 0).astype(np.int64)
        self.doc_len = doc_len.astype(np.int32)
        self.avgdl = float(doc_len.mean()) if n and doc_len.sum() > 0 else 1.0
        self.df = np.bincount(terms, minlength=n_vocab).astype(np.int64)
        self.idf = bm25_idf(self.df, n).astype(np.float32)
        # float32 per posting, as bm25s does, computed in place to bound peak memory
        norm = (self.k1 * (1.0 - self.b + self.b * doc_len / self.avgdl)).astype(np.float32)
        imp = np.repeat(norm, row_len)
        tf32 = np.asarray(tf, np.float32)
        imp += tf32
        np.divide(tf32, imp, out=imp)
        imp *= self.idf[terms]
        self.d_indptr = indptr
        self.d_terms = terms
        self.d_imp = imp
        self.d_tf = np.minimum(tf, np.iinfo(np.uint16).max).astype(np.uint16)
        by_term = sp.csr_matrix((imp, terms, indptr), shape=(n, n_vocab)).tocsc()
        self.t_indptr = by_term.indptr.astype(np.int64, copy=False)
        self.t_docs = by_term.indices.astype(np.int32, copy=False)
        self.t_imp = by_term.data
        del by_term
        self.bounds = block_bounds(n, self.block_rows)
        self.cut = block_cuts(self.t_indptr, self.t_docs, self.bounds)
        self._all_alive = np.ones(n, bool)
        self.t_max = np.zeros(n_vocab, np.float32)
        nonempty = np.flatnonzero(np.diff(self.t_indptr))
        if len(nonempty):
            self.t_max[nonempty] = np.maximum.reduceat(self.t_imp, self.t_indptr[nonempty])
        self._row_of = dict(zip(doc_ids.tolist(), range(n)))
        self._alive = None
        self._n_dead = 0
        self._delta = {}
        self._delta_cache = None

    # ------------------------------------------------------------------ properties

    @property
    def n_docs(self) -> int:
        """Number of searchable documents (main alive + delta)."""
        return self.n_main - self._n_dead + len(self._delta)

    @property
    def delta_size(self) -> int:
        """Documents added or replaced since the last build/compaction."""
        return len(self._delta)

    def __contains__(self, doc_id: int) -> bool:
        doc_id = int(doc_id)
        if doc_id in self._delta:
            return True
        row = self._row_of.get(doc_id)
        return row is not None and (self._alive is None or bool(self._alive[row]))

    # ------------------------------------------------------------------ queries

    def _query(self, query_tokens: Iterable[str]) -> tuple[np.ndarray, np.ndarray]:
        """Unique known term ids of a query and their weights (occurrence counts)."""
        vocab = self.vocab
        counts = Counter(vocab[t] for t in query_tokens if t in vocab)
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        terms = np.fromiter(counts.keys(), np.int64, len(counts))
        weights = np.fromiter(counts.values(), np.float32, len(counts))
        return terms, weights

    def _dense_weights(self, terms: np.ndarray, weights: np.ndarray) -> np.ndarray:
        q = np.zeros(len(self.terms), np.float32)
        q[terms] = weights
        return q

    def _score_rows(self, rows: np.ndarray, qdense: np.ndarray) -> np.ndarray:
        """Exact BM25 of main rows (float64), read from the by-document side."""
        if len(rows) == 0:
            return np.zeros(0, np.float64)
        pos, seg = _gather_rows(self.d_indptr, rows)
        vals = self.d_imp[pos] * qdense[self.d_terms[pos]]
        return np.bincount(seg, weights=vals, minlength=len(rows))

    def _scratch(self, keep: int):
        """This thread's kernel buffers: (accumulator, kept rows, kept scores, term slots)."""
        local = self._local
        n_vocab = len(self.t_max)
        if getattr(local, "acc", None) is None:
            local.acc = np.zeros(BLOCK * LANES, np.float32)
        if getattr(local, "keep", 0) != keep:
            local.rows = np.empty((LANES, keep), np.int64)
            local.scores = np.empty((LANES, keep), np.float32)
            local.keep = keep
        slots = getattr(local, "slots", None)
        if slots is None or len(slots) != n_vocab:
            slots = local.slots = np.full(n_vocab, -1, np.int64)
        return local.acc, local.rows, local.scores, slots

    def _top_rows(
        self, group: Sequence[tuple[np.ndarray, np.ndarray]], k: int, keep: int = 0
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Exact top-k main rows of up to LANES queries: per query (rows, float64 scores),
        unordered; every row that belongs to the top k is there (maybe a few more)."""
        keep = max(keep, k + KEEP_SLACK)
        n_vocab = len(self.t_max)
        # terms only known to the delta segment have no postings here
        group = [(t[t < n_vocab], w[t < n_vocab]) for t, w in group]
        empty = (np.zeros(0, np.int64), np.zeros(0, np.float64))
        if self.n_main == 0 or all(len(t) == 0 for t, _ in group):
            return [empty for _ in group]
        union = np.unique(np.concatenate([t for t, _ in group]))
        weights = np.zeros((len(union), LANES), np.float32)
        for lane, (t, w) in enumerate(group):
            weights[np.searchsorted(union, t), lane] = w
        acc, rows, scores, slots = self._scratch(keep)
        alive = self._alive if self._alive is not None else self._all_alive
        floor = top_k_lanes(self.cut, self.t_docs, self.t_imp, self.bounds, union, weights,
                            alive, keep, acc, rows, scores)
        slots[union] = np.arange(len(union))
        try:
            exact = score_rows(self.d_indptr, self.d_terms, self.d_imp, rows, slots, weights)
        finally:
            slots[union] = -1
        out, again = [], []
        for lane in range(len(group)):
            valid = rows[lane] >= 0
            kept, scores_ = rows[lane][valid], exact[lane][valid]
            out.append((kept, scores_))
            if floor[lane] > 0 and len(kept) >= k:
                kth = np.partition(scores_, len(kept) - k)[len(kept) - k]
                if floor[lane] * (1 + 1e-4) >= kth:  # a dropped row might tie or beat it
                    again.append(lane)
        for lane in again:
            out[lane] = self._top_rows([group[lane]], k, keep * 4)[0]
        return out

    def _delta_arrays(self):
        """CSR of the delta documents with impacts under the main statistics (cached)."""
        if self._delta_cache is not None:
            return self._delta_cache
        ids = np.fromiter(self._delta.keys(), np.int64, len(self._delta))
        parts = list(self._delta.values())
        terms = np.concatenate([p[0] for p in parts]) if parts else np.zeros(0, np.int64)
        tf = np.concatenate([p[1] for p in parts]) if parts else np.zeros(0, np.float32)
        dl = np.array([p[2] for p in parts], np.float64)
        row_len = np.array([len(p[0]) for p in parts], np.int64)
        indptr = np.zeros(len(parts) + 1, np.int64)
        np.cumsum(row_len, out=indptr[1:])
        n_vocab = len(self.terms)
        idf = np.zeros(n_vocab, np.float64)
        idf[: len(self.idf)] = self.idf
        new = terms >= len(self.idf)
        if new.any():  # terms unknown to the main segment: idf from delta frequency
            dfd = np.bincount(terms[new], minlength=n_vocab)
            nz = np.flatnonzero(dfd)
            idf[nz] = bm25_idf(dfd[nz], max(self.n_main - self._n_dead + len(parts), 1))
        avgdl = self.avgdl if self.n_main else (float(dl.mean()) if len(dl) else 1.0)
        imp = idf[terms] * bm25_tf_norm(tf, np.repeat(dl, row_len), avgdl, self.k1, self.b)
        self._delta_cache = (ids, indptr, terms, imp.astype(np.float32))
        return self._delta_cache

    def _score_delta(self, qdense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if not self._delta:
            return np.zeros(0, np.int64), np.zeros(0, np.float64)
        ids, indptr, terms, imp = self._delta_arrays()
        seg = np.repeat(np.arange(len(ids)), np.diff(indptr))
        scores = np.bincount(seg, weights=imp * qdense[terms], minlength=len(ids))
        return ids, scores

    def search(self, query_tokens: Sequence[str], k: int = 20) -> SearchResult:
        """Top-k documents for one tokenised query: ``SearchResult(ids, scores)``.

        Only documents with a positive score are returned (so maybe fewer than k).

        Examples:
            >>> idx = LexicalIndex.build([["x", "y"], ["y"], ["z"]])
            >>> idx.search(["y"], k=5).ids.tolist()
            [1, 0]
        """
        if k <= 0:
            raise InvalidInputError("k must be positive", k=k)
        terms, weights = self._query(query_tokens)
        if len(terms) == 0:
            return _EMPTY
        return self._finish(terms, weights, *self._top_rows([(terms, weights)], k)[0], k)

    def _finish(self, terms, weights, rows, scores, k) -> SearchResult:
        """Merge main rows with the delta segment and rank (score desc, id asc)."""
        ids = self.main_ids[rows]
        if self._delta:
            d_ids, d_scores = self._score_delta(self._dense_weights(terms, weights))
            ids = np.concatenate([ids, d_ids])
            scores = np.concatenate([scores, d_scores])
        top = _topk_order(scores, ids, k)
        return SearchResult(ids[top], scores[top].astype(np.float32))

    def search_many(
        self, queries_tokens: Sequence[Sequence[str]], k: int = 20, *, n_threads: int = 1
    ) -> list[SearchResult]:
        """:meth:`search` for many queries, eight at a time.

        Queries are grouped by their longest posting lists so that a group's queries share
        most of what is read; ``n_threads`` threads score groups in parallel (the compiled
        loops release the GIL). Results equal :meth:`search` query by query.

        Examples:
            >>> idx = LexicalIndex.build([["x", "y"], ["y"], ["z"]])
            >>> [r.ids.tolist() for r in idx.search_many([["z"], ["q"], ["y"]], k=2)]
            [[2], [], [1, 0]]
        """
        if k <= 0:
            raise InvalidInputError("k must be positive", k=k)
        parsed = [self._query(q) for q in queries_tokens]
        n_vocab = len(self.t_max)
        lens = np.diff(self.t_indptr)

        def signature(i: int) -> tuple:
            terms = parsed[i][0]
            terms = terms[terms < n_vocab]
            return tuple(sorted(terms[np.argsort(-lens[terms], kind="stable")[:4]].tolist()))

        order = sorted(range(len(parsed)), key=lambda i: (signature(i), i))
        groups = [order[a : a + LANES] for a in range(0, len(order), LANES)]

        def run(group: list[int]) -> list[tuple[int, SearchResult]]:
            found = self._top_rows([parsed[i] for i in group], k)
            return [(i, self._finish(*parsed[i], rows, scores, k))
                    for i, (rows, scores) in zip(group, found)]

        out: list[SearchResult] = [_EMPTY] * len(parsed)
        if n_threads > 1 and len(groups) > 1:
            with ThreadPoolExecutor(n_threads) as ex:
                done = [pair for part in ex.map(run, groups) for pair in part]
        else:
            done = [pair for g in groups for pair in run(g)]
        for i, result in done:
            out[i] = result
        return out

    def score(self, query_tokens: Sequence[str], doc_ids: Sequence[int]) -> np.ndarray:
        """Exact BM25 scores of given documents (float32, in the order of ``doc_ids``).

        Raises :class:`UnknownDocumentError` for an id that is not indexed.

        Examples:
            >>> idx = LexicalIndex.build([["x", "y"], ["y"], ["z"]])
            >>> [round(s, 3) for s in idx.score(["y"], [1, 2]).tolist()]
            [0.238, 0.0]
        """
        doc_ids = [int(d) for d in doc_ids]
        terms, weights = self._query(query_tokens)
        out = np.zeros(len(doc_ids), np.float64)
        if len(terms) == 0:
            for d in doc_ids:
                if d not in self:
                    raise UnknownDocumentError(f"document {d} is not indexed", doc_id=d)
            return out.astype(np.float32)
        qdense = self._dense_weights(terms, weights)
        main_pos, main_rows, delta_pos = [], [], []
        for i, d in enumerate(doc_ids):
            if d in self._delta:
                delta_pos.append(i)
                continue
            row = self._row_of.get(d)
            if row is None or (self._alive is not None and not self._alive[row]):
                raise UnknownDocumentError(f"document {d} is not indexed", doc_id=d)
            main_pos.append(i)
            main_rows.append(row)
        if main_rows:
            out[main_pos] = self._score_rows(np.asarray(main_rows, np.int64), qdense)
        if delta_pos:
            d_ids, d_scores = self._score_delta(qdense)
            where = dict(zip(d_ids.tolist(), range(len(d_ids))))
            out[delta_pos] = d_scores[[where[doc_ids[i]] for i in delta_pos]]
        return out.astype(np.float32)

    def matched_terms(self, query_tokens: Sequence[str], doc_id: int) -> list[tuple[str, float]]:
        """Query terms found in a document with their BM25 contributions, largest first.

        Examples:
            >>> idx = LexicalIndex.build([["电池", "回收", "回收"], ["电池"], ["芯片"]])
            >>> [(t, round(s, 3)) for t, s in idx.matched_terms(["回收", "电池", "无关"], 0)]
            [('回收', 0.5), ('电池', 0.161)]
        """
        doc_id = int(doc_id)
        terms, weights = self._query(query_tokens)
        if doc_id in self._delta:
            ids, indptr, d_terms, d_imp = self._delta_arrays()
            i = int(np.flatnonzero(ids == doc_id)[0])
            t_row = d_terms[indptr[i] : indptr[i + 1]]
            imp_row = d_imp[indptr[i] : indptr[i + 1]]
        else:
            row = self._row_of.get(doc_id)
            if row is None or (self._alive is not None and not self._alive[row]):
                raise UnknownDocumentError(f"document {doc_id} is not indexed", doc_id=doc_id)
            sl = slice(self.d_indptr[row], self.d_indptr[row + 1])
            t_row, imp_row = self.d_terms[sl], self.d_imp[sl]
        if len(terms) == 0:
            return []
        qdense = self._dense_weights(terms, weights)
        contrib = imp_row.astype(np.float64) * qdense[t_row]
        hit = np.flatnonzero(contrib > 0)
        hit = hit[np.lexsort((t_row[hit], -contrib[hit]))]
        return [(self.terms[int(t_row[i])], float(contrib[i])) for i in hit]

    # ------------------------------------------------------------------ updates

    def _tombstone(self, doc_id: int) -> bool:
        row = self._row_of.get(doc_id)
        if row is None:
            return False
        if self._alive is None:
            self._alive = np.ones(self.n_main, bool)
        if self._alive[row]:
            self._alive[row] = False
            self._n_dead += 1
            return True
        return False

    def add_or_replace(self, doc_id: int, tokens: Sequence[str]) -> None:
        """Add a document or replace its previous version; searchable immediately.

        Examples:
            >>> idx = LexicalIndex.build([["x"], ["y"]])
            >>> idx.add_or_replace(0, ["y", "y"])
            >>> idx.search(["y"], k=2).ids.tolist()
            [0, 1]
        """
        doc_id = int(doc_id)
        self._tombstone(doc_id)
        vocab = self.vocab
        ids = []
        for t in tokens:
            i = vocab.get(t)
            if i is None:
                i = vocab[t] = len(self.terms)
                self.terms.append(t)
            ids.append(i)
        counts = Counter(ids)
        terms = np.fromiter(counts.keys(), np.int64, len(counts))
        tf = np.fromiter(counts.values(), np.float32, len(counts))
        order = np.argsort(terms)
        self._delta[doc_id] = (terms[order], tf[order], len(ids))
        self._delta_cache = None

    def remove(self, doc_id: int) -> None:
        """Remove a document (no-op message if unknown: raises UnknownDocumentError).

        Examples:
            >>> idx = LexicalIndex.build([["x"], ["x"]])
            >>> idx.remove(0)
            >>> idx.search(["x"]).ids.tolist()
            [1]
        """
        doc_id = int(doc_id)
        removed = self._delta.pop(doc_id, None) is not None
        if removed:
            self._delta_cache = None
        removed = self._tombstone(doc_id) or removed
        if not removed:
            raise UnknownDocumentError(f"document {doc_id} is not indexed", doc_id=doc_id)

    def compact(self) -> None:
        """Fold the delta segment in and recompute every statistic (a full rebuild from the
        stored term frequencies, no re-tokenisation).

        Examples:
            >>> idx = LexicalIndex.build([["x"], ["y"]])
            >>> idx.add_or_replace(5, ["x"])
            >>> idx.compact()
            >>> idx.delta_size, idx.n_docs
            (0, 3)
        """
        if not self._delta and not self._n_dead:
            return
        rows = (
            np.arange(self.n_main)
            if self._alive is None
            else np.flatnonzero(self._alive)
        )
        pos, _ = _gather_rows(self.d_indptr, rows)
        row_len = (self.d_indptr[rows + 1] - self.d_indptr[rows]).tolist()
        terms = [self.d_terms[pos].astype(np.int64)]
        tf = [self.d_tf[pos].astype(np.float32)]
        ids = [self.main_ids[rows]]
        for doc_id, (t, f, _) in self._delta.items():
            terms.append(t)
            tf.append(f)
            row_len.append(len(t))
        ids.append(np.fromiter(self._delta.keys(), np.int64, len(self._delta)))
        indptr = np.zeros(len(row_len) + 1, np.int64)
        np.cumsum(row_len, out=indptr[1:])
        terms_all = np.concatenate(terms)
        # drop vocabulary entries no longer used, keep order of first appearance by id
        used = np.unique(terms_all)
        remap = np.full(len(self.terms), -1, np.int64)
        remap[used] = np.arange(len(used))
        vocab_terms = [self.terms[i] for i in used.tolist()]
        self._set_main(
            vocab_terms,
            np.concatenate(ids),
            indptr,
            remap[terms_all].astype(np.int32),
            np.concatenate(tf).astype(np.float32),
        )

    # ------------------------------------------------------------------ persistence

    def save(self, path) -> None:
        """Save to one ``.npz`` file (compact first to persist the delta)."""
        self.compact()
        np.savez(
            path,
            k1=self.k1,
            b=self.b,
            vocab=np.array(self.terms, dtype=str),
            doc_ids=self.main_ids,
            indptr=self.d_indptr,
            terms=self.d_terms,
            tf=self.d_tf,
        )

    def save_arrays(self, directory, prefix: str) -> dict:
        """Write the built index as ``.npy`` files ``<directory>/<prefix>.<array>.npy`` (the
        delta is folded in first) for :meth:`open_arrays` to map; returns the small
        statistics that go with them (keep them beside the files, e.g. in a manifest).

        Everything a query reads is written as built (impacts, both CSR sides, block cuts),
        so opening needs no computation: one mapping per array.
        """
        from pathlib import Path

        self.compact()
        directory = Path(directory)
        for name in _SAVED_ARRAYS:
            np.save(directory / f"{prefix}.{name}.npy", np.ascontiguousarray(getattr(self, name)))
        np.save(directory / f"{prefix}.vocab.npy", np.array(self.terms, dtype=str)
                if self.terms else np.zeros(0, "<U1"))
        return {"k1": self.k1, "b": self.b, "avgdl": self.avgdl, "n_main": self.n_main,
                "n_vocab": len(self.terms), "block_rows": self.block_rows}

    @classmethod
    def open_arrays(cls, directory, prefix: str, meta: dict, *, mmap: bool = True
                    ) -> LexicalIndex:
        """The index written by :meth:`save_arrays`, its arrays mapped read-only (shared
        with every process that maps the same files; updates go to the delta segment and the
        tombstones, never to the mapped arrays). Raises ``ValueError`` when the files do not
        fit ``meta`` or each other.

        Examples:
            >>> import tempfile
            >>> idx = LexicalIndex.build([["电池", "回收"], ["芯片"], ["电池"]], doc_ids=[0, 1, 2])
            >>> d = tempfile.mkdtemp(); meta = idx.save_arrays(d, "p")
            >>> again = LexicalIndex.open_arrays(d, "p", meta)
            >>> again.search(["电池"], k=3).ids.tolist() == idx.search(["电池"], k=3).ids.tolist()
            True
            >>> again.add_or_replace(1, ["电池", "电池"]); again.search(["电池"], k=1).ids.tolist()
            [1]
        """
        from pathlib import Path

        directory = Path(directory)
        self = cls(k1=float(meta["k1"]), b=float(meta["b"]), block_rows=int(meta["block_rows"]))
        for name in _SAVED_ARRAYS:
            arr = np.load(directory / f"{prefix}.{name}.npy",
                          mmap_mode="r" if mmap else None, allow_pickle=False)
            # a plain ndarray view of the mapping (the compiled loops want ndarrays)
            setattr(self, name, np.asarray(arr) if arr.size else np.array(arr))
        self.terms = np.load(directory / f"{prefix}.vocab.npy", allow_pickle=False).tolist()
        n, n_vocab = int(meta["n_main"]), int(meta["n_vocab"])
        if not (len(self.main_ids) == len(self.doc_len) == len(self.d_indptr) - 1 == n
                and len(self.terms) == len(self.df) == len(self.idf) == len(self.t_max)
                == len(self.t_indptr) - 1 == n_vocab
                and len(self.d_terms) == len(self.d_imp) == len(self.d_tf) == len(self.t_docs)
                == len(self.t_imp) == int(self.d_indptr[-1]) == int(self.t_indptr[-1])):
            raise ValueError(f"lexical arrays {prefix} do not fit together")
        self.vocab = {t: i for i, t in enumerate(self.terms)}
        self.n_main = n
        self.avgdl = float(meta["avgdl"])
        self.bounds = block_bounds(n, self.block_rows)
        if self.cut.shape != (n_vocab, len(self.bounds)):
            raise ValueError(f"lexical arrays {prefix}: block cuts of another shape")
        self._all_alive = np.ones(n, bool)
        if n and np.array_equal(self.main_ids[[0, -1]], [0, n - 1]) \
                and bool(np.all(np.diff(self.main_ids) == 1)):
            self._row_of = _Positions(n)  # ids are row numbers: no dict of n entries
        else:
            self._row_of = dict(zip(self.main_ids.tolist(), range(n)))
        return self

    @classmethod
    def load(cls, path) -> LexicalIndex:
        """Load an index written by :meth:`save` (impacts recomputed, about 1 s per 100k docs).

        Examples:
            >>> import tempfile, os
            >>> idx = LexicalIndex.build([["电池"], ["芯片"]])
            >>> p = os.path.join(tempfile.mkdtemp(), "lex.npz"); idx.save(p)
            >>> LexicalIndex.load(p).search(["芯片"]).ids.tolist()
            [1]
        """
        with np.load(path, allow_pickle=False) as z:
            self = cls(k1=float(z["k1"]), b=float(z["b"]))
            self._set_main(
                z["vocab"].tolist(),
                z["doc_ids"].astype(np.int64),
                z["indptr"].astype(np.int64),
                z["terms"].astype(np.int32),
                z["tf"].astype(np.float32),
            )
        return self


#: what :meth:`LexicalIndex.save_arrays` writes besides the vocabulary
_SAVED_ARRAYS = ("main_ids", "doc_len", "df", "idf", "t_indptr", "t_docs", "t_imp", "t_max",
                 "cut", "d_indptr", "d_terms", "d_imp", "d_tf")


class _Positions:
    """``{i: i for i in range(n)}`` without the dict (document ids that are row numbers).

    Examples:
        >>> p = _Positions(3)
        >>> p.get(2), p.get(3), p.get(-1), 1 in p
        (2, None, None, True)
    """

    __slots__ = ("n",)

    def __init__(self, n: int) -> None:
        self.n = n

    def get(self, key, default=None):
        return key if isinstance(key, int) and 0 <= key < self.n else default

    def __contains__(self, key) -> bool:
        return self.get(key) is not None

    def __len__(self) -> int:
        return self.n


def _as_ids(doc_ids: Sequence[int] | None, n: int) -> np.ndarray:
    if doc_ids is None:
        return np.arange(n, dtype=np.int64)
    ids = np.asarray(doc_ids, dtype=np.int64)
    if ids.shape != (n,):
        raise InvalidInputError("doc_ids must have one id per document", n_docs=n)
    return ids
