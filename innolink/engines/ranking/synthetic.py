"""A seeded synthetic population for tests, benchmarks and demos (no real enterprise data).

Revenue is heavy-tailed (lognormal body, Pareto tail); exports, imports, R&D and equipment
investment are zero for many enterprises; net profit is negative for about a fifth; a few
percent of values are missing (NaN); about 8% of enterprises have no last-year record.
"""

from __future__ import annotations

import numpy as np

from .fields import JINJIANG_TOWNS
from .types import Snapshot

__all__ = ["synthetic_snapshot"]

_MANUFACTURING = ["C13", "C14", "C17", "C18", "C19", "C22", "C26", "C29", "C30", "C35", "C39"]
_SERVICES = ["F51", "F52", "G54", "G58", "H62", "I65", "J66", "K70", "L72", "M75", "N77", "R88"]
_OTHER = ["A01", "D44", "E47"]


def synthetic_snapshot(n: int = 1000, seed: int = 0, year: int = 2025) -> Snapshot:
    """A reproducible population of ``n`` enterprises for ``year`` (with last year's data).

    Examples:
        >>> s = synthetic_snapshot(200, seed=1)
        >>> s.n, s.year, bool(np.isnan(s.current["rd_expense"]).any())
        (200, 2025, True)
        >>> bool((s.current["exports"] == 0).any()), bool((s.current["net_profit"] < 0).any())
        (True, True)
    """
    rng = np.random.default_rng(seed)
    ids = np.arange(100_001, 100_001 + n, dtype=np.int64)
    u = rng.random(n)
    kind = np.where(u < 0.6, 0, np.where(u < 0.95, 1, 2))
    codes = np.empty(n, dtype=object)
    for k, pool in enumerate((_MANUFACTURING, _SERVICES, _OTHER)):
        idx = np.flatnonzero(kind == k)
        div = rng.choice(pool, size=idx.size)
        digit = rng.integers(1, 10, size=idx.size)
        codes[idx] = [f"{d}{g}" for d, g in zip(div, digit)]
    mfg = kind == 0
    own = rng.choice(["private", "mixed", "foreign", "hmt", "state", "collective"], size=n,
                     p=[0.85, 0.05, 0.04, 0.04, 0.01, 0.01])
    town = rng.choice(list(JINJIANG_TOWNS), size=n).astype(object)
    town[rng.random(n) < 0.01] = "石狮市"

    revenue = np.exp(rng.normal(np.log(3e7), 1.5, n))
    tail = rng.random(n) < 0.02
    revenue[tail] = 5e8 * (1.0 + rng.pareto(1.1, tail.sum()))
    revenue = np.round(revenue, 2)

    def zeros(p: float, values: np.ndarray) -> np.ndarray:
        return np.where(rng.random(n) < p, 0.0, values)

    def holes(p: float, values: np.ndarray) -> np.ndarray:
        return np.where(rng.random(n) < p, np.nan, values)

    employees = np.maximum(5, np.round(revenue / np.exp(rng.normal(np.log(5e5), 0.5, n))))
    total_assets = revenue * np.exp(rng.normal(0.0, 0.4, n))
    net_profit = revenue * rng.normal(0.05, 0.06, n)
    tax_paid = zeros(0.02, revenue * np.exp(rng.normal(np.log(0.03), 0.5, n)))
    rd_rate = np.exp(rng.normal(np.log(np.where(mfg, 0.025, 0.01)), 0.6, n))
    rd_expense = zeros(np.where(mfg, 0.3, 0.6).mean(), revenue * rd_rate)
    rd_expense = np.where(mfg & (rng.random(n) < 0.1), revenue * rd_rate, rd_expense)
    patents = np.where(rd_expense > 0, rng.poisson(np.minimum(rd_expense / 2e6, 500.0)), 0)
    exports = zeros(0.55, revenue * rng.beta(2, 3, n))
    imports = zeros(0.7, revenue * rng.beta(1, 6, n))
    energy = revenue / 1e4 * np.exp(rng.normal(np.log(np.where(mfg, 0.05, 0.01)), 0.7, n))
    equipment = zeros(0.3, revenue * np.exp(rng.normal(np.log(0.03), 0.8, n)))
    fiscal = tax_paid * rng.uniform(0.3, 0.5, n)

    current = {
        "town": town,
        "industry_code": codes,
        "ownership": own.astype(object),
        "serious_violation": rng.random(n) < 0.01,
        "dishonest": rng.random(n) < 0.015,
        "revenue": revenue,
        "total_assets": holes(0.01, total_assets),
        "net_profit": holes(0.01, net_profit),
        "tax_paid": holes(0.01, tax_paid),
        "rd_expense": holes(0.03, rd_expense),
        "invention_patents": holes(0.02, patents.astype(np.float64)),
        "exports": holes(0.02, exports),
        "imports": holes(0.02, imports),
        "employees": holes(0.03, employees),
        "energy_consumption": holes(0.05, energy),
        "equipment_investment": holes(0.04, equipment),
        "fiscal_contribution": holes(0.01, fiscal),
    }
    growth = rng.normal(0.08, 0.15, n)
    new = rng.random(n) < 0.08
    previous = {}
    for name, values in current.items():
        if name in ("town", "industry_code", "ownership", "serious_violation", "dishonest"):
            continue
        g = growth + rng.normal(0.0, 0.05, n)
        prev = values / (1.0 + np.clip(g, -0.9, None))
        if name == "invention_patents":
            prev = np.floor(prev)
        previous[name] = np.where(new, np.nan, prev)
    return Snapshot.build(year, ids, current, previous)
