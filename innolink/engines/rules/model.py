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
    "Condition",
    "Fixed",
    "Multiply",
    "Tiers",
    "Cases",
    "Sum",
    "Cap",
    "Formula",
    "Group",
    "Clause",
    "PolicyVersion",
    "Policy",
    "Registry",
]


@dataclass(frozen=True)
class Operand:
    """A numeric reference to yearly indicators.

    ``kind`` is ``value`` (``a``), ``increase`` (``a - b``), ``growth`` (``(a - b) / b``) or
    ``share`` (``a / b``); ``a`` and ``b`` are ``(indicator, year offset)`` with offset 0 for the
    policy year and -1 for the year before. ``unit_kind`` is the result's kind: the indicator's
    kind (money/count/quantity) for value and increase, ``ratio`` for growth and share.
    """

    ref: str
    kind: str
    a: tuple[str, int]
    b: tuple[str, int] | None
    unit_kind: str
    unit: str
    label: str

    @property
    def is_ratio(self) -> bool:
        return self.kind in ("growth", "share")

    def inputs(self) -> tuple[tuple[str, int], ...]:
        return (self.a,) if self.b is None else (self.a, self.b)


@dataclass(frozen=True)
class Atom:
    """One comparison, reported individually in explanations.

    ``op`` is canonical: ``gt ge lt le eq ne`` (numeric, ``value`` is a ``Fraction``),
    ``in not_in`` (category; tuple of str), ``prefix not_prefix`` (code; tuple of str),
    ``has has_any has_all has_none`` (tags; tuple of str), ``is`` (bool),
    ``in_policy_year`` (date; ``value`` is the year offset, usually 0),
    ``before on_or_after`` (date; ``value`` is a ``datetime.date``),
    ``within_years`` (date; policy year - year of date < value), ``known`` (data present).
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


@dataclass(frozen=True)
class All:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class AnyOf:
    items: tuple["Condition", ...]


@dataclass(frozen=True)
class Not:
    item: "Condition"


Condition = Union[Atom, All, AnyOf, Not]


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


@dataclass(frozen=True)
class Tiers:
    """Step tiers: the amount of the highest bracket whose lower bound ``base`` reaches.

    ``brackets`` are ``(lower bound in internal units, amount in fen, display of the bound)``
    sorted ascending; a base below every bound gives 0.
    """

    base: Operand
    brackets: tuple[tuple[Fraction, int, str], ...]


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


Formula = Union[Fixed, Multiply, Tiers, Cases, Sum, Cap]


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

    def policy(self, policy_id: str) -> Policy:
        for p in self.policies:
            if p.id == policy_id:
                return p
        raise KeyError(policy_id)
