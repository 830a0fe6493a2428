"""The condition and formula language of rule files: operands, atoms, trees, formulas, the data a
formula needs, and the refusal of clauses that contradict themselves.

Used by :mod:`.load` (policy files); see docs/decisions/0101 and 0131 for the format. Every
problem raises :class:`RulesError` with a stable code and the location inside the file.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

from . import fields as F
from ._errors import ErrorCode, RulesError
from .model import (
    All, AnyOf, Atom, Cap, Cases, Condition, Decided, FirstTime, Fixed, Formula, Implies, Items, ItemsRef,
    Multiply, Not, Operand, QualRef, Sum, Tiers,
)
from .types import fmt_scaled, parse_amount_fen, parse_quantity

__all__ = ["Ctx", "parse_operand", "parse_condition", "parse_formula", "requirement", "check_contradictions"]

# wording -> (canonical op, whether the word's strictness follows the 以上/以下 convention)
ORDER_OPS: dict[str, tuple[str, str | None]] = {
    ">": ("gt", None), "gt": ("gt", None), "高于": ("gt", None), "超过": ("gt", None), "大于": ("gt", None),
    ">=": ("ge", None), "ge": ("ge", None), "不低于": ("ge", None), "不少于": ("ge", None),
    "达到": ("ge", None),
    "以上": ("ge", "以上"), "及以上": ("ge", None), "above": ("ge", "以上"),
    "<": ("lt", None), "lt": ("lt", None), "低于": ("lt", None), "不满": ("lt", None),
    "少于": ("lt", None), "小于": ("lt", None),
    "<=": ("le", None), "le": ("le", None), "不超过": ("le", None), "不高于": ("le", None),
    "以下": ("le", "以下"), "及以下": ("le", None), "below": ("le", "以下"),
    "==": ("eq", None), "eq": ("eq", None), "等于": ("eq", None),
    "!=": ("ne", None), "ne": ("ne", None), "不等于": ("ne", None),
}
#: "first time on record" wordings -> the comparison word
FIRST_TIME_OPS = {"首次超过": "超过", "首次高于": "高于", "首次达到": "达到", "首次突破": "超过"}
WORD_FOR = {"gt": "高于", "ge": "不低于", "lt": "低于", "le": "不高于", "eq": "等于", "ne": "不等于"}
OPS_BY_KIND: dict[str, set[str]] = {
    "category": {"in", "not_in"},
    "text": {"in", "not_in"},
    "code": {"prefix", "not_prefix"},
    "tags": {"has", "has_any", "has_all", "has_none"},
    "bool": {"is"},
    "date": {"in_policy_year", "before", "on_or_after", "within_years", "between"},
}
DATE_OPS = OPS_BY_KIND["date"]
QUAL_OPS = {
    "held": "held", "持有": "held", "not_held": "not_held", "未持有": "not_held",
    "newly": "newly", "新认定": "newly", "first": "first", "首次认定": "first",
    "renewed": "renewed", "重新认定": "renewed", "upgraded": "upgraded", "晋级": "upgraded",
    **{op: op for op in DATE_OPS},
}
QUAL_WORDS = {"held": "持有", "not_held": "未持有", "newly": "新认定", "first": "首次认定",
              "renewed": "重新认定", "upgraded": "晋级"}
COUNT_UNITS = ("项", "件", "个", "家", "台", "套", "次")

_REF = re.compile(r"^([a-z_][a-z0-9_]*)(?:@(prev|-\d+))?$")
_WINDOW = re.compile(r"^([a-z_][a-z0-9_]*)\.(sum|avg)\((\d+)\)$")


def _err(code: str, message: str, loc: str) -> RulesError:
    return RulesError(code, message, loc)


def require(mapping: Any, key: str, loc: str) -> Any:
    if not isinstance(mapping, dict):
        raise _err(ErrorCode.BAD_VALUE, "应为映射 / expected a mapping", loc)
    if key not in mapping:
        raise _err(ErrorCode.MISSING_KEY, f"缺少必填项 {key!r} / missing key {key!r}", loc)
    return mapping[key]


def check_keys(mapping: Any, allowed: set[str], loc: str) -> None:
    if not isinstance(mapping, dict):
        raise _err(ErrorCode.BAD_VALUE, "应为映射 / expected a mapping", loc)
    unknown = sorted(set(mapping) - allowed, key=str)
    if unknown:
        raise _err(
            ErrorCode.UNKNOWN_KEY,
            f"未知配置项 {unknown[0]!r} / unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})",
            f"{loc}.{unknown[0]}",
        )


def parse_date(value: Any, loc: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _err(ErrorCode.BAD_VALUE, f"日期格式应为 YYYY-MM-DD,实际为 {value!r} / bad date", loc)


def str_list(value: Any, loc: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _err(ErrorCode.BAD_VALUE, f"应为文本列表,实际为 {value!r} / expected a list of text", loc)
    return tuple(value)


def _positive_int(value: Any, loc: str, what: str = "年数") -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise _err(ErrorCode.BAD_VALUE, f"{what}应为正整数,实际为 {value!r} / expected a positive integer", loc)
    return value


@dataclass(frozen=True)
class Ctx:
    """Where a condition or formula is parsed: the 以上/以下 convention, and for item scope the
    item kind (its facts are the fields)."""

    convention: dict[str, bool]
    item: str | None = None
    optional: frozenset[str] = frozenset()  # formula inputs that may be missing
    used: set = field(default_factory=set)  # optional refs actually met (to refuse unused ones)

    @property
    def facts(self) -> dict[str, F.FieldSpec]:
        return F.ITEMS[self.item].facts if self.item else {}


# --------------------------------------------------------------------------- operands


def _indicator(name: str, loc: str, ctx: Ctx | None = None) -> F.FieldSpec:
    if ctx is not None and ctx.item:
        spec = ctx.facts.get(name)
        if spec is None:
            raise _err(ErrorCode.UNKNOWN_FIELD,
                       f"{F.ITEMS[ctx.item].label}没有数据项 {name!r}(可用:{'、'.join(ctx.facts)}) / "
                       f"unknown fact {name!r} of item kind {ctx.item!r}", loc)
        return spec
    spec = F.INDICATORS.get(name)
    if spec is None:
        if name in F.ATTRIBUTES:
            raise _err(
                ErrorCode.UNKNOWN_FIELD,
                f"{name!r} 是企业属性,不能用于数值运算 / {name!r} is an attribute, not a yearly indicator",
                loc,
            )
        raise _err(ErrorCode.UNKNOWN_FIELD, f"未知指标 {name!r} / unknown indicator {name!r}", loc)
    return spec


def _year_label(offset: int) -> str:
    return {0: "", -1: "上年度", -2: "前两年度"}.get(offset, f"{-offset}年前")


def _side(text: str, loc: str, ctx: Ctx | None) -> tuple[str, int, F.FieldSpec]:
    m = _REF.match(text.strip())
    if not m:
        raise _err(ErrorCode.UNKNOWN_FIELD, f"无法识别的指标引用 {text!r} / bad indicator reference", loc)
    spec = _indicator(m.group(1), loc, ctx)
    offset = 0 if m.group(2) is None else (-1 if m.group(2) == "prev" else int(m.group(2)))
    if offset and ctx is not None and ctx.item:
        raise _err(ErrorCode.BAD_VALUE, "事项数据没有年度偏移 / item facts have no year offset", loc)
    if offset < -30:
        raise _err(ErrorCode.BAD_VALUE, "年度偏移最多30年 / at most 30 years back", loc)
    return m.group(1), offset, spec


def _side_label(spec: F.FieldSpec, offset: int) -> str:
    return f"{_year_label(offset)}{spec.label}"


def rule_codes(rule: Any) -> set[str]:
    """The indicator codes a clause's rule (as mirrored from its file) refers to anywhere: every
    string in it that reads as a value reference; anything else is skipped.

    Examples:
        >>> sorted(rule_codes({"all": [{"value": "rd_expense/revenue", "min": "3%"}],
        ...                    "note": "研发投入", "years": [2024]}))
        ['rd_expense', 'revenue']
        >>> rule_codes(None), rule_codes("no_such_code")
        (set(), set())
    """
    codes: set[str] = set()
    for text in rule_strings(rule):
        try:
            codes.update(code for code, _o in parse_operand(text, "rule").inputs())
        except (RulesError, TypeError, ValueError):
            pass
    return codes


def rule_strings(node: Any):
    """Every string inside a rule's nested dicts and lists (values, not keys), in no set order.

    Examples:
        >>> sorted(rule_strings({"all": [{"value": "a/b", "min": 3}], "note": "x"}))
        ['a/b', 'x']
    """
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, str):
            yield item


def parse_operand(text: Any, loc: str, ctx: Ctx | None = None) -> Operand:
    """Parse a value reference checked against the catalogue (enterprise indicators, or an item
    kind's facts in item scope).

    Examples:
        >>> op = parse_operand("rd_expense.yoy_increase", "x")
        >>> op.kind, op.a, op.b, op.unit_kind, op.label
        ('increase', ('rd_expense', 0), ('rd_expense', -1), 'money', '研发经费支出较上年增量')
        >>> parse_operand("rd_expense/revenue", "x").label
        '研发经费支出占营业收入比重'
        >>> parse_operand("revenue.sum(3)", "x").label, parse_operand("revenue@-2", "x").label
        ('近3年营业收入合计', '前两年度营业收入')
        >>> parse_operand("rd_spend", "x")
        Traceback (most recent call last):
        ...
        innolink.engines.rules._errors.RulesError: [rules.unknown_field] 未知指标 'rd_spend' / unknown indicator 'rd_spend' (at x)
    """
    if not isinstance(text, str):
        raise _err(ErrorCode.BAD_VALUE, f"指标引用应为文本,实际为 {text!r} / expected a reference", loc)
    ref = text.strip()
    scope = "item" if ctx is not None and ctx.item else "enterprise"
    if "/" in ref:
        left, _, right = ref.partition("/")
        a_name, a_off, a_spec = _side(left, loc, ctx)
        b_name, b_off, b_spec = _side(right, loc, ctx)
        if a_spec.kind != b_spec.kind or not a_spec.numeric:
            raise _err(ErrorCode.BAD_VALUE, f"比重的分子分母须为同类数值 / share of unlike values in {ref!r}", loc)
        label = f"{_side_label(a_spec, a_off)}占{_side_label(b_spec, b_off)}比重"
        return Operand(ref, "share", (a_name, a_off), (b_name, b_off), "ratio", "", label, scope=scope)
    m = _WINDOW.match(ref)
    if m:
        name, how, years = m.group(1), m.group(2), int(m.group(3))
        if scope == "item":
            raise _err(ErrorCode.BAD_VALUE, "事项数据没有多年合计 / item facts have no years", loc)
        spec = _indicator(name, loc, ctx)
        if spec.kind not in ("money", "count", "quantity") or not 2 <= years <= 30:
            raise _err(ErrorCode.BAD_VALUE, f"{how}(N) 须用于金额、计数或计量值,N 为 2 到 30 / "
                       f"{how}(N) needs a money, count or quantity indicator and 2 <= N <= 30", loc)
        word = "合计" if how == "sum" else "平均"
        return Operand(ref, how, (name, 0), None, spec.kind, spec.unit, f"近{years}年{spec.label}{word}",
                       window=years, scope=scope)
    for suffix, kind in ((".yoy_increase", "increase"), (".yoy_growth", "growth")):
        if ref.endswith(suffix):
            if scope == "item":
                raise _err(ErrorCode.BAD_VALUE, "事项数据没有上年值 / item facts have no previous year", loc)
            name = ref[: -len(suffix)]
            spec = _indicator(name, loc, ctx)
            if spec.kind not in ("money", "count", "quantity", "ratio"):
                raise _err(ErrorCode.BAD_VALUE, f"{spec.label}不是数值 / not a number", loc)
            if kind == "increase":
                return Operand(ref, kind, (name, 0), (name, -1), spec.kind, spec.unit, f"{spec.label}较上年增量")
            return Operand(ref, kind, (name, 0), (name, -1), "ratio", "", f"{spec.label}较上年增长率")
    name, offset, spec = _side(ref, loc, ctx)
    return Operand(ref, "value", (name, offset), None, spec.kind, spec.unit, _side_label(spec, offset), scope=scope)


def _shift(op: Operand, k: int) -> Operand:
    """The same operand ``k`` years earlier."""
    if k == 0:
        return op
    a = (op.a[0], op.a[1] - k)
    b = None if op.b is None else (op.b[0], op.b[1] - k)
    spec = F.INDICATORS[op.a[0]]
    if op.kind == "value":
        label = _side_label(spec, a[1])
    elif op.kind == "share":
        label = f"{_side_label(spec, a[1])}占{_side_label(F.INDICATORS[b[0]], b[1])}比重"  # type: ignore[index]
    else:
        label = f"{_year_label(a[1])}{op.label}"
    suffix = f"@{a[1]}" if a[1] else ""
    return replace(op, ref=f"{op.ref}{suffix}#{k}", a=a, b=b, label=label)


# --------------------------------------------------------------------------- conditions


def parse_condition(node: Any, loc: str, ctx: Ctx) -> Condition:
    if isinstance(node, list):
        if not node:
            raise _err(ErrorCode.BAD_VALUE, "条件列表不能为空 / empty condition list", loc)
        return All(tuple(parse_condition(n, f"{loc}[{i}]", ctx) for i, n in enumerate(node)))
    if not isinstance(node, dict):
        raise _err(ErrorCode.BAD_VALUE, f"条件应为映射或列表,实际为 {node!r} / expected a condition", loc)
    for key, cls in (("all", All), ("any", AnyOf)):
        if key in node:
            check_keys(node, {key}, loc)
            items = node[key]
            if not isinstance(items, list) or not items:
                raise _err(ErrorCode.BAD_VALUE, f"{key} 应为非空列表 / {key} needs a non-empty list", f"{loc}.{key}")
            return cls(tuple(parse_condition(n, f"{loc}.{key}[{i}]", ctx) for i, n in enumerate(items)))
    if "not" in node:
        check_keys(node, {"not"}, loc)
        return Not(parse_condition(node["not"], f"{loc}.not", ctx))
    if "first_time" in node and "field" not in node:
        check_keys(node, {"first_time", "label"}, loc)
        if ctx.item:
            raise _err(ErrorCode.BAD_VALUE, "事项条件没有“首次” / first-time does not apply to items", loc)
        inner = parse_condition(node["first_time"], f"{loc}.first_time", ctx)
        label = node.get("label") or f"首次{_condition_text(inner)}"
        return FirstTime(inner, str(label), loc)
    if "qualification" in node:
        if ctx.item:
            raise _err(ErrorCode.UNKNOWN_FIELD, "事项条件只能引用事项自身的数据 / item conditions name item facts only", loc)
        return _parse_qualification(node, loc)
    if "items" in node:
        if ctx.item:
            raise _err(ErrorCode.BAD_VALUE, "事项内不能再引用事项 / items inside items", loc)
        return _parse_items_count(node, loc, ctx)
    return _parse_atom(node, loc, ctx)


def _condition_text(cond: Condition) -> str:
    if isinstance(cond, Atom):
        return f"{cond.label}{cond.word}{cond.display}" if cond.qual is None else f"{cond.word}{cond.display}"
    if isinstance(cond, All):
        return "且".join(_condition_text(c) for c in cond.items)
    if isinstance(cond, AnyOf):
        return "或".join(_condition_text(c) for c in cond.items)
    return "满足条件"


def _qual_spec(code: Any, loc: str) -> F.QualificationSpec:
    if isinstance(code, str) and code in F.LEGACY_TAGS:
        code = F.LEGACY_TAGS[code][0]
    spec = F.QUALIFICATIONS.get(code) if isinstance(code, str) else None
    if spec is None:
        raise _err(ErrorCode.UNKNOWN_FIELD,
                   f"未知资质 {code!r}(资质类型须先在资质目录中定义) / unknown qualification type {code!r}", loc)
    return spec


def _level_set(spec: F.QualificationSpec, level: Any, min_level: Any, loc: str) -> frozenset[int] | None:
    if level is None and min_level is None:
        return None
    if not spec.levels:
        raise _err(ErrorCode.UNKNOWN_LEVEL, f"{spec.label}不分等级 / {spec.code} has no levels", loc)

    def index(text: Any, where: str) -> int:
        found = spec.level_index(text) if isinstance(text, str) else None
        if found is None:
            raise _err(ErrorCode.UNKNOWN_LEVEL,
                       f"{spec.label}没有等级 {text!r}(可用:{'、'.join(lv.name for lv in spec.levels)}) / "
                       f"unknown level {text!r}", where)
        return found

    allowed = set(range(len(spec.levels)))
    if level is not None:
        values = level if isinstance(level, list) else [level]
        if not values:
            raise _err(ErrorCode.BAD_VALUE, "level 不能为空 / empty level list", f"{loc}.level")
        allowed &= {index(v, f"{loc}.level") for v in values}
    if min_level is not None:
        allowed &= set(range(index(min_level, f"{loc}.min_level"), len(spec.levels)))
    if not allowed:
        raise _err(ErrorCode.CONTRADICTION, f"{spec.label}的等级条件互相矛盾,没有等级能满足 / the level "
                   f"conditions leave no level", loc)
    return frozenset(allowed)


def _levels_display(spec: F.QualificationSpec, levels: frozenset[int] | None) -> str:
    if levels is None:
        return spec.label
    names = [spec.levels[k].name for k in sorted(levels)]
    if len(levels) > 1 and max(levels) == len(spec.levels) - 1 and levels == set(range(min(levels), len(spec.levels))):
        return f"{spec.levels[min(levels)].name}及以上"
    return "或".join(names)


def _parse_qualification(node: dict, loc: str, label: str | None = None, field_name: str | None = None) -> Atom:
    check_keys(node, {"qualification", "op", "level", "min_level", "value", "date", "label"}, loc)
    spec = _qual_spec(node["qualification"], f"{loc}.qualification")
    op_text = node.get("op", "held")
    op = QUAL_OPS.get(op_text) if isinstance(op_text, str) else None
    if op is None:
        raise _err(ErrorCode.BAD_OPERATOR,
                   f"资质条件不支持运算符 {op_text!r}(可用:持有、未持有、新认定、首次认定、重新认定、晋级、"
                   f"within_years、in_policy_year、between、before、on_or_after) / bad qualification operator",
                   f"{loc}.op")
    level = node.get("level")
    legacy = node["qualification"] in F.LEGACY_TAGS and F.LEGACY_TAGS[node["qualification"]][1]
    if legacy and level is None and node.get("min_level") is None:
        level = legacy
    levels = _level_set(spec, level, node.get("min_level"), loc)
    if op == "upgraded" and not spec.levels:
        raise _err(ErrorCode.UNKNOWN_LEVEL, f"{spec.label}不分等级,无所谓晋级 / {spec.code} has no levels to rise",
                   f"{loc}.op")
    date = node.get("date", "certified")
    if date not in ("certified", "first"):
        raise _err(ErrorCode.BAD_VALUE, "date 应为 certified(当前证书的认定日期)或 first(首次认定日期) / bad date",
                   f"{loc}.date")
    value: Any = None
    display = _levels_display(spec, levels)
    vloc = f"{loc}.value"
    if op in DATE_OPS:
        value, shown = _date_value(op, node.get("value"), vloc)
        display = f"{display}认定日期{shown}"
    elif "value" in node:
        raise _err(ErrorCode.UNKNOWN_KEY, f"{QUAL_WORDS[op]}不需要 value / value is not used here", vloc)
    word = QUAL_WORDS.get(op, op)
    return Atom(field_name or f"qualification:{spec.code}", op, value, None, word, display, loc,
                node.get("label") or label or display, qual=QualRef(spec.code, levels, date))


def _date_value(op: str, value: Any, loc: str) -> tuple[Any, str]:
    if op == "in_policy_year":
        offset = 0 if value is None else value
        if not isinstance(offset, int) or isinstance(offset, bool) or offset > 0:
            raise _err(ErrorCode.BAD_VALUE, "in_policy_year 的 value 应为 0 或负整数(年偏移) / year offset", loc)
        return offset, "在政策年度内" if offset == 0 else f"在政策年度前{-offset}年内"
    if op == "within_years":
        n = _positive_int(value, loc)
        return n, f"在{n}年内"
    if op == "between":
        if not isinstance(value, list) or len(value) != 2:
            raise _err(ErrorCode.BAD_VALUE, "between 应为 [起始日期, 截止日期] / between needs two dates", loc)
        lo, hi = parse_date(value[0], f"{loc}[0]"), parse_date(value[1], f"{loc}[1]")
        if hi < lo:
            raise _err(ErrorCode.CONTRADICTION, f"截止日期 {hi} 早于起始日期 {lo} / the window is empty", loc)
        return (lo, hi), f"在{lo.isoformat()}至{hi.isoformat()}之间"
    day = parse_date(value, loc)
    return day, ("早于" if op == "before" else "不早于") + day.isoformat()


def _parse_count(value: Any, loc: str) -> Fraction:
    if isinstance(value, str):
        m = re.match(r"^\s*(\d+)\s*(\S*)\s*$", value)
        if m and m.group(2) in COUNT_UNITS:
            return Fraction(int(m.group(1)))
        if m and not m.group(2):
            raise _err(ErrorCode.MISSING_UNIT, f"数量 {value!r} 缺少单位(如 项、件、个) / a count needs a unit", loc)
    if isinstance(value, int) and not isinstance(value, bool):
        raise _err(ErrorCode.MISSING_UNIT, f"数量 {value} 缺少单位(如 项、件、个) / a count needs a unit", loc)
    raise _err(ErrorCode.BAD_VALUE, f"数量应写作如 2项,实际为 {value!r} / expected a count such as 2项", loc)


def items_ref(node: dict, loc: str, ctx: Ctx, *, each: Any = None) -> ItemsRef:
    """An items reference: the kind, its ``where``, the years counted, optional facts, and (for a
    formula) the per-item formula with the facts it needs."""
    kind = node.get("of") if "of" in node else node.get("items")
    if not isinstance(kind, str) or kind not in F.ITEMS:
        raise _err(ErrorCode.UNKNOWN_FIELD, f"未知事项类别 {kind!r}(可用:{'、'.join(F.ITEMS) or '无'}) / unknown item kind",
                   f"{loc}.{'of' if 'of' in node else 'items'}")
    spec = F.ITEMS[kind]
    optional_raw = node.get("optional") or []
    optional = frozenset(str_list(optional_raw, f"{loc}.optional")) if optional_raw else frozenset()
    for name in optional:
        if name not in spec.facts:
            raise _err(ErrorCode.UNKNOWN_FIELD, f"{spec.label}没有数据项 {name!r} / unknown fact", f"{loc}.optional")
    inner = Ctx(ctx.convention, item=kind, optional=optional, used=set())
    where = parse_condition(node["where"], f"{loc}.where", inner) if node.get("where") is not None else None
    years = _positive_int(node.get("years", 1), f"{loc}.years")
    formula = needs = None
    if each is not None:
        whens: list[Condition] = []
        formula = parse_formula(each, f"{loc}.each", inner, whens)
        needs = requirement(formula, inner, f"{loc}.each")
        extra = [w for w in whens]
        if extra:
            needs = All(tuple(extra + ([needs] if needs is not None else [])))
    unused = optional - inner.used - _facts_read(where)
    if unused and each is not None:
        raise _err(ErrorCode.BAD_VALUE, f"optional 中的 {sorted(unused)[0]!r} 未在公式中使用 / optional names a fact "
                   f"the formula does not use", f"{loc}.optional")
    label = node.get("label") or f"符合条件的{spec.label}"
    return ItemsRef(kind, where, years, optional, formula, needs, str(label))


def _facts_read(cond: Condition | None) -> set[str]:
    if cond is None:
        return set()
    if isinstance(cond, Atom):
        return {cond.operand.a[0]} if cond.operand is not None else {cond.field}
    if isinstance(cond, (All, AnyOf)):
        return set().union(*(_facts_read(c) for c in cond.items))
    if isinstance(cond, (Not, Decided, FirstTime)):
        return _facts_read(cond.item)
    return _facts_read(cond.if_) | _facts_read(cond.then)  # Implies


def _parse_items_count(node: dict, loc: str, ctx: Ctx) -> Atom:
    check_keys(node, {"items", "where", "op", "value", "years", "label", "optional"}, loc)
    ref = items_ref(node, loc, ctx)
    op_text = require(node, "op", loc)
    if op_text not in ORDER_OPS:
        raise _err(ErrorCode.BAD_OPERATOR, f"未知运算符 {op_text!r} / unknown operator", f"{loc}.op")
    canonical, convention_word = ORDER_OPS[op_text]
    if convention_word is not None:
        inclusive = ctx.convention[convention_word]
        canonical = ("ge" if inclusive else "gt") if convention_word == "以上" else ("le" if inclusive else "lt")
    threshold = _parse_count(require(node, "value", loc), f"{loc}.value")
    word = op_text if not op_text.isascii() else WORD_FOR[canonical]
    return Atom(f"items:{ref.kind}", canonical, threshold, None, word, f"{int(threshold)}项", loc,
                node.get("label") or f"{ref.label}数量", items=ref)


def _legacy_tags(node: dict, op_text: str, loc: str) -> Condition:
    values = str_list(node.get("value"), f"{loc}.value")
    for v in values:
        if v not in F.QUALIFICATIONS and v not in F.LEGACY_TAGS:
            raise _err(ErrorCode.BAD_VALUE, f"未知标签 {v!r} / unknown tag", f"{loc}.value")
    if op_text == "has" and len(values) != 1:
        raise _err(ErrorCode.BAD_VALUE, "has 只接受一个标签 / has takes one tag", f"{loc}.value")
    atoms = [_parse_qualification({"qualification": v, "op": "not_held" if op_text == "has_none" else "held"}, loc,
                                  label=F.tag_label(v), field_name="tags") for v in values]
    if len(atoms) == 1:
        return atoms[0]
    return AnyOf(tuple(atoms)) if op_text == "has_any" else All(tuple(atoms))


def _parse_atom(node: dict, loc: str, ctx: Ctx) -> Condition:
    check_keys(node, {"field", "op", "value", "inclusive", "label", "years", "first_time"}, loc)
    field_text = require(node, "field", loc)
    op_text = require(node, "op", loc)
    if not isinstance(op_text, str):
        raise _err(ErrorCode.BAD_OPERATOR, f"运算符应为文本 / operator must be text: {op_text!r}", f"{loc}.op")
    if not isinstance(field_text, str):
        raise _err(ErrorCode.UNKNOWN_FIELD, f"未知字段 {field_text!r} / unknown field", f"{loc}.field")
    value = node.get("value")
    label = node.get("label")
    if op_text == "known":
        if field_text in F.ATTRIBUTES and not ctx.item:
            spec = F.ATTRIBUTES[field_text]
            return Atom(field_text, "known", None, None, "known", "", loc, label or spec.label)
        operand = parse_operand(field_text, f"{loc}.field", ctx)
        return Atom(field_text, "known", None, operand, "known", "", loc, label or operand.label)

    if ctx.item and field_text in ctx.facts and ctx.facts[field_text].kind in ("category", "text"):
        return _category_atom(ctx.facts[field_text], node, op_text, loc, label)
    attr = None if ctx.item else F.ATTRIBUTES.get(field_text)
    if attr is not None:
        if attr.kind == "tags":
            if op_text not in OPS_BY_KIND["tags"]:
                raise _err(ErrorCode.BAD_OPERATOR, f"字段 tags 不支持运算符 {op_text!r} / bad operator", f"{loc}.op")
            return _legacy_tags(node, op_text, loc)
        allowed = OPS_BY_KIND[attr.kind]
        if op_text not in allowed:
            raise _err(
                ErrorCode.BAD_OPERATOR,
                f"字段 {field_text} 不支持运算符 {op_text!r}(可用: {', '.join(sorted(allowed))}) / "
                f"operator {op_text!r} not allowed on {field_text!r}",
                f"{loc}.op",
            )
        if "inclusive" in node or "years" in node or "first_time" in node:
            bad = next(k for k in ("inclusive", "years", "first_time") if k in node)
            raise _err(ErrorCode.UNKNOWN_KEY, f"{bad} 只用于数值比较 / {bad} only applies to numeric comparisons",
                       f"{loc}.{bad}")
        if field_text == "high_tech_cert_date":
            return _parse_qualification({"qualification": "high_tech", "op": op_text, "value": value}, loc,
                                        label=label or attr.label, field_name=field_text)
        if field_text == "high_tech_first_cert":
            if not isinstance(value, bool):
                raise _err(ErrorCode.BAD_VALUE, "应为 true 或 false / expected true or false", f"{loc}.value")
            return _parse_qualification({"qualification": "high_tech", "op": "first" if value else "renewed"}, loc,
                                        label=label or attr.label, field_name=field_text)
        if attr.kind in ("category", "text", "code"):
            return _category_atom(attr, node, op_text, loc, label)
        if attr.kind == "bool":
            if not isinstance(value, bool):
                raise _err(ErrorCode.BAD_VALUE, "应为 true 或 false / expected true or false", f"{loc}.value")
            return Atom(field_text, "is", value, None, "is", "是" if value else "否", loc, label or attr.label)
        value, shown = _date_value(op_text, value, f"{loc}.value")
        return Atom(field_text, op_text, value, None, op_text, shown, loc, label or attr.label)

    operand = parse_operand(field_text, f"{loc}.field", ctx)
    kind = operand.unit_kind
    first_time = bool(node.get("first_time", False))
    if op_text in FIRST_TIME_OPS:
        first_time, op_text = True, FIRST_TIME_OPS[op_text]
    if "first_time" in node and not isinstance(node["first_time"], bool):
        raise _err(ErrorCode.BAD_VALUE, "first_time 应为 true/false / expected true or false", f"{loc}.first_time")
    if first_time and (operand.kind != "value" or kind not in F.SCALE or ctx.item):
        raise _err(ErrorCode.BAD_VALUE, "“首次”只用于某项指标本年度的数值 / first-time applies to an indicator's value",
                   f"{loc}.op")
    years = node.get("years")
    if years is not None:
        years = _positive_int(years, f"{loc}.years")
        if ctx.item or operand.kind in ("sum", "avg") or operand.a[1] != 0:
            raise _err(ErrorCode.BAD_VALUE, "years(连续N年)只用于本年度的指标值、增量或比重 / years applies to "
                       "policy-year values", f"{loc}.years")
        if first_time:
            raise _err(ErrorCode.CONTRADICTION, "“首次”与“连续N年”不能同用 / first-time with years", f"{loc}.years")
    if kind == "date":
        if op_text not in DATE_OPS:
            raise _err(ErrorCode.BAD_OPERATOR, f"日期不支持运算符 {op_text!r} / bad date operator", f"{loc}.op")
        value, shown = _date_value(op_text, value, f"{loc}.value")
        atom = Atom(field_text, op_text, value, operand, op_text, shown, loc, label or operand.label)
        return _each_year(atom, years)
    if kind == "bool":
        if op_text != "is" or not isinstance(value, bool):
            raise _err(ErrorCode.BAD_OPERATOR, "是/否指标用 op: is, value: true/false / use is with true or false",
                       f"{loc}.op")
        atom = Atom(field_text, "is", value, operand, "is", "是" if value else "否", loc, label or operand.label)
        return _each_year(atom, years)
    spec = ctx.facts.get(operand.a[0]) if ctx.item else F.INDICATORS.get(operand.a[0])
    if kind == "level":
        assert spec is not None
        if op_text in ("in", "not_in"):
            names = str_list(value, f"{loc}.value")
            index = {spec.choices.index(v) for v in names if v in spec.choices}
            bad = [v for v in names if v not in spec.choices]
            if bad:
                raise _err(ErrorCode.UNKNOWN_LEVEL, f"{spec.label}没有等级 {bad[0]!r}(可用:{'、'.join(spec.choices)}) / "
                           "unknown level", f"{loc}.value")
            atom = Atom(field_text, op_text, frozenset(index), operand, op_text, "、".join(names), loc,
                        label or operand.label)
            return _each_year(atom, years)
    if op_text not in ORDER_OPS:
        raise _err(
            ErrorCode.BAD_OPERATOR,
            f"未知运算符 {op_text!r} / unknown operator {op_text!r} (e.g. 高于, 以上, 不超过, >, >=)",
            f"{loc}.op",
        )
    canonical, convention_word = ORDER_OPS[op_text]
    if convention_word is not None:
        inclusive = ctx.convention[convention_word]
        canonical = ("ge" if inclusive else "gt") if convention_word == "以上" else ("le" if inclusive else "lt")
    if "inclusive" in node:
        inclusive = node["inclusive"]
        if not isinstance(inclusive, bool) or canonical in ("eq", "ne"):
            raise _err(ErrorCode.BAD_VALUE, "inclusive 应为 true/false,且只用于大小比较 / bad inclusive", f"{loc}.inclusive")
        if canonical in ("gt", "ge"):
            canonical = "ge" if inclusive else "gt"
        else:
            canonical = "le" if inclusive else "lt"
    if value is None:
        raise _err(ErrorCode.MISSING_KEY, "缺少比较值 'value' / missing key 'value'", loc)
    if kind == "level":
        assert spec is not None
        if not isinstance(value, str) or value not in spec.choices:
            raise _err(ErrorCode.UNKNOWN_LEVEL, f"{spec.label}没有等级 {value!r}(可用:{'、'.join(spec.choices)}) / "
                       "unknown level", f"{loc}.value")
        threshold: Fraction = Fraction(spec.choices.index(value))
        display = value
    else:
        threshold = parse_quantity(value, kind, operand.unit, f"{loc}.value")
        display = fmt_scaled(threshold, kind, operand.unit)
        if kind == "ratio" and not operand.is_ratio:
            pass  # the evaluator scales ratio indicators (millionths) against the plain threshold
    word = op_text if not op_text.isascii() and "inclusive" not in node else WORD_FOR[canonical]
    atom = Atom(field_text, canonical, threshold, operand, word, display, loc, label or operand.label,
                first_time=first_time)
    return _each_year(atom, years)


def _each_year(atom: Atom, years: int | None) -> Condition:
    """连续N年: the same comparison in the policy year and the N-1 years before, each reported."""
    if not years or years == 1:
        return atom
    assert atom.operand is not None
    parts = []
    for k in range(years):
        op = _shift(atom.operand, k)
        parts.append(replace(atom, operand=op, label=op.label if k else atom.label))
    return All(tuple(parts))


def _category_atom(attr: F.FieldSpec, node: dict, op_text: str, loc: str, label: Any) -> Atom:
    allowed = OPS_BY_KIND.get(attr.kind, set())
    if op_text not in allowed:
        raise _err(ErrorCode.BAD_OPERATOR,
                   f"字段 {attr.name} 不支持运算符 {op_text!r}(可用: {', '.join(sorted(allowed))}) / "
                   f"operator {op_text!r} not allowed on {attr.name!r}", f"{loc}.op")
    for key in ("inclusive", "years", "first_time"):
        if key in node:
            raise _err(ErrorCode.UNKNOWN_KEY, f"{key} 只用于数值比较 / {key} only applies to numeric comparisons",
                       f"{loc}.{key}")
    vloc = f"{loc}.value"
    values = str_list(node.get("value"), vloc)
    if attr.kind == "category":
        bad = [v for v in values if v not in attr.choices]
        if bad:
            raise _err(ErrorCode.BAD_VALUE, f"{attr.label} 无此取值 {bad[0]!r} / not a valid {attr.name}", vloc)
    if attr.kind == "code":
        display = "、".join(F.code_display(attr.name, v) for v in values)
    else:
        display = "、".join(F.CATEGORY_LABELS.get(v, v) for v in values)
    return Atom(attr.name, op_text, values, None, op_text, display, loc, label or attr.label)


# --------------------------------------------------------------------------- formulas


def parse_formula(node: Any, loc: str, ctx: Ctx, whens: list[Condition]) -> Formula:
    if not isinstance(node, dict):
        raise _err(ErrorCode.BAD_VALUE, f"补助公式应为映射,实际为 {node!r} / expected a benefit formula", loc)
    kinds = [k for k in ("fixed", "rate", "per_unit", "tiers", "cases", "sum", "items") if k in node]
    if len(kinds) != 1:
        raise _err(
            ErrorCode.BAD_VALUE,
            "补助公式须且只能有 fixed / rate / per_unit / tiers / cases / sum / items 之一 / "
            "a benefit needs exactly one of fixed, rate, per_unit, tiers, cases, sum, items",
            loc,
        )
    kind = kinds[0]
    common = {"cap", "cap_to", "cap_label"}
    inner: Formula
    if kind == "fixed":
        check_keys(node, {"fixed"} | common, loc)
        inner = Fixed(parse_amount_fen(node["fixed"], f"{loc}.fixed"))
    elif kind in ("rate", "per_unit"):
        check_keys(node, {kind, "base"} | common, loc)
        base = parse_operand(require(node, "base", loc), f"{loc}.base", ctx)
        if base.is_ratio or base.unit_kind not in ("money", "count", "quantity"):
            raise _err(ErrorCode.BAD_VALUE, "补助基数须为金额、计数或计量值 / a benefit base must be money, a count or a "
                       "quantity", f"{loc}.base")
        if kind == "rate":
            if base.unit_kind != "money":
                raise _err(ErrorCode.BAD_UNIT, "rate 的基数须为金额;计数请用 per_unit / rate needs a money base", f"{loc}.base")
            factor = parse_quantity(node["rate"], "ratio", "", f"{loc}.rate")
            text = str(node["rate"]).strip()
        else:
            if base.unit_kind == "money":
                raise _err(ErrorCode.BAD_UNIT, "per_unit 的基数须为计数 / per_unit needs a count base", f"{loc}.base")
            per = parse_amount_fen(node["per_unit"], f"{loc}.per_unit")
            factor = Fraction(per) / F.SCALE[base.unit_kind]
            text = f"{str(node['per_unit']).strip()}/{F.UNIT_NAMES.get(base.unit, base.unit)}"
        inner = Multiply(base, factor, text, optional=_optional(base, ctx))
    elif kind == "tiers":
        check_keys(node, {"tiers"} | common, loc)
        tiers = node["tiers"]
        check_keys(tiers, {"base", "brackets"}, f"{loc}.tiers")
        base = parse_operand(require(tiers, "base", f"{loc}.tiers"), f"{loc}.tiers.base", ctx)
        if base.unit_kind not in F.SCALE:
            raise _err(ErrorCode.BAD_VALUE, "分档基数须为数值 / tiers need a numeric base", f"{loc}.tiers.base")
        brackets = require(tiers, "brackets", f"{loc}.tiers")
        if not isinstance(brackets, list) or not brackets:
            raise _err(ErrorCode.BAD_VALUE, "brackets 应为非空列表 / brackets must be a non-empty list", f"{loc}.tiers.brackets")
        parsed = []
        for i, b in enumerate(brackets):
            bloc = f"{loc}.tiers.brackets[{i}]"
            check_keys(b, {"from", "amount"}, bloc)
            lower = parse_quantity(require(b, "from", bloc), base.unit_kind, base.unit, f"{bloc}.from")
            amount = parse_amount_fen(require(b, "amount", bloc), f"{bloc}.amount")
            parsed.append((lower, amount, fmt_scaled(lower, base.unit_kind, base.unit)))
        if [p[0] for p in parsed] != sorted({p[0] for p in parsed}):
            raise _err(ErrorCode.BAD_VALUE, "分档下限须严格递增 / bracket bounds must strictly increase", f"{loc}.tiers.brackets")
        inner = Tiers(base, tuple(parsed), optional=_optional(base, ctx))
    elif kind == "cases":
        check_keys(node, {"cases"} | common, loc)
        cases = node["cases"]
        if not isinstance(cases, list) or not cases:
            raise _err(ErrorCode.BAD_VALUE, "cases 应为非空列表 / cases must be a non-empty list", f"{loc}.cases")
        parsed_cases = []
        case_whens = []
        for i, c in enumerate(cases):
            cloc = f"{loc}.cases[{i}]"
            check_keys(c, {"when", "benefit"}, cloc)
            cond = parse_condition(require(c, "when", cloc), f"{cloc}.when", ctx)
            case_whens.append(cond)
            parsed_cases.append((cond, parse_formula(require(c, "benefit", cloc), f"{cloc}.benefit", ctx, whens)))
        whens.append(case_whens[0] if len(case_whens) == 1 else AnyOf(tuple(case_whens)))
        inner = Cases(tuple(parsed_cases))
    elif kind == "items":
        check_keys(node, {"items"} | common, loc)
        spec = node["items"]
        check_keys(spec, {"of", "where", "each", "optional", "years", "label"}, f"{loc}.items")
        if ctx.item:
            raise _err(ErrorCode.BAD_VALUE, "事项内不能再引用事项 / items inside items", f"{loc}.items")
        ref = items_ref(spec, f"{loc}.items", ctx, each=require(spec, "each", f"{loc}.items"))
        inner = Items(ref, ref.each, ref.label)  # type: ignore[arg-type]
    else:
        check_keys(node, {"sum"} | common, loc)
        items = node["sum"]
        if not isinstance(items, list) or not items:
            raise _err(ErrorCode.BAD_VALUE, "sum 应为非空列表 / sum must be a non-empty list", f"{loc}.sum")
        inner = Sum(tuple(parse_formula(n, f"{loc}.sum[{i}]", ctx, whens) for i, n in enumerate(items)))
    if "cap" in node or "cap_to" in node:
        limit = parse_amount_fen(node["cap"], f"{loc}.cap") if "cap" in node else None
        limit_ref = None
        if "cap_to" in node:
            limit_ref = parse_operand(node["cap_to"], f"{loc}.cap_to", ctx)
            if limit_ref.unit_kind != "money" or limit_ref.kind not in ("value", "increase", "sum"):
                raise _err(ErrorCode.BAD_UNIT, "cap_to 须引用金额(本年或某年的值、增量或合计) / cap_to must name a money "
                           "value", f"{loc}.cap_to")
            if limit_ref.ref in ctx.optional:
                raise _err(ErrorCode.BAD_VALUE, "上限所依据的数值不能是可选项:缺少它就无法核定上限 / the value a cap is "
                           "bound to cannot be optional", f"{loc}.cap_to")
        label = node.get("cap_label") or "最高补助"
        if not isinstance(label, str) or not label.strip():
            raise _err(ErrorCode.BAD_VALUE, "cap_label 应为非空文本 / expected text", f"{loc}.cap_label")
        inner = Cap(inner, limit, limit_ref, label)
    elif "cap_label" in node:
        raise _err(ErrorCode.UNKNOWN_KEY, "cap_label 需与 cap 或 cap_to 同用 / cap_label needs cap or cap_to", f"{loc}.cap_label")
    return inner


def _optional(base: Operand, ctx: Ctx) -> bool:
    if base.ref in ctx.optional:
        ctx.used.add(base.ref)
        return True
    return False


def _known(op: Operand, loc: str) -> Atom:
    return Atom(op.ref, "known", None, op, "known", "", loc, op.label)


def requirement(formula: Formula, ctx: Ctx, loc: str) -> Condition | None:
    """The data a formula needs, as a condition: every base and cap bound must be known unless
    declared optional; a case's formula needs its data only when that case applies, and a case
    applies only when every earlier case is decided; items need at least one counted item."""
    if isinstance(formula, Fixed):
        return None
    if isinstance(formula, (Multiply, Tiers)):
        return None if formula.optional else _known(formula.base, loc)
    if isinstance(formula, Sum):
        parts = [r for r in (requirement(f, ctx, loc) for f in formula.items) if r is not None]
        return _all(parts)
    if isinstance(formula, Cap):
        parts = [r for r in (requirement(formula.inner, ctx, loc),) if r is not None]
        if formula.limit_ref is not None:
            parts.append(_known(formula.limit_ref, loc))
        return _all(parts)
    if isinstance(formula, Items):
        ref = formula.ref
        return Atom(f"items:{ref.kind}", "ge", Fraction(1), None, "不少于", "1项", loc, f"{ref.label}数量", items=ref)
    assert isinstance(formula, Cases)
    parts: list[Condition] = []
    whens = [w for w, _ in formula.cases]
    for i, (when, inner) in enumerate(formula.cases):
        if i:
            parts.append(Implies(when, _all([Decided(w, "判断是否适用前一档") for w in whens[:i]])))  # type: ignore[arg-type]
        need = requirement(inner, ctx, loc)
        if need is not None:
            chosen = _all([when, *(Not(w) for w in whens[:i])])
            parts.append(Implies(chosen, need))  # type: ignore[arg-type]
    return _all(parts)


def _all(parts: list[Condition]) -> Condition | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else All(tuple(parts))


def formula_operands(formula: Formula) -> list[Operand]:
    if isinstance(formula, (Multiply, Tiers)):
        return [formula.base]
    if isinstance(formula, Cases):
        return [op for _, f in formula.cases for op in formula_operands(f)]
    if isinstance(formula, Sum):
        return [op for f in formula.items for op in formula_operands(f)]
    if isinstance(formula, Cap):
        return formula_operands(formula.inner) + ([formula.limit_ref] if formula.limit_ref else [])
    return []


# --------------------------------------------------------------------------- contradictions


def _conjuncts(cond: Condition) -> list[Condition]:
    if isinstance(cond, All):
        return [x for c in cond.items for x in _conjuncts(c)]
    return [cond]


def check_contradictions(cond: Condition) -> None:
    """Refuse an ``all`` whose atoms cannot hold together (``rules.contradiction``): numeric
    bounds on one value that leave nothing, two different ``等于``, categories or prefixes
    required and excluded, a qualification required and excluded, disjoint date windows. Nested
    ``all``/``any``/``not`` are checked recursively (each ``all`` on its own)."""
    _check(cond)


def _check(cond: Condition) -> None:
    if isinstance(cond, (AnyOf,)):
        for c in cond.items:
            _check(c)
        return
    if isinstance(cond, (Not, Decided, FirstTime)):
        _check(cond.item)
        return
    if isinstance(cond, Implies):
        _check(cond.then)
        return
    if not isinstance(cond, All):
        return
    parts = _conjuncts(cond)
    for c in parts:
        if not isinstance(c, Atom):
            _check(c)
    atoms = [c for c in parts if isinstance(c, Atom)]
    _numeric_bounds(atoms)
    _categories(atoms)
    _qualifications(atoms)
    _date_windows(atoms)


def _contradiction(a: Atom, b: Atom, why: str) -> RulesError:
    return _err(ErrorCode.CONTRADICTION,
                f"条件互相矛盾:「{b.label}{b.word}{b.display}」与「{a.label}{a.word}{a.display}」不可能同时满足({why}) / "
                f"the conditions contradict each other", b.location)


def _numeric_bounds(atoms: list[Atom]) -> None:
    groups: dict[str, list[Atom]] = {}
    for a in atoms:
        if a.operand is not None and a.op in WORD_FOR and not a.first_time and a.operand.unit_kind not in ("date", "bool"):
            groups.setdefault(f"{a.operand.scope}:{a.operand.ref}", []).append(a)
    for group in groups.values():
        lo: tuple[Fraction, bool, Atom] | None = None  # (bound, inclusive, atom)
        hi: tuple[Fraction, bool, Atom] | None = None
        eq: tuple[Fraction, Atom] | None = None
        nes: list[tuple[Fraction, Atom]] = []
        for a in group:
            v = Fraction(a.value)  # type: ignore[arg-type]
            if a.op in ("gt", "ge"):
                inc = a.op == "ge"
                if lo is None or v > lo[0] or (v == lo[0] and not inc):
                    lo = (v, inc, a)
            elif a.op in ("lt", "le"):
                inc = a.op == "le"
                if hi is None or v < hi[0] or (v == hi[0] and not inc):
                    hi = (v, inc, a)
            elif a.op == "eq":
                if eq is not None and eq[0] != v:
                    raise _contradiction(eq[1], a, "两个不同的等值")
                eq = (v, a)
            else:
                nes.append((v, a))
            if lo and hi and (lo[0] > hi[0] or (lo[0] == hi[0] and not (lo[1] and hi[1]))):
                other = lo[2] if a is hi[2] else hi[2]
                raise _contradiction(other, a, "下限高于上限")
            if eq and lo and (eq[0] < lo[0] or (eq[0] == lo[0] and not lo[1])):
                raise _contradiction(lo[2] if a is eq[1] else eq[1], a, "等值低于下限")
            if eq and hi and (eq[0] > hi[0] or (eq[0] == hi[0] and not hi[1])):
                raise _contradiction(hi[2] if a is eq[1] else eq[1], a, "等值高于上限")
            for v2, b in nes:
                if eq and eq[0] == v2:
                    raise _contradiction(b if a is eq[1] else eq[1], a, "既等于又不等于同一值")
        op0 = group[0].operand if group else None
        if lo and hi and op0 is not None and op0.kind == "value" and op0.unit_kind in ("count", "level"):
            # whole numbers: 高于 3 且 低于 4 leaves nothing
            low = -((-lo[0]) // 1) if lo[1] else lo[0] // 1 + 1
            high = hi[0] // 1 if hi[1] else -((-hi[0]) // 1) - 1
            if low > high:
                raise _contradiction(lo[2], hi[2], "之间没有整数")


def _categories(atoms: list[Atom]) -> None:
    groups: dict[str, list[Atom]] = {}
    for a in atoms:
        if a.operand is None and a.op in ("in", "not_in", "prefix", "not_prefix") and a.qual is None:
            groups.setdefault(a.field, []).append(a)
        elif a.operand is not None and a.op in ("in", "not_in"):
            groups.setdefault(a.operand.ref, []).append(a)
    for group in groups.values():
        allowed: tuple[set, Atom] | None = None
        excluded: list[tuple[set, Atom]] = []
        prefixes: list[tuple[tuple, Atom]] = []
        not_prefixes: list[tuple[tuple, Atom]] = []
        for a in group:
            values = set(a.value)  # type: ignore[arg-type]
            if a.op == "in":
                if allowed is not None and not (allowed[0] & values):
                    raise _contradiction(allowed[1], a, "取值范围没有交集")
                allowed = (values if allowed is None else allowed[0] & values, a)
            elif a.op == "not_in":
                excluded.append((values, a))
            elif a.op == "prefix":
                prefixes.append((tuple(values), a))
            else:
                not_prefixes.append((tuple(values), a))
            if allowed is not None:
                for values_x, b in excluded:
                    if allowed[0] <= values_x:
                        raise _contradiction(b if a is allowed[1] else allowed[1], a, "要求的取值全被排除")
            for pre, b in prefixes:
                for npre, c in not_prefixes:
                    if all(any(p.startswith(q) for q in npre) for p in pre):
                        raise _contradiction(b if a is c else c, a, "要求的行业全被排除")


def _qualifications(atoms: list[Atom]) -> None:
    held: dict[str, list[tuple[frozenset[int] | None, Atom]]] = {}
    for a in atoms:
        if a.qual is not None and a.op in ("held", "not_held"):
            held.setdefault(a.qual.code, []).append((a.qual.levels, a))
    for code, rows in held.items():
        spec = F.QUALIFICATIONS[code]
        every = frozenset(range(max(len(spec.levels), 1)))
        needs = [(lv if lv is not None else every, a) for lv, a in rows if a.op != "not_held"]
        bans = [(lv if lv is not None else every, a) for lv, a in rows if a.op == "not_held"]
        for lv, a in needs:
            for blv, b in bans:
                if lv <= blv:
                    later, earlier = (a, b) if a.location > b.location else (b, a)
                    raise _contradiction(earlier, later, "同一资质既要求又排除")


def _date_windows(atoms: list[Atom]) -> None:
    groups: dict[str, list[Atom]] = {}
    for a in atoms:
        if a.op in ("before", "on_or_after", "between") and (a.qual is None or a.qual.date == "first"):
            key = a.operand.ref if a.operand is not None else a.field
            groups.setdefault(key, []).append(a)
    for group in groups.values():
        lo: tuple[dt.date, Atom] | None = None
        hi: tuple[dt.date, Atom] | None = None
        for a in group:
            if a.op == "between":
                first, last = a.value  # type: ignore[misc]
                candidates = [("lo", first), ("hi", last)]
            elif a.op == "on_or_after":
                candidates = [("lo", a.value)]
            else:
                candidates = [("hi", a.value - dt.timedelta(days=1))]  # type: ignore[operator]
            for side, day in candidates:
                if side == "lo" and (lo is None or day > lo[0]):
                    lo = (day, a)
                if side == "hi" and (hi is None or day < hi[0]):
                    hi = (day, a)
            if lo and hi and lo[0] > hi[0]:
                raise _contradiction(lo[1] if a is hi[1] else hi[1], a, "日期区间没有交集")

