"""A slow, obviously correct per-enterprise evaluator: the oracle for tests and the loop
baseline of ``bench/policy_scan.py``.

It reads one record dict (the shape documented in :mod:`.population`) directly, uses Python
``None`` for unknown, ``Fraction`` for every number and plain ``if`` statements for every rule,
and shares nothing with :mod:`.evaluate` except the loaded model.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from . import fields as F
from .model import (
    All, AnyOf, Atom, Cap, Cases, Condition, Fixed, Formula, Multiply, Not, Operand, Registry,
    Sum, Tiers,
)
from .types import fen_to_yuan, yuan_to_fen

__all__ = ["reference_evaluate"]


def _indicator(record: dict[str, Any], year: int, name: str, offset: int) -> Fraction | None:
    value = (record.get("indicators") or {}).get(year + offset, {}).get(name)
    if value is None:
        return None
    kind = F.INDICATORS[name].kind
    if kind == "money":
        return Fraction(yuan_to_fen(value))
    if kind == "quantity":
        return Fraction(int((Decimal(value) * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    return Fraction(value)


def _operand(record: dict[str, Any], year: int, op: Operand) -> Fraction | None:
    a = _indicator(record, year, *op.a)
    if op.kind == "value":
        return a
    b = _indicator(record, year, *op.b)  # type: ignore[misc]
    if a is None or b is None:
        return None
    if op.kind == "increase":
        return a - b
    if b <= 0:
        return None
    if op.kind == "growth":
        return (a - b) / b
    return a / b


def _atom(record: dict[str, Any], year: int, a: Atom) -> bool | None:
    if a.operand is not None:
        value = _operand(record, year, a.operand)
        if a.op == "known":
            return True if value is not None else None
        if value is None:
            return None
        t = a.value
        return {
            "gt": value > t, "ge": value >= t, "lt": value < t, "le": value <= t,
            "eq": value == t, "ne": value != t,
        }[a.op]
    raw = record.get(a.field)
    if a.field in ("credit_code", "name"):
        raw = raw or None
        if a.op == "known":
            return True if raw is not None else None
        return (raw in a.value) if a.op == "in" else (raw not in a.value)  # type: ignore[operator]
    if raw is None:
        return None
    if a.op == "known":
        return True
    if a.op == "in":
        return raw in a.value  # type: ignore[operator]
    if a.op == "not_in":
        return raw not in a.value  # type: ignore[operator]
    if a.op == "prefix":
        return any(raw.startswith(p) for p in a.value)  # type: ignore[union-attr]
    if a.op == "not_prefix":
        return not any(raw.startswith(p) for p in a.value)  # type: ignore[union-attr]
    if a.op in ("has", "has_all"):
        return all(t in raw for t in a.value)  # type: ignore[union-attr]
    if a.op == "has_any":
        return any(t in raw for t in a.value)  # type: ignore[union-attr]
    if a.op == "has_none":
        return not any(t in raw for t in a.value)  # type: ignore[union-attr]
    if a.op == "is":
        return bool(raw) == a.value
    if a.op == "in_policy_year":
        return raw.year == year + a.value
    if a.op == "before":
        return raw < a.value
    if a.op == "on_or_after":
        return raw >= a.value
    if a.op == "within_years":
        return year - raw.year < a.value
    raise AssertionError(a.op)


def _cond(record: dict[str, Any], year: int, node: Condition) -> bool | None:
    if isinstance(node, Atom):
        return _atom(record, year, node)
    if isinstance(node, Not):
        inner = _cond(record, year, node.item)
        return None if inner is None else not inner
    results = [_cond(record, year, item) for item in node.items]
    if isinstance(node, All):
        if any(r is False for r in results):
            return False
        return True if all(r is True for r in results) else None
    assert isinstance(node, AnyOf)
    if any(r is True for r in results):
        return True
    return False if all(r is False for r in results) else None


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def _formula(record: dict[str, Any], year: int, node: Formula) -> int:
    if isinstance(node, Fixed):
        return node.amount_fen
    if isinstance(node, Multiply):
        base = _operand(record, year, node.base)
        assert base is not None
        return _round_half_up(max(base, Fraction(0)) * node.factor)
    if isinstance(node, Tiers):
        base = _operand(record, year, node.base)
        amount = 0
        for lower, bracket_amount, _ in node.brackets:
            if base is not None and base >= lower:
                amount = bracket_amount
        return amount
    if isinstance(node, Cases):
        for cond, formula in node.cases:
            if _cond(record, year, cond) is True:
                return _formula(record, year, formula)
        return 0
    if isinstance(node, Sum):
        return sum(_formula(record, year, f) for f in node.items)
    assert isinstance(node, Cap)
    amount = _formula(record, year, node.inner)
    if node.limit_fen is not None and amount > node.limit_fen:
        amount = node.limit_fen
    if node.limit_ref is not None:
        bound = _operand(record, year, node.limit_ref)
        bound_fen = int(max(bound, Fraction(0))) if bound is not None else 0
        if amount > bound_fen:
            amount = bound_fen
    return amount


def reference_evaluate(
    registry: Registry, record: dict[str, Any], year: int, *, policy_ids: set[str] | None = None
) -> dict[tuple[str, str], tuple[bool, Decimal, Decimal]]:
    """``(policy id, clause id) -> (eligible, payable yuan, gross yuan)`` for one enterprise.

    Examples:
        >>> from innolink.engines.rules import load_registry
        >>> record = {"credit_code": "A", "tags": ["tech_sme"], "indicators": {
        ...     2024: {"rd_expense": Decimal("5500000")},
        ...     2023: {"rd_expense": Decimal("2000000"), "fiscal_contribution": 0}}}
        >>> out = reference_evaluate(load_registry(), record, 2024, policy_ids={"p02_rd_investment_award"})
        >>> out[("p02_rd_investment_award", "rd_increment_award")]
        (True, Decimal('210000.00'), Decimal('210000.00'))
    """
    out: dict[tuple[str, str], tuple[bool, Decimal, Decimal]] = {}
    for policy, version in registry.active(year):
        if policy_ids is not None and policy.id not in policy_ids:
            continue
        eligible: dict[str, bool] = {}
        gross: dict[str, int] = {}
        for clause in version.clauses:
            ok = _cond(record, year, clause.condition) is True
            for required in clause.requires:
                if not eligible[required]:
                    ok = False
            eligible[clause.id] = ok
            gross[clause.id] = max(_formula(record, year, clause.formula), 0) if ok else 0
        payable = dict(gross)
        for gid, group in version.groups.items():
            members = [c.id for c in version.clauses if c.group == gid]
            winner = None
            for m in members:
                if group.rule == "highest":
                    if winner is None or gross[m] > gross[winner]:
                        winner = m
                elif winner is None and eligible[m]:
                    winner = m
            if winner is None:
                winner = members[0]
            for m in members:
                if m != winner:
                    payable[m] = 0
        if version.cap_per_enterprise_fen is not None:
            room = version.cap_per_enterprise_fen
            for clause in version.clauses:
                paid = min(payable[clause.id], room)
                payable[clause.id] = paid
                room -= paid
        for clause in version.clauses:
            out[(policy.id, clause.id)] = (
                eligible[clause.id], fen_to_yuan(payable[clause.id]), fen_to_yuan(gross[clause.id])
            )
    return out
