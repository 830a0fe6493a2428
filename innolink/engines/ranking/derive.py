"""Derived indicators: ratios, sums and growth rates computed from the yearly fields.

A methodology names indicators; each name resolves to a yearly field of the catalogue
(``revenue``) or to a derived indicator, built in (:data:`BUILTIN_DERIVED`) or declared in the
methodology file itself (so a new list needs a YAML file, not code).

Undefined values are NaN, never zero, and the methodology's missing-data rule then applies:
a ratio whose denominator is missing or <= 0 is NaN; a growth rate whose base year value is
missing or <= 0 is NaN (a growth from a loss is not a meaningful percentage); a sum with a
missing term is NaN.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from .fields import get_field

__all__ = [
    "DerivedSpec",
    "BUILTIN_DERIVED",
    "OPS",
    "evaluate_indicator",
    "indicator_label",
    "resolve_dependencies",
]

Op = Literal["ratio", "growth", "sum", "difference"]
OPS: frozenset[str] = frozenset({"ratio", "growth", "sum", "difference"})


@dataclass(frozen=True)
class DerivedSpec:
    """``op`` over ``args`` (field or indicator names), times ``scale``.

    ``ratio``: args[0] / args[1]; ``growth``: this year / last year - 1 of args[0];
    ``sum``: args added; ``difference``: args[0] - args[1].
    """

    name: str
    op: Op
    args: tuple[str, ...]
    scale: float = 1.0
    label_zh: str = ""
    unit: str = ""


BUILTIN_DERIVED: Mapping[str, DerivedSpec] = {
    s.name: s
    for s in (
        DerivedSpec("rd_intensity", "ratio", ("rd_expense", "revenue"), 100.0, "研发投入强度", "%"),
        DerivedSpec("export_share", "ratio", ("exports", "revenue"), 100.0, "出口占营业收入比重", "%"),
        DerivedSpec("trade_volume", "sum", ("exports", "imports"), 1.0, "进出口总额", "元"),
        DerivedSpec("profit_margin", "ratio", ("net_profit", "revenue"), 100.0, "营业收入利润率", "%"),
        DerivedSpec("tax_burden", "ratio", ("tax_paid", "revenue"), 100.0, "税收营收比", "%"),
        DerivedSpec(
            "energy_intensity", "ratio", ("energy_consumption", "revenue"), 1e4,
            "单位营业收入能耗", "吨标准煤/万元",
        ),
        DerivedSpec("tax_per_energy", "ratio", ("tax_paid", "energy_consumption"), 1.0,
                    "单位能耗税收", "元/吨标准煤"),
        DerivedSpec("labour_productivity", "ratio", ("revenue", "employees"), 1.0, "全员劳动生产率",
                    "元/人"),
        DerivedSpec("tax_per_employee", "ratio", ("tax_paid", "employees"), 1.0, "人均纳税", "元/人"),
        DerivedSpec("equipment_investment_intensity", "ratio", ("equipment_investment", "revenue"),
                    100.0, "设备投资强度", "%"),
        DerivedSpec("revenue_growth", "growth", ("revenue",), 100.0, "营业收入增长率", "%"),
        DerivedSpec("tax_paid_growth", "growth", ("tax_paid",), 100.0, "纳税增长率", "%"),
        DerivedSpec("exports_growth", "growth", ("exports",), 100.0, "出口增长率", "%"),
        DerivedSpec("rd_expense_growth", "growth", ("rd_expense",), 100.0, "研发费用增长率", "%"),
        DerivedSpec("energy_intensity_change", "growth", ("energy_intensity",), 100.0,
                    "单位营业收入能耗变化率", "%"),
    )
}


def indicator_label(name: str, derived: Mapping[str, DerivedSpec]) -> str:
    """The Chinese label of a field or derived indicator (the name itself if it has none).

    Examples:
        >>> indicator_label("rd_intensity", {}), indicator_label("revenue", {})
        ('研发投入强度', '营业收入')
    """
    spec = derived.get(name) or BUILTIN_DERIVED.get(name)
    if spec is not None:
        return spec.label_zh or name
    f = get_field(name)
    return f.label_zh if f else name


def _nan(n: int) -> np.ndarray:
    return np.full(n, np.nan)


def _eval(
    name: str,
    cols: Mapping[str, np.ndarray],
    prev: Mapping[str, np.ndarray] | None,
    derived: Mapping[str, DerivedSpec],
    n: int,
    cache: dict[tuple[str, bool], np.ndarray],
    is_prev: bool,
) -> np.ndarray:
    key = (name, is_prev)
    if key in cache:
        return cache[key]
    spec = derived.get(name) or BUILTIN_DERIVED.get(name)
    if spec is None:
        out = np.asarray(cols[name], dtype=np.float64) if name in cols else _nan(n)
    else:
        def sub(arg: str) -> np.ndarray:
            return _eval(arg, cols, prev, derived, n, cache, is_prev)

        with np.errstate(divide="ignore", invalid="ignore"):
            if spec.op == "ratio":
                num, den = sub(spec.args[0]), sub(spec.args[1])
                out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.nan)
            elif spec.op == "sum":
                out = np.sum([sub(a) for a in spec.args], axis=0)
            elif spec.op == "difference":
                out = sub(spec.args[0]) - sub(spec.args[1])
            else:  # growth
                now = sub(spec.args[0])
                if prev is None:
                    base = _nan(n)
                else:
                    base = _eval(spec.args[0], prev, None, derived, n, cache, True)
                out = np.where(base > 0, now / np.where(base > 0, base, 1.0) - 1.0, np.nan)
        out = out * spec.scale
        out = np.where(np.isnan(out), np.nan, out)
    cache[key] = out
    return out


def evaluate_indicator(
    name: str,
    current: Mapping[str, np.ndarray],
    previous: Mapping[str, np.ndarray] | None = None,
    derived: Mapping[str, DerivedSpec] | None = None,
    cache: dict[tuple[str, bool], np.ndarray] | None = None,
) -> np.ndarray:
    """The float64 values of indicator ``name`` for every row (NaN where undefined).

    A yearly field absent from the columns evaluates to all-NaN (then the missing-data rule
    decides). ``cache`` may be shared across calls of one run.

    Examples:
        >>> cur = {"rd_expense": np.array([5.0, 0.0, 1.0]), "revenue": np.array([100.0, 50.0, 0.0])}
        >>> evaluate_indicator("rd_intensity", cur).tolist()
        [5.0, 0.0, nan]
        >>> evaluate_indicator("revenue_growth", cur, {"revenue": np.array([80.0, -1.0, 3.0])}).tolist()
        [25.0, nan, -100.0]
    """
    derived = derived or {}
    n = len(next(iter(current.values()))) if current else 0
    return _eval(name, current, previous, derived, n, {} if cache is None else cache, False)


def resolve_dependencies(name: str, derived: Mapping[str, DerivedSpec]) -> set[str] | None:
    """The catalogued fields ``name`` depends on, or None if it names nothing known.

    Raises ValueError on a cycle among derived indicators.

    Examples:
        >>> sorted(resolve_dependencies("energy_intensity_change", {}))
        ['energy_consumption', 'revenue']
        >>> resolve_dependencies("nonsense", {}) is None
        True
    """

    def walk(n: str, stack: tuple[str, ...]) -> set[str] | None:
        if n in stack:
            raise ValueError(" -> ".join(stack + (n,)))
        spec = derived.get(n) or BUILTIN_DERIVED.get(n)
        if spec is None:
            f = get_field(n)
            return {n} if f is not None and f.kind == "yearly" else None
        out: set[str] = set()
        for a in spec.args:
            got = walk(a, stack + (n,))
            if got is None:
                return None
            out |= got
        return out

    return walk(name, ())
