"""LexicalIndex against a slow dict-of-counts BM25 and against bm25s 0.3.16."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from innolink.engines.matching import LexicalIndex, UnknownDocumentError


def reference_bm25(docs: list[list[str]], query: list[str], k1=1.2, b=0.75) -> list[float]:
    """Obviously correct BM25 (Lucene idf, no k1+1 factor), one float per document."""
    n = len(docs)
    avgdl = sum(len(d) for d in docs) / n
    df = Counter(t for d in docs for t in set(d))
    out = []
    for d in docs:
        tf = Counter(d)
        s = 0.0
        for t in query:  # repeated query tokens count again, as in bm25s
            if tf[t]:
                idf = math.log(1 + (n - df[t] + 0.5) / (df[t] + 0.5))
                s += idf * tf[t] / (tf[t] + k1 * (1 - b + b * len(d) / avgdl))
        out.append(s)
    return out


def random_corpus(n_docs, n_vocab, seed, zipf=1.1, mean_len=20):
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_vocab + 1) ** zipf
    weights /= weights.sum()
    vocab = [f"w{i}" for i in range(n_vocab)]
    docs = []
    for _ in range(n_docs):
        length = int(rng.integers(1, 2 * mean_len))
        docs.append([vocab[i] for i in rng.choice(n_vocab, size=length, p=weights)])
    return docs, vocab, rng


def assert_topk_equal(ids, scores, ref_scores, k):
    """Top-k equal to an exhaustive ranking, ties compared by score."""
    ref = np.asarray(ref_scores)
    positive = np.sort(ref[ref > 0])[::-1][:k]
    assert len(ids) == len(positive)
    np.testing.assert_allclose(scores, positive, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ref[ids], scores, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scores_and_topk_match_reference(seed):
    docs, vocab, rng = random_corpus(300, 80, seed)
    idx = LexicalIndex.build(docs)
    for _ in range(20):
        query = [vocab[i] for i in rng.integers(0, 80, size=int(rng.integers(1, 12)))]
        ref = reference_bm25(docs, query)
        np.testing.assert_allclose(idx.score(query, range(len(docs))), ref, rtol=1e-5, atol=1e-6)
        res = idx.search(query, k=10)
        assert_topk_equal(res.ids, res.scores, ref, 10)
        # deterministic tie-break: equal scores in ascending id order
        for a, b_, sa, sb in zip(res.ids, res.ids[1:], res.scores, res.scores[1:]):
            assert sa > sb or (sa == sb and a < b_)


@pytest.mark.parametrize("block_rows", [64, 700, 16_384])
def test_blocked_batches_are_exact_on_a_larger_corpus(block_rows):
    """Many blocks, groups of eight mixed queries (one empty), removed rows: each result
    equals the slow reference over the remaining documents."""
    docs, vocab, rng = random_corpus(2000, 3000, 5, zipf=1.0, mean_len=40)
    idx = LexicalIndex.build(docs, block_rows=block_rows)
    assert len(idx.bounds) - 1 == -(-2000 // block_rows)
    removed = rng.choice(2000, size=50, replace=False).tolist()
    for d in removed:
        idx.remove(d)
    queries = [[vocab[i] for i in rng.integers(0, 3000, size=int(rng.integers(1, 60)))]
               for _ in range(19)] + [["not-a-term"]]
    results = idx.search_many(queries, k=20)
    for query, res in zip(queries, results):
        ref = np.asarray(reference_bm25(docs, query))
        ref[removed] = 0.0
        assert_topk_equal(res.ids, res.scores, ref, 20)
        single = idx.search(query, k=20)
        assert res.ids.tolist() == single.ids.tolist()
        assert res.scores.tolist() == single.scores.tolist()


def test_ties_beyond_the_kept_rows_are_resolved_exactly(monkeypatch):
    """60 identical documents tie for the top score: keeping k + slack rows by float32 is not
    enough to know which ids come first, so the query is re-run keeping more rows, and the
    lowest ids win as in exhaustive scoring."""
    from innolink.engines.matching import lexical

    monkeypatch.setattr(lexical, "KEEP_SLACK", 2)
    docs = [["b", "c"] for _ in range(40)] + [["a", "b"] for _ in range(60)] + [["c"]] * 5
    order = np.random.default_rng(3).permutation(len(docs))
    idx = LexicalIndex.build([docs[i] for i in order], doc_ids=order.tolist(), block_rows=32)
    calls = []
    real = LexicalIndex._top_rows
    monkeypatch.setattr(LexicalIndex, "_top_rows",
                        lambda self, group, k, keep=0: calls.append(keep) or real(self, group, k,
                                                                                   keep))
    res = idx.search(["a", "b"], k=10)
    assert res.ids.tolist() == list(range(40, 50))
    assert len(set(res.scores.tolist())) == 1
    assert len(calls) >= 2 and calls[-1] > calls[0]  # the re-run kept more rows


def test_matches_bm25s_top20():
    bm25s = pytest.importorskip("bm25s")
    docs, vocab, rng = random_corpus(3000, 2000, 7, zipf=1.0, mean_len=30)
    queries = [[vocab[i] for i in rng.integers(0, 2000, size=30)] for _ in range(40)]
    ret = bm25s.BM25(method="lucene", k1=1.2, b=0.75)
    ret.index(docs, show_progress=False)
    idx = LexicalIndex.build(docs)
    for q in queries:
        ref = ret.get_scores(q)
        res = idx.search(q, k=20)
        assert_topk_equal(res.ids, res.scores, ref, 20)


def test_external_ids_and_matched_terms():
    idx = LexicalIndex.build([["a", "b", "b"], ["b", "c"], ["d"]], doc_ids=[100, 200, 300])
    res = idx.search(["b", "c"], k=3)
    assert res.ids.tolist() == [200, 100]
    terms = idx.matched_terms(["b", "c", "zzz"], 200)
    assert [t for t, _ in terms] == ["c", "b"]
    assert sum(s for _, s in terms) == pytest.approx(float(res.scores[0]), rel=1e-6)
    assert idx.matched_terms(["zzz"], 300) == []
    with pytest.raises(UnknownDocumentError):
        idx.score(["a"], [999])
    with pytest.raises(UnknownDocumentError):
        idx.matched_terms(["a"], 999)


def test_duplicate_doc_ids_rejected():
    with pytest.raises(ValueError):
        LexicalIndex.build([["a"], ["b"]], doc_ids=[1, 1])


def test_empty_and_unknown_queries():
    idx = LexicalIndex.build([["a"], ["b"]])
    assert idx.search([], k=5).ids.tolist() == []
    assert idx.search(["nothing"], k=5).ids.tolist() == []
    assert idx.score([], [0, 1]).tolist() == [0.0, 0.0]


def test_incremental_updates_visible_and_equal_to_rebuild_after_compact():
    docs, vocab, rng = random_corpus(500, 200, 11)
    ids = list(range(1000, 1500))
    idx = LexicalIndex.build(docs, doc_ids=ids)
    current = dict(zip(ids, docs))
    # replace 20 docs, add 10 new (some with brand-new terms), remove 5
    for d in rng.choice(ids, 20, replace=False).tolist():
        toks = [vocab[i] for i in rng.integers(0, 200, 15)]
        idx.add_or_replace(d, toks)
        current[d] = toks
    for j in range(10):
        toks = [vocab[i] for i in rng.integers(0, 200, 10)] + [f"new{j}"] * 2
        idx.add_or_replace(5000 + j, toks)
        current[5000 + j] = toks
    for d in [1001, 1002, 5003, 1003, 1004]:
        idx.remove(d)
        current.pop(d)
    assert idx.n_docs == len(current)
    assert 1001 not in idx and 5003 not in idx and 5004 in idx
    res = idx.search(["new7"], k=5)
    assert res.ids.tolist() == [5007]
    q = [vocab[i] for i in rng.integers(0, 200, 10)]
    live = idx.search(q, k=len(current))
    assert 1001 not in live.ids.tolist()
    # the replaced version is what is scored
    replaced = next(d for d in idx._delta if d < 5000)
    assert idx.score(current[replaced], [replaced])[0] > 0
    with pytest.raises(UnknownDocumentError):
        idx.remove(1001)
    # compaction == full rebuild from the current documents
    idx.compact()
    order = sorted(current)
    fresh = LexicalIndex.build([current[d] for d in order], doc_ids=order)
    for _ in range(10):
        q = [vocab[i] for i in rng.integers(0, 200, 8)] + ["new3"]
        a, b_ = idx.search(q, k=20), fresh.search(q, k=20)
        assert a.ids.tolist() == b_.ids.tolist()
        np.testing.assert_allclose(a.scores, b_.scores, rtol=1e-6)


def test_search_many_threads_equal_serial():
    docs, vocab, rng = random_corpus(800, 300, 3)
    idx = LexicalIndex.build(docs)
    queries = [[vocab[i] for i in rng.integers(0, 300, 12)] for _ in range(30)]
    a = idx.search_many(queries, k=10)
    b_ = idx.search_many(queries, k=10, n_threads=2)
    for x, y in zip(a, b_):
        assert x.ids.tolist() == y.ids.tolist()


def test_save_load_roundtrip(tmp_path):
    docs, vocab, rng = random_corpus(200, 100, 4)
    idx = LexicalIndex.build(docs, doc_ids=range(7, 207))
    idx.save(tmp_path / "lex.npz")
    again = LexicalIndex.load(tmp_path / "lex.npz")
    q = [vocab[i] for i in rng.integers(0, 100, 6)]
    assert idx.search(q, 10).ids.tolist() == again.search(q, 10).ids.tolist()


def test_from_encoded_does_not_modify_its_input():
    from innolink.engines.matching import Encoded

    ids = np.array([2, 0, 2, 1, 1, 0], np.int32)
    offsets = np.array([0, 3, 6], np.int64)
    LexicalIndex.from_encoded(Encoded(["a", "b", "c"], ids, offsets))
    assert ids.tolist() == [2, 0, 2, 1, 1, 0] and offsets.tolist() == [0, 3, 6]
