"""The engine agrees with the slow reference implementation (tests/reference.py)."""

from __future__ import annotations

import pytest

from innolink.engines.ranking import parse_methodology, run_list
from innolink.engines.ranking.synthetic import synthetic_snapshot

from . import reference
from .helpers import raw_methodology

VARIANTS = {
    "minmax_sum_given": {},
    "zscore_geometric": {
        "normalization": {"method": "zscore", "winsorize": [0.01, 0.99]},
        "aggregation": "geometric",
        "uncertainty": {"samples": 25, "normalizations": ["zscore", "minmax"],
                        "aggregations": ["geometric", "weighted_sum"], "seed": 3},
    },
    "rank_equal_unshared": {
        "normalization": {"method": "rank"},
        "weights": {"scheme": "equal"},
        "indicators": [
            {"name": "revenue", "transform": "log"},
            {"name": "exports", "missing": "impute_zero"},
            {"name": "rd_expense", "missing": "impute_zero"},
            {"name": "revenue_growth", "missing": "impute_sector_median"},
        ],
        "tie_rule": {"shared_rank": False,
                     "keys": [{"field": "exports", "order": "desc"},
                              {"field": "employees", "order": "asc"}]},
        "uncertainty": {"samples": 25, "normalizations": ["rank", "minmax"], "seed": 5},
    },
    "efficacy_entropy_services": {
        "normalization": {"method": "efficacy", "winsorize": [0.05, 0.95]},
        "weights": {"scheme": "entropy"},
        "eligibility": {"ownership": ["private", "mixed"], "industry": {"sections": "services"},
                        "minimums": {"revenue": 5.0e6}, "maximums": {"profit_margin": 40}},
        "indicators": [
            {"name": "tax_paid", "transform": "log"},
            {"name": "profit_margin", "clip": [-50, 50]},
            {"name": "imports", "missing": "impute_worst"},
            {"name": "invention_patents", "missing": "impute_sector_median"},
        ],
        "uncertainty": {"samples": 25, "normalizations": ["efficacy", "zscore"], "seed": 9},
    },
    "manufacturing_lower_is_better": {
        "eligibility": {"industry": {"sections": ["C"], "exclude_prefixes": ["C19"]},
                        "minimums": {"revenue": 1.0e7}},
        "indicators": [
            {"name": "energy_intensity", "direction": "lower", "weight": 40},
            {"name": "energy_intensity_change", "direction": "lower", "weight": 30,
             "missing": "impute_sector_median"},
            {"name": "equipment_investment_intensity", "weight": 30, "missing": "exclude",
             "winsorize": [0.0, 0.9]},
        ],
        "list_size": 15,
    },
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_engine_matches_reference_on_seeded_population(variant):
    # given a seeded population with zeros (exports, R&D), losses (net profit) and NaNs
    snap = synthetic_snapshot(400, seed=42)
    m = parse_methodology(raw_methodology(**VARIANTS[variant]))
    samples, seed = m.uncertainty.samples, m.uncertainty.seed

    # when the engine and the reference rank it
    got = run_list(m, snap, include_all=True, threads=2)
    want = reference.reference_run(m, snap, samples, seed)

    # then both see the same population, the same order, ranks, scores and rank bands
    assert got.eligible == want["eligible"]
    assert dict(got.excluded) == want["excluded"]
    assert list(got.weights.values()) == pytest.approx(want["weights"], rel=1e-12)
    rows = list(got.entries) + sorted(got.review, key=lambda e: e.position)
    assert len(rows) == want["eligible"]
    for e, r in zip(rows, want["rows"]):
        assert (e.enterprise_id, e.position, e.rank, e.tied) == (
            r["enterprise_id"], r["position"], r["rank"], r["tied"])
        assert e.score == pytest.approx(r["score"], abs=1e-9)
        assert e.median_rank == pytest.approx(r["median_rank"], abs=1e-9)
        assert e.rank_p05 == pytest.approx(r["rank_p05"], abs=1e-9)
        assert e.rank_p95 == pytest.approx(r["rank_p95"], abs=1e-9)
        assert e.in_list_frequency == pytest.approx(r["in_list_frequency"], abs=1e-12)
        assert e.imputed == r["imputed"]
        for name, v in r["indicators"].items():
            assert e.indicators[name] == pytest.approx(v, rel=1e-12, abs=1e-12)
