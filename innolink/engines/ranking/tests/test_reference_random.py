"""Random small populations × random methodologies: engine == plain-loop reference."""

from __future__ import annotations

import numpy as np
import pytest

from innolink.engines.ranking import RankingError, Snapshot, parse_methodology, run_list

from . import reference

POOL = ["revenue", "net_profit", "exports", "rd_intensity", "energy_intensity", "revenue_growth",
        "profit_margin", "trade_volume", "invention_patents", "tax_paid"]


def _population(rng: np.random.Generator) -> Snapshot:
    """Few distinct values (many ties), zeros, losses and NaNs."""
    n = int(rng.integers(25, 60))

    def pick(values, nan=0.05):
        v = rng.choice(np.asarray(values, dtype=float), n)
        return np.where(rng.random(n) < nan, np.nan, v)

    current = {
        "town": rng.choice(["陈埭镇", "安海", "石狮市"], n, p=[0.6, 0.35, 0.05]).astype(object),
        "industry_code": rng.choice(["C1951", "C1952", "C2011", "F5111", "I6510"], n).astype(object),
        "ownership": rng.choice(["private", "state"], n, p=[0.9, 0.1]).astype(object),
        "serious_violation": rng.random(n) < 0.05,
        "dishonest": np.zeros(n, dtype=bool),
        "revenue": pick([1e7, 2e7, 5e7, 1e8, 3e8], nan=0.0),
        "net_profit": pick([-2e6, 0.0, 1e6, 5e6]),
        "exports": pick([0.0, 0.0, 1e6, 4e7]),
        "imports": pick([0.0, 2e6, 1e7]),
        "rd_expense": pick([0.0, 1e5, 2e6, 5e6]),
        "energy_consumption": pick([0.0, 100.0, 500.0, 2000.0]),
        "invention_patents": pick([0.0, 0.0, 1.0, 3.0, 12.0]),
        "tax_paid": pick([0.0, 1e5, 1e6, 3e6]),
    }
    previous = {"revenue": pick([0.0, 1e7, 2e7, 8e7], nan=0.1)}
    return Snapshot.build(2025, rng.permutation(np.arange(1, n + 1)) * 7, current, previous)


def _methodology(rng: np.random.Generator) -> dict:
    k = int(rng.integers(2, 5))
    names = rng.choice(POOL, k, replace=False).tolist()
    scheme = str(rng.choice(["given", "equal", "entropy"]))
    indicators = []
    for name in names:
        spec = {
            "name": name,
            "direction": str(rng.choice(["higher", "lower"])),
            "missing": str(rng.choice(["exclude", "impute_sector_median", "impute_zero",
                                       "impute_worst"])),
            "transform": str(rng.choice(["none", "log"])),
        }
        if scheme == "given":
            spec["weight"] = int(rng.integers(1, 6))
        if rng.random() < 0.3:
            spec["clip"] = [None, float(rng.choice([1e6, 50.0, 1e7]))]
        if rng.random() < 0.3:
            spec["winsorize"] = [0.1, 0.9]
        indicators.append(spec)
    norms = ["minmax", "zscore", "rank", "efficacy"]
    return {
        "id": "random_list",
        "title_zh": "随机榜单",
        "version": "r",
        "years": [2025],
        "list_size": 3,
        "eligibility": {"ownership": ["private"], "registered_in_jinjiang": True,
                        "exclude_flags": ["serious_violation"]},
        "indicators": indicators,
        "normalization": {"method": str(rng.choice(norms)),
                          "winsorize": [0.05, 0.95] if rng.random() < 0.5 else None},
        "weights": {"scheme": scheme,
                    "sum": sum(i["weight"] for i in indicators) if scheme == "given" else None},
        "aggregation": str(rng.choice(["weighted_sum", "geometric"])),
        "tie_rule": {"shared_rank": bool(rng.random() < 0.5),
                     "keys": [{"field": str(f), "order": str(rng.choice(["asc", "desc"]))}
                              for f in rng.choice(["revenue", "exports", "tax_paid"],
                                                  int(rng.integers(0, 3)), replace=False)]},
        "uncertainty": {"samples": 15, "seed": int(rng.integers(0, 1000)),
                        "weight_noise": float(rng.choice([0.0, 0.25, 0.5])),
                        "normalizations": sorted(set(rng.choice(norms, 2).tolist())),
                        "aggregations": sorted(set(rng.choice(["weighted_sum", "geometric"],
                                                              2).tolist()))},
    }


@pytest.mark.parametrize("trial", range(40))
def test_random_methodology_on_random_population_matches_reference(trial):
    rng = np.random.default_rng(1000 + trial)
    snap = _population(rng)
    m = parse_methodology(_methodology(rng))
    try:
        got = run_list(m, snap, include_all=True)
    except RankingError as exc:  # too few eligible, or nothing to impute from: also refused by design
        assert exc.code in {RankingError.LIST_SIZE_EXCEEDS_POPULATION, RankingError.MISSING_FIELD}
        return
    want = reference.reference_run(m, snap, m.uncertainty.samples, m.uncertainty.seed)
    assert got.eligible == want["eligible"]
    assert dict(got.excluded) == want["excluded"]
    assert list(got.weights.values()) == pytest.approx(want["weights"], rel=1e-9, abs=1e-12)
    rows = list(got.entries) + sorted(got.review, key=lambda e: e.position)
    for e, r in zip(rows, want["rows"], strict=True):
        assert (e.enterprise_id, e.rank, e.tied) == (r["enterprise_id"], r["rank"], r["tied"])
        assert e.score == pytest.approx(r["score"], abs=1e-9)
        assert (e.median_rank, e.rank_p05, e.rank_p95) == pytest.approx(
            (r["median_rank"], r["rank_p05"], r["rank_p95"]), abs=1e-9)
        assert e.in_list_frequency == pytest.approx(r["in_list_frequency"], abs=1e-12)
        assert e.imputed == r["imputed"]
