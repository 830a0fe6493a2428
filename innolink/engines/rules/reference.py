"""A slow, obviously correct per-enterprise evaluator: the oracle for tests and the loop
baseline of ``bench/policy_scan.py``.

It reads one record dict (the shape documented in :mod:`.population`) directly, uses Python
``None`` for unknown, ``Fraction`` for every number, ``datetime.date`` for dates and plain ``if``
statements and loops for every rule: qualifications are worked out from the certification list,
items one by one, the ledger from the list of payments. It shares nothing with :mod:`.evaluate`
except the loaded model and the catalogue.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from . import fields as F
from .model import (
    All, AnyOf, Atom, Cap, Cases, Condition, Decided, FirstTime, Fixed, Formula, Implies, Items, ItemsRef,
    Multiply, Not, Operand, Registry, Sum, Tiers,
)
from .types import fen_to_yuan, yuan_to_fen

__all__ = ["reference_evaluate", "expiry_date"]

_TRUE = {True: True, False: False, "true": True, "false": False, "1": True, "0": False,
         "是": True, "否": False}


def expiry_date(certified: dt.date, years: int) -> dt.date:
    """The last day of a validity of ``years`` years from ``certified``: the day before the same
    date ``years`` later; 29 February rolls to 1 March first."""
    try:
        end = certified.replace(year=certified.year + years)
    except ValueError:  # 29 February in a year that has none
        end = dt.date(certified.year + years, 3, 1)
    return end - dt.timedelta(days=1)


def _as_date(value: Any) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return value


def _scaled(value: Any, spec: F.FieldSpec) -> Fraction | None:
    """A stored value in the engine's internal units (fen, thousandths, millionths, days,
    level positions), or None when missing."""
    if value is None:
        return None
    kind = spec.kind
    if kind == "money":
        return Fraction(yuan_to_fen(value))
    if kind == "quantity":
        return Fraction(int((Decimal(value) * 1000).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    if kind == "ratio":
        return Fraction(int((Decimal(value) * 1_000_000).quantize(Decimal(1), rounding=ROUND_HALF_UP)))
    if kind == "bool":
        return Fraction(1 if _TRUE[value.strip().lower() if isinstance(value, str) else value] else 0)
    if kind == "date":
        return Fraction((_as_date(value) - dt.date(1970, 1, 1)).days)
    if kind == "level":
        return Fraction(spec.choices.index(value))
    return Fraction(int(Decimal(value)))


class _Enterprise:
    """One record, read for one policy year."""

    def __init__(self, record: dict[str, Any], year: int, history_from: int | None) -> None:
        self.record = record
        self.year = year
        indicators = record.get("indicators") or {}
        if history_from is None:
            history_from = min([y for y in indicators if y <= year] or [year - 1])
        self.history_from = history_from
        self.quals = self._qualifications()
        self.payments = [
            (p["policy"], p["family"], p["year"], yuan_to_fen(p["amount"])) for p in (record.get("payments") or [])
        ]

    def _qualifications(self) -> list[dict[str, Any]] | None:
        r = self.record
        if r.get("qualifications") is None and r.get("tags") is None:
            return None
        rows = []
        for q in r.get("qualifications") or []:
            rows.append(dict(q))
        for tag in r.get("tags") or []:
            code, level = F.LEGACY_TAGS.get(tag, (tag, None))
            rows.append({"type": code, "level": level})
        cert, first = r.get("high_tech_cert_date"), r.get("high_tech_first_cert")
        if cert is not None or first is not None:
            row = next((q for q in rows if q.get("type") == "high_tech"), None)
            if row is None:
                row = {"type": "high_tech"}
                rows.append(row)
            if cert is not None:
                row["certified_on"] = cert
            if first is not None:
                row["first"] = first
        out = []
        for q in rows:
            code, level = q.get("type"), q.get("level")
            if code in F.LEGACY_TAGS:
                code, legacy = F.LEGACY_TAGS[code]
                level = level if level is not None else legacy
            spec = F.QUALIFICATIONS[code]
            out.append({
                "type": code,
                "level": spec.level_index(level) if spec.levels else 0,
                "certified": _as_date(q.get("certified_on")),
                "expires": _as_date(q.get("expires_on")),
                "first": None if q.get("first") is None else _TRUE[q.get("first")],
            })
        return out

    # -- indicators
    def indicator(self, name: str, offset: int) -> Fraction | None:
        value = (self.record.get("indicators") or {}).get(self.year + offset, {}).get(name)
        return _scaled(value, F.INDICATORS[name])

    def founded_year(self) -> int | None:
        founded = self.record.get("founded_on")
        return None if founded is None else _as_date(founded).year

    # -- the ledger
    def paid_family(self, family: str, this_year: bool) -> int:
        return sum(a for _p, f, y, a in self.payments if f == family and (y == self.year) == this_year)

    def paid_policy(self, policy: str) -> int:
        return sum(a for p, _f, y, a in self.payments if p == policy and y != self.year)


class _Item:
    """One item of a claim: its facts by name (in the engine's units)."""

    def __init__(self, kind: str, row: dict[str, Any], year: int) -> None:
        self.spec = F.ITEMS[kind]
        self.row = row
        self.year = year

    def fact(self, name: str) -> Fraction | None:
        return _scaled(self.row.get(name), self.spec.facts[name])


def _operand(src: Any, op: Operand) -> Fraction | None:
    """``(value, scale)`` collapsed to one exact Fraction in the threshold's units."""
    def get(name: str, offset: int) -> Fraction | None:
        if isinstance(src, _Item):
            return src.fact(name)
        return src.indicator(name, offset)

    scale = Fraction(F.SCALE["ratio"]) if op.unit_kind == "ratio" and not op.is_ratio else Fraction(1)
    if op.kind in ("sum", "avg"):
        name, offset = op.a
        values = [get(name, offset - k) for k in range(op.window)]
        if any(v is None for v in values):
            return None
        total = sum(values, Fraction(0))
        return total / (scale * (op.window if op.kind == "avg" else 1))
    a = get(*op.a)
    if op.kind == "value":
        return None if a is None else a / scale
    b = get(*op.b)  # type: ignore[misc]
    if a is None or b is None:
        return None
    if op.kind == "increase":
        return (a - b) / scale
    if b <= 0:
        return None
    if op.kind == "growth":
        return (a - b) / b
    return a / b


def _compare(value: Fraction, op: str, t: Any) -> bool:
    return {"gt": value > t, "ge": value >= t, "lt": value < t, "le": value <= t,
            "eq": value == t, "ne": value != t}[op]


def _date_ok(day: dt.date, op: str, value: Any, year: int) -> bool:
    if op == "in_policy_year":
        return day.year == year + value
    if op == "before":
        return day < value
    if op == "on_or_after":
        return day >= value
    if op == "between":
        return value[0] <= day <= value[1]
    return year - day.year < value  # within_years


def _any3(results: list[bool | None]) -> bool | None:
    if any(r is True for r in results):
        return True
    return False if all(r is False for r in results) else None


def _qual_atom(e: _Enterprise, a: Atom) -> bool | None:
    ref = a.qual
    assert ref is not None
    if e.quals is None:
        return None
    spec = F.QUALIFICATIONS[ref.code]
    rows = [q for q in e.quals if q["type"] == ref.code]
    year = e.year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)

    def in_levels(q: dict) -> bool:
        return ref.levels is None or q["level"] in ref.levels

    def expiry(q: dict) -> dt.date | None:
        if q["expires"] is not None:
            return q["expires"]
        if q["certified"] is not None and spec.validity_years:
            return expiry_date(q["certified"], spec.validity_years)
        return None

    def in_force(q: dict) -> bool:
        ends = expiry(q)
        return (q["certified"] is None or q["certified"] <= end) and (ends is None or ends >= start)

    def first_flag(q: dict) -> bool | None:
        if q["first"] is not None:
            return q["first"]
        if q["certified"] is None:
            return None
        for other in rows:
            if other["certified"] is not None and other["level"] >= q["level"] and other["certified"] < q["certified"]:
                return False
        return None

    def newly(q: dict) -> bool | None:
        if q["certified"] is None:
            return None
        if not start <= q["certified"] <= end:
            return False
        flag = first_flag(q)
        if flag is True or spec.renewal_is_new:
            return True
        return None if flag is None else False

    op = a.op
    if op in ("held", "not_held"):
        held = any(in_force(q) and in_levels(q) for q in rows)
        return held if op == "held" else not held
    if op == "newly":
        return _any3([newly(q) for q in rows if in_levels(q)])
    if op in ("first", "renewed"):  # a certification of the policy year that is first / a renewal
        want = op == "first"
        results = []
        for q in rows:
            if not in_levels(q):
                continue
            if q["certified"] is None:
                results.append(None)
            elif start <= q["certified"] <= end:
                flag = first_flag(q)
                results.append(None if flag is None else flag == want)
        return _any3(results)
    if op == "upgraded":
        before = [q["level"] for q in rows if q["certified"] is not None and q["certified"] < start]
        prev_max = max(before, default=-1)
        unknown_max = max((q["level"] for q in rows if q["certified"] is None), default=-1)
        results = []
        for q in rows:
            if not in_levels(q) or q["level"] <= prev_max:
                continue
            if q["certified"] is None:
                results.append(None)
            elif start <= q["certified"] <= end:
                results.append(True if q["level"] > unknown_max else None)
        return _any3(results)
    if ref.date == "first":
        candidates = [q for q in rows if in_levels(q) and (q["certified"] is None or q["certified"] <= end)]
        if not candidates:
            return False
        if any(q["certified"] is None for q in candidates):
            return None
        return _date_ok(min(q["certified"] for q in candidates), op, a.value, year)
    results = []
    for q in rows:
        if in_force(q) and in_levels(q):
            results.append(None if q["certified"] is None else _date_ok(q["certified"], op, a.value, year))
    return _any3(results)


def _first_time(e: _Enterprise, a: Atom) -> bool | None:
    op = a.operand
    assert op is not None
    value = _operand(e, op)
    current = None if value is None else _compare(value, a.op, a.value)
    if current is False:
        return False
    founded = e.founded_year()
    first_year = max(e.history_from, founded) if founded is not None else e.history_from
    name, offset = op.a
    missing = False
    for y in range(first_year, e.year + offset):
        earlier = e.indicator(name, y - e.year)
        if earlier is None:
            missing = True
            continue
        scale = Fraction(F.SCALE["ratio"]) if op.unit_kind == "ratio" else Fraction(1)
        if _compare(earlier / scale, a.op, a.value):
            return False
    if current is None or missing:
        return None
    return True


def _items(e: _Enterprise, ref: ItemsRef) -> tuple[int, int, int]:
    """(items counted, items undecided, sum of the counted items' amounts in fen)."""
    counted = pending = total = 0
    for row in (e.record.get("items") or {}).get(ref.kind) or []:
        if not e.year - ref.years < row["year"] <= e.year:
            continue
        item = _Item(ref.kind, row, e.year)
        where = True if ref.where is None else _cond(item, ref.where)
        needs = True if ref.needs is None else _cond(item, ref.needs)
        if where is True and needs is True:
            counted += 1
            total += max(_formula(item, ref.each), 0) if ref.each is not None else 0
        elif where is False or needs is False:
            continue
        else:
            pending += 1
    return counted, pending, total


def _items_atom(e: _Enterprise, a: Atom) -> bool | None:
    counted, pending, _ = _items(e, a.items)  # type: ignore[arg-type]
    possible = [_compare(Fraction(c), a.op, a.value) for c in range(counted, counted + pending + 1)]
    if all(possible):
        return True
    if not any(possible):
        return False
    return None


def _atom(src: Any, a: Atom) -> bool | None:
    if a.items is not None:
        return _items_atom(src, a)
    if a.qual is not None:
        return _qual_atom(src, a)
    year = src.year
    if a.operand is not None:
        if a.first_time:
            return _first_time(src, a)
        value = _operand(src, a.operand)
        if a.op == "known":
            return True if value is not None else None
        if value is None:
            return None
        kind = a.operand.unit_kind
        if kind == "date":
            return _date_ok(dt.date(1970, 1, 1) + dt.timedelta(days=int(value)), a.op, a.value, year)
        if kind == "bool":
            return (value == 1) == a.value
        if a.op in ("in", "not_in"):
            return (int(value) in a.value) == (a.op == "in")  # type: ignore[operator]
        return _compare(value, a.op, a.value)
    if isinstance(src, _Item):
        raw = src.row.get(a.field)
    else:
        raw = src.record.get(a.field)
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
    if a.op == "is":
        return bool(raw) == a.value
    return _date_ok(_as_date(raw), a.op, a.value, year)


def _cond(src: Any, node: Condition) -> bool | None:
    if isinstance(node, Atom):
        return _atom(src, node)
    if isinstance(node, Not):
        inner = _cond(src, node.item)
        return None if inner is None else not inner
    if isinstance(node, Decided):
        return True if _cond(src, node.item) is not None else None
    if isinstance(node, FirstTime):
        now = _cond(src, node.item)
        if now is False:
            return False
        founded = src.founded_year()
        first_year = max(src.history_from, founded) if founded is not None else src.history_from
        undecided = False
        for y in range(first_year, src.year):
            earlier = _cond(_Enterprise(src.record, y, src.history_from), node.item)
            if earlier is True:
                return False
            if earlier is None:
                undecided = True
        return None if now is None or undecided else True
    if isinstance(node, Implies):
        premise, conclusion = _cond(src, node.if_), _cond(src, node.then)
        if premise is False or conclusion is True:
            return True
        if premise is True and conclusion is False:
            return False
        return None
    results = [_cond(src, item) for item in node.items]
    if isinstance(node, All):
        if any(r is False for r in results):
            return False
        return True if all(r is True for r in results) else None
    assert isinstance(node, AnyOf)
    return _any3(results)


def _round_half_up(x: Fraction) -> int:
    return math.floor(x + Fraction(1, 2))


def _formula(src: Any, node: Formula) -> int:
    if isinstance(node, Fixed):
        return node.amount_fen
    if isinstance(node, Multiply):
        base = _operand(src, node.base)
        if base is None:
            assert node.optional
            base = Fraction(0)
        return _round_half_up(max(base, Fraction(0)) * node.factor)
    if isinstance(node, Tiers):
        base = _operand(src, node.base)
        amount = 0
        for lower, bracket_amount, _ in node.brackets:
            if base is not None and base >= lower:
                amount = bracket_amount
        return amount
    if isinstance(node, Cases):
        for cond, formula in node.cases:
            if _cond(src, cond) is True:
                return _formula(src, formula)
        return 0
    if isinstance(node, Sum):
        return sum(_formula(src, f) for f in node.items)
    if isinstance(node, Items):
        return _items(src, node.ref)[2]
    assert isinstance(node, Cap)
    amount = _formula(src, node.inner)
    if node.limit_fen is not None and amount > node.limit_fen:
        amount = node.limit_fen
    if node.limit_ref is not None:
        bound = _operand(src, node.limit_ref)
        bound_fen = int(max(bound, Fraction(0))) if bound is not None else 0
        if amount > bound_fen:
            amount = bound_fen
    return amount


def reference_evaluate(
    registry: Registry, record: dict[str, Any], year: int, *, policy_ids: set[str] | None = None,
    history_from: int | None = None,
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
    e = _Enterprise(record, year, history_from)
    wanted = None if policy_ids is None else registry.with_exclusive_partners(policy_ids)
    results: list[tuple[str, Any, bool, int, int]] = []  # (policy id, clause, eligible, payable, gross)
    for policy, version in registry.active(year):
        if wanted is not None and policy.id not in wanted:
            continue
        eligible: dict[str, bool] = {}
        gross: dict[str, int] = {}
        after_ledger: dict[str, int] = {}
        for clause in version.clauses:
            ok = _cond(e, clause.condition) is True
            for required in clause.requires:
                if not eligible[required]:
                    ok = False
            eligible[clause.id] = ok
            gross[clause.id] = max(_formula(e, clause.formula), 0) if ok else 0
            amount = gross[clause.id]
            paid_before = e.paid_family(clause.family, this_year=False)
            if clause.once and paid_before > 0:
                amount = 0
            if clause.top_up:
                amount = max(amount - paid_before, 0)
            after_ledger[clause.id] = amount
        payable = dict(after_ledger)
        for gid, group in version.groups.items():
            members = [c.id for c in version.clauses if c.group == gid]
            winner = None
            for m in members:
                if group.rule == "highest":
                    if winner is None or after_ledger[m] > after_ledger[winner]:
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
        if version.cap_lifetime_fen is not None:
            room = max(version.cap_lifetime_fen - e.paid_policy(policy.id), 0)
            for clause in version.clauses:
                paid = min(payable[clause.id], room)
                payable[clause.id] = paid
                room -= paid
        for clause in version.clauses:
            results.append((policy.id, clause, eligible[clause.id], payable[clause.id], gross[clause.id]))
    # 就高不重复 across policies
    by_id: dict[str, list[int]] = {}
    for k, (_pid, clause, _ok, _pay, _gross) in enumerate(results):
        if clause.exclusive:
            by_id.setdefault(clause.exclusive, []).append(k)
    for exclusive, members in by_id.items():
        winner = members[0]
        for k in members[1:]:
            if results[k][3] > results[winner][3]:
                winner = k
        families = registry.exclusive_families(exclusive)
        for k in members:
            pid, clause, ok, pay, g = results[k]
            if k == winner:
                others = sum(e.paid_family(f, this_year=True) for f in families if f != clause.family)
                pay = max(pay - others, 0)
            else:
                pay = 0
            results[k] = (pid, clause, ok, pay, g)
    return {
        (pid, clause.id): (ok, fen_to_yuan(pay), fen_to_yuan(g))
        for pid, clause, ok, pay, g in results
        if policy_ids is None or pid in policy_ids
    }
