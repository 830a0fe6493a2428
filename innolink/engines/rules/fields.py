"""The catalogue: every enterprise attribute, yearly indicator, qualification type and item kind a
rule may name.

The catalogue is data. The fourteen built-in indicators and the attributes are rows here; yearly
indicators of any kind, qualification types (资质, with ordered levels) and item kinds (repeated
items inside one claim, each with its facts) are registered at run time: from the registry's rows
(``innolink/policies/fetch.py``) or from ``catalogue.yaml`` (:func:`load_catalogue`, which the
engine's tests and the library of real clauses use and a migration seeds the database from). A
rule naming anything that is not here is refused on load (``rules.unknown_field``,
``rules.unknown_level``).

Kinds of values (attributes, indicators and item facts):
    ``money`` (yuan; held as int64 fen), ``count`` (integers), ``quantity`` (decimal amounts, held
    as int64 thousandths), ``ratio`` (held as int64 millionths; written with ``%`` or ``‰``),
    ``bool``, ``date`` (held as int64 days since 1970-01-01), ``level`` (an ordered list of names,
    held as the int64 position), ``category`` (closed list), ``code`` (hierarchical, matched by
    prefix), ``text`` (identity only). Attributes also have ``tags``: the qualification types an
    enterprise holds in the policy year (the former fixed tags).

Indicator references in rules (docs/decisions/0101 and 0131):
    ``rd_expense``               the value in the policy year
    ``rd_expense@prev``          the value in the year before (also ``@-1``; ``@-2`` two years before)
    ``rd_expense.yoy_increase``  policy-year value minus previous-year value
    ``rd_expense.yoy_growth``    (value - previous) / previous, a ratio (previous must be > 0)
    ``rd_expense.sum(3)``        the policy year and the two before, added up (近三年累计)
    ``rd_expense.avg(3)``        their average (exact fraction)
    ``rd_expense/revenue``       share of one value in another, a ratio (denominator > 0);
                                 each side may carry ``@prev`` / ``@-k``
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

__all__ = [
    "FieldSpec",
    "Level",
    "QualificationSpec",
    "ItemSpec",
    "ATTRIBUTES",
    "INDICATORS",
    "QUALIFICATIONS",
    "ITEMS",
    "TOWNS",
    "OWNERSHIPS",
    "SIZE_CLASSES",
    "TAGS",
    "LEGACY_TAGS",
    "SCALE",
    "UNIT_NAMES",
    "field_spec",
    "register_indicator",
    "register_qualification",
    "register_item_kind",
    "load_catalogue",
    "catalogue_signature",
    "DEFAULT_CATALOGUE",
]

DEFAULT_CATALOGUE = Path(__file__).resolve().with_name("catalogue.yaml")

TOWNS: tuple[str, ...] = (
    "青阳", "梅岭", "西园", "罗山", "新塘", "灵源", "安海", "磁灶", "陈埭", "东石",
    "深沪", "金井", "池店", "内坑", "龙湖", "永和", "英林", "紫帽", "西滨",
)
OWNERSHIPS: tuple[str, ...] = ("private", "state", "collective", "foreign", "hmt", "mixed")
SIZE_CLASSES: tuple[str, ...] = ("large", "medium", "small", "micro")
#: the eight fixed tags before qualifications became data (ADR 0131); records and rules may still
#: name them: six are qualification types of the same code, the two 专精特新 tags are levels
TAGS: tuple[str, ...] = (
    "high_tech", "tech_sme", "specialized_provincial", "specialized_national",
    "above_scale", "listed", "serious_violation", "dishonest",
)
#: former tag -> (qualification type, level code or None)
LEGACY_TAGS: dict[str, tuple[str, str | None]] = {
    "specialized_provincial": ("specialized", "provincial"),
    "specialized_national": ("specialized", "national"),
}

CATEGORY_LABELS: dict[str, str] = {
    "private": "民营", "state": "国有", "collective": "集体", "foreign": "外资",
    "hmt": "港澳台资", "mixed": "混合所有制",
    "large": "大型", "medium": "中型", "small": "小型", "micro": "微型",
}

#: internal integer scale per numeric kind: money in fen, quantities in thousandths, ratios in
#: millionths; bools, dates and levels are held as plain integers
SCALE: dict[str, int] = {"money": 100, "count": 1, "quantity": 1000, "ratio": 1_000_000}
#: kinds held in int64 columns of the population (numeric or not)
COLUMN_KINDS = ("money", "count", "quantity", "ratio", "bool", "date", "level")
#: how an enterprise reads a catalogue unit
UNIT_NAMES: dict[str, str] = {"tce": "吨标准煤"}
#: code attribute -> a function naming one code or prefix ("C26" -> "C26 化学原料和化学制品制造业");
#: the application registers the registry's reference tables (the engine holds none)
CODE_NAMES: dict[str, Callable[[str], str]] = {}


def register_code_names(field_name: str, namer: Callable[[str], str]) -> None:
    """Name the values of a code attribute in explanations (e.g. industry codes by GB/T 4754)."""
    CODE_NAMES[field_name] = namer


def code_display(field_name: str, code: str) -> str:
    """A code as an enterprise reads it: with its name when one is registered, else as is.

    Examples:
        >>> register_code_names("example_code", lambda c: {"C26": "C26 化学原料和化学制品制造业"}.get(c, c))
        >>> code_display("example_code", "C26")
        'C26 化学原料和化学制品制造业'
        >>> code_display("town", "C26")
        'C26'
        >>> del CODE_NAMES["example_code"]
    """
    namer = CODE_NAMES.get(field_name)
    if namer is None or not code:
        return code
    try:
        return namer(code) or code
    except Exception:  # a namer never makes an explanation fail
        return code


@dataclass(frozen=True)
class FieldSpec:
    """One catalogue entry (an attribute, a yearly indicator or an item fact)."""

    name: str
    kind: str  # text | category | code | date | bool | tags | money | count | quantity | ratio | level
    unit: str  # "元" for money, "件"/"人" for counts, "tce" ... ; "" otherwise
    label: str  # Chinese label used in explanations
    choices: tuple[str, ...] = ()  # categories, or levels low -> high
    yearly: bool = False

    @property
    def numeric(self) -> bool:
        """Arithmetic and ordered comparisons with a unit (money, count, quantity, ratio)."""
        return self.kind in SCALE

    @property
    def ordered(self) -> bool:
        return self.kind in SCALE or self.kind in ("level", "date")

    @property
    def unit_label(self) -> str:
        return UNIT_NAMES.get(self.unit, self.unit)


@dataclass(frozen=True)
class Level:
    code: str
    name: str


@dataclass(frozen=True)
class QualificationSpec:
    """A qualification type (资质): name, ordered levels, issuer, validity, renewal rule."""

    code: str
    label: str
    levels: tuple[Level, ...] = ()
    issuer: str = ""
    validity_years: int | None = None
    renewal_is_new: bool = False

    def level_index(self, text: str) -> int | None:
        """Position of a level given by code or name, or None."""
        for k, level in enumerate(self.levels):
            if text in (level.code, level.name):
                return k
        return None

    def level_name(self, index: int) -> str:
        if not self.levels:
            return self.label
        return self.levels[index].name if 0 <= index < len(self.levels) else "未知等级"


@dataclass(frozen=True)
class ItemSpec:
    """A kind of repeated item inside one claim (projects, patents, equipment purchases, events)."""

    code: str
    label: str
    facts: dict[str, FieldSpec] = field(default_factory=dict)


_ATTRIBUTE_ROWS: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] = (
    ("credit_code", "text", "", "统一社会信用代码", ()),
    ("name", "text", "", "企业名称", ()),
    ("town", "category", "", "所在镇街", TOWNS),
    ("industry_code", "code", "", "国民经济行业代码", ()),
    ("ownership", "category", "", "所有制类型", OWNERSHIPS),
    ("founded_on", "date", "", "成立日期", ()),
    ("size_class", "category", "", "企业规模", SIZE_CLASSES),
    ("tags", "tags", "", "企业资质", ()),
    # former attributes, now read from the high_tech qualification (kept for rules and cases)
    ("high_tech_cert_date", "date", "", "高新技术企业认定日期", ()),
    ("high_tech_first_cert", "bool", "", "首次认定高新技术企业", ()),
)

#: name, kind, unit, Chinese label. The built-in indicators; more come from the registry.
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
#: the former tags as types; the rest of the seed comes from catalogue.yaml (load_catalogue)
QUALIFICATIONS: dict[str, QualificationSpec] = {
    "high_tech": QualificationSpec("high_tech", "高新技术企业", validity_years=3),
    "tech_sme": QualificationSpec("tech_sme", "科技型中小企业", validity_years=1),
    "specialized": QualificationSpec("specialized", "专精特新中小企业", (
        Level("innovative", "创新型中小企业"), Level("provincial", "省级专精特新中小企业"),
        Level("national", "国家级专精特新“小巨人”企业")), validity_years=3),
    "above_scale": QualificationSpec("above_scale", "规模以上企业", renewal_is_new=True),
    "listed": QualificationSpec("listed", "上市企业"),
    "serious_violation": QualificationSpec("serious_violation", "严重违法失信记录"),
    "dishonest": QualificationSpec("dishonest", "失信被执行人"),
}
ITEMS: dict[str, ItemSpec] = {}


_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_UNIT_CANONICAL = {"吨标准煤": "tce", "项": "件", "名": "人"}
_KINDS = ("money", "count", "quantity", "ratio", "bool", "date", "level")
_FACT_KINDS = _KINDS + ("category", "text")


def _error(message: str, where: str):
    from ._errors import ErrorCode, RulesError

    return RulesError(ErrorCode.BAD_VALUE, message, where)


def _levels(levels: Any, where: str) -> tuple[str, ...]:
    if not isinstance(levels, (list, tuple)) or not levels or not all(isinstance(v, str) and v for v in levels):
        raise _error("等级应为非空的名称列表(由低到高) / levels must be a non-empty list of names, low to high", where)
    if len(set(levels)) != len(levels):
        raise _error("等级名称重复 / repeated level name", where)
    return tuple(levels)


def _spec(name: str, kind: str, unit: str, label: str, choices: Any, where: str, yearly: bool) -> FieldSpec:
    if kind == "money":
        unit = "元"
    elif kind in ("count", "quantity"):
        unit = _UNIT_CANONICAL.get(unit or "", unit or ("件" if kind == "count" else ""))
        if not unit:
            raise _error("计量值须有单位 / a quantity needs a unit", where)
    else:
        unit = ""
    if kind == "level":
        choices = _levels(choices, where)
    elif kind == "category":
        choices = _levels(choices, where)
    else:
        choices = ()
    return FieldSpec(name, kind, unit, label, tuple(choices), yearly=yearly)


def register_indicator(name: str, kind: str, unit: str, label: str, levels: Any = None) -> FieldSpec:
    """Add a yearly indicator to the catalogue at run time, e.g. from the registry's
    ``IndicatorDefinition`` rows, so that rules and records may use it. ``kind`` is one of
    money, count, quantity, ratio, bool, date, level (``levels``: names low to high). Registering
    an existing name again with the same kind is a no-op for the built-ins and replaces the label
    and levels of a registered one; a different kind is refused, as is an attribute's name.

    Examples:
        >>> register_indicator("rd_expense", "money", "元", "研发费用").label
        '研发经费支出'
        >>> register_indicator("credit_grade_doc", "level", "", "信用等级", ["B", "A", "AA"]).choices
        ('B', 'A', 'AA')
        >>> register_indicator("revenue", "count", "件", "营业收入")
        Traceback (most recent call last):
        ...
        innolink.engines.rules._errors.RulesError: [rules.bad_value] 指标 'revenue' 已登记为 money / indicator 'revenue' is already registered as money (at fields: revenue)
    """
    where = f"fields: {name}"
    if not isinstance(name, str) or not _NAME.match(name) or name in ATTRIBUTES:
        raise _error(f"指标代码无效 {name!r} / invalid indicator code", where)
    if kind not in _KINDS:
        raise _error(f"指标类型应为 {'/'.join(_KINDS)},实际为 {kind!r} / bad kind", where)
    existing = INDICATORS.get(name)
    if existing is not None:
        if existing.kind != kind:
            raise _error(
                f"指标 {name!r} 已登记为 {existing.kind} / indicator {name!r} is already registered as {existing.kind}",
                where,
            )
        if name in _BUILT_IN:
            return existing
    spec = _spec(name, kind, unit, label, levels, where, yearly=True)
    INDICATORS[name] = spec
    return spec


def register_qualification(code: str, label: str, levels: Any = (), *, issuer: str = "",
                           validity_years: int | None = None, renewal_is_new: bool = False) -> QualificationSpec:
    """Add or replace a qualification type. ``levels`` is a list of ``{code, name}`` (or of names,
    then code = name), ordered low to high; empty for a type without levels.

    Examples:
        >>> spec = register_qualification("test_center", "测试中心", [{"code": "city", "name": "市级"},
        ...                                                        {"code": "provincial", "name": "省级"}])
        >>> spec.level_index("省级"), spec.level_index("city"), spec.level_index("国家级")
        (1, 0, None)
    """
    where = f"qualifications: {code}"
    if not isinstance(code, str) or not _NAME.match(code) or code in LEGACY_TAGS:
        raise _error(f"资质代码无效 {code!r} / invalid qualification code", where)
    if not isinstance(label, str) or not label.strip():
        raise _error("资质名称不能为空 / a qualification needs a name", where)
    parsed: list[Level] = []
    for k, level in enumerate(levels or ()):
        if isinstance(level, str):
            level = {"code": level, "name": level}
        if not isinstance(level, dict) or not level.get("code") or not level.get("name"):
            raise _error("等级应为 {code, name} / a level needs a code and a name", f"{where}.levels[{k}]")
        parsed.append(Level(str(level["code"]), str(level["name"])))
    names = [lv.code for lv in parsed] + [lv.name for lv in parsed]
    if len({lv.code for lv in parsed}) != len(parsed) or len({lv.name for lv in parsed}) != len(parsed):
        raise _error("等级代码或名称重复 / repeated level code or name", f"{where}.levels")
    del names
    if validity_years is not None and (not isinstance(validity_years, int) or isinstance(validity_years, bool)
                                       or validity_years <= 0):
        raise _error("有效期应为正整数年 / validity must be a positive number of years", f"{where}.validity_years")
    spec = QualificationSpec(code, label.strip(), tuple(parsed), issuer or "", validity_years, bool(renewal_is_new))
    QUALIFICATIONS[code] = spec
    return spec


def register_item_kind(code: str, label: str, facts: dict[str, Any]) -> ItemSpec:
    """Add or replace a kind of repeated item with its facts (``{name: {name, kind, unit, choices
    or levels}}``); fact kinds: money, count, quantity, ratio, bool, date, level, category, text.

    Examples:
        >>> spec = register_item_kind("test_patents", "专利", {"kind": {"name": "专利类别", "kind": "category",
        ...                                                         "choices": ["发明专利", "实用新型"]}})
        >>> spec.facts["kind"].choices
        ('发明专利', '实用新型')
    """
    where = f"items: {code}"
    if not isinstance(code, str) or not _NAME.match(code):
        raise _error(f"事项类别代码无效 {code!r} / invalid item kind code", where)
    if not isinstance(facts, dict) or not facts:
        raise _error("事项须至少有一项数据 / an item kind needs facts", where)
    parsed = {}
    for name, fact in facts.items():
        floc = f"{where}.facts.{name}"
        if not isinstance(name, str) or not _NAME.match(name) or name in ("key", "label", "year"):
            raise _error(f"数据代码无效 {name!r} / invalid fact code", floc)
        if not isinstance(fact, dict) or fact.get("kind") not in _FACT_KINDS:
            raise _error(f"数据类型应为 {'/'.join(_FACT_KINDS)} / bad fact kind", floc)
        parsed[name] = _spec(name, fact["kind"], str(fact.get("unit") or ""), str(fact.get("name") or name),
                             fact.get("levels", fact.get("choices")), floc, yearly=False)
    spec = ItemSpec(code, str(label), parsed)
    ITEMS[code] = spec
    return spec


def load_catalogue(source: str | Path | dict | None = None) -> None:
    """Register the qualification types, item kinds and indicators of a catalogue file (default:
    ``catalogue.yaml`` beside this module) or an already parsed mapping."""
    if source is None or isinstance(source, (str, Path)):
        import yaml

        source = yaml.safe_load(Path(source or DEFAULT_CATALOGUE).read_text(encoding="utf-8"))
    for code, q in (source.get("qualifications") or {}).items():
        register_qualification(code, q["name"], q.get("levels") or (), issuer=q.get("issuer", ""),
                               validity_years=q.get("validity_years"), renewal_is_new=q.get("renewal_is_new", False))
    for code, item in (source.get("items") or {}).items():
        register_item_kind(code, item["name"], item["facts"])
    for code, ind in (source.get("indicators") or {}).items():
        register_indicator(code, ind["kind"], ind.get("unit", ""), ind["name"], ind.get("levels"))



def replace_catalogue(*, indicators: list[tuple[str, str, str, str, Any]] = (),
                      qualifications: list[dict[str, Any]] = (), items: list[tuple[str, str, dict]] = ()) -> None:
    """Make the registry's rows the catalogue: the built-in indicators plus ``indicators``
    (code, kind, unit, name, levels), and exactly ``qualifications`` (dicts with code, name,
    levels, issuer, validity_years, renewal_is_new) and ``items`` (code, name, facts). The dicts
    are updated in place (new entries added and changed ones replaced before stale ones are
    removed), so a concurrent reader never sees an empty catalogue."""
    new_ind = {name: spec for name, spec in INDICATORS.items() if name in _BUILT_IN}
    for code, kind, unit, label, levels in indicators:
        if code in _BUILT_IN:
            continue
        new_ind[code] = _spec(code, kind, unit, label, levels, f"fields: {code}", yearly=True)
    saved = (dict(QUALIFICATIONS), dict(ITEMS))
    try:
        for q in qualifications:
            register_qualification(q["code"], q["name"], q.get("levels") or (), issuer=q.get("issuer", ""),
                                   validity_years=q.get("validity_years"), renewal_is_new=q.get("renewal_is_new", False))
        for code, label, facts in items:
            register_item_kind(code, label, facts)
    except Exception:
        QUALIFICATIONS.clear(); QUALIFICATIONS.update(saved[0])  # noqa: E702
        ITEMS.clear(); ITEMS.update(saved[1])  # noqa: E702
        raise
    INDICATORS.update(new_ind)
    for stale in set(INDICATORS) - set(new_ind):
        del INDICATORS[stale]
    keep_q = {q["code"] for q in qualifications}
    for stale in set(QUALIFICATIONS) - keep_q:
        del QUALIFICATIONS[stale]
    keep_i = {code for code, _label, _facts in items}
    for stale in set(ITEMS) - keep_i:
        del ITEMS[stale]


def catalogue_signature() -> list:
    """What the population's arrays depend on (for cache keys): kinds, levels and choices."""
    return [
        sorted((s.name, s.kind, list(s.choices)) for s in INDICATORS.values()),
        sorted((q.code, [lv.code for lv in q.levels], q.validity_years, q.renewal_is_new)
               for q in QUALIFICATIONS.values()),
        sorted((i.code, sorted((f.name, f.kind, list(f.choices)) for f in i.facts.values()))
               for i in ITEMS.values()),
    ]


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


def tag_label(code: str) -> str:
    """Chinese name of a qualification type or a former tag."""
    if code in LEGACY_TAGS:
        qtype, level = LEGACY_TAGS[code]
        spec = QUALIFICATIONS.get(qtype)
        if spec is not None and level is not None:
            index = spec.level_index(level)
            if index is not None:
                return spec.levels[index].name
    spec = QUALIFICATIONS.get(code)
    return spec.label if spec else code


_BUILT_IN = frozenset(INDICATORS)
