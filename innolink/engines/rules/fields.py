"""The field catalogue: every enterprise attribute and yearly indicator a rule may name.

The catalogue is data. Adding a yearly indicator is one row in ``INDICATOR_ROWS`` (name, kind,
unit, Chinese label); the loader, the vectorised evaluator, the reference evaluator and the
explanations pick it up without further code. A rule naming a field that is not here is refused
on load (``rules.unknown_field``).

Kinds:
    attributes -- ``text`` (identity only), ``category`` (closed list of values), ``code``
    (hierarchical code, matched by prefix), ``date``, ``bool``, ``tags`` (a set from ``TAGS``).
    indicators -- ``money`` (yuan; stored internally as int64 fen), ``count`` (integers) and
    ``quantity`` (decimal amounts, stored as int64 thousandths).

Indicator references in rules (see docs/decisions/0101-policy-rules-format.md):
    ``rd_expense``               the value in the policy year
    ``rd_expense@prev``          the value in the year before
    ``rd_expense.yoy_increase``  policy-year value minus previous-year value
    ``rd_expense.yoy_growth``    (value - previous) / previous, a ratio (previous must be > 0)
    ``rd_expense/revenue``       share of one value in another, a ratio (denominator > 0);
                                 each side may carry ``@prev``
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "FieldSpec",
    "ATTRIBUTES",
    "INDICATORS",
    "TOWNS",
    "OWNERSHIPS",
    "SIZE_CLASSES",
    "TAGS",
    "SCALE",
    "field_spec",
    "register_indicator",
]

TOWNS: tuple[str, ...] = (
    "青阳", "梅岭", "西园", "罗山", "新塘", "灵源", "安海", "磁灶", "陈埭", "东石",
    "深沪", "金井", "池店", "内坑", "龙湖", "永和", "英林", "紫帽", "西滨",
)
OWNERSHIPS: tuple[str, ...] = ("private", "state", "collective", "foreign", "hmt", "mixed")
SIZE_CLASSES: tuple[str, ...] = ("large", "medium", "small", "micro")
TAGS: tuple[str, ...] = (
    "high_tech", "tech_sme", "specialized_provincial", "specialized_national",
    "above_scale", "listed", "serious_violation", "dishonest",
)

TAG_LABELS: dict[str, str] = {
    "high_tech": "高新技术企业",
    "tech_sme": "科技型中小企业",
    "specialized_provincial": "省级专精特新中小企业",
    "specialized_national": "国家级专精特新“小巨人”企业",
    "above_scale": "规模以上企业",
    "listed": "上市企业",
    "serious_violation": "严重违法失信记录",
    "dishonest": "失信被执行人",
}
CATEGORY_LABELS: dict[str, str] = {
    "private": "民营", "state": "国有", "collective": "集体", "foreign": "外资",
    "hmt": "港澳台资", "mixed": "混合所有制",
    "large": "大型", "medium": "中型", "small": "小型", "micro": "微型",
}

#: internal integer scale per kind: money in fen, quantities in thousandths.
SCALE: dict[str, int] = {"money": 100, "count": 1, "quantity": 1000}


@dataclass(frozen=True)
class FieldSpec:
    """One catalogue entry."""

    name: str
    kind: str  # text | category | code | date | bool | tags | money | count | quantity
    unit: str  # "元" for money, "件"/"人" for counts, "tce" ... ; "" for non-numeric
    label: str  # Chinese label used in explanations
    choices: tuple[str, ...] = ()
    yearly: bool = False

    @property
    def numeric(self) -> bool:
        return self.kind in SCALE


_ATTRIBUTE_ROWS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("credit_code", "text", "", "统一社会信用代码", ()),
    ("name", "text", "", "企业名称", ()),
    ("town", "category", "", "所在镇街", TOWNS),
    ("industry_code", "code", "", "国民经济行业代码", ()),
    ("ownership", "category", "", "所有制类型", OWNERSHIPS),
    ("founded_on", "date", "", "成立日期", ()),
    ("size_class", "category", "", "企业规模", SIZE_CLASSES),
    ("tags", "tags", "", "企业标签", TAGS),
    ("high_tech_cert_date", "date", "", "高新技术企业认定日期", ()),
    ("high_tech_first_cert", "bool", "", "首次认定高新技术企业", ()),
)

#: name, kind, unit, Chinese label. Add a row to add an indicator.
INDICATOR_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("revenue", "money", "元", "营业收入"),
    ("total_assets", "money", "元", "资产总额"),
    ("net_profit", "money", "元", "净利润"),
    ("tax_paid", "money", "元", "纳税额"),
    ("rd_expense", "money", "元", "研发经费支出"),
    ("invention_patents", "count", "件", "发明专利数"),
    ("exports", "money", "元", "出口额"),
    ("imports", "money", "元", "进口额"),
    ("employees", "count", "人", "从业人员数"),
    ("energy_consumption", "quantity", "tce", "综合能耗"),
    ("equipment_investment", "money", "元", "设备投资额"),
    ("fiscal_contribution", "money", "元", "地方财政贡献额"),
    ("software_hardware_investment", "money", "元", "软件系统、硬件设备投入金额"),
    ("compute_contract", "money", "元", "算力服务合同金额"),
)

ATTRIBUTES: dict[str, FieldSpec] = {
    name: FieldSpec(name, kind, unit, label, choices)
    for name, kind, unit, label, choices in _ATTRIBUTE_ROWS
}
INDICATORS: dict[str, FieldSpec] = {
    name: FieldSpec(name, kind, unit, label, yearly=True)
    for name, kind, unit, label in INDICATOR_ROWS
}


_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_UNIT_CANONICAL = {"吨标准煤": "tce", "项": "件", "名": "人"}


def register_indicator(name: str, kind: str, unit: str, label: str) -> FieldSpec:
    """Add a yearly indicator to the catalogue at run time, e.g. from the registry's
    ``IndicatorDefinition`` rows, so that rules and records may use it. Registering an existing
    name again with the same kind is a no-op (returns the existing entry); a different kind is
    refused, as is an attribute's name.

    Examples:
        >>> register_indicator("rd_expense", "money", "元", "研发费用").label
        '研发经费支出'
        >>> register_indicator("revenue", "count", "件", "营业收入")
        Traceback (most recent call last):
        ...
        innolink.engines.rules._errors.RulesError: [rules.bad_value] 指标 'revenue' 已登记为 money / indicator 'revenue' is already registered as money (at fields: revenue)
    """
    from ._errors import ErrorCode, RulesError

    where = f"fields: {name}"
    if not isinstance(name, str) or not _NAME.match(name) or name in ATTRIBUTES:
        raise RulesError(ErrorCode.BAD_VALUE, f"指标代码无效 {name!r} / invalid indicator code", where)
    if kind not in SCALE:
        raise RulesError(ErrorCode.BAD_VALUE, f"指标类型应为 money/count/quantity,实际为 {kind!r} / bad kind", where)
    existing = INDICATORS.get(name)
    if existing is not None:
        if existing.kind != kind:
            raise RulesError(
                ErrorCode.BAD_VALUE,
                f"指标 {name!r} 已登记为 {existing.kind} / indicator {name!r} is already registered as {existing.kind}",
                where,
            )
        return existing
    unit = "元" if kind == "money" else _UNIT_CANONICAL.get(unit, unit)
    spec = FieldSpec(name, kind, unit, label, yearly=True)
    INDICATORS[name] = spec
    return spec


def field_spec(name: str) -> FieldSpec | None:
    """The catalogue entry for an attribute or indicator name, or ``None``.

    Examples:
        >>> field_spec("rd_expense").label
        '研发经费支出'
        >>> field_spec("town").choices[:2]
        ('青阳', '梅岭')
        >>> field_spec("rd") is None
        True
    """
    return ATTRIBUTES.get(name) or INDICATORS.get(name)
