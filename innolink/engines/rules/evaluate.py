"""Vectorised evaluation: every clause of every active policy over a whole :class:`Population`.

One pass, no per-enterprise Python loop. Conditions use Kleene three-valued logic held as two
boolean arrays per node, ``t`` (definitely true) and ``f`` (definitely false); where neither is
set the answer is unknown (missing data) and the enterprise is not eligible. Numeric
comparisons are exact integer cross-multiplications (``value * q  OP  p * den`` for a threshold
``p/q``); amounts are int64 fen, rounded ROUND_HALF_UP at each rate multiplication.

Qualifications are derived per type from the certification rows (level in force during the
policy year, newly certified, first or renewed, upgraded, dates); items are evaluated row by row
on their own table and summed per enterprise; payments (the ledger) are summed per family and
policy. All of it stays vectorised: row tables are reduced to per-enterprise arrays with
``numpy`` scatter and prefix sums.

Steps within a policy version, in this order (docs/decisions/0101, 0131):
1. ``requires``: a clause is eligible only if every clause it requires is eligible.
2. the ledger: ``once`` pays nothing when the family was paid in another year; ``top_up`` pays
   the amount minus what the family was paid in other years.
3. groups: ``highest`` pays only the highest amount of the group (ties: first in file order),
   ``priority`` pays only the first eligible clause of the group.
4. ``cap_per_enterprise`` of the version: clauses are paid in file order until the cap is used up.
5. ``cap_lifetime`` of the version: the same, against the cap minus what the policy paid the
   enterprise in other years.
Then across policies, ``exclusive``: the highest payable clause of the id wins (ties: first in
registry order) and is reduced by what the other members were paid in the policy year.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Iterator

import numpy as np

from . import fields as F
from .budget import FIRST_COME, PRO_RATA, Proration
from .model import (
    All, AnyOf, Atom, Cases, Clause, Condition, Decided, FirstTime, Fixed, Formula, Implies, Items,
    ItemsRef, Multiply, Operand, Policy, PolicyVersion, Registry, Sum, Tiers,
)
from .population import (
    MISSING_DAY, PAYMENTS, QUALIFICATIONS, CategoryColumn, Population, RowTable, day_number, item_table,
)
from .types import fen_to_yuan

__all__ = [
    "scan", "ScanResult", "ClauseScan", "ClauseArrays", "evaluate_population", "split_by_shares",
    "add_years_days", "ItemFrame",
]

_FAR = np.iinfo(np.int64).max


@dataclass
class AtomTrace:
    """Per-atom arrays kept when tracing (the explain path)."""

    t: np.ndarray
    f: np.ndarray
    num: np.ndarray | None = None
    den: Any = None


@dataclass(frozen=True)
class ClauseArrays:
    """Full-length results of one clause (internal; :class:`ClauseScan` is the compact form).

    The stage arrays are the payable amount after each step (ledger, groups, the per-year cap,
    the lifetime cap, the cross-policy exclusive id); the explanation reads them to say why an
    eligible clause pays less than its formula."""

    policy: Policy
    version: PolicyVersion
    clause: Clause
    eligible: np.ndarray  # bool: qualifies (conditions true, required clauses eligible)
    unknown: np.ndarray  # bool: undecided for missing data
    gross_fen: np.ndarray  # int64: formula amount, 0 where not eligible
    amount_fen: np.ndarray  # int64: payable after every step
    after_ledger: np.ndarray | None = None
    after_group: np.ndarray | None = None
    after_cap: np.ndarray | None = None
    after_lifetime: np.ndarray | None = None
    exclusive_tie: np.ndarray | None = None  # bool: won an exclusive id on a tie


@dataclass(frozen=True)
class ClauseScan:
    """The enterprises eligible for one clause, with payable amounts in fen."""

    policy_id: str
    clause_id: str
    title: str
    lane: str
    index: np.ndarray  # int64 population rows that are eligible
    amount_fen: np.ndarray  # int64 payable amount per row in ``index`` (may be 0 when stacked out)
    gross_fen: np.ndarray  # int64 formula amount before groups, caps and the ledger

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


def add_years_days(days: np.ndarray, years: int) -> np.ndarray:
    """The last day of a validity of ``years`` years starting on each day: the day before the
    same date ``years`` later (29 February rolls to 1 March, so the validity ends 28 February).

    Examples:
        >>> from innolink.engines.rules.population import day_number, from_day_number
        >>> [from_day_number(d).isoformat() for d in add_years_days(
        ...     np.array([day_number(dt.date(2021, 6, 15)), day_number(dt.date(2020, 2, 29))]), 3)]
        ['2024-06-14', '2023-02-28']
    """
    d = days.astype("datetime64[D]")
    month = d.astype("datetime64[M]")
    offset = (d - month.astype("datetime64[D]")).astype(np.int64)
    target = (month + np.timedelta64(12 * years, "M")).astype("datetime64[D]") + offset
    return target.astype(np.int64) - 1


def _frac(value: object) -> tuple[int, int]:
    if type(value) is Fraction:
        return value.numerator, value.denominator  # type: ignore[union-attr]
    fr = Fraction(value)  # type: ignore[arg-type]
    return fr.numerator, fr.denominator


_CMP = {
    "gt": np.greater, "ge": np.greater_equal, "lt": np.less, "le": np.less_equal,
    "eq": np.equal, "ne": np.not_equal,
}


def _any_by_owner(owner: np.ndarray, mask: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=bool)
    out[owner[mask]] = True
    return out


def _max_by_owner(owner: np.ndarray, values: np.ndarray, n: int, fill: int) -> np.ndarray:
    out = np.full(n, fill, dtype=np.int64)
    if owner.size:
        np.maximum.at(out, owner, values)
    return out


def _min_by_owner(owner: np.ndarray, values: np.ndarray, n: int, fill: int) -> np.ndarray:
    out = np.full(n, fill, dtype=np.int64)
    if owner.size:
        np.minimum.at(out, owner, values)
    return out


_EXACT_FLOAT = 2 ** 53


def _sum_by_owner(owner: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Exact int64 sums per enterprise. ``bincount`` adds in float64, which is exact while every
    partial sum stays below 2**53 (checked on the total of absolute values); otherwise exact
    prefix sums over the rows sorted by owner."""
    if not owner.size:
        return np.zeros(n, np.int64)
    if int(np.abs(values).sum()) < _EXACT_FLOAT:
        return np.bincount(owner, weights=values, minlength=n).astype(np.int64)
    starts = np.searchsorted(owner, np.arange(n + 1), side="left")
    cs = np.concatenate([np.zeros(1, np.int64), np.cumsum(values, dtype=np.int64)])
    return cs[starts[1:]] - cs[starts[:-1]]


def date_op(days: np.ndarray, known: np.ndarray, op: str, value: object, year: int) -> tuple[np.ndarray, np.ndarray]:
    """A date comparison over day numbers: (t, f)."""
    if op == "in_policy_year":
        y = year + int(value)  # type: ignore[call-overload]
        ok = (days >= day_number(dt.date(y, 1, 1))) & (days <= day_number(dt.date(y, 12, 31)))
    elif op == "before":
        ok = days < day_number(value)  # type: ignore[arg-type]
    elif op == "on_or_after":
        ok = days >= day_number(value)  # type: ignore[arg-type]
    elif op == "between":
        lo, hi = value  # type: ignore[misc]
        ok = (days >= day_number(lo)) & (days <= day_number(hi))
    else:  # within_years: policy year - year of date < N
        ok = days >= day_number(dt.date(year - int(value) + 1, 1, 1))  # type: ignore[call-overload]
    return known & ok, known & ~ok


@dataclass
class ItemFrame:
    """The rows of one item kind (of the years asked), as a population-like frame for the
    evaluator: facts are operands at offset 0, categorical facts are categories."""

    year: int
    size: int
    owner: np.ndarray
    rows: np.ndarray  # positions in the item table
    indicator: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]
    category: dict[str, CategoryColumn]
    text: dict[str, np.ndarray]
    date: dict[str, np.ndarray] = dataclasses.field(default_factory=dict)
    tables: dict[str, RowTable] = dataclasses.field(default_factory=dict)
    history_from: int = 0

    @classmethod
    def of(cls, pop: Population, ref: ItemsRef, year: int | None = None) -> "ItemFrame":
        year = pop.year if year is None else year
        table = pop.tables.get(item_table(ref.kind))
        spec = F.ITEMS[ref.kind]
        if table is None:
            rows = np.empty(0, np.int64)
            empty = np.empty(0, np.int64)
            return cls(year, 0, empty, rows,
                       {(f.name, 0): (empty, np.empty(0, bool)) for f in spec.facts.values() if f.kind in F.COLUMN_KINDS},
                       {f.name: CategoryColumn(np.empty(0, np.int32), f.choices)
                        for f in spec.facts.values() if f.kind == "category"},
                       {"key": np.empty(0, object), "label": np.empty(0, object)})
        years = table.num["year"]
        rows = np.flatnonzero((years <= year) & (years > year - ref.years))
        return cls.from_rows(year, table, rows)

    @classmethod
    def from_rows(cls, year: int, table: RowTable, rows: np.ndarray) -> "ItemFrame":
        return cls(
            year, int(rows.size), table.owner[rows], rows,
            {(k, 0): (v[rows], table.present.get(k, np.ones(v.shape, bool))[rows])
             for k, v in table.num.items() if k != "year"},
            {k: CategoryColumn(c.codes[rows], c.labels) for k, c in table.cat.items()},
            {k: v[rows] for k, v in table.text.items()},
        )


@dataclass(frozen=True)
class ItemsResult:
    counted: np.ndarray  # per item row: meets where and has the facts
    undecided: np.ndarray  # per item row: where or a needed fact unknown
    values: np.ndarray  # per item row: each's amount (0 unless counted)
    count: np.ndarray  # per enterprise: items counted
    pending: np.ndarray  # per enterprise: items undecided
    total: np.ndarray  # per enterprise: sum of the counted items' amounts
    frame: ItemFrame


class _Evaluator:
    """Evaluates conditions and formulas over one population (or one item frame), caching
    operand arrays, qualification state, items and ledger sums."""

    def __init__(self, pop: Any, trace: bool = False, *, shift: int = 0) -> None:
        self.pop = pop
        self.shift = shift  # evaluate as if the policy year were ``shift`` years earlier
        self.year = pop.year - shift
        self._shifted: dict[int, "_Evaluator"] = {}
        self._shared: dict[str, Any] = {}  # what does not depend on the year (shared by shifted evaluators)
        self.n = pop.size
        self.trace: dict[int, AtomTrace] | None = {} if trace else None
        self._operands: dict[tuple, tuple[np.ndarray, Any, np.ndarray]] = {}
        self._columns: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
        self._quals: dict[str, dict[str, np.ndarray]] = {}
        self._items: dict[int, ItemsResult] = {}
        self._paid: dict[tuple, np.ndarray] = {}
        self._true = np.ones(self.n, dtype=bool)
        self._false = np.zeros(self.n, dtype=bool)

    # -- columns and operands: (numerator, denominator or None, known)
    def column(self, name: str, offset: int) -> tuple[np.ndarray, np.ndarray]:
        offset -= self.shift
        hit = self.pop.indicator.get((name, offset))
        if hit is not None:
            return hit
        cached = self._columns.get((name, offset))
        if cached is None:
            cached = self._columns[(name, offset)] = (np.zeros(self.n, np.int64), np.zeros(self.n, bool))
        return cached

    def operand(self, op: Operand) -> tuple[np.ndarray, Any, np.ndarray]:
        hit = self._operands.get((op.scope, op.ref))
        if hit is not None:
            return hit
        scale = F.SCALE["ratio"] if op.unit_kind == "ratio" and not op.is_ratio else None
        if op.kind in ("sum", "avg"):
            name, offset = op.a
            total = np.zeros(self.n, np.int64)
            known = np.ones(self.n, bool)
            for k in range(op.window):
                v, p = self.column(name, offset - k)
                total = total + v
                known = known & p
            den = op.window * (scale or 1) if op.kind == "avg" else scale
            out = (total, den if den != 1 else None, known)
        else:
            a, pa = self.column(*op.a)
            if op.kind == "value":
                out = (a, scale, pa)
            else:
                b, pb = self.column(*op.b)  # type: ignore[misc]
                known = pa & pb
                if op.kind == "increase":
                    out = (a - b, scale, known)
                elif op.kind == "growth":
                    out = (a - b, b, known & (b > 0))
                else:  # share
                    out = (a, b, known & (b > 0))
        self._operands[(op.scope, op.ref)] = out
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
        if isinstance(node, Implies):
            ti, fi = self.cond(node.if_)
            tt, ft = self.cond(node.then)
            return fi | tt, ti & ft
        if isinstance(node, Decided):
            t, f = self.cond(node.item)
            return t | f, self._false
        if isinstance(node, FirstTime):
            return self._first_time_node(node)
        t, f = self.cond(node.item)  # Not
        return f, t

    def atom(self, a: Atom) -> tuple[np.ndarray, np.ndarray]:
        num = den = None
        if a.items is not None:
            t, f = self._items_atom(a)
        elif a.qual is not None:
            t, f = self._qual_atom(a)
        elif a.operand is not None:
            num, den, known = self.operand(a.operand)
            kind = a.operand.unit_kind
            if a.op == "known":
                t, f = known, self._false
            elif a.first_time:
                t, f = self._first_time(a)
            elif kind == "date":
                t, f = date_op(num, known, a.op, a.value, self.year)
            elif kind == "bool":
                ok = num == (1 if a.value else 0)
                t, f = known & ok, known & ~ok
            elif a.op in ("in", "not_in"):
                ok = np.isin(num, np.array(sorted(a.value), dtype=np.int64))  # type: ignore[arg-type]
                if a.op == "not_in":
                    ok = ~ok
                t, f = known & ok, known & ~ok
            else:
                ok = self._compare(num, den, a.op, a.value)
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
        elif a.field in self.pop.date:
            col = self.pop.date[a.field]
            known = col != MISSING_DAY
            if a.op == "known":
                t, f = known, self._false
            else:
                t, f = date_op(col, known, a.op, a.value, self.year)
        else:  # text fields (credit_code, name; an item's text facts)
            texts = getattr(self.pop, "text", None) or {}
            if a.field in texts:
                column = texts[a.field]
            else:
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

    @staticmethod
    def _compare(num: np.ndarray, den: Any, op: str, value: object) -> np.ndarray:
        p, q = _frac(value)
        lhs = num * q if q != 1 else num
        rhs = p if den is None else den * p
        return _CMP[op](lhs, rhs)

    # -- history: "first time on record"
    def first_time_window(self) -> np.ndarray:
        """Per enterprise, the first year on record: the later of ``history_from`` and the year
        the enterprise was founded (unknown founding: ``history_from``)."""
        hit = self._shared.get("window")
        if hit is not None:
            return hit
        founded = self.pop.date.get("founded_on")
        start = np.full(self.n, self.pop.history_from, dtype=np.int64)
        if founded is not None:
            known = founded != MISSING_DAY
            years = np.where(known, founded, 0).astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64) + 1970
            start = np.where(known, np.maximum(start, years), start)
        self._shared["window"] = start
        return start

    def shifted(self, k: int) -> "_Evaluator":
        """An evaluator of the same population for the policy year ``k`` years earlier."""
        hit = self._shifted.get(k)
        if hit is None:
            hit = self._shifted[k] = _Evaluator(self.pop, shift=self.shift + k)
            hit._shared = self._shared
        return hit

    def _first_time_node(self, node: FirstTime) -> tuple[np.ndarray, np.ndarray]:
        t, f = self.cond(node.item)
        start = self.first_time_window()
        earlier = np.zeros(self.n, bool)
        unknown = np.zeros(self.n, bool)
        for k in range(1, max(self.year - self.pop.history_from, 0) + 1):
            tk, fk = self.shifted(k).cond(node.item)
            inside = start <= self.year - k
            earlier |= inside & tk
            unknown |= inside & ~tk & ~fk
        return t & ~earlier & ~unknown, f | earlier

    def _first_time(self, a: Atom) -> tuple[np.ndarray, np.ndarray]:
        op = a.operand
        assert op is not None and op.kind == "value"
        name, offset = op.a
        num, den, known = self.operand(op)
        cur = self._compare(num, den, a.op, a.value)
        t, f = known & cur, known & ~cur
        start = self.first_time_window()
        exceeded = np.zeros(self.n, bool)
        missing = np.zeros(self.n, bool)
        year = self.year
        for k in range(1, max(year + offset - self.pop.history_from, 0) + 1):
            y = year + offset - k
            v, p = self.column(name, offset - k)
            inside = start <= y
            ok = self._compare(v, den, a.op, a.value)
            exceeded |= inside & p & ok
            missing |= inside & ~p
        return t & ~exceeded & ~missing, f | exceeded

    # -- qualifications
    def qual_rows(self, code: str) -> dict[str, np.ndarray]:
        """The certification rows of one type with what the policy year makes of them."""
        hit = self._quals.get(code)
        if hit is not None:
            return hit
        spec = F.QUALIFICATIONS[code]
        table = self.pop.tables.get(QUALIFICATIONS)
        if table is None or code not in table.cat["type"].labels:
            rows = np.empty(0, np.int64)
        else:
            rows = np.flatnonzero(table.cat["type"].codes == table.cat["type"].labels.index(code))
        owner = table.owner[rows] if table is not None else rows
        level = table.num["level"][rows] if table is not None else rows
        cert = table.num["certified"][rows] if table is not None else rows
        cert_known = table.present["certified"][rows] if table is not None else rows.astype(bool)
        exp = table.num["expires"][rows] if table is not None else rows
        exp_known = table.present["expires"][rows] if table is not None else rows.astype(bool)
        first = table.num["first"][rows] if table is not None else rows
        year = self.year
        d0, d1 = day_number(dt.date(year, 1, 1)), day_number(dt.date(year, 12, 31))
        derived = self._shared.get(("expiry", code))
        if derived is None:  # the same for every year: shared by the shifted evaluators
            if spec.validity_years:
                derived = np.where(cert_known, add_years_days(np.where(cert_known, cert, 0), spec.validity_years), _FAR)
            else:
                derived = np.full(rows.shape, _FAR, dtype=np.int64)
            self._shared[("expiry", code)] = derived
        expiry = np.where(exp_known, exp, derived)
        in_force = (~cert_known | (cert <= d1)) & (expiry >= d0)
        # first certification of its level or above: the explicit flag, else an earlier row of
        # the same type at this level or higher makes it a renewal, else unknown
        eff_first = first.copy()
        n_levels = max(len(spec.levels), 1)
        for lv in range(n_levels):
            at = (eff_first == -1) & (level == lv)
            if not at.any():
                continue
            ge = cert_known & (level >= lv)
            earliest = _min_by_owner(owner[ge], cert[ge], self.n, _FAR)
            earlier = cert_known & (earliest[owner] < cert)
            eff_first = np.where(at & earlier, 0, eff_first)
        in_year = cert_known & (cert >= d0) & (cert <= d1)
        counts_new = (eff_first == 1) | bool(spec.renewal_is_new)
        newly = np.where(in_year & counts_new, 1, np.where((in_year & (eff_first == -1)) | ~cert_known, -1, 0))
        out = {"owner": owner, "level": level, "cert": cert, "cert_known": cert_known, "in_force": in_force,
               "first": eff_first, "newly": newly, "in_year": in_year}
        self._quals[code] = out
        return out

    def _qual_atom(self, a: Atom) -> tuple[np.ndarray, np.ndarray]:
        ref = a.qual
        assert ref is not None
        q = self.qual_rows(ref.code)
        n = self.n
        known = self.pop.tags_known
        owner, level = q["owner"], q["level"]
        in_levels = np.ones(owner.shape, bool) if ref.levels is None else np.isin(level, np.array(sorted(ref.levels)))
        op = a.op

        def result(t_rows: np.ndarray, u_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
            t = _any_by_owner(owner, t_rows, n) & known
            u = _any_by_owner(owner, u_rows, n) if u_rows is not None else self._false
            return t, known & ~t & ~u

        if op in ("held", "not_held"):
            t, f = result(q["in_force"] & in_levels)
            return (t, f) if op == "held" else (f, t)
        if op == "newly":
            return result(in_levels & (q["newly"] == 1), in_levels & (q["newly"] == -1))
        if op in ("first", "renewed"):  # a certification of the policy year that is first / a renewal
            want = 1 if op == "first" else 0
            rows = q["in_year"] & in_levels
            return result(rows & (q["first"] == want), in_levels & ((rows & (q["first"] == -1)) | ~q["cert_known"]))
        if op == "upgraded":
            d0 = day_number(dt.date(self.year, 1, 1))
            cert, cert_known = q["cert"], q["cert_known"]
            before = cert_known & (cert < d0)
            prev_max = _max_by_owner(owner[before], level[before], n, -1)
            unk_max = _max_by_owner(owner[~cert_known], level[~cert_known], n, -1)
            cand = in_levels & (level > prev_max[owner])
            cand_year = cand & q["in_year"]
            return result(cand_year & (level > unk_max[owner]),
                          (cand_year & (level <= unk_max[owner])) | (cand & ~cert_known))
        # date operators over the certification date (in force) or the first one ever
        cert, cert_known = q["cert"], q["cert_known"]
        if ref.date == "first":
            d1 = day_number(dt.date(self.year, 12, 31))
            rows = in_levels & (~cert_known | (cert <= d1))
            has_unknown = _any_by_owner(owner, rows & ~cert_known, n)
            has_rows = _any_by_owner(owner, rows, n)
            earliest = _min_by_owner(owner[rows & cert_known], cert[rows & cert_known], n, _FAR)
            dk = has_rows & ~has_unknown & known
            t, f = date_op(earliest, dk, op, a.value, self.year)
            return t, f | (known & ~has_rows)
        rows = q["in_force"] & in_levels
        ok_rows, _ = date_op(cert, cert_known, op, a.value, self.year)
        return result(rows & ok_rows, rows & ~cert_known)

    # -- items
    def items(self, ref: ItemsRef) -> ItemsResult:
        hit = self._items.get(id(ref))
        if hit is not None:
            return hit
        frame = ItemFrame.of(self.pop, ref, self.year)
        sub = _Evaluator(frame)
        m = frame.size
        if ref.where is not None:
            wt, wf = sub.cond(ref.where)
        else:
            wt, wf = np.ones(m, bool), np.zeros(m, bool)
        each, needs = ref.each, ref.needs
        if needs is not None:
            nt, nf = sub.cond(needs)
        else:
            nt, nf = np.ones(m, bool), np.zeros(m, bool)
        counted = wt & nt
        undecided = ~(wf | nf) & ~counted
        values = np.where(counted, np.maximum(sub.formula(each), 0), 0) if each is not None else np.zeros(m, np.int64)
        count = _sum_by_owner(frame.owner, counted.astype(np.int64), self.n)
        pending = _sum_by_owner(frame.owner, undecided.astype(np.int64), self.n)
        total = _sum_by_owner(frame.owner, values, self.n)
        out = ItemsResult(counted, undecided, values, count, pending, total, frame)
        self._items[id(ref)] = out
        return out

    def _items_atom(self, a: Atom) -> tuple[np.ndarray, np.ndarray]:
        r = self.items(a.items)  # type: ignore[arg-type]
        lo, hi = r.count, r.count + r.pending
        p, q = _frac(a.value)
        cmp = _CMP[a.op]
        # the count can end anywhere in [lo, hi]: true when every end passes, false when none does
        if a.op in ("gt", "ge"):
            return cmp(lo * q, p), ~cmp(hi * q, p)
        if a.op in ("lt", "le"):
            return cmp(hi * q, p), ~cmp(lo * q, p)
        inside = (lo * q <= p) & (p <= hi * q)
        exact = (lo == hi) & (lo * q == p)
        if a.op == "eq":
            return exact, ~inside
        return ~inside, exact

    # -- the ledger
    def paid(self, column: str, key: str, this_year: bool) -> np.ndarray:
        """Per enterprise, what the ledger awarded to a family or policy (``column``) in the
        policy year (``this_year``) or in every other year, in fen."""
        hit = self._paid.get((column, key, this_year))
        if hit is not None:
            return hit
        table = self.pop.tables.get(PAYMENTS)
        if table is None or key not in table.cat[column].labels:
            out = np.zeros(self.n, np.int64)
        else:
            rows = table.cat[column].codes == table.cat[column].labels.index(key)
            rows &= (table.num["year"] == self.year) if this_year else (table.num["year"] != self.year)
            out = np.zeros(self.n, np.int64)
            np.add.at(out, table.owner[rows], table.num["amount"][rows])
        self._paid[(column, key, this_year)] = out
        return out

    # -- formulas: int64 fen
    def formula(self, node: Formula) -> np.ndarray:
        if isinstance(node, Fixed):
            return np.full(self.n, node.amount_fen, dtype=np.int64)
        if isinstance(node, Multiply):
            base, den, known = self.operand(node.base)
            p, q = _frac(node.factor)
            base = np.maximum(base, 0)
            if node.optional:
                base = np.where(known, base, 0)
            d = 1 if den is None else den
            return (2 * base * p + d * q) // (2 * d * q)
        if isinstance(node, Tiers):
            num, den, known = self.operand(node.base)
            out = np.zeros(self.n, dtype=np.int64)
            for lower, amount, _ in node.brackets:  # ascending: later brackets overwrite
                p, q = _frac(lower)
                reached = (num * q >= p) if den is None else (num * q >= den * p)
                if node.optional:
                    reached &= known
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
        if isinstance(node, Items):
            return self.items(node.ref).total
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
    ledger: dict[str, np.ndarray] = {}
    for clause in version.clauses:
        t, f = ev.cond(clause.condition)
        for r in clause.requires:
            t, f = t & eligible[r], f | failed[r]
        eligible[clause.id] = t
        failed[clause.id] = f
        unknown[clause.id] = ~(t | f)
        g = np.where(t, np.maximum(ev.formula(clause.formula), 0), 0)
        gross[clause.id] = g
        after = g
        if clause.once or clause.top_up:
            paid = ev.paid("family", clause.family, False)
            after = np.where(paid > 0, 0, g) if clause.once else np.maximum(g - paid, 0)
        ledger[clause.id] = after
    grouped = dict(ledger)
    for gid, group in version.groups.items():
        members = [c.id for c in version.clauses if c.group == gid]
        if len(members) < 2:
            continue
        winner = np.zeros(n, dtype=np.int64)
        if group.rule == "highest":  # the first among equal maxima
            best = ledger[members[0]]
            for k, m in enumerate(members[1:], start=1):
                better = ledger[m] > best
                winner[better] = k
                best = np.maximum(best, ledger[m])
        else:  # the first eligible
            found = eligible[members[0]].copy()
            for k, m in enumerate(members[1:], start=1):
                take = eligible[m] & ~found
                winner[take] = k
                found |= eligible[m]
        for k, m in enumerate(members):
            grouped[m] = np.where(winner == k, ledger[m], 0)
    capped = dict(grouped)
    if version.cap_per_enterprise_fen is not None:
        used = np.zeros(n, dtype=np.int64)
        for clause in version.clauses:
            room = np.maximum(version.cap_per_enterprise_fen - used, 0)
            paid = np.minimum(capped[clause.id], room)
            capped[clause.id] = paid
            used = used + paid
    lifetime = dict(capped)
    if version.cap_lifetime_fen is not None:
        used = ev.paid("policy", policy.id, False).copy()
        for clause in version.clauses:
            room = np.maximum(version.cap_lifetime_fen - used, 0)
            paid = np.minimum(lifetime[clause.id], room)
            lifetime[clause.id] = paid
            used = used + paid
    return [
        ClauseArrays(policy, version, c, eligible[c.id], unknown[c.id], gross[c.id], lifetime[c.id],
                     ledger[c.id], grouped[c.id], capped[c.id], lifetime[c.id])
        for c in version.clauses
    ]


def _exclusive(ev: _Evaluator, registry: Registry, arrays: list[ClauseArrays]) -> list[ClauseArrays]:
    """就高不重复 across policies: per id, the highest payable member wins (first in registry
    order on a tie) and is reduced by what the other members' families were paid this year."""
    by_id: dict[str, list[int]] = {}
    for k, a in enumerate(arrays):
        if a.clause.exclusive:
            by_id.setdefault(a.clause.exclusive, []).append(k)
    out = list(arrays)
    for exclusive, members in by_id.items():
        winner = np.zeros(ev.n, dtype=np.int64)
        top = arrays[members[0]].amount_fen
        for j, k in enumerate(members[1:], start=1):
            amount = arrays[k].amount_fen
            winner[amount > top] = j
            top = np.maximum(top, amount)
        ties = np.zeros(ev.n, dtype=np.int64)
        for k in members:
            ties += arrays[k].amount_fen == top
        tie = (top > 0) & (ties > 1)
        families = set(registry.exclusive_families(exclusive))
        paid = {fam: ev.paid("family", fam, True) for fam in families}
        for j, k in enumerate(members):
            mine = arrays[k]
            others = sum((paid[fam] for fam in families if fam != mine.clause.family), np.zeros(ev.n, np.int64))
            amount = np.where(winner == j, np.maximum(mine.amount_fen - others, 0), 0)
            out[k] = dataclasses.replace(mine, amount_fen=amount, exclusive_tie=tie & (winner == j))
    return out


def evaluate_population(
    registry: Registry, population: Population, *, trace: bool = False, policy_ids: set[str] | None = None
) -> tuple[list[ClauseArrays], "Trace | None"]:
    """Full-length arrays for every clause of every policy in force in ``population.year``.

    With ``trace=True`` also returns a :class:`Trace` (per-atom arrays keyed by ``id(atom)``,
    and the evaluator) used by :mod:`.explain`. Most callers want :func:`scan`. ``exclusive`` ids are settled among the
    policies evaluated (all of them unless ``policy_ids`` narrows the set).

    Examples:
        >>> from innolink.engines.rules import load_registry, population_from_records
        >>> pop = population_from_records([{"credit_code": "A", "tags": ["specialized_provincial"]}], 2024)
        >>> arrays, _ = evaluate_population(load_registry(), pop, policy_ids={"p10_specialized_sme"})
        >>> [(a.clause.id, bool(a.eligible[0]), int(a.amount_fen[0])) for a in arrays]
        [('national', False, 0), ('provincial', True, 20000000)]
    """
    ev = _Evaluator(population, trace=trace)
    wanted = None if policy_ids is None else registry.with_exclusive_partners(policy_ids)
    out: list[ClauseArrays] = []
    for policy, version in registry.active(population.year):
        if wanted is not None and policy.id not in wanted:
            continue
        out.extend(_evaluate_version(ev, policy, version))
    out = _exclusive(ev, registry, out)
    if policy_ids is not None:
        out = [a for a in out if a.policy.id in policy_ids]
    return out, (Trace(ev.trace, ev) if trace else None)


@dataclass(frozen=True)
class Trace:
    """What the explain path reads: per-atom arrays (by ``id(atom)``) and the evaluator (its
    cached items, qualifications and ledger sums)."""

    atoms: dict[int, AtomTrace]
    evaluator: "_Evaluator"

    def __getitem__(self, key: int) -> AtomTrace:
        return self.atoms[key]


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
