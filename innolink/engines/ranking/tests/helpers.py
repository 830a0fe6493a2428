"""Builders shared by the ranking tests."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import numpy as np

from innolink.engines.ranking import Snapshot, parse_methodology

METHODOLOGY_DIR = Path(__file__).resolve().parents[3] / "rankings" / "methodologies"

BASE: dict[str, Any] = {
    "id": "test_list",
    "title_zh": "测试榜单",
    "version": "t1",
    "years": [2025],
    "list_size": 20,
    "threshold_field": "revenue",
    "eligibility": {
        "ownership": ["private"],
        "registered_in_jinjiang": True,
        "exclude_flags": ["serious_violation", "dishonest"],
        "minimums": {"revenue": 1.0e7},
    },
    "indicators": [
        {"name": "revenue", "direction": "higher", "weight": 30, "transform": "log"},
        {"name": "net_profit", "direction": "higher", "weight": 20, "transform": "log"},
        {"name": "rd_intensity", "direction": "higher", "weight": 20, "clip": [0, 30],
         "missing": "impute_sector_median"},
        {"name": "energy_intensity", "direction": "lower", "weight": 15,
         "missing": "impute_worst"},
        {"name": "exports", "direction": "higher", "weight": 15, "missing": "impute_zero"},
    ],
    "normalization": {"method": "minmax", "winsorize": [0.02, 0.98]},
    "weights": {"scheme": "given", "sum": 100},
    "aggregation": "weighted_sum",
    "tie_rule": {"shared_rank": True, "keys": [{"field": "revenue", "order": "desc"}]},
    "uncertainty": {"samples": 30, "weight_noise": 0.25,
                    "normalizations": ["minmax", "zscore", "rank"], "seed": 11},
}


def raw_methodology(**changes: Any) -> dict[str, Any]:
    """A deep copy of BASE with top-level keys replaced."""
    raw = copy.deepcopy(BASE)
    raw.update(copy.deepcopy(changes))
    return raw


def methodology(**changes: Any):
    return parse_methodology(raw_methodology(**changes))


def tiny_snapshot(revenue, *, year: int = 2025, ids=None, **extra) -> Snapshot:
    """Private Jinjiang manufacturers with the given revenues (and any extra columns)."""
    n = len(revenue)
    ids = list(range(1, n + 1)) if ids is None else ids
    current = {
        "town": ["陈埭镇"] * n,
        "industry_code": ["C1951"] * n,
        "ownership": ["private"] * n,
        "serious_violation": np.zeros(n, dtype=bool),
        "dishonest": np.zeros(n, dtype=bool),
        "revenue": np.asarray(revenue, dtype=float),
        **extra,
    }
    return Snapshot.build(year, ids, current)


def one_indicator(name: str = "revenue", size: int = 2, **changes: Any):
    """A methodology ranking by one indicator with no gates except ownership/town/flags."""
    return methodology(
        list_size=size,
        eligibility={"ownership": ["private"]},
        indicators=[{"name": name, "direction": "higher", "weight": 1}],
        weights={"scheme": "given", "sum": 1},
        normalization={"method": "minmax"},
        **changes,
    )
