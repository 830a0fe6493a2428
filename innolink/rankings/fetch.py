"""Registry rows → the ranking engine's columnar ``Snapshot`` (three queries, no per-enterprise
query)."""

from __future__ import annotations

import math

import numpy as np

from innolink.engines.ranking import Snapshot
from innolink.engines.ranking.fields import FIELDS
from innolink.enterprises.models import Enterprise, EnterpriseTag, EnterpriseYear

FLAG_TAGS = ("serious_violation", "dishonest")


def yearly_field_names() -> list[str]:
    return [name for name, spec in FIELDS.items() if spec.kind == "yearly"]


def _number(raw) -> float:
    if raw is None or raw == "":
        return math.nan
    try:
        return float(raw)
    except (TypeError, ValueError):
        return math.nan


def build_snapshot(year: int) -> Snapshot:
    """Every enterprise in the registry with this year's and last year's figures.

    Missing keys stay NaN (never zero): the methodology's missing-data rule decides."""
    rows = list(Enterprise.objects.order_by("pk").values_list(
        "pk", "town", "industry_code", "ownership"))
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    index = {pk: i for i, pk in enumerate(ids.tolist())}
    n = len(rows)
    current: dict = {
        "town": [r[1] for r in rows],
        "industry_code": [r[2] for r in rows],
        "ownership": [r[3] for r in rows],
    }
    for flag in FLAG_TAGS:
        current[flag] = np.zeros(n, dtype=bool)
    for enterprise_id, tag in EnterpriseTag.objects.filter(tag__in=FLAG_TAGS).values_list(
            "enterprise_id", "tag"):
        current[tag][index[enterprise_id]] = True
    names = yearly_field_names()
    cur = {name: np.full(n, np.nan) for name in names}
    prev = {name: np.full(n, np.nan) for name in names}
    for enterprise_id, y, values in EnterpriseYear.objects.filter(
            year__in=(year, year - 1)).values_list("enterprise_id", "year", "values"):
        target = cur if y == year else prev
        i = index[enterprise_id]
        for name in names:
            raw = values.get(name)
            if raw is not None:
                target[name][i] = _number(raw)
    current.update(cur)
    return Snapshot.build(year, ids, current, prev)
