"""Answers for one enterprise: what it gets, with the arithmetic, and what it misses, by how much.

The explain path runs the vectorised evaluator on a population of one (so both paths give the
same answers by construction; tests also compare both with :mod:`.reference`) and then reads
the per-atom trace to word the reasons in Chinese.

"Nearest miss" ordering of the clauses an enterprise does not qualify for: fewest failing or
unknown conditions first, then the smallest sum of relative gaps (``|gap| / |threshold|`` for a
numeric condition; 1 for a categorical or missing-data condition), then registry order. Inside a
failed ``any``, only the alternative closest to passing (same key) is reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from . import fields as F
from .answers import ClauseAnswer, ConditionCheck, EnterpriseAnswer
from .evaluate import AtomTrace, ClauseArrays, evaluate_population, split_by_shares
from .model import (
    All, AnyOf, Atom, Cases, Condition, Fixed, Formula, Multiply, Not, Operand, Registry,
    Sum, Tiers,
)
from .population import MISSING_DAY, Population, population_from_records
from .types import fen_to_yuan, fmt_money, fmt_scaled

__all__ = ["explain", "explain_population_row", "EnterpriseAnswer", "ClauseAnswer", "ConditionCheck"]

_EPOCH = dt.date(1970, 1, 1).toordinal()


def _ratio(num: np.ndarray | None, den: np.ndarray | None) -> Fraction | None:
    if num is None:
        return None
    n = int(num[0])
    if den is None:
        return Fraction(n)
    d = int(den[0])
    return Fraction(n, d) if d > 0 else None


def _fmt_date(day: int) -> str:
    return dt.date.fromordinal(day + _EPOCH).isoformat()


def _row_operand(pop: Population, op: Operand) -> Fraction | None:
    a, pa = pop.indicator[op.a]
    if not pa[0]:
        return None
    av = Fraction(int(a[0]))
    if op.kind == "value":
        return av
    b, pb = pop.indicator[op.b]  # type: ignore[index]
    if not pb[0]:
        return None
    bv = Fraction(int(b[0]))
    if op.kind == "increase":
        return av - bv
    if bv <= 0:
        return None
    return (av - bv) / bv if op.kind == "growth" else av / bv


def _fmt_operand(op: Operand, value: Fraction) -> str:
    return fmt_scaled(value, op.unit_kind, op.unit)


def _check(pop: Population, atom: Atom, tr: AtomTrace) -> ConditionCheck:
    passed = True if tr.t[0] else (False if tr.f[0] else None)
    if atom.operand is not None:
        value = _row_operand(pop, atom.operand)
        shown = None if value is None else _fmt_operand(atom.operand, value)
    else:
        value = None
        shown = _attribute_display(pop, atom.field)
    if passed is None:
        msg = f"缺少数据:{atom.label}"
        if atom.operand is not None and atom.operand.kind in ("growth", "share"):
            msg += "(或基数不大于零)"
        return ConditionCheck(atom.field, atom.label, atom.op, shown, atom.display, None, 1.0, None, msg, atom.location)
    gap_text = None
    rel = 1.0
    if atom.operand is not None and value is not None and atom.op in ("gt", "ge", "lt", "le", "eq", "ne"):
        threshold = Fraction(atom.value)  # type: ignore[arg-type]
        gap = threshold - value if atom.op in ("gt", "ge") else value - threshold
        if atom.op in ("eq", "ne"):
            gap = abs(value - threshold)
        gap_text = _fmt_operand(atom.operand, gap)
        if atom.operand.unit_kind == "ratio":
            gap_text = gap_text[:-1] + "个百分点"
        rel = float(abs(gap) / abs(threshold)) if threshold != 0 else 1.0
        need = {"gt": "高于", "ge": "不低于", "lt": "低于", "le": "不超过", "eq": "等于", "ne": "不等于"}[atom.op]
        if atom.op in ("gt", "ge"):
            if gap == 0:
                msg = f"{atom.label}恰为{atom.display},需{need}{atom.display}"
            else:
                msg = f"{atom.label}还差{gap_text}(当前{shown},需{need}{atom.display})"
        elif atom.op in ("lt", "le"):
            if gap == 0:
                msg = f"{atom.label}恰为{atom.display},需{need}{atom.display}"
            else:
                msg = f"{atom.label}超出{gap_text}(当前{shown},需{need}{atom.display})"
        else:
            msg = f"{atom.label}为{shown},需{need}{atom.display}"
    elif atom.field == "tags":
        have = set(_tags_of(pop))
        wanted = set(atom.value)  # type: ignore[arg-type]
        names = lambda ts: "、".join(F.TAG_LABELS[t] for t in F.TAGS if t in ts)  # noqa: E731
        if atom.op == "has_none":
            msg = f"存在排除情形:{names(have & wanted)}"
        elif atom.op == "has_any":
            msg = f"需具备以下之一:{atom.display}"
        else:
            msg = f"需具备:{names(wanted - have)}"
    elif atom.op == "is":
        msg = f"{atom.label}:{shown},需为{atom.display}"
    elif atom.op == "in_policy_year":
        msg = f"{atom.label}为{shown},需在{pop.year + int(atom.value)}年内"  # type: ignore[call-overload]
    elif atom.op in ("before", "on_or_after"):
        msg = f"{atom.label}为{shown},需{'早于' if atom.op == 'before' else '不早于'}{atom.display}"
    elif atom.op == "within_years":
        msg = f"{atom.label}为{shown},需不早于{pop.year - int(atom.value) + 1}-01-01({atom.value}年内)"  # type: ignore[call-overload]
    elif atom.op in ("prefix", "not_prefix"):
        msg = f"{atom.label}为{shown},需{'属于' if atom.op == 'prefix' else '不属于'}{atom.display}"
    else:
        msg = f"{atom.label}为{shown},需{'属于' if atom.op == 'in' else '不属于'}{atom.display}"
    return ConditionCheck(atom.field, atom.label, atom.op, shown, atom.display, gap_text, rel, False, msg, atom.location)


def _tags_of(pop: Population) -> list[str]:
    if not pop.tags_known[0]:
        return []
    mask = int(pop.tags[0])
    return [t for k, t in enumerate(F.TAGS) if mask & (1 << k)]


def _attribute_display(pop: Population, name: str) -> str | None:
    if name in pop.category:
        col = pop.category[name]
        code = int(col.codes[0])
        return None if code < 0 else F.CATEGORY_LABELS.get(col.labels[code], col.labels[code])
    if name in pop.date:
        day = int(pop.date[name][0])
        return None if day == MISSING_DAY else _fmt_date(day)
    if name in pop.flag:
        flag = int(pop.flag[name][0])
        return None if flag < 0 else ("是" if flag else "否")
    if name == "tags":
        return "、".join(F.TAG_LABELS[t] for t in _tags_of(pop)) if pop.tags_known[0] else None
    return str(pop.credit_code[0] if name == "credit_code" else pop.name[0])


def _node_state(node: Condition, trace: dict[int, AtomTrace]) -> bool | None:
    if isinstance(node, Atom):
        tr = trace[id(node)]
        return True if tr.t[0] else (False if tr.f[0] else None)
    if isinstance(node, Not):
        inner = _node_state(node.item, trace)
        return None if inner is None else not inner
    states = [_node_state(i, trace) for i in node.items]
    if isinstance(node, All):
        return False if False in states else (True if all(s is True for s in states) else None)
    return True if True in states else (False if all(s is False for s in states) else None)


def _key(checks: list[ConditionCheck]) -> tuple[int, float]:
    return len(checks), sum(c.relative_gap for c in checks)


def _misses(node: Condition, pop: Population, trace: dict[int, AtomTrace]) -> list[ConditionCheck]:
    if _node_state(node, trace) is True:
        return []
    if isinstance(node, Atom):
        return [_check(pop, node, trace[id(node)])]
    if isinstance(node, All):
        out: list[ConditionCheck] = []
        for item in node.items:
            out.extend(_misses(item, pop, trace))
        return out
    if isinstance(node, AnyOf):
        options = [_misses(item, pop, trace) for item in node.items]
        options = [o for o in options if o]
        return min(options, key=_key) if options else []
    # Not: the excluded situation holds (or cannot be ruled out)
    inner = _node_state(node.item, trace)
    if inner is None:
        msg = "缺少数据,无法排除排除情形"
    elif isinstance(node.item, Atom):
        item = node.item
        shown = _attribute_display(pop, item.field) if item.operand is None else None
        if item.operand is not None:
            value = _row_operand(pop, item.operand)
            shown = None if value is None else _fmt_operand(item.operand, value)
        msg = f"{item.label}为{shown},属于排除情形({item.display})"
    else:
        msg = "存在排除情形"
    return [ConditionCheck("not", "排除条件", "not", None, "", None, 1.0, None if inner is None else False, msg, "")]


def _case_label(cond: Condition, pop: Population) -> str:
    if isinstance(cond, Atom):
        shown = _attribute_display(pop, cond.field) if cond.operand is None else None
        if cond.op == "is":
            return f"{cond.label}:{shown}"
        if cond.operand is not None:
            value = _row_operand(pop, cond.operand)
            return f"{cond.label}{'' if value is None else _fmt_operand(cond.operand, value)}"
        return f"{cond.label}:{shown}"
    return "符合该档条件"


def _steps(node: Formula, pop: Population, trace: dict[int, AtomTrace], steps: list[str]) -> int:
    if isinstance(node, Fixed):
        steps.append(f"定额奖励 {fmt_money(node.amount_fen)}")
        return node.amount_fen
    if isinstance(node, Multiply):
        base = _row_operand(pop, node.base)
        assert base is not None
        _operand_steps(node.base, pop, steps)
        clamped = max(base, Fraction(0))
        exact = clamped * node.factor
        amount = (2 * int(clamped) * node.factor.numerator + node.factor.denominator) // (2 * node.factor.denominator)
        note = "" if exact == amount else "(四舍五入到分)"
        shown_base = _fmt_operand(node.base, base)
        if base < 0:
            shown_base += "(负数按0计)"
        steps.append(f"{node.base.label} {shown_base} × {node.factor_text} = {fmt_money(amount)}{note}")
        return amount
    if isinstance(node, Tiers):
        base = _row_operand(pop, node.base)
        _operand_steps(node.base, pop, steps)
        amount, reached = 0, None
        for lower, bracket_amount, shown in node.brackets:
            if base is not None and base >= lower:
                amount, reached = bracket_amount, shown
        shown_base = "缺少数据" if base is None else _fmt_operand(node.base, base)
        if reached is None:
            steps.append(f"{node.base.label} {shown_base} 未达到最低档 {node.brackets[0][2]},奖励 0元")
        else:
            steps.append(f"{node.base.label} {shown_base} 达到 {reached} 档,奖励 {fmt_money(amount)}")
        return amount
    if isinstance(node, Cases):
        for cond, formula in node.cases:
            if _node_state(cond, trace) is True:
                steps.append(f"适用情形:{_case_label(cond, pop)}")
                return _steps(formula, pop, trace, steps)
        steps.append("无适用情形,奖励 0元")
        return 0
    if isinstance(node, Sum):
        parts = [_steps(f, pop, trace, steps) for f in node.items]
        total = sum(parts)
        steps.append(f"合计 {' + '.join(fmt_money(p) for p in parts)} = {fmt_money(total)}")
        return total
    amount = _steps(node.inner, pop, trace, steps)
    if node.limit_fen is not None:
        if amount > node.limit_fen:
            steps.append(f"{node.label} {fmt_money(node.limit_fen)}:{fmt_money(amount)} → {fmt_money(node.limit_fen)}")
            amount = node.limit_fen
        else:
            steps.append(f"未超过{node.label} {fmt_money(node.limit_fen)}")
    if node.limit_ref is not None:
        bound = _row_operand(pop, node.limit_ref)
        bound_fen = int(max(bound, Fraction(0))) if bound is not None else 0
        if amount > bound_fen:
            steps.append(f"不超过{node.limit_ref.label} {fmt_money(bound_fen)}:{fmt_money(amount)} → {fmt_money(bound_fen)}")
            amount = bound_fen
        else:
            steps.append(f"未超过{node.limit_ref.label} {fmt_money(bound_fen)}")
    return amount


def _operand_steps(op: Operand, pop: Population, steps: list[str]) -> None:
    """Show how a derived increase is computed: 「X较上年增量 = 2024年X a − 2023年 b = c」."""
    if op.kind != "increase":
        return
    (a, pa), (b, pb) = pop.indicator[op.a], pop.indicator[op.b]  # type: ignore[index]
    if pa[0] and pb[0]:
        now, before = Fraction(int(a[0])), Fraction(int(b[0]))
        label = F.INDICATORS[op.a[0]].label
        steps.append(
            f"{op.label} = {pop.year}年{label} {_fmt_operand(op, now)} − {pop.year - 1}年 {_fmt_operand(op, before)}"
            f" = {_fmt_operand(op, now - before)}"
        )


def _clause_answer(arr: ClauseArrays, pop: Population, trace: dict[int, AtomTrace], by_id: dict[str, ClauseArrays]) -> ClauseAnswer:
    clause, version, policy = arr.clause, arr.version, arr.policy
    eligible = bool(arr.eligible[0])
    gross = int(arr.gross_fen[0])
    payable = int(arr.amount_fen[0])
    steps: list[str] = []
    misses: list[ConditionCheck] = []
    if eligible:
        computed = _steps(clause.formula, pop, trace, steps)
        assert max(computed, 0) == gross, (clause.id, computed, gross)
        if payable < gross:
            group = version.groups.get(clause.group or "")
            if group is not None and payable == 0:
                winners = [
                    o.clause.title for o in by_id.values()
                    if o.version is version and o.clause.group == group.id and int(o.amount_fen[0]) > 0
                ]
                rule = "就高不重复" if group.rule == "highest" else "按序优先适用"
                steps.append(f"与同组条款{rule}({group.label}),已按「{'、'.join(winners) or '其他条款'}」兑现,本条不重复兑现")
            else:
                steps.append(f"本政策单个企业年度累计上限 {fmt_money(version.cap_per_enterprise_fen or 0)},本条实付 {fmt_money(payable)}")
        split = split_by_shares(payable, version.shares)
        if len(split) > 1 and payable > 0:
            parts = "、".join(f"{lvl} {fmt_money(f)}" for lvl, f in split)
            ratio = "∶".join(str(s) for _, s in version.shares)
            steps.append(f"应兑现 {fmt_money(payable)},按 {ratio} 分担:{parts}")
        else:
            steps.append(f"应兑现 {fmt_money(payable)}")
    else:
        seen: set[tuple[str, str]] = set()
        for miss in _misses(clause.condition, pop, trace):
            if (miss.field, miss.message) not in seen:  # a datum can be needed twice
                seen.add((miss.field, miss.message))
                misses.append(miss)
        for r in clause.requires:
            if not bool(by_id[r].eligible[0]):
                title = by_id[r].clause.title
                misses.append(ConditionCheck("requires", title, "requires", None, title, None, 1.0, False,
                                             f"需先符合「{title}」", clause.location))
    return ClauseAnswer(
        policy_id=policy.id,
        policy_title=policy.title,
        doc_number=version.doc_number,
        clause_id=clause.id,
        clause_title=clause.title,
        text=clause.text,
        lane=version.lane,
        eligible=eligible,
        amount=fen_to_yuan(payable),
        gross=fen_to_yuan(gross),
        steps=tuple(steps),
        shares=tuple((lvl, fen_to_yuan(f)) for lvl, f in split_by_shares(payable, version.shares)),
        misses=tuple(misses),
        nearness=_key(misses),
    )


def explain_population_row(registry: Registry, population: Population, *, policy_ids: set[str] | None = None) -> EnterpriseAnswer:
    """Explain a population of exactly one enterprise (see :func:`explain`); use it when the
    caller already holds a :class:`Population`, e.g. ``population.take([i])``.

    Examples:
        >>> from innolink.engines.rules import load_registry, population_from_records
        >>> pop = population_from_records([{"credit_code": "A", "tags": []}], 2024)
        >>> answer = explain_population_row(load_registry(), pop, policy_ids={"p10_specialized_sme"})
        >>> [m.message for m in answer.not_eligible[0].misses]
        ['需具备:国家级专精特新“小巨人”企业']
    """
    assert population.size == 1, "explain one enterprise at a time"
    arrays, trace = evaluate_population(registry, population, trace=True, policy_ids=policy_ids)
    assert trace is not None
    answers = []
    for arr in arrays:
        by_id = {a.clause.id: a for a in arrays if a.version is arr.version}
        answers.append(_clause_answer(arr, population, trace, by_id))
    order = {id(a): k for k, a in enumerate(answers)}
    eligible = tuple(a for a in answers if a.eligible)
    missed = tuple(sorted((a for a in answers if not a.eligible), key=lambda a: (a.nearness, order[id(a)])))
    total = sum((a.amount for a in eligible), Decimal("0.00"))
    return EnterpriseAnswer(str(population.credit_code[0]), population.year, eligible, missed, total)


def explain(registry: Registry, record: dict[str, Any], year: int, *, policy_ids: set[str] | None = None) -> EnterpriseAnswer:
    """Every clause one enterprise qualifies for (amount and arithmetic) and every clause it
    misses (each failing condition with value, threshold and gap), nearest misses first.

    ``record`` has the shape documented in :mod:`.population`.

    Examples:
        >>> from decimal import Decimal
        >>> from innolink.engines.rules import load_registry
        >>> record = {"credit_code": "A", "tags": ["tech_sme"], "indicators": {
        ...     2024: {"rd_expense": Decimal("5500000")},
        ...     2023: {"rd_expense": Decimal("2000000"), "fiscal_contribution": 0}}}
        >>> answer = explain(load_registry(), record, 2024, policy_ids={"p02_rd_investment_award"})
        >>> answer.eligible[0].steps[:2]
        ('研发经费支出较上年增量 = 2024年研发经费支出 550万元 − 2023年 200万元 = 350万元', '研发经费支出较上年增量 350万元 × 6% = 21万元')
        >>> answer.total
        Decimal('210000.00')
    """
    population = population_from_records([record], year)
    return explain_population_row(registry, population, policy_ids=policy_ids)
