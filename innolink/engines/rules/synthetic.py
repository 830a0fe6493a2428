"""Seeded synthetic enterprise records for the equivalence tests and ``bench/policy_scan.py``.

Not demo data: values are drawn so that every demo clause has eligible enterprises, near misses,
values exactly on thresholds (200万元 of R&D, an increase of exactly 100万元, ...) and missing data.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np

from . import fields as F

__all__ = ["synthetic_records"]

INDUSTRY_CODES = (
    "C1951", "C1952", "C1953", "C1821", "C1713", "C1762", "C2929", "C2720", "C2761", "C3411",
    "C3511", "C3562", "C3841", "C3849", "C3971", "C3973", "C3990", "C3311", "I6510", "I6513",
    "I6520", "L7211", "L7221", "M7320", "M7491", "F5132", "F5137", "G5431", "E4720", "K7010",
)
_NAMES = tuple(row[0] for row in F.INDICATOR_ROWS)  # the built-in indicators only
_TAG_P = {
    "high_tech": 0.15, "tech_sme": 0.2, "specialized_provincial": 0.06, "specialized_national": 0.015,
    "above_scale": 0.3, "listed": 0.01, "serious_violation": 0.01, "dishonest": 0.01,
}


def _money(rng: np.random.Generator, n: int, median_wan: float, sigma: float) -> np.ndarray:
    """Lognormal amounts in fen, mostly whole yuan, some with cents."""
    yuan = np.round(rng.lognormal(np.log(median_wan * 10000), sigma, n))
    fen = yuan.astype(np.int64) * 100
    cents = rng.random(n) < 0.1
    fen[cents] += rng.integers(1, 100, cents.sum())
    return fen


def _snap(rng: np.random.Generator, values: np.ndarray, targets_fen: list[int], p: float) -> None:
    hit = rng.random(values.shape[0]) < p
    values[hit] = rng.choice(np.array(targets_fen, dtype=np.int64), hit.sum())


def synthetic_records(n: int, year: int, seed: int = 0, missing: float = 0.04, *,
                      history_years: int = 0, items: bool = False, payments: bool = False,
                      certifications: bool = False) -> list[dict[str, Any]]:
    """``n`` enterprise records (the shape of :mod:`.population`) for ``year`` and ``year - 1``.

    With ``history_years`` the revenue, R&D and tax of that many earlier years are added (for
    "首次", streaks and sums); ``certifications`` adds dated certification rows (specialized levels
    with upgrades, gazelle levels, listings, high-tech renewals) next to the former tags;
    ``items`` adds equipment purchases, patents and projects; ``payments`` adds ledger rows for
    the families of the feature rules (docs/decisions/0131).

    Examples:
        >>> rows = synthetic_records(3, 2024, seed=1)
        >>> len(rows), sorted(rows[0]["indicators"])
        (3, [2023, 2024])
        >>> rich = synthetic_records(2, 2024, seed=1, history_years=3, items=True, payments=True, certifications=True)
        >>> sorted(rich[0]["indicators"]), sorted(rich[0]["items"])
        ([2020, 2021, 2022, 2023, 2024], ['equipment', 'patents', 'projects'])
    """
    rng = np.random.default_rng(seed)
    wan = 1_000_000  # fen per 万元
    cur: dict[str, np.ndarray] = {}
    prev: dict[str, np.ndarray] = {}
    revenue_prev = _money(rng, n, 1500, 1.3)
    growth = rng.normal(1.1, 0.25, n).clip(0.3, 3.0)
    revenue = (revenue_prev * growth).astype(np.int64)
    _snap(rng, revenue_prev, [2000 * wan, 10000 * wan], 0.02)
    cur["revenue"], prev["revenue"] = revenue, revenue_prev
    for name, median, sigma in (
        ("total_assets", 3000, 1.2), ("net_profit", 100, 1.2), ("tax_paid", 80, 1.5),
        ("exports", 800, 1.6), ("imports", 300, 1.6), ("equipment_investment", 300, 1.3),
        ("fiscal_contribution", 60, 1.4), ("software_hardware_investment", 60, 1.3),
        ("compute_contract", 15, 1.2),
    ):
        prev[name] = _money(rng, n, median, sigma)
        cur[name] = (prev[name] * rng.normal(1.1, 0.3, n).clip(0.2, 3.0)).astype(np.int64)
    _snap(rng, cur["software_hardware_investment"], [50 * wan, 200 * wan, 500 * wan], 0.02)
    _snap(rng, cur["compute_contract"], [10 * wan, 9 * wan], 0.02)
    rd_prev = (revenue_prev * rng.uniform(0, 0.07, n)).astype(np.int64)
    rd = rd_prev + (rng.normal(60, 120, n) * wan).astype(np.int64)
    rd = np.maximum(rd, 0)
    exact = rng.random(n) < 0.03
    rd[exact] = rd_prev[exact] + 100 * wan  # increase of exactly 100万元
    at200 = rng.random(n) < 0.02
    rd[at200] = 200 * wan
    cur["rd_expense"], prev["rd_expense"] = rd, rd_prev
    for name, lam in (("invention_patents", 4), ("employees", 80)):
        prev[name] = rng.poisson(lam, n).astype(np.int64)
        cur[name] = np.maximum(prev[name] + rng.integers(-5, 25 if name == "employees" else 8, n), 0)
    energy_prev = rng.integers(0, 5_000_000, n)  # thousandths of tce
    cur["energy_consumption"] = np.maximum(energy_prev + rng.integers(-200_000, 100_000, n), 0)
    prev["energy_consumption"] = energy_prev

    towns = rng.integers(0, len(F.TOWNS), n)
    industries = rng.integers(0, len(INDUSTRY_CODES), n)
    ownership = rng.choice(len(F.OWNERSHIPS), n, p=[0.8, 0.05, 0.02, 0.06, 0.04, 0.03])
    size = rng.choice(len(F.SIZE_CLASSES), n, p=[0.02, 0.1, 0.4, 0.48])
    founded = rng.integers(dt.date(1985, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal(), n)
    tag_bits = {t: rng.random(n) < p for t, p in _TAG_P.items()}
    big = tag_bits["listed"]  # listed companies pay far more tax
    cur["tax_paid"][big] *= 60
    prev["tax_paid"][big] *= 50
    cert_offset = rng.integers(-3, 1, n)
    cert_day = rng.integers(1, 365, n)
    first = rng.random(n) < 0.5

    def gone() -> np.ndarray:
        return rng.random(n) < missing

    miss_attr = {k: gone() for k in ("town", "industry_code", "ownership", "size_class", "founded_on", "tags", "first")}
    miss_cur = {k: gone() for k in _NAMES}
    miss_prev = {k: gone() for k in _NAMES}
    kinds = {k: F.INDICATORS[k].kind for k in _NAMES}

    def value(kind: str, v: int) -> Any:
        if kind == "money":
            return Decimal(v).scaleb(-2)
        if kind == "quantity":
            return Decimal(v).scaleb(-3)
        return v

    cur_l = {k: v.tolist() for k, v in cur.items()}
    prev_l = {k: v.tolist() for k, v in prev.items()}
    mc = {k: v.tolist() for k, v in miss_cur.items()}
    mp = {k: v.tolist() for k, v in miss_prev.items()}
    ma = {k: v.tolist() for k, v in miss_attr.items()}
    tags_l = {t: v.tolist() for t, v in tag_bits.items()}
    records = []
    for i in range(n):
        tags = [t for t in F.TAGS if tags_l[t][i]]
        high_tech = "high_tech" in tags
        rec: dict[str, Any] = {
            "credit_code": f"9135058200{i:08d}",
            "name": f"晋江示例企业{i}",
            "town": None if ma["town"][i] else F.TOWNS[towns[i]],
            "industry_code": None if ma["industry_code"][i] else INDUSTRY_CODES[industries[i]],
            "ownership": None if ma["ownership"][i] else F.OWNERSHIPS[ownership[i]],
            "founded_on": None if ma["founded_on"][i] else dt.date.fromordinal(int(founded[i])),
            "size_class": None if ma["size_class"][i] else F.SIZE_CLASSES[size[i]],
            "tags": None if ma["tags"][i] else tags,
            "high_tech_cert_date": dt.date(year + int(cert_offset[i]), 1, 1) + dt.timedelta(days=int(cert_day[i]))
            if high_tech else None,
            "high_tech_first_cert": (None if ma["first"][i] else bool(first[i])) if high_tech else None,
            "indicators": {
                year: {k: value(kinds[k], cur_l[k][i]) for k in kinds if not mc[k][i]},
                year - 1: {k: value(kinds[k], prev_l[k][i]) for k in kinds if not mp[k][i]},
            },
        }
        records.append(rec)
    if history_years or items or payments or certifications:
        _enrich(records, year, np.random.default_rng(seed + 1), missing, history_years, items, payments, certifications)
    return records


_CATEGORIES = ("研发设备", "检测设备", "生产设备", "工业软件")
_PROJECT_KINDS = ["数字化改造", "技术改造", "研发", "其他"]
_PROJECT_LEVELS = ("县级", "市级", "省级", "国家级")
_FAMILIES = (("f1_qualifications", "specialized_award"), ("f1_qualifications", "f1_qualifications.upgraded"),
             ("f3_exclusive_a", "gazelle_a"), ("f4_exclusive_b", "gazelle_b"))


def _enrich(records: list[dict[str, Any]], year: int, rng: np.random.Generator, missing: float, history_years: int,
            items: bool, payments: bool, certifications: bool) -> None:
    n = len(records)
    cur_rev = [((r["indicators"].get(year) or {}).get("revenue") or Decimal(10_000_000)) for r in records]
    scale = rng.uniform(0.5, 1.2, (n, max(history_years, 1)))
    gone = rng.random((n, max(history_years, 1))) < missing
    for i, record in enumerate(records):
        for k in range(history_years):
            y = year - 2 - k
            if gone[i, k]:
                continue
            revenue = (cur_rev[i] * Decimal(str(round(float(scale[i, k]) * (0.9 ** k), 3)))).quantize(Decimal("1"))
            record["indicators"][y] = {"revenue": revenue, "rd_expense": (revenue * Decimal("0.03")).quantize(Decimal("1")),
                                       "tax_paid": (revenue * Decimal("0.02")).quantize(Decimal("1"))}
        if certifications:
            quals = []
            roll = rng.random(6)
            if roll[0] < 0.08:
                quals.append({"type": "specialized", "level": "provincial",
                              "certified_on": dt.date(year - int(rng.integers(0, 4)), 6, 1), "first": True})
                if roll[1] < 0.3:
                    quals.append({"type": "specialized", "level": "national",
                                  "certified_on": dt.date(year - int(rng.integers(0, 2)), 7, 15), "first": True})
            if roll[2] < 0.05:
                quals.append({"type": "gazelle", "level": "provincial" if roll[3] < 0.4 else "city",
                              "certified_on": dt.date(year - int(rng.integers(0, 3)), 3, 1)})
            if roll[4] < 0.02:
                quals.append({"type": "listed", "certified_on": dt.date(year - int(rng.integers(0, 5)), 9, 10)})
            if roll[5] < 0.1:
                quals.append({"type": "high_tech", "certified_on": dt.date(year - 3, 11, 20), "first": True})
                quals.append({"type": "high_tech", "certified_on": dt.date(year, 11, 20), "first": False})
            if record.get("tags") is not None:
                record["qualifications"] = quals
        if items:
            count = int(rng.integers(0, 4)) if rng.random() < 0.35 else 0
            record["items"] = {
                "equipment": [{"key": f"E{k}", "label": f"设备{k}", "year": year - int(rng.integers(0, 2)),
                               "amount": None if rng.random() < missing else Decimal(int(rng.integers(10_000, 5_000_000))),
                               "category": _CATEGORIES[int(rng.integers(0, 4))],
                               "imported": bool(rng.random() < 0.3)} for k in range(count)],
                "patents": [{"key": f"P{k}", "year": year - int(rng.integers(0, 3)),
                             "kind": "发明专利" if rng.random() < 0.6 else "实用新型"}
                            for k in range(int(rng.integers(0, 5)) if rng.random() < 0.2 else 0)],
                "projects": [{"key": f"J{k}", "year": year,
                              "investment": Decimal(int(rng.integers(100_000, 50_000_000))),
                              "equipment_investment": None if rng.random() < 0.5 else Decimal(int(rng.integers(0, 9_000_000))),
                              "level": _PROJECT_LEVELS[int(rng.integers(0, 4))],
                              "kind": _PROJECT_KINDS[int(rng.integers(0, 4))]}
                             for k in range(int(rng.integers(0, 3)) if rng.random() < 0.15 else 0)],
            }
        if payments and rng.random() < 0.06:
            policy, family = _FAMILIES[int(rng.integers(0, len(_FAMILIES)))]
            record["payments"] = [{"policy": policy, "family": family, "year": year - int(rng.integers(0, 3)),
                                   "amount": Decimal(int(rng.integers(1, 30)) * 10_000)}]
