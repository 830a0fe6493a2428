"""Dense index: exact top-k vs brute force, updates, persistence, encoders and their errors."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from innolink.engines.matching._errors import EncoderUnavailableError, UnknownDocumentError
from innolink.engines.matching.dense import (
    DenseIndex,
    Encoder,
    HashingEncoder,
    SentenceTransformerEncoder,
    USEEncoder,
    encode_corpus,
    l2_normalize,
    length_order,
    topk_rows,
)


def brute_topk(vecs, ids, q, k):
    s = vecs @ q
    order = np.lexsort((ids, -s))[:k]
    return ids[order], s[order]


def test_topk_rows_exact_on_large_rows_with_ties():
    rng = np.random.default_rng(0)
    s = rng.random((7, 5000)).astype(np.float32)
    s[3, :] = 0.5  # all tied
    s[4, ::3] = 0.99
    idx, val = topk_rows(s, 20)
    for r in range(len(s)):
        np.testing.assert_allclose(np.sort(val[r]), np.sort(s[r])[-20:])
        np.testing.assert_allclose(s[r, idx[r]], val[r])
        assert len(set(idx[r].tolist())) == 20


def test_search_many_equals_brute_force():
    rng = np.random.default_rng(1)
    vecs = l2_normalize(rng.standard_normal((3000, 32)))
    ids = np.arange(5000, 8000)
    idx = DenseIndex(vecs, ids)
    queries = l2_normalize(rng.standard_normal((37, 32)))
    results = idx.search_many(queries, k=15, chunk=10)
    for q, res in zip(queries, results):
        want_ids, want_scores = brute_topk(vecs, ids, q, 15)
        assert res.ids.tolist() == want_ids.tolist()
        np.testing.assert_allclose(res.scores, want_scores, rtol=1e-5)


def test_updates_and_scores():
    vecs = l2_normalize(np.eye(4, dtype=np.float32))
    idx = DenseIndex(vecs, [1, 2, 3, 4])
    idx.add_or_replace(2, np.array([1.0, 1.0, 0, 0]))
    idx.add_or_replace(9, np.array([0, 0, 0, 2.0]))
    idx.remove(3)
    res = idx.search(np.array([1.0, 0, 0, 0]), k=4)
    assert res.ids.tolist()[:2] == [1, 2]
    assert 3 not in res.ids.tolist()
    assert idx.n_docs == 4
    np.testing.assert_allclose(idx.score(np.array([0, 0, 0, 1.0]), [9, 4]), [1.0, 1.0])
    with pytest.raises(UnknownDocumentError):
        idx.score(np.array([1.0, 0, 0, 0]), [3])
    with pytest.raises(UnknownDocumentError):
        idx.remove(3)


def test_save_load_npy_roundtrip(tmp_path):
    rng = np.random.default_rng(2)
    idx = DenseIndex(l2_normalize(rng.standard_normal((50, 8))), range(100, 150))
    idx.add_or_replace(999, rng.standard_normal(8))
    idx.save(tmp_path)
    assert (tmp_path / "vectors.npy").exists() and (tmp_path / "ids.npy").exists()
    for mmap in (False, True):
        again = DenseIndex.load(tmp_path, mmap=mmap)
        q = rng.standard_normal(8)
        assert again.search(q, 5).ids.tolist() == idx.search(q, 5).ids.tolist()
        assert again.vectors.dtype == np.float32


def test_encode_corpus_batches_and_progress():
    calls = []
    out = encode_corpus(HashingEncoder(16), [f"文本{i}" for i in range(10)], batch_size=4,
                        progress=lambda done, total: calls.append((done, total)))
    assert out.shape == (10, 16) and out.dtype == np.float32
    assert calls == [(4, 10), (8, 10), (10, 10)]
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)


def test_use_encoder_real_model():
    enc = USEEncoder()
    assert isinstance(enc, Encoder)
    v = enc.encode(["锂离子电池正极材料研究", "新能源汽车动力电池", "中药现代化与药物筛选"])
    assert v.shape == (3, 512) and v.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(v, axis=1), 1.0, rtol=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]


def _mixed_texts(n):
    rng = np.random.default_rng(3)
    words = ["锂电池", "正极材料", "回收利用", "芯片封装", "中药", "纺织印染", "鞋服", "智能制造",
             "新能源", "检测", "AI", "materials"]
    return ["".join(rng.choice(words, size=int(rng.integers(1, 30)))) for _ in range(n)]


def test_encode_corpus_by_length_equals_one_text_at_a_time():
    """Bucketing by length changes the batches, never a row: each row is the text's own
    vector, in input order."""
    texts = _mixed_texts(57)
    enc = HashingEncoder(32)
    one_by_one = np.vstack([enc.encode([t]) for t in texts])
    out = encode_corpus(enc, texts, batch_size=8)
    np.testing.assert_allclose(out, one_by_one, atol=1e-6)
    order = length_order(texts)
    assert [len(texts[i]) for i in order] == sorted(len(t) for t in texts)


def test_encode_corpus_worker_processes_equal_serial():
    from functools import partial

    texts = _mixed_texts(40)
    calls = []
    serial = encode_corpus(HashingEncoder(24), texts, batch_size=7)
    par = encode_corpus(HashingEncoder(24), texts, batch_size=7, workers=2,
                        encoder_factory=partial(HashingEncoder, dim=24),
                        progress=lambda d, t: calls.append((d, t)))
    np.testing.assert_array_equal(par, serial)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls) and calls[-1] == (40, 40)


def test_use_encoder_bucketed_batches_match_unsorted_batches():
    """The real model: vectors from length-sorted batches equal those of the old, unsorted
    batches within float32 rounding (cosine >= 0.99999)."""
    texts = _mixed_texts(24) + ["锂离子电池正极材料研究", "新能源汽车动力电池"]
    enc = USEEncoder()
    old = np.vstack([enc.encode(texts[i:i + 10]) for i in range(0, len(texts), 10)])
    new = encode_corpus(enc, texts, batch_size=10)
    cos = np.einsum("ij,ij->i", old, new)
    assert cos.min() >= 0.99999
    np.testing.assert_allclose(new, old, atol=1e-5)


def test_sentence_transformer_encoder_clear_errors(tmp_path, monkeypatch):
    with pytest.raises(EncoderUnavailableError, match="not found"):
        SentenceTransformerEncoder(tmp_path / "missing")
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # package absent
    with pytest.raises(EncoderUnavailableError, match="sentence-transformers") as exc:
        SentenceTransformerEncoder(tmp_path)
    assert exc.value.code == "matching_encoder_unavailable"


def test_topk_rows_threads_and_removed_columns():
    """Rows split between threads give the same winners; -inf (removed) columns are only
    taken when nothing else is left, and of equal values the lower columns win."""
    rng = np.random.default_rng(4)
    s = rng.random((9, 3000)).astype(np.float32)
    s[:, ::2] = -np.inf
    s[5, :] = 0.25
    one = topk_rows(s, 12)
    two = topk_rows(s, 12, threads=2)
    for r in range(len(s)):
        assert sorted(one[0][r].tolist()) == sorted(two[0][r].tolist())
        assert np.isfinite(one[1][r]).all()
    assert sorted(one[0][5].tolist()) == list(range(12))
    few = np.full((1, 5), -np.inf, np.float32)
    few[0, 3] = 1.0
    idx, val = topk_rows(few, 2)
    assert sorted(idx[0].tolist()) == [-1, 3]  # removed columns are never taken


def test_search_many_over_many_blocks_with_removed_documents(monkeypatch):
    """Blocks of 64 documents merged in order give the brute-force top-k; removed documents
    never appear, even when fewer than k remain."""
    monkeypatch.setattr(DenseIndex, "block", 64)
    rng = np.random.default_rng(8)
    vecs = l2_normalize(rng.standard_normal((1000, 16)))
    ids = np.arange(1000) * 3
    idx = DenseIndex(vecs, ids)
    gone = rng.choice(1000, 300, replace=False)
    for row in gone.tolist():
        idx.remove(int(ids[row]))
    keep = np.setdiff1d(np.arange(1000), gone)
    queries = l2_normalize(rng.standard_normal((21, 16)))
    for q, res in zip(queries, idx.search_many(queries, k=25, chunk=8)):
        want_ids, want_scores = brute_topk(vecs[keep], ids[keep], q, 25)
        assert res.ids.tolist() == want_ids.tolist()
        np.testing.assert_allclose(res.scores, want_scores, rtol=1e-5)
    small = DenseIndex(vecs[:5], ids[:5])
    for d in ids[:4].tolist():
        small.remove(d)
    assert small.search_many(queries[:2], k=3)[0].ids.tolist() == [int(ids[4])]
