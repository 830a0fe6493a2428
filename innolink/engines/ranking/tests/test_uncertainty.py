import numpy as np
import pytest

from innolink.engines.ranking import draw_perturbations, rank_bands, run_list
from innolink.engines.ranking.synthetic import synthetic_snapshot
from innolink.engines.ranking.uncertainty import perturbed_weights

from .helpers import methodology, tiny_snapshot


def test_same_seed_gives_identical_results_and_another_seed_differs():
    snap = synthetic_snapshot(300, seed=8)
    m = methodology()
    a = run_list(m, snap, samples=60, seed=123).to_dict()
    b = run_list(m, snap, samples=60, seed=123, threads=1).to_dict()
    c = run_list(m, snap, samples=60, seed=124).to_dict()
    assert a == b
    assert a["fingerprint"] != c["fingerprint"]
    assert [e["rank"] for e in a["entries"]] == [e["rank"] for e in c["entries"]]
    assert [e["in_list_frequency"] for e in a["entries"]] != [
        e["in_list_frequency"] for e in c["entries"]]


def test_perturbation_draws_are_bounded_and_renormalised():
    f, norm_idx, agg_idx = draw_perturbations(3, 4, 500, 0.25, 3, 2)
    assert f.min() >= 0.75 and f.max() < 1.25
    assert set(norm_idx.tolist()) == {0, 1, 2} and set(agg_idx.tolist()) == {0, 1}
    w = perturbed_weights(np.array([0.4, 0.3, 0.2, 0.1]), f)
    assert np.allclose(w.sum(axis=1), 1.0)


def test_without_noise_the_bands_collapse_to_the_nominal_rank():
    x = np.array([[90.0, 10.0], [50.0, 60.0], [10.0, 95.0], [40.0, 40.0]])
    bands = rank_bands({"minmax": x}, np.array([0.5, 0.5]), list_size=2, samples=20, noise=0.0,
                       normalizations=["minmax"], aggregations=["weighted_sum"], seed=1,
                       order_for_ties=np.arange(4))
    # scores 50, 55, 52.5, 40 -> ranks 3, 1, 2, 4
    assert bands.median.tolist() == [3.0, 1.0, 2.0, 4.0]
    assert bands.p05.tolist() == bands.p95.tolist() == [3.0, 1.0, 2.0, 4.0]
    assert bands.in_list_frequency.tolist() == [0.0, 1.0, 1.0, 0.0]


def test_enterprises_swapping_places_at_the_boundary_are_flagged_for_review():
    # given two enterprises each best on one of two equally weighted indicators, one seat
    m = methodology(
        list_size=1,
        eligibility={"ownership": ["private"]},
        indicators=[{"name": "exports", "weight": 1}, {"name": "imports", "weight": 1}],
        weights={"scheme": "given", "sum": 2},
        normalization={"method": "minmax"},
        uncertainty={"samples": 200, "normalizations": ["minmax"], "seed": 4},
    )
    snap = tiny_snapshot([9.0, 8.0, 7.0], exports=np.array([100.0, 0.0, 10.0]),
                         imports=np.array([0.0, 100.0, 10.0]))

    # when
    result = run_list(m, snap)

    # then the member and the runner-up are both uncertain; the third is never in
    (member,) = result.entries
    (runner_up,) = result.review
    assert (member.enterprise_id, member.rank, member.tied) == (1, 1, True)
    assert (runner_up.enterprise_id, runner_up.rank, runner_up.position) == (2, 1, 2)
    assert member.uncertain and runner_up.uncertain
    assert member.in_list_frequency + runner_up.in_list_frequency == pytest.approx(1.0)
    assert 0.3 < member.in_list_frequency < 0.7


def test_zero_samples_skip_the_analysis():
    m = methodology(list_size=3)
    result = run_list(m, synthetic_snapshot(150, seed=2), samples=0)
    assert [(e.median_rank, e.rank_p05, e.in_list_frequency, e.uncertain) for e in result.entries] == [
        (float(e.rank), float(e.rank), 1.0, False) for e in result.entries]
    assert result.review == ()


def test_rank_bands_keep_the_tie_order_inside_every_sample():
    # given identical rows (always tied) in a given tie order, with perturbed weights
    rng = np.random.default_rng(0)
    base = rng.integers(0, 3, (12, 3)).astype(float) * 50.0
    x = np.vstack([base, base])  # rows 12..23 duplicate rows 0..11
    tie = np.r_[np.arange(12, 24), np.arange(12)]  # duplicates come first in the tie order

    # when
    bands = rank_bands({"minmax": x}, np.array([0.5, 0.3, 0.2]), list_size=5, samples=40,
                       noise=0.25, normalizations=["minmax"], aggregations=["weighted_sum"],
                       seed=2, order_for_ties=tie)

    # then, by a plain loop over the same draws, each duplicate is ranked right before its twin
    f, _, _ = draw_perturbations(2, 3, 40, 0.25, 1, 1)
    per_row = [[] for _ in range(24)]
    position_in_tie = {int(r): p for p, r in enumerate(tie)}
    for s in range(40):
        w = [0.5 * f[s, 0], 0.3 * f[s, 1], 0.2 * f[s, 2]]
        w = [v / sum(w) for v in w]
        sc = [round(sum(w[j] * x[i, j] for j in range(3)) * 1e6) for i in range(24)]
        order = sorted(range(24), key=lambda i: (-sc[i], position_in_tie[i]))
        for pos, i in enumerate(order):
            per_row[i].append(pos + 1)
    assert bands.median.tolist() == [float(np.median(r)) for r in per_row]
    assert bands.in_list_frequency.tolist() == [sum(v <= 5 for v in r) / 40 for r in per_row]
    assert all(np.median(per_row[i + 12]) < np.median(per_row[i]) for i in range(12))
