import numpy as np

from innolink.engines.ranking import rank_scores, run_list, tie_order

from .helpers import one_indicator, tiny_snapshot


def test_shared_rank_orders_ties_by_secondary_key_then_id():
    # given three enterprises tied at 90, revenues 5, 7, 7
    scores = np.array([80.0, 90.0, 90.0, 70.0, 90.0])
    ids = np.array([11, 12, 13, 14, 15])
    revenue = np.array([1.0, 5.0, 7.0, 9.0, 7.0])

    # when ranked with the shared-rank rule
    r = rank_scores(scores, ids, [(revenue, "desc")], shared_rank=True)

    # then they share rank 1, listed by revenue then id; the next rank is 4
    assert ids[r.order].tolist() == [13, 15, 12, 11, 14]
    assert r.rank.tolist() == [4, 1, 1, 5, 1]
    assert r.tied.tolist() == [False, True, True, False, True]


def test_unshared_rule_gives_distinct_ranks_except_full_ties():
    scores = np.array([80.0, 90.0, 90.0, 70.0, 90.0])
    ids = np.array([11, 12, 13, 14, 15])
    revenue = np.array([1.0, 5.0, 7.0, 9.0, 7.0])
    r = rank_scores(scores, ids, [(revenue, "desc")], shared_rank=False)
    assert r.rank.tolist() == [4, 3, 1, 5, 1]


def test_scores_equal_after_rounding_are_tied():
    r = rank_scores(np.array([50.0000001, 50.0000004, 49.0]), np.array([2, 1, 3]), decimals=6)
    assert r.rank.tolist() == [1, 1, 3]
    assert r.order.tolist() == [1, 0, 2]  # same rounded score: id 1 before id 2


def test_missing_tie_key_sorts_last_and_ascending_keys_work():
    ids = np.array([1, 2, 3])
    order = tie_order(ids, [(np.array([np.nan, 2.0, 1.0]), "asc")])
    assert order.tolist() == [2, 1, 0]
    order = tie_order(ids, [(np.array([np.nan, 2.0, 1.0]), "desc")])
    assert order.tolist() == [1, 2, 0]


def test_tie_at_the_list_boundary_is_cut_by_the_secondary_key():
    # given four enterprises, three tied on the only indicator, list size 2
    m = one_indicator("tax_paid", size=2,
                      tie_rule={"shared_rank": True, "keys": [{"field": "revenue", "order": "desc"}]})
    snap = tiny_snapshot([10.0, 30.0, 20.0, 40.0], tax_paid=np.array([5.0, 5.0, 5.0, 1.0]))

    # when
    result = run_list(m, snap, samples=40)

    # then the tied enterprises share rank 1 and revenue decides who is in
    assert [(e.enterprise_id, e.rank, e.tied) for e in result.entries] == [(2, 1, True), (3, 1, True)]
    assert result.threshold_score == 100.0
    assert result.entry_threshold == 20.0
    assert [e.in_list_frequency for e in result.entries] == [1.0, 1.0]


def _reference_ranks(scores, ids, keys, shared):
    """Competition ranking with plain Python: sort, then compare each row with the previous."""
    def key_of(i):
        return tuple(-k[i] if o == "desc" else k[i] for k, o in keys)

    order = sorted(range(len(scores)), key=lambda i: (-scores[i], key_of(i), ids[i]))
    rank = {}
    for pos, i in enumerate(order):
        prev = order[pos - 1] if pos else None
        same = prev is not None and scores[i] == scores[prev] and (
            shared or key_of(i) == key_of(prev))
        rank[i] = rank[prev] if same else pos + 1
    return order, [rank[i] for i in range(len(scores))]


def test_rank_scores_matches_plain_python_on_many_random_ties():
    rng = np.random.default_rng(99)
    for trial in range(60):
        n = int(rng.integers(1, 40))
        scores = rng.integers(0, 5, n).astype(float)  # heavy ties
        ids = rng.permutation(1000)[:n]
        keys = [(rng.integers(0, 3, n).astype(float), "desc"), (rng.integers(0, 2, n).astype(float), "asc")]
        for shared in (True, False):
            r = rank_scores(scores, ids, keys, shared_rank=shared)
            order, ranks = _reference_ranks(scores.tolist(), ids.tolist(),
                                            [(k.tolist(), o) for k, o in keys], shared)
            assert r.order.tolist() == order, trial
            assert r.rank.tolist() == ranks, trial
