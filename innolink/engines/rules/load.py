"""Load and validate rule files (YAML) into the frozen model of :mod:`.model`.

One YAML file per policy; its test cases live in ``tests/<same name>.yaml`` beside it. Every
problem raises :class:`RulesError` with a stable code and a ``file: path`` location, e.g.
``p03_rd_award.yaml: versions[0].clauses[0].conditions.all[1].op``. The format is described in
``docs/decisions/0101-policy-rules-format.md`` and ``0131-rules-format-2-…``; the condition and
formula language is in :mod:`.parse`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

from . import fields as F
from ._errors import ErrorCode, RulesError
from .budget import FIRST_COME, SHORTFALL_RULES
from .model import All, Clause, Condition, Group, Policy, PolicyVersion, Registry
from .parse import (
    Ctx,
    check_contradictions,
    check_keys as _check_keys,
    parse_condition,
    parse_date as _date,
    parse_formula,
    parse_operand,
    require as _require,
    requirement,
    str_list as _str_list,
)
from .types import RATIO_UNITS, parse_amount_fen

__all__ = [
    "load_registry",
    "load_policy_file",
    "load_policy_text",
    "load_test_cases",
    "load_test_cases_text",
    "TestCase",
    "parse_operand",
    "record_from_case_input",
    "DEFAULT_RULESETS_DIR",
]

DEFAULT_RULESETS_DIR = Path(__file__).resolve().parents[2] / "policies" / "rulesets"
_CONVENTION_DEFAULT = {"以上": True, "以下": True}  # 《民法典》第1259条: 以上、以下 包括本数
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")


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
    statuses: dict[str, str] = field(default_factory=dict)  # clause id -> expected status
    history_from: int | None = None
    source: str = ""  # where the worked case comes from (the legal text's example, a calculation)


def _err(code: str, message: str, loc: str) -> RulesError:
    return RulesError(code, message, loc)


def _str(value: Any, loc: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _err(ErrorCode.BAD_VALUE, f"应为非空文本,实际为 {value!r} / expected text", loc)
    return value


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


def _bool(node: dict, key: str, loc: str) -> bool:
    value = node.get(key, False)
    if not isinstance(value, bool):
        raise _err(ErrorCode.BAD_VALUE, f"{key} 应为 true/false / expected true or false", f"{loc}.{key}")
    return value


def _parse_clause(node: Any, loc: str, convention: dict[str, bool], groups: dict[str, Group], policy_id: str) -> Clause:
    _check_keys(
        node,
        {"id", "title", "text", "conditions", "benefit", "group", "requires", "convention", "cap_per_enterprise_year",
         "family", "once", "top_up", "exclusive", "optional", "article"},
        loc,
    )
    cid = _str(_require(node, "id", loc), f"{loc}.id")
    if not _ID.match(cid):
        raise _err(ErrorCode.BAD_VALUE, f"条款编号只能用小写字母、数字、下划线 {cid!r} / bad clause id", f"{loc}.id")
    convention = _convention(node.get("convention"), f"{loc}.convention", convention)
    optional_raw = node.get("optional") or []
    optional = _str_list(optional_raw, f"{loc}.optional") if optional_raw else ()
    for ref in optional:
        parse_operand(ref, f"{loc}.optional")
    ctx = Ctx(convention, optional=frozenset(optional), used=set())
    conditions = node.get("conditions")
    cond = parse_condition(conditions, f"{loc}.conditions", ctx) if conditions is not None else All(())
    whens: list[Condition] = []
    formula = parse_formula(_require(node, "benefit", loc), f"{loc}.benefit", ctx, whens)
    if set(optional) - ctx.used:
        raise _err(ErrorCode.BAD_VALUE,
                   f"optional 中的 {sorted(set(optional) - ctx.used)[0]!r} 不是补助公式的基数 / optional names a value "
                   "that is not a base of the formula", f"{loc}.optional")
    if "cap_per_enterprise_year" in node:
        from .model import Cap

        limit = parse_amount_fen(node["cap_per_enterprise_year"], f"{loc}.cap_per_enterprise_year")
        formula = Cap(formula, limit, None, "单个企业年度最高")
    # The data the formula needs is part of eligibility: missing -> unknown -> 缺少数据.
    need = requirement(formula, ctx, f"{loc}.benefit")
    parts = ([cond] if not (isinstance(cond, All) and not cond.items) else []) + whens + ([need] if need else [])
    full = All(tuple(parts))
    check_contradictions(All(tuple(([cond] if not (isinstance(cond, All) and not cond.items) else []))))
    for i, when in enumerate(whens_of(formula)):
        try:
            check_contradictions(All((cond, when)))
        except RulesError as exc:
            raise _err(ErrorCode.CONTRADICTION,
                       f"第{i + 1}种情形与条款条件矛盾,永远不会适用:{exc.message}", exc.location) from None
    group = node.get("group")
    if group is not None and group not in groups:
        raise _err(ErrorCode.BAD_REFERENCE, f"未定义的互斥组 {group!r} / undefined group {group!r}", f"{loc}.group")
    requires = node.get("requires", [])
    requires = _str_list(requires, f"{loc}.requires") if requires else ()
    once, top_up = _bool(node, "once", loc), _bool(node, "top_up", loc)
    if once and top_up:
        raise _err(ErrorCode.CONTRADICTION, "once(一次性)与 top_up(晋级补差)不能同用:补差意味着可以再次兑现 / "
                   "once and top_up contradict each other", f"{loc}.top_up")
    family = node.get("family") or f"{policy_id}.{cid}"
    if not isinstance(family, str) or not _ID.match(family):
        raise _err(ErrorCode.BAD_VALUE, f"family 只能用小写字母、数字、下划线、点 {family!r} / bad family", f"{loc}.family")
    exclusive = node.get("exclusive")
    if exclusive is not None and (not isinstance(exclusive, str) or not _ID.match(exclusive)):
        raise _err(ErrorCode.BAD_VALUE, f"exclusive 只能用小写字母、数字、下划线 {exclusive!r} / bad exclusive id",
                   f"{loc}.exclusive")
    return Clause(
        id=cid,
        title=_str(_require(node, "title", loc), f"{loc}.title"),
        text=_str(_require(node, "text", loc), f"{loc}.text"),
        condition=full,
        formula=formula,
        group=group,
        requires=requires,
        location=loc,
        family=family,
        once=once,
        top_up=top_up,
        exclusive=exclusive,
        optional=optional,
        article=str(node.get("article") or ""),
    )


def whens_of(formula) -> list[Condition]:
    from .model import Cap, Cases, Sum

    if isinstance(formula, Cases):
        return [w for w, _ in formula.cases]
    if isinstance(formula, Cap):
        return whens_of(formula.inner)
    if isinstance(formula, Sum):
        return [w for f in formula.items for w in whens_of(f)]
    return []


def _parse_version(node: Any, loc: str, policy_id: str) -> PolicyVersion:
    _check_keys(
        node,
        {"effective_from", "effective_to", "doc_number", "budget", "shares", "lane", "materials",
         "clauses", "groups", "cap_per_enterprise", "convention", "budget_shortfall", "cap_lifetime"},
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
            raise _err(ErrorCode.BAD_SHARES, "分担份额应为正整数 / share must be a positive integer", f"{loc}.shares.{level}")
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
    clauses = [_parse_clause(c, f"{loc}.clauses[{i}]", convention, groups, policy_id) for i, c in enumerate(clauses_node)]
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
    lifetime = node.get("cap_lifetime")
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
        cap_lifetime_fen=parse_amount_fen(lifetime, f"{loc}.cap_lifetime") if lifetime is not None else None,
    )


def _parse_policy(data: Any, file: str) -> Policy:
    loc = f"{file}:"
    _check_keys(data, {"id", "title", "issuer", "area", "tech_innovation", "illustrative", "source", "versions"}, loc)
    policy_id = _str(_require(data, "id", loc), f"{file}: id")
    if not _ID.match(policy_id):
        raise _err(ErrorCode.BAD_VALUE, f"政策编号只能用小写字母、数字、下划线 {policy_id!r} / bad policy id", f"{file}: id")
    versions_node = _require(data, "versions", loc)
    if not isinstance(versions_node, list) or not versions_node:
        raise _err(ErrorCode.BAD_VALUE, "versions 应为非空列表 / versions must be a non-empty list", f"{file}: versions")
    versions = [_parse_version(v, f"{file}: versions[{i}]", policy_id) for i, v in enumerate(versions_node)]
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
        id=policy_id,
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
    """Test-case values may be written with units (``"350万元"``, ``"3.5%"``); records hold plain
    yuan, plain fractions for ratios, dates, bools and level names."""
    if value is None:
        return None
    if spec.kind == "money":
        if isinstance(value, str):
            return Decimal(parse_amount_fen(value, loc)) / 100
        if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
            return Decimal(value)
        raise _err(ErrorCode.BAD_VALUE, f"金额应为整数元或带单位文本 / bad money value {value!r}", loc)
    if spec.kind == "ratio":
        if isinstance(value, str):
            for unit, scale in RATIO_UNITS.items():
                if value.strip().endswith(unit):
                    fr = Fraction(Decimal(value.strip()[: -len(unit)])) * scale
                    return Decimal(fr.numerator) / Decimal(fr.denominator)
        raise _err(ErrorCode.MISSING_UNIT, f"比例应带 % 或 ‰,实际为 {value!r} / a ratio needs % or ‰", loc)
    if spec.kind == "quantity":
        if isinstance(value, str):
            number = re.match(r"^\s*([+-]?\d+(?:\.\d+)?)", value)
            if number:
                return Decimal(number.group(1))
        return Decimal(str(value))
    if spec.kind == "count":
        if isinstance(value, str):
            number = re.match(r"^\s*(\d+)\s*\S*\s*$", value)
            if number:
                return int(number.group(1))
        if not isinstance(value, int) or isinstance(value, bool):
            raise _err(ErrorCode.BAD_VALUE, f"应为整数 / expected an integer: {value!r}", loc)
        return value
    if spec.kind == "date":
        return _date(value, loc)
    if spec.kind == "bool":
        if not isinstance(value, bool):
            raise _err(ErrorCode.BAD_VALUE, f"应为 true/false / expected true or false: {value!r}", loc)
        return value
    if spec.kind == "level" and value not in spec.choices:
        raise _err(ErrorCode.UNKNOWN_LEVEL, f"{spec.label}没有等级 {value!r} / unknown level", loc)
    return value


def record_from_case_input(data: Any, loc: str) -> dict[str, Any]:
    """Turn a test case ``input`` mapping into an enterprise record (see :mod:`.population`)."""
    _check_keys(data, set(F.ATTRIBUTES) | {"indicators", "qualifications", "items", "payments"}, loc)
    record: dict[str, Any] = {}
    for key, value in data.items():
        if key in ("indicators", "qualifications", "items", "payments"):
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
    if "qualifications" in data:
        quals = []
        for k, q in enumerate(data.get("qualifications") or []):
            qloc = f"{loc}.qualifications[{k}]"
            _check_keys(q, {"type", "level", "certified_on", "expires_on", "first", "number"}, qloc)
            row = dict(q)
            for key in ("certified_on", "expires_on"):
                if row.get(key) is not None:
                    row[key] = _date(row[key], f"{qloc}.{key}")
            quals.append(row)
        record["qualifications"] = quals
    if "items" in data:
        items: dict[str, list[dict[str, Any]]] = {}
        for kind, rows in (data.get("items") or {}).items():
            spec = F.ITEMS.get(kind)
            if spec is None:
                raise _err(ErrorCode.UNKNOWN_FIELD, f"未知事项类别 {kind!r} / unknown item kind", f"{loc}.items.{kind}")
            out = []
            for k, row in enumerate(rows or []):
                iloc = f"{loc}.items.{kind}[{k}]"
                _check_keys(row, {"key", "label", "year", *spec.facts}, iloc)
                out.append({key: (v if key in ("key", "label", "year") else
                                  _case_value(v, spec.facts[key], f"{iloc}.{key}")) for key, v in row.items()})
            items[kind] = out
        record["items"] = items
    if "payments" in data:
        payments = []
        for k, p in enumerate(data.get("payments") or []):
            ploc = f"{loc}.payments[{k}]"
            _check_keys(p, {"policy", "family", "year", "amount"}, ploc)
            row = dict(p)
            row["amount"] = Decimal(parse_amount_fen(_require(p, "amount", ploc), f"{ploc}.amount")) / 100
            payments.append(row)
        record["payments"] = payments
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
            source: 按条款原文计算          # optional: where the worked case comes from
            history_from: 2020             # optional: first year on record
            input: {tags: [tech_sme], indicators: {2024: {rd_expense: 200万元}, 2023: {...}}}
            expected:
              rd_increment: {eligible: false, amount: 0元, status: not_eligible}   # status optional
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
        _check_keys(case, {"name", "year", "input", "expected", "failing", "history_from", "source"}, loc)
        year = _require(case, "year", loc)
        version = policy.version_for_year(year)
        clause_ids = {c.id for c in version.clauses} if version else set()
        expected = {}
        statuses = {}
        for cid, exp in _require(case, "expected", loc).items():
            eloc = f"{loc}.expected.{cid}"
            if cid not in clause_ids:
                raise _err(ErrorCode.BAD_REFERENCE, f"{year} 年版本中无条款 {cid!r} / no such clause", eloc)
            _check_keys(exp, {"eligible", "amount", "status"}, eloc)
            amount = Decimal(parse_amount_fen(_require(exp, "amount", eloc), f"{eloc}.amount")) / 100
            expected[cid] = (bool(_require(exp, "eligible", eloc)), amount.quantize(Decimal("0.01")))
            if "status" in exp:
                statuses[cid] = str(exp["status"])
        failing = {cid: _str_list(v, f"{loc}.failing.{cid}") for cid, v in (case.get("failing") or {}).items()}
        history_from = case.get("history_from")
        if history_from is not None and (not isinstance(history_from, int) or isinstance(history_from, bool)):
            raise _err(ErrorCode.BAD_VALUE, "history_from 应为年份 / expected a year", f"{loc}.history_from")
        out.append(
            TestCase(
                policy_id=policy_id,
                name=_str(_require(case, "name", loc), f"{loc}.name"),
                year=year,
                record=record_from_case_input(_require(case, "input", loc), f"{loc}.input"),
                expected=expected,
                failing=failing,
                location=loc,
                statuses=statuses,
                history_from=history_from,
                source=str(case.get("source", "")),
            )
        )
    return out

