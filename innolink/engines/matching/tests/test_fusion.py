"""Fusion and metrics against hand computations and plain-loop references."""

import doctest
import math

import numpy as np
import pytest

from innolink.engines.matching import fusion as fu
from innolink.engines.matching.fusion import (
    FusionQuery,
    cross_validate,
    kfold,
    learn_weights,
    ndcg_at_k,
    ranks,
    recall_at_k,
    rrf,
    rrf_scores,
    weighted_fusion,
)


def test_doctests():
    assert doctest.testmod(fu).failed == 0


def test_rrf_by_hand():
    s = rrf([["a", "b", "c"], ["c", "a"], ["b"]], k=60)
    assert s["a"] == pytest.approx(1 / 61 + 1 / 62)
    assert s["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert s["c"] == pytest.approx(1 / 63 + 1 / 61)
    w = rrf([["a", "b"], ["b", "a"]], k=1, weights=[2.0, 1.0])
    assert w["a"] == pytest.approx(2 / 2 + 1 / 3) and w["b"] == pytest.approx(2 / 3 + 1 / 2)


def test_rrf_scores_equals_list_rrf_on_random_inputs():
    rng = np.random.default_rng(3)
    for _ in range(20):
        n = rng.integers(2, 30)
        sig = {f"s{i}": rng.random(n) for i in range(3)}
        weights = {f"s{i}": float(rng.choice([0.0, 0.5, 1.0, 2.0])) for i in range(3)}
        vec = rrf_scores(sig, weights, k=60)
        lists = [list(np.argsort(-sig[name], kind="stable")) for name in sig]
        ref = rrf(lists, k=60, weights=[weights[name] for name in sig])
        assert np.allclose(vec, [ref.get(i, 0.0) for i in range(n)])


def test_ranks_ties_keep_order():
    assert ranks(np.array([1.0, 1.0, 2.0])).tolist() == [2, 3, 1]


def test_weighted_fusion_equals_loop():
    rng = np.random.default_rng(5)
    sig = {"a": rng.random(10) * 7, "b": rng.random(10), "c": np.ones(10)}
    w = {"a": 0.5, "b": 2.0, "c": 4.0}
    out = weighted_fusion(sig, w)
    for i in range(10):
        ref = 0.0
        for name, x in sig.items():
            lo, hi = x.min(), x.max()
            ref += w[name] * ((x[i] - lo) / (hi - lo) if hi > lo else 0.0)
        assert out[i] == pytest.approx(ref)


def _ndcg_reference(ranked, qrels, k):
    dcg = 0.0
    for i, d in enumerate(ranked[:k]):
        dcg += (2 ** qrels.get(d, 0) - 1) / math.log2(i + 2)
    ideal = sorted(qrels.values(), reverse=True)
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal[:k]))
    return dcg / idcg if idcg else 0.0


def test_ndcg_matches_reference_on_random_rankings():
    rng = np.random.default_rng(9)
    for _ in range(50):
        docs = [f"d{i}" for i in range(25)]
        qrels = {d: int(rng.integers(0, 4)) for d in rng.choice(docs, 8, replace=False)}
        ranked = list(rng.permutation(docs))
        assert ndcg_at_k(ranked, qrels, 10) == pytest.approx(_ndcg_reference(ranked, qrels, 10))
    assert ndcg_at_k(["a"], {"b": 0}) == 0.0


def test_recall():
    q = {"a": 3, "b": 2, "c": 1, "d": 2}
    assert recall_at_k(["a", "c", "x", "b"], q, k=3) == pytest.approx(1 / 3)
    assert recall_at_k(["a", "c", "x", "b"], q, k=3, min_rel=1) == pytest.approx(2 / 4)
    assert recall_at_k(["a"], {"a": 1}) == 0.0


def _queries(n=12, seed=0):
    """Signal 'good' ranks the relevant item first, 'noise' is random."""
    rng = np.random.default_rng(seed)
    out = []
    for q in range(n):
        cands = [f"q{q}d{i}" for i in range(20)]
        good = rng.random(20) * 0.5
        good[0] = 1.0
        out.append(FusionQuery(q, cands, {"good": good, "noise": rng.random(20)},
                               {cands[0]: 3}))
    return out


def test_learn_weights_never_does_worse_than_start():
    qs = _queries()
    start = {"good": 1.0, "noise": 1.0}
    w = learn_weights(qs, ["good", "noise"])
    assert fu.evaluate(qs, w) >= fu.evaluate(qs, start)
    assert w["good"] > w["noise"]


def test_cross_validation_scores_each_query_once_with_weights_learned_without_it():
    qs = _queries(10)
    cv = cross_validate(qs, ["good", "noise"], n_folds=5, seed=1)
    assert sorted(cv.per_query_ndcg) == list(range(10))
    for fold, fw in zip(kfold(10, 5, 1), cv.fold_weights):
        held = set(int(i) for i in fold)
        train = [q for i, q in enumerate(qs) if i not in held]
        assert fw == learn_weights(train, ["good", "noise"])
    assert cv.ndcg10 == pytest.approx(1.0)


def test_kfold_partitions():
    folds = kfold(23, 5, seed=4)
    flat = sorted(int(i) for f in folds for i in f)
    assert flat == list(range(23)) and {len(f) for f in folds} <= {4, 5}
    assert [f.tolist() for f in kfold(23, 5, seed=4)] == [f.tolist() for f in folds]


def test_min_gain_keeps_the_start_unless_the_gain_is_clear():
    qs = _queries()
    start = {"good": 1.0, "noise": 1.0}
    assert learn_weights(qs, ["good", "noise"], min_gain=1.0) == start
