"""The catalogue of snapshot fields: the one place that says which columns exist.

The Django side (``innolink/rankings/fetch.py``) produces exactly these names. A methodology
naming a field that is not here is refused. New fields are added with :func:`register_field`
(or by adding a line below), never by special-casing them elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

__all__ = [
    "FieldSpec",
    "FIELDS",
    "field_names",
    "OWNERSHIP_VALUES",
    "JINJIANG_TOWNS",
    "register_field",
    "get_field",
    "is_jinjiang_town",
]

Kind = Literal["attribute", "flag", "yearly"]


@dataclass(frozen=True)
class FieldSpec:
    """One snapshot column.

    ``kind`` is ``attribute`` (str, this year), ``flag`` (bool, this year) or ``yearly``
    (float64, NaN when missing; present for this year and, optionally, last year).
    """

    name: str
    kind: Kind
    label_zh: str
    unit: str = ""


_FIELDS: dict[str, FieldSpec] = {}


def register_field(spec: FieldSpec) -> FieldSpec:
    """Add a field to the catalogue (idempotent for an identical spec).

    Examples:
        >>> register_field(FieldSpec("revenue", "yearly", "营业收入", "元")).name
        'revenue'
    """
    existing = _FIELDS.get(spec.name)
    if existing is not None and existing != spec:
        raise ValueError(f"field {spec.name!r} already registered differently")
    _FIELDS[spec.name] = spec
    return spec


for _spec in (
    FieldSpec("town", "attribute", "所属镇街"),
    FieldSpec("industry_code", "attribute", "国民经济行业代码（GB/T 4754-2017）"),
    FieldSpec("ownership", "attribute", "所有制类型"),
    FieldSpec("serious_violation", "flag", "重大违法违规"),
    FieldSpec("dishonest", "flag", "严重失信"),
    FieldSpec("revenue", "yearly", "营业收入", "元"),
    FieldSpec("total_assets", "yearly", "资产总额", "元"),
    FieldSpec("net_profit", "yearly", "净利润", "元"),
    FieldSpec("tax_paid", "yearly", "纳税总额", "元"),
    FieldSpec("rd_expense", "yearly", "研发费用", "元"),
    FieldSpec("invention_patents", "yearly", "有效发明专利", "件"),
    FieldSpec("exports", "yearly", "出口额", "元"),
    FieldSpec("imports", "yearly", "进口额", "元"),
    FieldSpec("employees", "yearly", "从业人员", "人"),
    FieldSpec("energy_consumption", "yearly", "综合能源消费量", "吨标准煤"),
    FieldSpec("equipment_investment", "yearly", "设备投资", "元"),
    FieldSpec("fiscal_contribution", "yearly", "地方财政贡献", "元"),
):
    register_field(_spec)

#: Read-only live view of the catalogue.
FIELDS = MappingProxyType(_FIELDS)


def field_names(kind: str) -> frozenset[str]:
    """Names of the catalogued fields of one kind (``attribute``, ``flag`` or ``yearly``).

    Examples:
        >>> sorted(field_names("flag"))
        ['dishonest', 'serious_violation']
    """
    return frozenset(n for n, s in _FIELDS.items() if s.kind == kind)


def get_field(name: str) -> FieldSpec | None:
    """The catalogued field ``name``, or None.

    Examples:
        >>> get_field("energy_consumption").unit, get_field("profit") is None
        ('吨标准煤', True)
    """
    return _FIELDS.get(name)



OWNERSHIP_VALUES = frozenset({"private", "state", "collective", "foreign", "hmt", "mixed"})

#: The 6 sub-districts and 13 towns of Jinjiang (晋江市), as registered.
JINJIANG_TOWNS = (
    "青阳街道", "梅岭街道", "西园街道", "罗山街道", "灵源街道", "新塘街道",
    "安海镇", "磁灶镇", "陈埭镇", "东石镇", "深沪镇", "金井镇", "池店镇",
    "内坑镇", "龙湖镇", "永和镇", "英林镇", "紫帽镇", "西滨镇",
)
_TOWN_NAMES = frozenset(JINJIANG_TOWNS) | frozenset(
    t.removesuffix("街道").removesuffix("镇") for t in JINJIANG_TOWNS
)


def is_jinjiang_town(town: object) -> bool:
    """True for a Jinjiang town or sub-district, full ("陈埭镇") or short ("陈埭") name.

    Examples:
        >>> is_jinjiang_town("陈埭镇"), is_jinjiang_town("陈埭"), is_jinjiang_town("石狮")
        (True, True, False)
    """
    return isinstance(town, str) and town.strip() in _TOWN_NAMES
