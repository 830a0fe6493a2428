"""The rule model: frozen dataclasses built by :mod:`.load` and read by the evaluators.

A :class:`Policy` has dated :class:`PolicyVersion` s; a version has :class:`Clause` s; a clause has
a condition tree (:class:`All` / :class:`AnyOf` / :class:`Not` over :class:`Atom` s) and a
benefit :class:`Formula` tree. All numbers are exact: thresholds are ``Fraction`` in the field's
internal unit (fen for money, thousandths for quantities, plain for counts and ratios) and
amounts are integer fen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Union

__all__ = [
    "Operand",
    "Atom",
    "All",
    "AnyOf",
    "Not",
    "Implies",
    "Decided",
    "FirstTime",
    "QualRef",
    "ItemsRef",
    "Condition",
    "Fixed",
    "Multiply",
    "Tiers",
    "Cases",
    "Sum",
    "Cap",
    "Items",
    "Formula",
    "Group",
    "Clause",
    "PolicyVersion",
    "Policy",
    "Registry",
    "Needs",
    "registry_needs",
]


@dataclass(frozen=True)
class Operand:
    """A numeric reference to yearly indicators (or, with ``scope="item"``, to an item's facts).

    ``kind`` is ``value`` (``a``), ``increase`` (``a - b``), ``growth`` (``(a - b) / b``),
    ``share`` (``a / b``), ``sum`` (``a`` over ``window`` years ending at ``a``'s offset) or
    ``avg`` (that sum / ``window``); ``a`` and ``b`` are ``(indicator, year offset)`` with offset 0
    for the policy year, -1 for the year before, ... ``unit_kind`` is the result's kind: the
    indicator's kind (money/count/quantity/ratio, or bool/date/level for a plain value) for value,
    increase and sum; ``ratio`` for growth and share; ``avg`` keeps the indicator's kind.
    """

    ref: str
    kind: str
    a: tuple[str, int]
    b: tuple[str, int] | None
    unit_kind: str
    unit: str
    label: str
    window: int = 1
    scope: str = "enterprise"  # enterprise | item

    @property
    def is_ratio(self) -> bool:
        return self.kind in ("growth", "share")

    def inputs(self) -> tuple[tuple[str, int], ...]:
        """Every (indicator, offset) the operand reads."""
        if self.kind in ("sum", "avg"):
            name, offset = self.a
            return tuple((name, offset - k) for k in range(self.window))
        return (self.a,) if self.b is None else (self.a, self.b)


@dataclass(frozen=True)
class QualRef:
    """What a qualification condition looks at: the type, the levels that count (positions; None
    = any level), and which date the date operators read (``certified``: the certification in
    force; ``first``: the first certification ever)."""

    code: str
    levels: frozenset[int] | None
    date: str = "certified"


@dataclass(frozen=True)
class ItemsRef:
    """A count of an enterprise's items of one kind that meet ``where`` (items of the policy year
    and the ``years - 1`` before)."""

    kind: str
    where: "Condition | None"
    years: int = 1
    optional: frozenset[str] = frozenset()
    each: "Formula | None" = None  # the per-item formula (None for a count)
    needs: "Condition | None" = None  # the facts ``each`` needs, per item
    label: str = ""  # e.g. 符合条件的设备购置


@dataclass(frozen=True)
class Atom:
    """One comparison, reported individually in explanations.

    ``op`` is canonical: ``gt ge lt le eq ne`` (numeric, ``value`` is a ``Fraction``),
    ``in not_in`` (category; tuple of str), ``prefix not_prefix`` (code; tuple of str),
    ``has has_any has_all has_none`` (tags; tuple of str), ``is`` (bool),
    ``in_policy_year`` (date; ``value`` is the year offset, usually 0),
    ``before on_or_after`` (date; ``value`` is a ``datetime.date``),
    ``within_years`` (date; policy year - year of date < value), ``between`` (date; a pair of
    dates, both included), ``known`` (data present).
    ``first_time`` makes a numeric comparison "first time on record": the policy year meets it and
    no earlier year on record did (docs/decisions/0131).
    ``qual`` marks a qualification condition; its ops are ``held not_held newly first renewed
    upgraded`` and the date operators over the certification date.
    ``items`` marks a count of items (numeric ops on the count).
    ``word`` is the legal wording used for display (高于, 以上, ...).
    """

    field: str
    op: str
    value: object
    operand: Operand | None
    word: str
    display: str
    location: str
    label: str
    first_time: bool = False
    qual: QualRef | None = None
    items: ItemsRef | None = None


@dataclass(frozen=True)
class All:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class Not:
    item: "Condition"


@dataclass(frozen=True)
class Implies:
    """``if_`` -> ``then`` (Kleene: not ``if_`` or ``then``); the loader uses it for the data a
    case's formula needs only when that case applies."""

    if_: "Condition"
    then: "Condition"


@dataclass(frozen=True)
class Decided:
    """True when ``item`` is known (true or false), unknown otherwise; never false. The loader
    uses it so that a later case applies only when every earlier case is decided."""

    item: "Condition"
    label: str = ""


@dataclass(frozen=True)
class FirstTime:
    """"首次": ``item`` holds in the policy year and held in no earlier year on record (from the
    registry's first year of data or the founding year, whichever is later). An earlier year in
    that window where ``item`` cannot be decided makes the answer unknown."""

    item: "Condition"
    label: str
    location: str = ""


Condition = Union[Atom, All, AnyOf, Not, Implies, Decided, FirstTime]


@dataclass(frozen=True)
class Fixed:
    amount_fen: int


@dataclass(frozen=True)
class Multiply:
    """``base × factor``, rounded half up to the fen; negative results count as zero.

    ``factor`` is in fen per internal unit of the base: ``6%`` on a money base is
    ``Fraction(6, 100)``; ``2000元/人`` on a count base is ``Fraction(200000)``.
    """

    base: Operand
    factor: Fraction
    factor_text: str
    optional: bool = False  # a missing base counts as 0


@dataclass(frozen=True)
class Tiers:
    """Step tiers: the amount of the highest bracket whose lower bound ``base`` reaches.

    ``brackets`` are ``(lower bound in internal units, amount in fen, display of the bound)``
    sorted ascending; a base below every bound gives 0.
    """

    base: Operand
    brackets: tuple[tuple[Fraction, int, str], ...]
    optional: bool = False  # a missing base reaches no bracket


@dataclass(frozen=True)
class Cases:
    """The first case whose condition holds (``numpy.select``)."""

    cases: tuple[tuple[Condition, "Formula"], ...]


@dataclass(frozen=True)
class Sum:
    items: tuple["Formula", ...]


@dataclass(frozen=True)
class Cap:
    """``min(inner, limit_fen, value of limit_ref)``; either limit may be ``None``.

    ``limit_ref`` binds the cap to another value (e.g. last year's fiscal contribution); a
    missing or negative bound value caps at 0 after the clause condition already required it.
    """

    inner: "Formula"
    limit_fen: int | None
    limit_ref: Operand | None
    label: str  # e.g. 单个项目最高补助 / 单个企业年度最高补助


@dataclass(frozen=True)
class Items:
    """The sum over an enterprise's items of one kind of ``each`` (a formula over the item's
    facts, with its own caps), counting only items that meet ``where`` and have the facts
    ``where`` and ``each`` need (``ref.optional`` facts may be missing)."""

    ref: ItemsRef
    each: "Formula"
    label: str


Formula = Union[Fixed, Multiply, Tiers, Cases, Sum, Cap, Items]


@dataclass(frozen=True)
class Group:
    """Clauses that do not stack: ``highest`` pays only the highest (就高不重复), ``priority``
    pays only the first eligible clause in file order (Catala-style exception before base)."""

    id: str
    rule: str
    label: str


@dataclass(frozen=True)
class Clause:
    id: str
    title: str
    text: str  # verbatim legal text of the clause
    condition: Condition  # includes case conditions and the data the formula needs
    formula: Formula
    group: str | None = None
    requires: tuple[str, ...] = ()  # clause ids that must be eligible first ("在…基础上,再…")
    location: str = ""
    family: str = ""  # "the same award" across versions, clauses and policies (ledger key)
    once: bool = False  # 一次性: paid at most once per enterprise per family
    top_up: bool = False  # 晋级补差: pays the amount minus what the family was paid in other years
    exclusive: str | None = None  # 就高不重复 across policies: per year the highest of this id is paid
    optional: tuple[str, ...] = ()  # formula inputs that may be missing (count as 0)
    article: str = ""  # where in the source document, e.g. 第一条第(二)项


@dataclass(frozen=True)
class PolicyVersion:
    effective_from: dt.date
    effective_to: dt.date | None
    doc_number: str
    budget_fen: int
    shares: tuple[tuple[str, int], ...]  # e.g. (("省", 8), ("市", 1), ("县", 1))
    lane: str  # auto (免申即享) | apply (快申快享)
    materials: tuple[str, ...]
    clauses: tuple[Clause, ...]
    groups: dict[str, Group] = field(default_factory=dict)
    cap_per_enterprise_fen: int | None = None  # per enterprise per year across the policy
    budget_shortfall: str = "first_come"  # first_come | pro_rata (see budget.py)
    cap_lifetime_fen: int | None = None  # per enterprise over every year and version of the policy

    def in_force_on(self, day: dt.date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    issuer: str
    area: str
    tech_innovation: bool
    illustrative: bool
    source: str
    versions: tuple[PolicyVersion, ...]
    file: str = ""

    def dates_for_year(self, year: int) -> tuple[str, dt.date] | None:
        """Why no version applies to ``year``: ``("expired", last end)``, ``("not_yet", first
        start)`` or ``("gap", next start)``; None when a version applies."""
        if self.version_for_year(year) is not None:
            return None
        day = dt.date(year, 12, 31)
        ended = [v.effective_to for v in self.versions if v.effective_to is not None and v.effective_to < day]
        later = [v.effective_from for v in self.versions if v.effective_from > day]
        if later and ended:
            return ("gap", min(later))
        if later:
            return ("not_yet", min(later))
        return ("expired", max(ended))

    def version_for_year(self, year: int) -> PolicyVersion | None:
        """The version in force on 31 December of ``year`` (the assessed year), if any."""
        day = dt.date(year, 12, 31)
        for version in self.versions:
            if version.in_force_on(day):
                return version
        return None


@dataclass(frozen=True)
class Registry:
    policies: tuple[Policy, ...]

    def active(self, year: int) -> list[tuple[Policy, PolicyVersion]]:
        """Policies with a version in force for ``year``, in registry order."""
        out = []
        for policy in self.policies:
            version = policy.version_for_year(year)
            if version is not None:
                out.append((policy, version))
        return out

    def exclusive_families(self, exclusive: str) -> tuple[str, ...]:
        """The families of every clause (any policy, any version) sharing an exclusive id."""
        out = []
        for p in self.policies:
            for v in p.versions:
                for c in v.clauses:
                    if c.exclusive == exclusive and c.family not in out:
                        out.append(c.family)
        return tuple(out)

    def with_exclusive_partners(self, policy_ids: set[str]) -> set[str]:
        """``policy_ids`` plus every policy sharing an exclusive id with them (transitively), so
        that 就高不重复 across policies is settled as in a whole scan."""
        ids = set(policy_ids)
        while True:
            keys = {c.exclusive for p in self.policies if p.id in ids for v in p.versions for c in v.clauses
                    if c.exclusive}
            more = {p.id for p in self.policies for v in p.versions for c in v.clauses if c.exclusive in keys}
            if more <= ids:
                return ids
            ids |= more

    def policy(self, policy_id: str) -> Policy:
        for p in self.policies:
            if p.id == policy_id:
                return p
        raise KeyError(policy_id)


@dataclass(frozen=True)
class Needs:
    """What a registry's rules read for a policy year, so a database fetch reads no more:
    per indicator the earliest year offset (``depth``), the indicators compared against every
    earlier year on record (``all_history``: "首次"), and per item kind how many years of items
    (``items``)."""

    depth: dict[str, int]
    all_history: frozenset[str]
    items: dict[str, int]
    families: frozenset[str]


def registry_needs(registry: Registry, year: int) -> Needs:
    """The indicators, history and items the versions in force for ``year`` read."""
    depth: dict[str, int] = {}
    history: set[str] = set()
    items: dict[str, int] = {}
    families: set[str] = set()

    def operand(op: Operand | None, shift: int = 0) -> None:
        if op is None or op.scope != "enterprise":
            return
        for name, offset in op.inputs():
            depth[name] = min(depth.get(name, 0), offset - shift)

    def cond(node, everything: bool = False) -> None:
        if isinstance(node, Atom):
            operand(node.operand)
            if node.first_time and node.operand is not None:
                history.add(node.operand.a[0])
            if everything and node.operand is not None:
                history.update(name for name, _ in node.operand.inputs())
            if node.items is not None:
                items_ref(node.items)
        elif isinstance(node, (All, AnyOf)):
            for item in node.items:
                cond(item, everything)
        elif isinstance(node, Implies):
            cond(node.if_, everything)
            cond(node.then, everything)
        elif isinstance(node, FirstTime):
            cond(node.item, True)
        else:
            cond(node.item, everything)

    def items_ref(ref: ItemsRef) -> None:
        items[ref.kind] = max(items.get(ref.kind, 0), ref.years)

    def formula(node) -> None:
        if isinstance(node, (Multiply, Tiers)):
            operand(node.base)
        elif isinstance(node, Cases):
            for when, inner in node.cases:
                cond(when)
                formula(inner)
        elif isinstance(node, Sum):
            for inner in node.items:
                formula(inner)
        elif isinstance(node, Cap):
            formula(node.inner)
            operand(node.limit_ref)
        elif isinstance(node, Items):
            items_ref(node.ref)

    for _policy, version in registry.active(year):
        for clause in version.clauses:
            cond(clause.condition)
            formula(clause.formula)
            families.add(clause.family)
    return Needs(depth, frozenset(history), items, frozenset(families))
