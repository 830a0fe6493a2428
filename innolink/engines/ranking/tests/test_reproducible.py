import numpy as np

from innolink.engines.ranking import ListResult, Snapshot, run_list, run_rankings
from innolink.engines.ranking.synthetic import synthetic_snapshot

from .helpers import methodology


def _permuted(snap: Snapshot, seed: int) -> Snapshot:
    p = np.random.default_rng(seed).permutation(snap.n)
    return Snapshot.build(snap.year, snap.enterprise_ids[p],
                          {k: v[p] for k, v in snap.current.items()},
                          {k: v[p] for k, v in snap.previous.items()})


def test_recomputing_gives_the_same_lists_and_fingerprint():
    snap = synthetic_snapshot(300, seed=3)
    ms = [methodology(), methodology(id="other", normalization={"method": "rank"})]
    a = run_rankings(ms, snap, samples=30)
    b = run_rankings(ms, synthetic_snapshot(300, seed=3), samples=30)
    assert a.to_dict() == b.to_dict()
    assert len(a.fingerprint) == 64


def test_row_order_of_the_snapshot_does_not_matter():
    snap = synthetic_snapshot(300, seed=3)
    a = run_list(methodology(), snap, samples=30).to_dict()
    b = run_list(methodology(), _permuted(snap, 1), samples=30).to_dict()
    assert a == b


def test_changed_data_or_methodology_changes_the_fingerprint():
    snap = synthetic_snapshot(300, seed=3)
    base = run_list(methodology(), snap, samples=10)
    revenue = snap.current["revenue"].copy()
    revenue[0] += 1.0
    changed = Snapshot.build(snap.year, snap.enterprise_ids, {**snap.current, "revenue": revenue},
                             snap.previous)
    assert run_list(methodology(), changed, samples=10).data_fingerprint != base.data_fingerprint
    other = run_list(methodology(version="t2"), snap, samples=10)
    assert other.methodology_hash != base.methodology_hash
    assert other.fingerprint != base.fingerprint
    assert other.data_fingerprint == base.data_fingerprint


def test_list_result_round_trips_through_a_dict():
    result = run_list(methodology(), synthetic_snapshot(300, seed=3), samples=10)
    again = ListResult.from_dict(result.to_dict())
    assert again.to_dict() == result.to_dict()


def test_snapshot_accepts_orm_style_decimals_and_none():
    from decimal import Decimal

    snap = Snapshot.build(2025, [1, 2], {"revenue": [Decimal("1234.50"), None]})
    assert snap.current["revenue"][0] == 1234.5
    assert np.isnan(snap.current["revenue"][1])
