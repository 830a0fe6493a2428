"""Load and validate rule files (YAML) into the frozen model of :mod:`.model`.

One YAML file per policy; its test cases live in ``tests/<same name>.yaml`` beside it. Every
problem raises :class:`RulesError` with a stable code and a ``file: path`` location, e.g.
``p03_rd_award.yaml: versions[0].clauses[0].conditions.all[1].op``. The format is described in
``docs/decisions/0101-policy-rules-format.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from . import fields as F
from ._errors import ErrorCode, RulesError
from .budget import FIRST_COME, SHORTFALL_RULES
from .model import (
    All, AnyOf, Atom, Cap, Cases, Clause, Condition, Fixed, Formula, Group, Multiply, Not,
    Operand, Policy, PolicyVersion, Registry, Sum, Tiers,
)
from .types import fmt_scaled, parse_amount_fen, parse_quantity

__all__ = [
    "load_registry",
    "load_policy_file",
    "load_policy_text",
    "load_test_cases",
    "load_test_cases_text",
    "TestCase",
    "parse_operand",
    "DEFAULT_RULESETS_DIR",
]

DEFAULT_RULESETS_DIR = Path(__file__).resolve().parents[2] / "policies" / "rulesets"

# wording -> (canonical op, whether the word's strictness follows the 以上/以下 convention)
_ORDER_OPS: dict[str, tuple[str, str | None]] = {
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
_WORD_FOR = {"gt": "高于", "ge": "不低于", "lt": "低于", "le": "不高于", "eq": "等于", "ne": "不等于"}
_OPS_BY_KIND: dict[str, set[str]] = {
    "category": {"in", "not_in"},
    "text": {"in", "not_in"},
    "code": {"prefix", "not_prefix"},
    "tags": {"has", "has_any", "has_all", "has_none"},
    "bool": {"is"},
    "date": {"in_policy_year", "before", "on_or_after", "within_years"},
}
_CONVENTION_DEFAULT = {"以上": True, "以下": True}  # 《民法典》第1259条: 以上、以下 包括本数

_REF = re.compile(r"^([a-z_][a-z0-9_]*)(@prev)?$")


@dataclass(frozen=True)
class TestCase:
    """One YAML test case: an enterprise record and the expected answer per clause."""

    __test__ = False  # not a pytest class

    policy_id: str
    name: str
    year: int
    record: dict[str, Any]
    expected: dict[str, tuple[bool, Decimal]]  # clause id -> (eligible, amount yuan)
    failing: dict[str, tuple[str, ...]]  # clause id -> fields expected among the misses
    location: str


def _err(code: str, message: str, loc: str) -> RulesError:
    return RulesError(code, message, loc)


def _require(mapping: Any, key: str, loc: str) -> Any:
    if not isinstance(mapping, dict):
        raise _err(ErrorCode.BAD_VALUE, f"应为映射 / expected a mapping", loc)
    if key not in mapping:
        raise _err(ErrorCode.MISSING_KEY, f"缺少必填项 {key!r} / missing key {key!r}", loc)
    return mapping[key]


def _check_keys(mapping: Any, allowed: set[str], loc: str) -> None:
    if not isinstance(mapping, dict):
        raise _err(ErrorCode.BAD_VALUE, "应为映射 / expected a mapping", loc)
    unknown = sorted(set(mapping) - allowed)
    if unknown:
        raise _err(
            ErrorCode.UNKNOWN_KEY,
            f"未知配置项 {unknown[0]!r} / unknown key {unknown[0]!r} (allowed: {', '.join(sorted(allowed))})",
            f"{loc}.{unknown[0]}",
        )


def _date(value: Any, loc: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _err(ErrorCode.BAD_VALUE, f"日期格式应为 YYYY-MM-DD,实际为 {value!r} / bad date", loc)


def _str(value: Any, loc: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _err(ErrorCode.BAD_VALUE, f"应为非空文本,实际为 {value!r} / expected text", loc)
    return value


def _str_list(value: Any, loc: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise _err(ErrorCode.BAD_VALUE, f"应为文本列表,实际为 {value!r} / expected a list of text", loc)
    return tuple(value)


# --------------------------------------------------------------------------- operands


def _indicator(name: str, loc: str) -> F.FieldSpec:
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


def _side(text: str, loc: str) -> tuple[str, int, F.FieldSpec]:
    m = _REF.match(text.strip())
    if not m:
        raise _err(ErrorCode.UNKNOWN_FIELD, f"无法识别的指标引用 {text!r} / bad indicator reference", loc)
    spec = _indicator(m.group(1), loc)
    return m.group(1), (-1 if m.group(2) else 0), spec


def _side_label(spec: F.FieldSpec, offset: int) -> str:
    return f"上年度{spec.label}" if offset == -1 else spec.label


def parse_operand(text: Any, loc: str) -> Operand:
    """Parse an indicator reference (``rd_expense``, ``rd_expense@prev``, ``x.yoy_increase``,
    ``x.yoy_growth``, ``a/b``) checked against the field catalogue.

    Examples:
        >>> op = parse_operand("rd_expense.yoy_increase", "x")
        >>> op.kind, op.a, op.b, op.unit_kind, op.label
        ('increase', ('rd_expense', 0), ('rd_expense', -1), 'money', '研发经费支出较上年增量')
        >>> parse_operand("rd_expense/revenue", "x").label
        '研发经费支出占营业收入比重'
        >>> parse_operand("rd_spend", "x")
        Traceback (most recent call last):
        ...
        innolink.engines.rules._errors.RulesError: [rules.unknown_field] 未知指标 'rd_spend' / unknown indicator 'rd_spend' (at x)
    """
    if not isinstance(text, str):
        raise _err(ErrorCode.BAD_VALUE, f"指标引用应为文本,实际为 {text!r} / expected a reference", loc)
    ref = text.strip()
    if "/" in ref:
        left, _, right = ref.partition("/")
        a_name, a_off, a_spec = _side(left, loc)
        b_name, b_off, b_spec = _side(right, loc)
        if a_spec.kind != b_spec.kind:
            raise _err(ErrorCode.BAD_VALUE, f"比重的分子分母单位不同 / share of unlike units in {ref!r}", loc)
        label = f"{_side_label(a_spec, a_off)}占{_side_label(b_spec, b_off)}比重"
        return Operand(ref, "share", (a_name, a_off), (b_name, b_off), "ratio", "", label)
    for suffix, kind in ((".yoy_increase", "increase"), (".yoy_growth", "growth")):
        if ref.endswith(suffix):
            name = ref[: -len(suffix)]
            spec = _indicator(name, loc)
            if kind == "increase":
                return Operand(ref, kind, (name, 0), (name, -1), spec.kind, spec.unit, f"{spec.label}较上年增量")
            return Operand(ref, kind, (name, 0), (name, -1), "ratio", "", f"{spec.label}较上年增长率")
    name, offset, spec = _side(ref, loc)
    return Operand(ref, "value", (name, offset), None, spec.kind, spec.unit, _side_label(spec, offset))


# --------------------------------------------------------------------------- conditions


def _parse_condition(node: Any, loc: str, convention: dict[str, bool]) -> Condition:
    if isinstance(node, list):
        return All(tuple(_parse_condition(n, f"{loc}[{i}]", convention) for i, n in enumerate(node)))
    if not isinstance(node, dict):
        raise _err(ErrorCode.BAD_VALUE, f"条件应为映射或列表,实际为 {node!r} / expected a condition", loc)
    for key, cls in (("all", All), ("any", AnyOf)):
        if key in node:
            _check_keys(node, {key}, loc)
            items = node[key]
            if not isinstance(items, list) or not items:
                raise _err(ErrorCode.BAD_VALUE, f"{key} 应为非空列表 / {key} needs a non-empty list", f"{loc}.{key}")
            return cls(tuple(_parse_condition(n, f"{loc}.{key}[{i}]", convention) for i, n in enumerate(items)))
    if "not" in node:
        _check_keys(node, {"not"}, loc)
        return Not(_parse_condition(node["not"], f"{loc}.not", convention))
    return _parse_atom(node, loc, convention)


def _parse_atom(node: dict, loc: str, convention: dict[str, bool]) -> Atom:
    _check_keys(node, {"field", "op", "value", "inclusive", "label"}, loc)
    field_text = _require(node, "field", loc)
    op_text = _require(node, "op", loc)
    if not isinstance(op_text, str):
        raise _err(ErrorCode.BAD_OPERATOR, f"运算符应为文本 / operator must be text: {op_text!r}", f"{loc}.op")
    if not isinstance(field_text, str):
        raise _err(ErrorCode.UNKNOWN_FIELD, f"未知字段 {field_text!r} / unknown field", f"{loc}.field")
    value = node.get("value")
    label = node.get("label")
    if op_text == "known":
        if field_text in F.ATTRIBUTES:
            spec = F.ATTRIBUTES[field_text]
            return Atom(field_text, "known", None, None, "known", "", loc, label or spec.label)
        operand = parse_operand(field_text, f"{loc}.field")
        return Atom(field_text, "known", None, operand, "known", "", loc, label or operand.label)

    attr = F.ATTRIBUTES.get(field_text)
    if attr is not None:
        allowed = _OPS_BY_KIND[attr.kind]
        if op_text not in allowed:
            raise _err(
                ErrorCode.BAD_OPERATOR,
                f"字段 {field_text} 不支持运算符 {op_text!r}(可用: {', '.join(sorted(allowed))}) / "
                f"operator {op_text!r} not allowed on {field_text!r}",
                f"{loc}.op",
            )
        if "inclusive" in node:
            raise _err(ErrorCode.UNKNOWN_KEY, "inclusive 只用于数值比较 / inclusive only applies to numeric comparisons", f"{loc}.inclusive")
        vloc = f"{loc}.value"
        if attr.kind in ("category", "text", "code", "tags"):
            values = _str_list(value, vloc)
            if attr.kind == "category":
                bad = [v for v in values if v not in attr.choices]
                if bad:
                    raise _err(ErrorCode.BAD_VALUE, f"{attr.label} 无此取值 {bad[0]!r} / not a valid {field_text}", vloc)
            if attr.kind == "tags":
                bad = [v for v in values if v not in F.TAGS]
                if bad:
                    raise _err(ErrorCode.BAD_VALUE, f"未知标签 {bad[0]!r} / unknown tag", vloc)
                if op_text == "has" and len(values) != 1:
                    raise _err(ErrorCode.BAD_VALUE, "has 只接受一个标签 / has takes one tag", vloc)
            display = "、".join(F.TAG_LABELS.get(v, F.CATEGORY_LABELS.get(v, v)) for v in values)
            return Atom(field_text, op_text, values, None, op_text, display, loc, label or attr.label)
        if attr.kind == "bool":
            if not isinstance(value, bool):
                raise _err(ErrorCode.BAD_VALUE, f"应为 true 或 false / expected true or false", vloc)
            return Atom(field_text, "is", value, None, "is", "是" if value else "否", loc, label or attr.label)
        # date
        if op_text == "in_policy_year":
            offset = 0 if value is None else value
            if not isinstance(offset, int) or isinstance(offset, bool) or offset > 0:
                raise _err(ErrorCode.BAD_VALUE, "in_policy_year 的 value 应为 0 或负整数(年偏移) / year offset", vloc)
            return Atom(field_text, op_text, offset, None, op_text, "", loc, label or attr.label)
        if op_text == "within_years":
            if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
                raise _err(ErrorCode.BAD_VALUE, "within_years 应为正整数 / expected a positive integer", vloc)
            return Atom(field_text, op_text, value, None, op_text, f"{value}年", loc, label or attr.label)
        day = _date(value, vloc)
        return Atom(field_text, op_text, day, None, op_text, day.isoformat(), loc, label or attr.label)

    operand = parse_operand(field_text, f"{loc}.field")
    if op_text not in _ORDER_OPS:
        raise _err(
            ErrorCode.BAD_OPERATOR,
            f"未知运算符 {op_text!r} / unknown operator {op_text!r} (e.g. 高于, 以上, 不超过, >, >=)",
            f"{loc}.op",
        )
    canonical, convention_word = _ORDER_OPS[op_text]
    if convention_word is not None:
        inclusive = convention[convention_word]
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
    threshold = parse_quantity(value, operand.unit_kind, operand.unit, f"{loc}.value")
    # the wording as written when it is Chinese and was not overridden, else the canonical word
    word = op_text if not op_text.isascii() and "inclusive" not in node else _WORD_FOR[canonical]
    display = fmt_scaled(threshold, operand.unit_kind, operand.unit)
    return Atom(field_text, canonical, threshold, operand, word, display, loc, label or operand.label)


# --------------------------------------------------------------------------- formulas


def _parse_formula(node: Any, loc: str, convention: dict[str, bool], whens: list[Condition]) -> Formula:
    if not isinstance(node, dict):
        raise _err(ErrorCode.BAD_VALUE, f"补助公式应为映射,实际为 {node!r} / expected a benefit formula", loc)
    kinds = [k for k in ("fixed", "rate", "per_unit", "tiers", "cases", "sum") if k in node]
    if len(kinds) != 1:
        raise _err(
            ErrorCode.BAD_VALUE,
            "补助公式须且只能有 fixed / rate / per_unit / tiers / cases / sum 之一 / "
            "a benefit needs exactly one of fixed, rate, per_unit, tiers, cases, sum",
            loc,
        )
    kind = kinds[0]
    common = {"cap", "cap_to", "cap_label"}
    inner: Formula
    if kind == "fixed":
        _check_keys(node, {"fixed"} | common, loc)
        inner = Fixed(parse_amount_fen(node["fixed"], f"{loc}.fixed"))
    elif kind in ("rate", "per_unit"):
        _check_keys(node, {kind, "base"} | common, loc)
        base = parse_operand(_require(node, "base", loc), f"{loc}.base")
        if base.is_ratio:
            raise _err(ErrorCode.BAD_VALUE, "补助基数不能是比例 / a benefit base cannot be a ratio", f"{loc}.base")
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
            text = f"{str(node['per_unit']).strip()}/{base.unit}"
        inner = Multiply(base, factor, text)
    elif kind == "tiers":
        _check_keys(node, {"tiers"} | common, loc)
        tiers = node["tiers"]
        _check_keys(tiers, {"base", "brackets"}, f"{loc}.tiers")
        base = parse_operand(_require(tiers, "base", f"{loc}.tiers"), f"{loc}.tiers.base")
        brackets = _require(tiers, "brackets", f"{loc}.tiers")
        if not isinstance(brackets, list) or not brackets:
            raise _err(ErrorCode.BAD_VALUE, "brackets 应为非空列表 / brackets must be a non-empty list", f"{loc}.tiers.brackets")
        parsed = []
        for i, b in enumerate(brackets):
            bloc = f"{loc}.tiers.brackets[{i}]"
            _check_keys(b, {"from", "amount"}, bloc)
            lower = parse_quantity(_require(b, "from", bloc), base.unit_kind, base.unit, f"{bloc}.from")
            amount = parse_amount_fen(_require(b, "amount", bloc), f"{bloc}.amount")
            parsed.append((lower, amount, fmt_scaled(lower, base.unit_kind, base.unit)))
        if [p[0] for p in parsed] != sorted({p[0] for p in parsed}):
            raise _err(ErrorCode.BAD_VALUE, "分档下限须严格递增 / bracket bounds must strictly increase", f"{loc}.tiers.brackets")
        inner = Tiers(base, tuple(parsed))
    elif kind == "cases":
        _check_keys(node, {"cases"} | common, loc)
        cases = node["cases"]
        if not isinstance(cases, list) or not cases:
            raise _err(ErrorCode.BAD_VALUE, "cases 应为非空列表 / cases must be a non-empty list", f"{loc}.cases")
        parsed_cases = []
        case_whens = []
        for i, c in enumerate(cases):
            cloc = f"{loc}.cases[{i}]"
            _check_keys(c, {"when", "benefit"}, cloc)
            cond = _parse_condition(_require(c, "when", cloc), f"{cloc}.when", convention)
            case_whens.append(cond)
            parsed_cases.append((cond, _parse_formula(_require(c, "benefit", cloc), f"{cloc}.benefit", convention, whens)))
        whens.append(case_whens[0] if len(case_whens) == 1 else AnyOf(tuple(case_whens)))
        inner = Cases(tuple(parsed_cases))
    else:
        _check_keys(node, {"sum"} | common, loc)
        items = node["sum"]
        if not isinstance(items, list) or not items:
            raise _err(ErrorCode.BAD_VALUE, "sum 应为非空列表 / sum must be a non-empty list", f"{loc}.sum")
        inner = Sum(tuple(_parse_formula(n, f"{loc}.sum[{i}]", convention, whens) for i, n in enumerate(items)))
    if "cap" in node or "cap_to" in node:
        limit = parse_amount_fen(node["cap"], f"{loc}.cap") if "cap" in node else None
        limit_ref = None
        if "cap_to" in node:
            limit_ref = parse_operand(node["cap_to"], f"{loc}.cap_to")
            if limit_ref.unit_kind != "money":
                raise _err(ErrorCode.BAD_UNIT, "cap_to 须引用金额指标 / cap_to must name a money value", f"{loc}.cap_to")
        label = node.get("cap_label") or "最高补助"
        inner = Cap(inner, limit, limit_ref, _str(label, f"{loc}.cap_label"))
    elif "cap_label" in node:
        raise _err(ErrorCode.UNKNOWN_KEY, "cap_label 需与 cap 或 cap_to 同用 / cap_label needs cap or cap_to", f"{loc}.cap_label")
    return inner


def _formula_operands(formula: Formula) -> list[Operand]:
    if isinstance(formula, (Multiply, Tiers)):
        return [formula.base]
    if isinstance(formula, Cases):
        return [op for _, f in formula.cases for op in _formula_operands(f)]
    if isinstance(formula, Sum):
        return [op for f in formula.items for op in _formula_operands(f)]
    if isinstance(formula, Cap):
        return _formula_operands(formula.inner) + ([formula.limit_ref] if formula.limit_ref else [])
    return []


# --------------------------------------------------------------------------- policies


def _convention(node: Any, loc: str, base: dict[str, bool]) -> dict[str, bool]:
    if node is None:
        return dict(base)
    _check_keys(node, {"以上", "以下"}, loc)
    out = dict(base)
    for word, mode in node.items():
        if mode not in ("inclusive", "exclusive"):
            raise _err(ErrorCode.BAD_VALUE, f"{word} 应为 inclusive 或 exclusive / expected inclusive or exclusive", f"{loc}.{word}")
        out[word] = mode == "inclusive"
    return out


def _parse_clause(node: Any, loc: str, convention: dict[str, bool], groups: dict[str, Group]) -> Clause:
    _check_keys(
        node,
        {"id", "title", "text", "conditions", "benefit", "group", "requires", "convention", "cap_per_enterprise_year"},
        loc,
    )
    cid = _str(_require(node, "id", loc), f"{loc}.id")
    convention = _convention(node.get("convention"), f"{loc}.convention", convention)
    conditions = node.get("conditions")
    cond = _parse_condition(conditions, f"{loc}.conditions", convention) if conditions is not None else All(())
    whens: list[Condition] = []
    formula = _parse_formula(_require(node, "benefit", loc), f"{loc}.benefit", convention, whens)
    if "cap_per_enterprise_year" in node:
        limit = parse_amount_fen(node["cap_per_enterprise_year"], f"{loc}.cap_per_enterprise_year")
        formula = Cap(formula, limit, None, "单个企业年度最高")
    # The data the formula needs is part of eligibility: missing -> unknown -> 缺少数据.
    seen: set[str] = set()
    known_atoms = []
    for operand in _formula_operands(formula):
        if operand.ref not in seen:
            seen.add(operand.ref)
            known_atoms.append(Atom(operand.ref, "known", None, operand, "known", "", f"{loc}.benefit", operand.label))
    parts = ([cond] if not (isinstance(cond, All) and not cond.items) else []) + whens + known_atoms
    full = All(tuple(parts))
    group = node.get("group")
    if group is not None and group not in groups:
        raise _err(ErrorCode.BAD_REFERENCE, f"未定义的互斥组 {group!r} / undefined group {group!r}", f"{loc}.group")
    requires = node.get("requires", [])
    requires = _str_list(requires, f"{loc}.requires") if requires else ()
    return Clause(
        id=cid,
        title=_str(_require(node, "title", loc), f"{loc}.title"),
        text=_str(_require(node, "text", loc), f"{loc}.text"),
        condition=full,
        formula=formula,
        group=group,
        requires=requires,
        location=loc,
    )


def _parse_version(node: Any, loc: str) -> PolicyVersion:
    _check_keys(
        node,
        {"effective_from", "effective_to", "doc_number", "budget", "shares", "lane", "materials",
         "clauses", "groups", "cap_per_enterprise", "convention", "budget_shortfall"},
        loc,
    )
    start = _date(_require(node, "effective_from", loc), f"{loc}.effective_from")
    end = _date(node["effective_to"], f"{loc}.effective_to") if node.get("effective_to") is not None else None
    if end is not None and end < start:
        raise _err(ErrorCode.BAD_VALUE, "失效日期早于生效日期 / effective_to before effective_from", f"{loc}.effective_to")
    shares_node = _require(node, "shares", loc)
    if not isinstance(shares_node, dict) or not shares_node:
        raise _err(ErrorCode.BAD_SHARES, "shares 应为 级别: 份额 的映射,如 {省: 8, 市: 1, 县: 1} / bad shares", f"{loc}.shares")
    shares = []
    for level, part in shares_node.items():
        if not isinstance(part, int) or isinstance(part, bool) or part <= 0:
            raise _err(ErrorCode.BAD_SHARES, f"分担份额应为正整数 / share must be a positive integer", f"{loc}.shares.{level}")
        shares.append((str(level), part))
    lane = _require(node, "lane", loc)
    if lane not in ("auto", "apply"):
        raise _err(ErrorCode.BAD_VALUE, "lane 应为 auto(免申即享)或 apply(快申快享)/ lane must be auto or apply", f"{loc}.lane")
    shortfall = node.get("budget_shortfall", FIRST_COME)
    if shortfall not in SHORTFALL_RULES:
        raise _err(
            ErrorCode.BAD_VALUE,
            f"budget_shortfall 应为 first_come(先到先得,预算用完即止)或 pro_rata(资金不足时按比例核减),"
            f"实际为 {shortfall!r} / budget_shortfall must be first_come or pro_rata",
            f"{loc}.budget_shortfall",
        )
    materials = node.get("materials") or []
    if not isinstance(materials, list) or not all(isinstance(m, str) for m in materials):
        raise _err(ErrorCode.BAD_VALUE, "materials 应为文本列表 / materials must be a list of text", f"{loc}.materials")
    groups: dict[str, Group] = {}
    for gid, g in (node.get("groups") or {}).items():
        gloc = f"{loc}.groups.{gid}"
        _check_keys(g, {"rule", "label"}, gloc)
        rule = _require(g, "rule", gloc)
        if rule not in ("highest", "priority"):
            raise _err(ErrorCode.BAD_VALUE, "rule 应为 highest(就高)或 priority(按序优先)/ rule must be highest or priority", f"{gloc}.rule")
        groups[gid] = Group(gid, rule, str(g.get("label", gid)))
    convention = _convention(node.get("convention"), f"{loc}.convention", _CONVENTION_DEFAULT)
    clauses_node = _require(node, "clauses", loc)
    if not isinstance(clauses_node, list) or not clauses_node:
        raise _err(ErrorCode.BAD_VALUE, "clauses 应为非空列表 / clauses must be a non-empty list", f"{loc}.clauses")
    clauses = [_parse_clause(c, f"{loc}.clauses[{i}]", convention, groups) for i, c in enumerate(clauses_node)]
    ids: list[str] = []
    for c in clauses:
        if c.id in ids:
            raise _err(ErrorCode.DUPLICATE_ID, f"条款编号重复 {c.id!r} / duplicate clause id", f"{c.location}.id")
        for r in c.requires:
            if r not in ids:
                raise _err(
                    ErrorCode.BAD_REFERENCE,
                    f"requires 须引用本政策中排在前面的条款,{r!r} 不是 / requires must name an earlier clause",
                    f"{c.location}.requires",
                )
        ids.append(c.id)
    cap = node.get("cap_per_enterprise")
    return PolicyVersion(
        effective_from=start,
        effective_to=end,
        doc_number=_str(_require(node, "doc_number", loc), f"{loc}.doc_number"),
        budget_fen=parse_amount_fen(_require(node, "budget", loc), f"{loc}.budget"),
        shares=tuple(shares),
        lane=lane,
        materials=tuple(materials),
        clauses=tuple(clauses),
        groups=groups,
        cap_per_enterprise_fen=parse_amount_fen(cap, f"{loc}.cap_per_enterprise") if cap is not None else None,
        budget_shortfall=shortfall,
    )


def _parse_policy(data: Any, file: str) -> Policy:
    loc = f"{file}:"
    _check_keys(data, {"id", "title", "issuer", "area", "tech_innovation", "illustrative", "source", "versions"}, loc)
    versions_node = _require(data, "versions", loc)
    if not isinstance(versions_node, list) or not versions_node:
        raise _err(ErrorCode.BAD_VALUE, "versions 应为非空列表 / versions must be a non-empty list", f"{file}: versions")
    versions = [_parse_version(v, f"{file}: versions[{i}]") for i, v in enumerate(versions_node)]
    order = sorted(range(len(versions)), key=lambda i: versions[i].effective_from)
    for prev_i, next_i in zip(order, order[1:]):
        prev, nxt = versions[prev_i], versions[next_i]
        if prev.effective_to is None or prev.effective_to >= nxt.effective_from:
            raise _err(
                ErrorCode.OVERLAPPING_VERSIONS,
                f"版本有效期重叠:versions[{prev_i}] 与 versions[{next_i}] / versions overlap",
                f"{file}: versions[{next_i}].effective_from",
            )
    illustrative = data.get("illustrative", False)
    tech = data.get("tech_innovation", False)
    for key, val in (("illustrative", illustrative), ("tech_innovation", tech)):
        if not isinstance(val, bool):
            raise _err(ErrorCode.BAD_VALUE, f"{key} 应为 true/false / expected a boolean", f"{file}: {key}")
    return Policy(
        id=_str(_require(data, "id", loc), f"{file}: id"),
        title=_str(_require(data, "title", loc), f"{file}: title"),
        issuer=_str(_require(data, "issuer", loc), f"{file}: issuer"),
        area=_str(_require(data, "area", loc), f"{file}: area"),
        tech_innovation=tech,
        illustrative=illustrative,
        source=str(data.get("source", "")),
        versions=tuple(versions[i] for i in order),
        file=file,
    )


def _yaml(text: str, file: str) -> Any:
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{file}: line {mark.line + 1}" if mark else file
        raise _err(ErrorCode.BAD_YAML, f"YAML 语法错误 / YAML syntax error: {exc}", where) from None


def load_policy_text(text: str, file: str = "<text>") -> Policy:
    """Parse and validate one policy from YAML text.

    Examples:
        >>> p = load_policy_text('''
        ... id: demo
        ... title: 示例政策
        ... issuer: 晋江市科技局
        ... area: 创新主体与平台
        ... versions:
        ...   - effective_from: 2024-01-01
        ...     doc_number: 晋科〔2024〕1号
        ...     budget: 100万元
        ...     shares: {市: 1}
        ...     lane: auto
        ...     clauses:
        ...       - id: c1
        ...         title: 研发奖励
        ...         text: 对年度研发经费支出高于200万元的企业给予5万元奖励
        ...         conditions: {field: rd_expense, op: 高于, value: 200万元}
        ...         benefit: {fixed: 5万元}
        ... ''')
        >>> p.versions[0].clauses[0].formula
        Fixed(amount_fen=5000000)
    """
    return _parse_policy(_yaml(text, file), file)


def load_policy_file(path: str | Path) -> Policy:
    """Parse and validate one policy YAML file; errors are located as ``<file name>: <path>``.

    Examples:
        >>> policy = load_policy_file(DEFAULT_RULESETS_DIR / "p01_high_tech_award.yaml")
        >>> policy.id, [v.effective_from.year for v in policy.versions]
        ('p01_high_tech_award', [2022, 2024])
    """
    path = Path(path)
    return load_policy_text(path.read_text(encoding="utf-8"), path.name)


def load_registry(directory: str | Path | None = None) -> Registry:
    """Load every ``*.yaml`` policy in ``directory`` (default: ``innolink/policies/rulesets``).

    Policy ids must be unique. Files are read in name order.

    Examples:
        >>> registry = load_registry()
        >>> len(registry.policies) >= 12
        True
    """
    directory = Path(directory) if directory is not None else DEFAULT_RULESETS_DIR
    policies: list[Policy] = []
    for path in sorted(directory.glob("*.yaml")):
        policy = load_policy_file(path)
        if any(p.id == policy.id for p in policies):
            raise _err(ErrorCode.DUPLICATE_ID, f"政策编号重复 {policy.id!r} / duplicate policy id", f"{path.name}: id")
        policies.append(policy)
    return Registry(tuple(policies))


# --------------------------------------------------------------------------- test cases


def _case_value(value: Any, spec: F.FieldSpec, loc: str) -> Any:
    """Test-case values may be written with units (``"350万元"``); records hold plain yuan."""
    if value is None:
        return None
    if spec.kind == "money":
        if isinstance(value, str):
            return Decimal(parse_amount_fen(value, loc)) / 100
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return Decimal(value)
        raise _err(ErrorCode.BAD_VALUE, f"金额应为整数元或带单位文本 / bad money value {value!r}", loc)
    if spec.kind == "quantity":
        return Decimal(str(value))
    if spec.kind == "count":
        if not isinstance(value, int) or isinstance(value, bool):
            raise _err(ErrorCode.BAD_VALUE, f"应为整数 / expected an integer: {value!r}", loc)
        return value
    if spec.kind == "date":
        return _date(value, loc)
    return value


def record_from_case_input(data: Any, loc: str) -> dict[str, Any]:
    """Turn a test case ``input`` mapping into an enterprise record (see :mod:`.population`)."""
    _check_keys(data, set(F.ATTRIBUTES) | {"indicators"}, loc)
    record: dict[str, Any] = {}
    for key, value in data.items():
        if key == "indicators":
            continue
        record[key] = _case_value(value, F.ATTRIBUTES[key], f"{loc}.{key}")
    indicators: dict[int, dict[str, Any]] = {}
    for year, values in (data.get("indicators") or {}).items():
        yloc = f"{loc}.indicators.{year}"
        _check_keys(values, set(F.INDICATORS), yloc)
        indicators[int(year)] = {
            name: _case_value(v, F.INDICATORS[name], f"{yloc}.{name}") for name, v in values.items()
        }
    record["indicators"] = indicators
    record.setdefault("credit_code", "TEST")
    record.setdefault("name", "测试企业")
    return record


def load_test_cases(path: str | Path, registry: Registry) -> list[TestCase]:
    """Load a YAML file of test cases for one policy of ``registry``.

    File shape::

        policy: p03_rd_award
        cases:
          - name: 研发支出恰为200万元,不满足“高于”
            year: 2024
            input: {tags: [tech_sme], indicators: {2024: {rd_expense: 200万元}, 2023: {...}}}
            expected:
              rd_increment: {eligible: false, amount: 0元}
            failing: {rd_increment: [rd_expense]}    # optional

    Examples:
        >>> cases = load_test_cases(DEFAULT_RULESETS_DIR / "tests" / "p02_rd_investment_award.yaml", load_registry())
        >>> cases[0].expected["rd_increment_award"]
        (True, Decimal('210000.00'))
    """
    path = Path(path)
    return load_test_cases_text(path.read_text(encoding="utf-8"), registry, path.name)


def load_test_cases_text(text: str, registry: Registry, file: str = "<cases>") -> list[TestCase]:
    """:func:`load_test_cases` from YAML text (e.g. worked cases typed in the browser); errors
    are located as ``<file>: cases[i]...``.

    Examples:
        >>> cases = load_test_cases_text('''
        ... policy: p02_rd_investment_award
        ... cases:
        ...   - name: 增量350万元
        ...     year: 2024
        ...     input: {tags: [tech_sme], indicators: {2024: {rd_expense: 550万元}, 2023: {rd_expense: 200万元}}}
        ...     expected: {rd_increment_award: {eligible: true, amount: 21万元}}
        ... ''', load_registry())
        >>> cases[0].expected["rd_increment_award"]
        (True, Decimal('210000.00'))
    """
    data = _yaml(text, file)
    _check_keys(data, {"policy", "cases"}, f"{file}:")
    policy_id = _require(data, "policy", f"{file}:")
    try:
        policy = registry.policy(policy_id)
    except KeyError:
        raise _err(ErrorCode.UNKNOWN_POLICY, f"未知政策 {policy_id!r} / unknown policy", f"{file}: policy") from None
    out = []
    for i, case in enumerate(_require(data, "cases", f"{file}:")):
        loc = f"{file}: cases[{i}]"
        _check_keys(case, {"name", "year", "input", "expected", "failing"}, loc)
        year = _require(case, "year", loc)
        version = policy.version_for_year(year)
        clause_ids = {c.id for c in version.clauses} if version else set()
        expected = {}
        for cid, exp in _require(case, "expected", loc).items():
            eloc = f"{loc}.expected.{cid}"
            if cid not in clause_ids:
                raise _err(ErrorCode.BAD_REFERENCE, f"{year} 年版本中无条款 {cid!r} / no such clause", eloc)
            _check_keys(exp, {"eligible", "amount"}, eloc)
            amount = Decimal(parse_amount_fen(_require(exp, "amount", eloc), f"{eloc}.amount")) / 100
            expected[cid] = (bool(_require(exp, "eligible", eloc)), amount.quantize(Decimal("0.01")))
        failing = {cid: _str_list(v, f"{loc}.failing.{cid}") for cid, v in (case.get("failing") or {}).items()}
        out.append(
            TestCase(
                policy_id=policy_id,
                name=_str(_require(case, "name", loc), f"{loc}.name"),
                year=year,
                record=record_from_case_input(_require(case, "input", loc), f"{loc}.input"),
                expected=expected,
                failing=failing,
                location=loc,
            )
        )
    return out
