"""The structured explanation format: what one enterprise gets, why, why not, and what to supply.

These frozen dataclasses are the contract between the engine and every page or API that shows
an answer (docs/decisions/0130-structured-explanations.md). They hold *facts* (values, thresholds,
gaps, amounts, levels, the input that is missing) plus a ready Chinese sentence for each, so a
page may either print the sentence or lay the facts out itself. Raw rule text, file names and
locations are for officers only (``location``); nothing here needs the rule file to be shown.

``EnterpriseAnswer.as_dict()`` gives the same content as plain JSON types (``Decimal`` as a string
with two places, dates as ISO text, tuples as lists) with ``format`` = :data:`FORMAT`; fields are
only ever added within a format number.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

__all__ = [
    "FORMAT",
    "STATUSES",
    "InputNeed",
    "ConditionCheck",
    "Route",
    "Choice",
    "Level",
    "LevelInfo",
    "ItemLine",
    "PaymentNote",
    "ClauseAnswer",
    "PolicyDates",
    "EnterpriseAnswer",
    "plain",
]

#: version of the dict shape produced by ``as_dict``
FORMAT = 1

#: ``ClauseAnswer.status`` values
STATUSES = (
    "payable",        # conditions met, amount > 0
    "stacked_out",    # conditions met, paid under another clause instead (就高不重复 / 按序优先)
    "capped",         # conditions met, a per-enterprise cap of the policy is used up
    "already_paid",   # conditions met, the ledger says it was paid before (一次性 / 晋级补差 / 累计上限)
    "zero",           # conditions met, the formula gives 0 (e.g. no item qualifies, a base of 0)
    "not_eligible",   # a condition fails
    "undecided",      # no condition fails, but data are missing (see ``needs``)
)


@dataclass(frozen=True)
class InputNeed:
    """One missing input that an enterprise (or an officer) can supply.

    ``source`` says where the value lives: ``indicator`` (a yearly value: ``field`` is the
    indicator code, ``year`` the year), ``attribute`` (an enterprise attribute such as
    ``founded_on``), ``qualification`` (``field`` is the qualification type code: supply a
    certificate), ``item`` (``field`` is ``<item kind>.<fact>``, ``item`` the item's key).
    ``kind`` is the value's type (money, count, quantity, ratio, bool, date, level, category,
    code, qualification) with ``unit`` as an enterprise reads it (元, 件, 吨标准煤, %) and
    ``choices`` for levels and categories. ``decisive`` is true when this input alone would
    decide the clause (every other condition already holds). ``clauses`` (on the enterprise
    level list) names the ``policy_id/clause_id`` it would decide.
    """

    source: str
    field: str
    label: str
    kind: str
    unit: str = ""
    year: int | None = None
    choices: tuple[str, ...] = ()
    item: str | None = None
    decisive: bool = False
    message: str = ""
    clauses: tuple[str, ...] = ()

    @property
    def key(self) -> tuple:
        return (self.source, self.field, self.year, self.item)


@dataclass(frozen=True)
class ConditionCheck:
    """One condition that fails (``passed=False``) or cannot be decided (``passed=None``).

    ``value``/``threshold``/``gap`` are display strings (``"77万元"``, ``"100万元"``,
    ``"23万元"``); ``relative_gap`` orders misses (``|gap| / |threshold|``; 1 for a categorical or
    missing-data condition). ``year`` is the year a yearly value belongs to. ``needs`` are the
    inputs to supply when ``passed`` is None. ``location`` points into the rule file (officers).
    ``money`` holds (value, threshold, gap) in fen, each ``str(Fraction)`` (JSON-safe), when the
    condition compares amounts, so that an app words them in its reader's language; else ``()``.
    """

    field: str
    label: str
    op: str
    value: str | None
    threshold: str
    gap: str | None
    relative_gap: float
    passed: bool | None
    message: str
    location: str
    word: str = ""
    year: int | None = None
    needs: tuple[InputNeed, ...] = ()
    money: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    """One alternative of an "any" (或) condition, with its own failing checks and gap.

    ``nearness`` is (failing or unknown checks, sum of relative gaps); ``tied`` is true when
    another route of the same choice is exactly as near as the nearest one."""

    label: str
    state: str  # passed | failed | unknown
    checks: tuple[ConditionCheck, ...]
    nearness: tuple[int, float]
    tied: bool = False


@dataclass(frozen=True)
class Choice:
    """An "any" condition that is not met: every route, nearest first."""

    label: str
    location: str
    routes: tuple[Route, ...]

    @property
    def tie(self) -> bool:
        return len(self.routes) > 1 and self.routes[1].tied


@dataclass(frozen=True)
class Level:
    """One step of a level split (a tier or a case): what it pays and whether it is reached;
    for a step not reached, the gap (tiers) or the failing checks (cases)."""

    label: str
    amount: Decimal | None  # None when the amount depends on data the enterprise lacks
    reached: bool
    gap: str | None = None
    checks: tuple[ConditionCheck, ...] = ()
    #: the gap as an amount (``steps.Money``, fen) when the split is on money, so an app words
    #: it in its reader's language; ``gap`` is the same amount as the engine shows it
    gap_money: Any = None


@dataclass(frozen=True)
class LevelInfo:
    """Which level of a split matched and what the next level needs.

    ``basis`` is what the split depends on (e.g. 营业收入, 资质等级), ``value`` the
    enterprise's value for it, ``ladder`` every level low to high (or in the file's order for
    cases), ``matched`` the level applied (None: none reached) and ``next`` the nearest level that
    pays more (None: the top)."""

    basis: str
    value: str | None
    ladder: tuple[Level, ...]
    matched: Level | None
    next: Level | None
    message: str = ""


@dataclass(frozen=True)
class ItemLine:
    """One repeated item of a claim (a project, a patent, a purchase): counted or left out."""

    kind: str
    key: str
    label: str
    included: bool
    amount: Decimal
    steps: tuple[str, ...] = ()
    reason: str = ""  # why left out
    needs: tuple[InputNeed, ...] = ()


@dataclass(frozen=True)
class PaymentNote:
    """What the ledger says was already awarded for this clause's family or policy."""

    scope: str  # family | policy | exclusive
    label: str
    amount: Decimal
    years: tuple[int, ...] = ()
    message: str = ""


@dataclass(frozen=True)
class ClauseAnswer:
    policy_id: str
    policy_title: str
    doc_number: str
    clause_id: str
    clause_title: str
    text: str
    lane: str
    eligible: bool  # conditions met (the amount may still be 0: see ``status``)
    amount: Decimal  # payable, yuan, 2 places
    gross: Decimal  # formula amount before stacking, caps and the ledger
    steps: tuple[str, ...]  # the arithmetic, in Chinese
    shares: tuple[tuple[str, Decimal], ...]  # payable split per funding level
    misses: tuple[ConditionCheck, ...]  # the nearest route's failing checks (all tied routes')
    nearness: tuple[int, float]  # (failing conditions, sum of relative gaps)
    status: str = "payable"
    choices: tuple[Choice, ...] = ()
    level: LevelInfo | None = None
    needs: tuple[InputNeed, ...] = ()
    items: tuple[ItemLine, ...] = ()
    payments: tuple[PaymentNote, ...] = ()
    family: str = ""
    summary: str = ""  # one Chinese sentence: the answer in brief
    article: str = ""  # where in the source document (第一条第(二)项)


@dataclass(frozen=True)
class PolicyDates:
    """A policy with no version in force for the asked year: expired, not yet in force, or
    between two versions."""

    policy_id: str
    policy_title: str
    state: str  # expired | not_yet | gap
    date: dt.date  # the end of the last version / the start of the next
    doc_number: str
    message: str  # 「已于2023-12-31失效」 / 「2025-07-01起施行」


@dataclass(frozen=True)
class EnterpriseAnswer:
    credit_code: str
    year: int
    eligible: tuple[ClauseAnswer, ...]  # conditions met, registry order
    not_eligible: tuple[ClauseAnswer, ...]  # nearest misses first
    total: Decimal
    out_of_force: tuple[PolicyDates, ...] = ()
    needs: tuple[InputNeed, ...] = ()  # every missing input, decisive first, with the clauses

    def clause(self, policy_id: str, clause_id: str) -> ClauseAnswer:
        for a in self.eligible + self.not_eligible:
            if a.policy_id == policy_id and a.clause_id == clause_id:
                return a
        raise KeyError((policy_id, clause_id))

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON types, ``format`` first.

        Examples:
            >>> EnterpriseAnswer("A", 2024, (), (), Decimal("0.00")).as_dict()["total"]
            '0.00'
        """
        return {"format": FORMAT, **plain(self)}


def plain(value: Any) -> Any:
    """A dataclass tree as JSON types: Decimal -> '12.30', date -> ISO, tuple -> list."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, float):
        return round(value, 6)
    return value

