"""Vectorised evaluation: every clause of every active policy over a whole :class:`Population`.

One pass, no per-enterprise Python loop. Conditions use Kleene three-valued logic held as two
boolean arrays per node, ``t`` (definitely true) and ``f`` (definitely false); where neither is
set the answer is unknown (missing data) and the enterprise is not eligible. Numeric
comparisons are exact integer cross-multiplications (``value * q  OP  p`` for a threshold
``p/q``); amounts are int64 fen, rounded ROUND_HALF_UP at each rate multiplication.

Stacking within a policy version, in this order:
1. ``requires``: a clause is eligible only if every clause it requires is eligible
   ("在…基础上,再给予…").
2. groups: ``highest`` pays only the highest amount of the group (ties: first in file order),
   ``priority`` pays only the first eligible clause of the group (Catala: exception before base);
   clauses outside groups stack ("on top of").
3. ``cap_per_enterprise`` of the version: clauses are paid in file order until the cap is used up.
"""

from __future__ import annotations

import datetime as dt
import dataclasses
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Iterator

import numpy as np

from . import fields as F
from .model import (
    All, AnyOf, Atom, Cases, Clause, Condition, Fixed, Formula, Multiply, Operand,
    Policy, PolicyVersion, Registry, Sum, Tiers,
)
from .budget import FIRST_COME, PRO_RATA, Proration
from .population import MISSING_DAY, Population, day_number
from .types import fen_to_yuan

__all__ = ["scan", "ScanResult", "ClauseScan", "ClauseArrays", "evaluate_population", "split_by_shares"]

_TAG_BIT = {t: 1 << k for k, t in enumerate(F.TAGS)}


@dataclass
class AtomTrace:
    """Per-atom arrays kept when tracing (the explain path)."""

    t: np.ndarray
    f: np.ndarray
    num: np.ndarray | None = None
    den: np.ndarray | None = None


@dataclass(frozen=True)
class ClauseArrays:
    """Full-length results of one clause (internal; :class:`ClauseScan` is the compact form)."""

    policy: Policy
    version: PolicyVersion
    clause: Clause
    eligible: np.ndarray  # bool: qualifies (conditions true, required clauses eligible)
    unknown: np.ndarray  # bool: undecided for missing data
    gross_fen: np.ndarray  # int64: formula amount, 0 where not eligible
    amount_fen: np.ndarray  # int64: payable after groups and the policy cap


@dataclass(frozen=True)
class ClauseScan:
    """The enterprises eligible for one clause, with payable amounts in fen."""

    policy_id: str
    clause_id: str
    title: str
    lane: str
    index: np.ndarray  # int64 population rows that are eligible
    amount_fen: np.ndarray  # int64 payable amount per row in ``index`` (may be 0 when stacked out)
    gross_fen: np.ndarray  # int64 formula amount before groups and policy caps

    @property
    def count(self) -> int:
        return int(self.index.shape[0])

    @property
    def total(self) -> Decimal:
        return fen_to_yuan(int(self.amount_fen.sum()))

    def rows(self, population: Population) -> Iterator[tuple[str, Decimal]]:
        """``(credit_code, amount yuan)`` per eligible enterprise, in population order."""
        for i, fen in zip(self.index.tolist(), self.amount_fen.tolist()):
            yield population.credit_code[i], fen_to_yuan(fen)


@dataclass(frozen=True)
class ScanResult:
    year: int
    size: int
    clauses: tuple[ClauseScan, ...]
    budgets_fen: dict[str, int]
    shares: dict[str, tuple[tuple[str, int], ...]]
    shortfall: dict[str, str] = dataclasses.field(default_factory=dict)  # policy -> first_come | pro_rata

    def clause(self, policy_id: str, clause_id: str) -> ClauseScan:
        for c in self.clauses:
            if c.policy_id == policy_id and c.clause_id == clause_id:
                return c
        raise KeyError((policy_id, clause_id))

    def policy_totals(self) -> dict[str, dict[str, object]]:
        """Per policy: enterprises paid, total payable, budget, whether the total exceeds the
        budget, and the total split per funding level (all money as ``Decimal`` yuan).

        For a ``pro_rata`` policy over its budget, also the scaling against the whole budget
        (this result knows nothing of what is already committed; the Django app scales
        approvals against what is left): ``factor`` (``Fraction``), ``percent`` (text) and
        ``payable`` (the sum of the scaled awards, each rounded down to the fen, never above
        the budget). Otherwise ``factor`` is 1 and ``payable`` equals ``total``."""
        rows: dict[str, list[np.ndarray]] = {}
        totals: dict[str, int] = {}
        payable: dict[str, int] = {}
        for c in self.clauses:
            rows.setdefault(c.policy_id, []).append(c.index[c.amount_fen > 0])
            totals[c.policy_id] = totals.get(c.policy_id, 0) + int(c.amount_fen.sum())
        prorations = {pid: Proration(self.budgets_fen[pid], total) for pid, total in totals.items()
                      if self.shortfall.get(pid, FIRST_COME) == PRO_RATA}
        for c in self.clauses:
            p = prorations.get(c.policy_id)
            scaled = int(p.scale_array(c.amount_fen).sum()) if p else int(c.amount_fen.sum())
            payable[c.policy_id] = payable.get(c.policy_id, 0) + scaled
        result = {}
        for pid, total in totals.items():
            p = prorations.get(pid)
            result[pid] = {
                "enterprises": int(np.unique(np.concatenate(rows[pid])).shape[0]),
                "total": fen_to_yuan(total),
                "budget": fen_to_yuan(self.budgets_fen[pid]),
                "over_budget": total > self.budgets_fen[pid],
                "split": {lvl: fen_to_yuan(f) for lvl, f in split_by_shares(total, self.shares[pid])},
                "shortfall": self.shortfall.get(pid, FIRST_COME),
                "factor": p.factor if p else Fraction(1),
                "percent": p.percent if p else "100%",
                "payable": fen_to_yuan(payable[pid]),
            }
        return result


def split_by_shares(amount_fen: int, shares: tuple[tuple[str, int], ...]) -> list[tuple[str, int]]:
    """Split an amount between funding levels by integer shares, exactly, to the fen
    (largest remainder; ties go to the level listed first).

    Examples:
        >>> split_by_shares(2100000, (("省", 8), ("市", 1), ("县", 1)))
        [('省', 1680000), ('市', 210000), ('县', 210000)]
        >>> split_by_shares(1, (("市", 1), ("县", 1)))
        [('市', 1), ('县', 0)]
    """
    total = sum(s for _, s in shares)
    base = [(amount_fen * s) // total for _, s in shares]
    rest = amount_fen - sum(base)
    order = sorted(range(len(shares)), key=lambda i: (-((amount_fen * shares[i][1]) % total), i))
    for i in order[:rest]:
        base[i] += 1
    return [(lvl, base[i]) for i, (lvl, _) in enumerate(shares)]


def _frac(value: object) -> tuple[int, int]:
    fr = Fraction(value)  # type: ignore[arg-type]
    return fr.numerator, fr.denominator


_CMP = {
    "gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal,
    "eq": np.equal, "ne": np.not_equal,
}


class _Evaluator:
    """Evaluates conditions and formulas over one population, caching operand arrays."""

    def __init__(self, pop: Population, trace: bool = False) -> None:
        self.pop = pop
        self.n = pop.size
        self.trace: dict[int, AtomTrace] | None = {} if trace else None
        self._operands: dict[str, tuple[np.ndarray, np.ndarray | None, np.ndarray]] = {}
        self._true = np.ones(self.n, dtype=bool)
        self._false = np.zeros(self.n, dtype=bool)

    # -- operands: (numerator, denominator or None, known)
    def operand(self, op: Operand) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        hit = self._operands.get(op.ref)
        if hit is not None:
            return hit
        a, pa = self.pop.indicator[op.a]
        if op.kind == "value":
            out = (a, None, pa)
        else:
            b, pb = self.pop.indicator[op.b]  # type: ignore[index]
            known = pa & pb
            if op.kind == "increase":
                out = (a - b, None, known)
            elif op.kind == "growth":
                out = (a - b, b, known & (b > 0))
            else:  # share
                out = (a, b, known & (b > 0))
        self._operands[op.ref] = out
        return out

    # -- conditions: (t, f)
    def cond(self, node: Condition) -> tuple[np.ndarray, np.ndarray]:
        if isinstance(node, Atom):
            return self.atom(node)
        if isinstance(node, All):
            if not node.items:
                return self._true, self._false
            t, f = self.cond(node.items[0])
            for item in node.items[1:]:
                t2, f2 = self.cond(item)
                t, f = t & t2, f | f2
            return t, f
        if isinstance(node, AnyOf):
            t, f = self.cond(node.items[0])
            for item in node.items[1:]:
                t2, f2 = self.cond(item)
                t, f = t | t2, f & f2
            return t, f
        t, f = self.cond(node.item)  # Not
        return f, t

    def atom(self, a: Atom) -> tuple[np.ndarray, np.ndarray]:
        num = den = None
        if a.operand is not None:
            num, den, known = self.operand(a.operand)
            if a.op == "known":
                t, f = known, self._false
            else:
                p, q = _frac(a.value)
                lhs = num * q if q != 1 else num
                rhs = p if den is None else den * p
                ok = _CMP[a.op](lhs, rhs)
                t, f = known & ok, known & ~ok
        elif a.field in self.pop.category:
            col = self.pop.category[a.field]
            known = col.codes >= 0
            if a.op == "known":
                t, f = known, self._false
            else:
                values = a.value  # type: ignore[assignment]
                if a.op in ("in", "not_in"):
                    table = [label in values for label in col.labels]
                else:
                    table = [any(label.startswith(v) for v in values) for label in col.labels]
                if a.op in ("not_in", "not_prefix"):
                    table = [not x for x in table]
                lookup = np.array(table + [False], dtype=bool)
                ok = lookup[col.codes]  # code -1 reads the trailing False
                t, f = ok, known & ~ok
        elif a.field == "tags":
            known = self.pop.tags_known
            if a.op == "known":
                t, f = known, self._false
            else:
                mask = 0
                for tag in a.value:  # type: ignore[union-attr]
                    mask |= _TAG_BIT[tag]
                hit = self.pop.tags & np.uint32(mask)
                if a.op in ("has", "has_all"):
                    ok = hit == mask
                elif a.op == "has_any":
                    ok = hit != 0
                else:  # has_none
                    ok = hit == 0
                t, f = known & ok, known & ~ok
        elif a.field in self.pop.flag:
            col = self.pop.flag[a.field]
            known = col >= 0
            if a.op == "known":
                t, f = known, self._false
            else:
                ok = col == (1 if a.value else 0)
                t, f = ok, known & ~ok
        elif a.field in self.pop.date:
            col = self.pop.date[a.field]
            known = col != MISSING_DAY
            year = self.pop.year
            if a.op == "known":
                t, f = known, self._false
            else:
                if a.op == "in_policy_year":
                    y = year + int(a.value)  # type: ignore[call-overload]
                    ok = (col >= day_number(dt.date(y, 1, 1))) & (col <= day_number(dt.date(y, 12, 31)))
                elif a.op == "before":
                    ok = col < day_number(a.value)  # type: ignore[arg-type]
                elif a.op == "on_or_after":
                    ok = col >= day_number(a.value)  # type: ignore[arg-type]
                else:  # within_years: policy year - year of date < N
                    ok = col >= day_number(dt.date(year - int(a.value) + 1, 1, 1))  # type: ignore[call-overload]
                t, f = known & ok, known & ~ok
        else:  # text fields (credit_code, name)
            column = self.pop.credit_code if a.field == "credit_code" else self.pop.name
            if a.op == "known":
                t, f = column != "", self._false
            else:
                ok = np.isin(column, list(a.value))  # type: ignore[arg-type]
                if a.op == "not_in":
                    ok = ~ok
                t, f = ok, ~ok
        if self.trace is not None:
            self.trace[id(a)] = AtomTrace(t, f, num, den)
        return t, f

    # -- formulas: int64 fen
    def formula(self, node: Formula) -> np.ndarray:
        if isinstance(node, Fixed):
            return np.full(self.n, node.amount_fen, dtype=np.int64)
        if isinstance(node, Multiply):
            base, _, _ = self.operand(node.base)
            p, q = _frac(node.factor)
            base = np.maximum(base, 0)
            return (2 * base * p + q) // (2 * q)
        if isinstance(node, Tiers):
            num, den, _ = self.operand(node.base)
            out = np.zeros(self.n, dtype=np.int64)
            for lower, amount, _ in node.brackets:  # ascending: later brackets overwrite
                p, q = _frac(lower)
                reached = (num * q >= p) if den is None else (num * q >= den * p)
                out = np.where(reached, amount, out)
            return out
        if isinstance(node, Cases):
            conds = [self.cond(c)[0] for c, _ in node.cases]
            values = [self.formula(f) for _, f in node.cases]
            return np.select(conds, values, 0).astype(np.int64)
        if isinstance(node, Sum):
            total = self.formula(node.items[0])
            for item in node.items[1:]:
                total = total + self.formula(item)
            return total
        # Cap
        out = self.formula(node.inner)
        if node.limit_fen is not None:
            out = np.minimum(out, node.limit_fen)
        if node.limit_ref is not None:
            bound, _, _ = self.operand(node.limit_ref)
            out = np.minimum(out, np.maximum(bound, 0))
        return out


def _evaluate_version(ev: _Evaluator, policy: Policy, version: PolicyVersion) -> list[ClauseArrays]:
    n = ev.n
    eligible: dict[str, np.ndarray] = {}
    unknown: dict[str, np.ndarray] = {}
    failed: dict[str, np.ndarray] = {}
    gross: dict[str, np.ndarray] = {}
    for clause in version.clauses:
        t, f = ev.cond(clause.condition)
        for r in clause.requires:
            t, f = t & eligible[r], f | failed[r]
        eligible[clause.id] = t
        failed[clause.id] = f
        unknown[clause.id] = ~(t | f)
        gross[clause.id] = np.where(t, np.maximum(ev.formula(clause.formula), 0), 0)
    payable = dict(gross)
    for gid, group in version.groups.items():
        members = [c.id for c in version.clauses if c.group == gid]
        if len(members) < 2:
            continue
        stack = np.stack([gross[m] for m in members])
        if group.rule == "highest":
            winner = np.argmax(stack, axis=0)  # first index among equal maxima
        else:
            elig = np.stack([eligible[m] for m in members])
            winner = np.argmax(elig, axis=0)
        for k, m in enumerate(members):
            payable[m] = np.where(winner == k, gross[m], 0)
    if version.cap_per_enterprise_fen is not None:
        used = np.zeros(n, dtype=np.int64)
        for clause in version.clauses:
            room = np.maximum(version.cap_per_enterprise_fen - used, 0)
            paid = np.minimum(payable[clause.id], room)
            payable[clause.id] = paid
            used = used + paid
    return [
        ClauseArrays(policy, version, c, eligible[c.id], unknown[c.id], gross[c.id], payable[c.id])
        for c in version.clauses
    ]


def evaluate_population(
    registry: Registry, population: Population, *, trace: bool = False, policy_ids: set[str] | None = None
) -> tuple[list[ClauseArrays], dict[int, AtomTrace] | None]:
    """Full-length arrays for every clause of every policy in force in ``population.year``.

    With ``trace=True`` also returns the per-atom arrays (keyed by ``id(atom)``) used by
    :mod:`.explain`. Most callers want :func:`scan`.

    Examples:
        >>> from innolink.engines.rules import load_registry, population_from_records
        >>> pop = population_from_records([{"credit_code": "A", "tags": ["specialized_provincial"]}], 2024)
        >>> arrays, _ = evaluate_population(load_registry(), pop, policy_ids={"p10_specialized_sme"})
        >>> [(a.clause.id, bool(a.eligible[0]), int(a.amount_fen[0])) for a in arrays]
        [('national', False, 0), ('provincial', True, 20000000)]
    """
    ev = _Evaluator(population, trace=trace)
    out: list[ClauseArrays] = []
    for policy, version in registry.active(population.year):
        if policy_ids is not None and policy.id not in policy_ids:
            continue
        out.extend(_evaluate_version(ev, policy, version))
    return out, ev.trace


def scan(registry: Registry, population: Population, *, policy_ids: set[str] | None = None) -> ScanResult:
    """Every eligible enterprise per clause, with payable amounts, in one vectorised pass.

    Examples:
        >>> from decimal import Decimal
        >>> from innolink.engines.rules import load_registry, population_from_records
        >>> pop = population_from_records([{
        ...     "credit_code": "A", "tags": ["tech_sme"],
        ...     "indicators": {2024: {"rd_expense": Decimal("5500000")},
        ...                    2023: {"rd_expense": Decimal("2000000"), "fiscal_contribution": 0}}}], 2024)
        >>> result = scan(load_registry(), pop, policy_ids={"p02_rd_investment_award"})
        >>> c = result.clause("p02_rd_investment_award", "rd_increment_award")
        >>> c.index.tolist(), c.total
        ([0], Decimal('210000.00'))
    """
    arrays, _ = evaluate_population(registry, population, policy_ids=policy_ids)
    clauses = []
    budgets: dict[str, int] = {}
    shares: dict[str, tuple[tuple[str, int], ...]] = {}
    shortfall: dict[str, str] = {}
    for a in arrays:
        idx = np.flatnonzero(a.eligible)
        clauses.append(
            ClauseScan(
                policy_id=a.policy.id,
                clause_id=a.clause.id,
                title=a.clause.title,
                lane=a.version.lane,
                index=idx,
                amount_fen=a.amount_fen[idx],
                gross_fen=a.gross_fen[idx],
            )
        )
        budgets[a.policy.id] = a.version.budget_fen
        shares[a.policy.id] = a.version.shares
        shortfall[a.policy.id] = a.version.budget_shortfall
    return ScanResult(population.year, population.size, tuple(clauses), budgets, shares, shortfall)
