"""Checks of a declaration: refusals (impossible values, at the field) and automatic flags for
staff (a jump against last year, inconsistent totals, outliers in the sector).

Pure Python (no Django), so the rules are tested on plain dictionaries.

Examples:
    >>> from decimal import Decimal as D
    >>> field_errors({"employees": D(-3), "revenue": D(100), "rd_expense": D(200)})["employees"]
    ['从业人员不能为负数']
    >>> [f["code"] for f in declaration_flags({"revenue": D(300), "exports": D(400)},
    ...                                       previous={"revenue": D(100)})]
    ['jump', 'inconsistent']
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from innolink.core.money import wan

from innolink.core.messages import Message


@dataclass(frozen=True)
class DeclaredField:
    code: str
    label: str
    kind: str  # money (yuan; entered in 万元), count, quantity
    allow_negative: bool = False


DECLARED_FIELDS: tuple[DeclaredField, ...] = (
    DeclaredField("revenue", "营业收入", "money"),
    DeclaredField("total_assets", "资产总额", "money"),
    DeclaredField("net_profit", "净利润", "money", allow_negative=True),
    DeclaredField("tax_paid", "纳税总额", "money"),
    DeclaredField("fiscal_contribution", "地方财政贡献", "money"),
    DeclaredField("rd_expense", "研发费用", "money"),
    DeclaredField("invention_patents", "有效发明专利（件）", "count"),
    DeclaredField("exports", "出口额", "money"),
    DeclaredField("imports", "进口额", "money"),
    DeclaredField("employees", "从业人员（人）", "count"),
    DeclaredField("energy_consumption", "综合能耗（吨标准煤）", "quantity"),
    DeclaredField("equipment_investment", "设备投资", "money"),
)
FIELD_BY_CODE = {f.code: f for f in DECLARED_FIELDS}
REQUIRED = ("revenue", "total_assets", "net_profit", "tax_paid", "employees")

#: A change against last year beyond these factors is flagged (more than doubled, or halved).
JUMP_UP, JUMP_DOWN = Decimal(2), Decimal("0.5")
#: Robust z (median / MAD on a log scale) beyond which a value is an outlier in its sector.
OUTLIER_Z = 3.5
MIN_PEERS = 5
#: No declared figure reaches this (a thousand trillion yuan).
LIMIT = Decimal(10) ** 15

# (numerator, denominator, rule text): numerator must not exceed denominator.
_CONSISTENCY = (
    ("exports", "revenue", "出口额大于营业收入"),
    ("tax_paid", "revenue", "纳税总额大于营业收入"),
    ("net_profit", "revenue", "净利润大于营业收入"),
    ("fiscal_contribution", "tax_paid", "地方财政贡献大于纳税总额"),
)


def shown(f: DeclaredField, value: Decimal) -> str:
    """A figure as the declaration shows it: money in 万元 with two places, other quantities
    without trailing zeros, each with its unit.

    >>> shown(FIELD_BY_CODE["revenue"], Decimal("90427119.76"))
    '9,042.71 万元'
    >>> shown(FIELD_BY_CODE["energy_consumption"], Decimal("320.9100"))
    '320.91 吨标准煤'
    """
    if f.kind == "money":
        return f"{wan(value):,} 万元"
    return f"{plain(value):,} {unit(f)}".rstrip()


def plain(value: Decimal) -> Decimal:
    """A quantity without trailing zeros (and never in exponent form)."""
    v = value.normalize()
    return v.quantize(Decimal(1)) if v == v.to_integral_value() else v


def unit(f: DeclaredField) -> str:
    """The unit in a field's label (``有效发明专利（件）`` → ``件``); money is 万元 on forms."""
    if f.kind == "money":
        return "万元"
    return f.label.split("（", 1)[1].rstrip("）") if "（" in f.label else ""


def _label(code: str) -> str:
    return FIELD_BY_CODE[code].label.split("（")[0]


def field_errors(values: Mapping[str, Decimal | None]) -> dict[str, list[str]]:
    """Impossible values, refused at their field with the rule that failed: ``Message``s (the
    Chinese text, keeping the msgid and the field's label, which the service renders in the
    reader's language)."""
    errors: dict[str, list[str]] = {}
    for f in DECLARED_FIELDS:
        v = values.get(f.code)
        if v is None:
            if f.code in REQUIRED:
                errors.setdefault(f.code, []).append(Message("%(label)s为必填项", label=_label(f.code)))
            continue
        if not v.is_finite():
            errors.setdefault(f.code, []).append(Message("%(label)s不是有效数字", label=_label(f.code)))
            continue
        if abs(v) >= LIMIT:
            errors.setdefault(f.code, []).append(Message("%(label)s超出范围（应小于 10¹⁵）", label=_label(f.code)))
            continue
        if v < 0 and not f.allow_negative:
            errors.setdefault(f.code, []).append(Message("%(label)s不能为负数", label=_label(f.code)))
        if f.kind == "count" and v != v.to_integral_value():
            errors.setdefault(f.code, []).append(Message("%(label)s应为整数", label=_label(f.code)))
    rd, revenue = values.get("rd_expense"), values.get("revenue")
    if rd is not None and revenue is not None and rd.is_finite() and revenue.is_finite() \
            and rd > revenue and "rd_expense" not in errors:
        errors.setdefault("rd_expense", []).append(Message("研发费用不能大于营业收入"))
    return errors


def _robust_z(value: float, peers: Sequence[float]) -> float | None:
    logs = [math.log(p) for p in peers if p > 0]
    if len(logs) < MIN_PEERS or value <= 0:
        return None
    med = statistics.median(logs)
    mad = statistics.median(abs(x - med) for x in logs)
    if mad == 0:
        return None
    return 0.6745 * (math.log(value) - med) / mad


#: Ratios compared with the sector (robust outliers): name → (numerator, denominator, label).
RATIOS = {
    "labour_productivity": ("revenue", "employees", "人均营业收入"),
    "tax_burden": ("tax_paid", "revenue", "纳税总额占营业收入比重"),
    "rd_intensity": ("rd_expense", "revenue", "研发投入强度"),
    "energy_intensity": ("energy_consumption", "revenue", "单位营业收入能耗"),
}


def ratios(values: Mapping[str, Decimal | float | None]) -> dict[str, float]:
    """The sector-comparison ratios that are defined (positive numerator and denominator).

    Examples:
        >>> ratios({"revenue": 1000, "employees": 10, "rd_expense": 0})
        {'labour_productivity': 100.0}
    """
    out = {}
    for name, (num, den, _label_zh) in RATIOS.items():
        a, b = values.get(num), values.get(den)
        if a is not None and b is not None and float(a) > 0 and float(b) > 0:
            out[name] = float(a) / float(b)
    return out


def declaration_flags(values: Mapping[str, Decimal | None], *,
                      previous: Mapping[str, Decimal | None] | None = None,
                      peers: Mapping[str, Sequence[float]] | None = None) -> list[dict]:
    """Automatic flags for the staff check: ``[{code, field, message}]``.

    ``previous`` holds last year's registry figures; ``peers`` the same year's :func:`ratios`
    of enterprises in the same industry division (GB/T 4754 大类), per ratio name.
    """
    flags: list[dict] = []
    previous = previous or {}
    for f in DECLARED_FIELDS:
        v, p = values.get(f.code), previous.get(f.code)
        if v is None or p is None or p <= 0 or v < 0:
            continue
        ratio = v / p
        if ratio > JUMP_UP or ratio < JUMP_DOWN:
            pct = (ratio - 1) * 100
            flags.append({"code": "jump", "field": f.code,
                          "message": f"{_label(f.code)}较上年变化 {pct:+.0f}%（上年 {shown(f, p)}）"})
    for num, den, text in _CONSISTENCY:
        a, b = values.get(num), values.get(den)
        if a is not None and b is not None and a > b:
            flags.append({"code": "inconsistent", "field": num, "message": text})
    own = ratios(values)
    for name, series in (peers or {}).items():
        v = own.get(name)
        if v is None:
            continue
        z = _robust_z(v, series)
        if z is not None and abs(z) > OUTLIER_Z:
            num, _den, label = RATIOS[name]
            side = "远高于" if z > 0 else "远低于"
            flags.append({"code": "outlier", "field": num,
                          "message": f"{label}{side}同行业企业（稳健Z值 {z:+.1f}，"
                                     f"同行业 {len(series)} 家）"})
    return flags
