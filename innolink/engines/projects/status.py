"""A project's status, computed from its milestones, its targets' trajectories and its reports,
never typed by anyone; and the per-project numbers the city measures add up.

Rules (decision 0501):

- **late** (逾期): a milestone past its due date and not done, or a target past its due date whose
  latest accepted value does not meet it.
- **at risk** (有风险): the report for the last ended period is missing more than
  ``REPORT_GRACE_DAYS`` after the period ended; a milestone due within ``SOON_DAYS`` and not
  done; or a target behind its straight-line trajectory from the signing date (baseline) to its
  due date (target) by more than ``TRAJECTORY_TOLERANCE`` of the way, once a quarter of its time
  has passed.
- **on track** (正常) otherwise; **closed** (已结项) once the project is closed.

Reasons are codes with parameters; the Django side words them in the user's language.

Example:
    >>> import datetime as dt
    >>> from decimal import Decimal as D
    >>> p = ProjectIn(signed_on=dt.date(2025, 4, 15), cycle="quarterly",
    ...               milestones=(MilestoneIn("started", "开工", dt.date(2025, 6, 30), None),),
    ...               targets=(), reported_periods=frozenset())
    >>> status(p, today=dt.date(2025, 7, 10)).code
    'late'
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

REPORT_GRACE_DAYS = 10
SOON_DAYS = 30
TRAJECTORY_TOLERANCE = Decimal("0.2")
MIN_ELAPSED_SHARE = Decimal("0.25")

ON_TRACK, AT_RISK, LATE, CLOSED = "on_track", "at_risk", "late", "closed"
SEVERITY = {ON_TRACK: 0, AT_RISK: 1, LATE: 2}


@dataclass(frozen=True)
class MilestoneIn:
    stage: str
    title: str
    due_on: dt.date | None
    done_on: dt.date | None
    marks: str = ""  # "start" (开工) | "production" (投产) | ""


@dataclass(frozen=True)
class TargetIn:
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    due_on: dt.date
    latest: Decimal | None = None
    latest_on: dt.date | None = None


@dataclass(frozen=True)
class ProjectIn:
    signed_on: dt.date
    cycle: str  # "monthly" | "quarterly"
    milestones: tuple[MilestoneIn, ...]
    targets: tuple[TargetIn, ...]
    #: period starts with a report filed and not returned (submitted, accepted, corrected):
    #: a returned (退回) report counts as not filed
    reported_periods: frozenset[dt.date]
    closed: bool = False
    investment: Decimal = Decimal(0)
    funds_in_place: Decimal = Decimal(0)
    #: period starts whose only reports were returned, so the reason can say so
    returned_periods: frozenset[dt.date] = frozenset()


@dataclass(frozen=True)
class Reason:
    code: str  # milestone_overdue, target_missed, report_missing, milestone_soon, target_behind
    params: dict = field(default_factory=dict, hash=False, compare=False)
    severity: str = AT_RISK


@dataclass(frozen=True)
class Status:
    code: str
    reasons: tuple[Reason, ...]


# --------------------------------------------------------------------------- periods

def period_of(day: dt.date, cycle: str) -> tuple[dt.date, dt.date]:
    """The reporting period containing ``day``: its first and last day.

    >>> period_of(dt.date(2026, 11, 20), "quarterly")
    (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    >>> period_of(dt.date(2026, 2, 3), "monthly")
    (datetime.date(2026, 2, 1), datetime.date(2026, 2, 28))
    """
    if cycle == "quarterly":
        first_month = (day.month - 1) // 3 * 3 + 1
        start = dt.date(day.year, first_month, 1)
        months = 3
    elif cycle == "monthly":
        start = dt.date(day.year, day.month, 1)
        months = 1
    else:
        raise ValueError(f"unknown reporting cycle {cycle!r}")
    year, month = divmod(start.month - 1 + months, 12)
    end = dt.date(start.year + year, month + 1, 1) - dt.timedelta(days=1)
    return start, end


def period_label(start: dt.date, cycle: str) -> str:
    """``2026-11`` for a month, ``2026Q4`` for a quarter."""
    if cycle == "quarterly":
        return f"{start.year}Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def parse_period(text: str, cycle: str) -> tuple[dt.date, dt.date]:
    """Read ``2026-11``, ``2026Q4`` or a date inside the period.

    >>> parse_period("2026Q4", "quarterly")[0]
    datetime.date(2026, 10, 1)
    """
    text = (text or "").strip().upper()
    if "Q" in text:
        year, quarter = text.split("Q", 1)
        if not (year.isdigit() and quarter.isdigit() and 1 <= int(quarter) <= 4):
            raise ValueError(text)
        day = dt.date(int(year), (int(quarter) - 1) * 3 + 1, 1)
        if cycle != "quarterly":
            raise ValueError(text)
        return period_of(day, cycle)
    parts = text.split("-")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        day = dt.date(int(parts[0]), int(parts[1]), 1)
    else:
        day = dt.date.fromisoformat(text)
    return period_of(day, cycle)


def last_ended_period(today: dt.date, signed_on: dt.date, cycle: str
                      ) -> tuple[dt.date, dt.date] | None:
    """The latest period that has ended before ``today`` and ends on or after the signing."""
    start, _ = period_of(today, cycle)
    previous = period_of(start - dt.timedelta(days=1), cycle)
    return previous if previous[1] >= signed_on else None


def periods_between(first: dt.date, last: dt.date, cycle: str) -> list[tuple[dt.date, dt.date]]:
    out = []
    start, end = period_of(first, cycle)
    while start <= last:
        out.append((start, end))
        start, end = period_of(end + dt.timedelta(days=1), cycle)
    return out


# --------------------------------------------------------------------------- targets

def progress(t: TargetIn) -> Decimal | None:
    """How far the latest value has come from the baseline towards the target (1 = reached;
    works for targets that go down, e.g. a cost to cut, as for those that go up).

    >>> progress(TargetIn("产能", "吨/年", Decimal(0), Decimal(2), dt.date(2026, 12, 31),
    ...                   latest=Decimal("0.5")))
    Decimal('0.25')
    """
    if t.latest is None:
        return None
    span = t.target - t.baseline
    if span == 0:
        return Decimal(1) if t.latest == t.target else Decimal(0)
    return (t.latest - t.baseline) / span


def met(t: TargetIn) -> bool:
    p = progress(t)
    return p is not None and p >= 1


def expected_progress(t: TargetIn, signed_on: dt.date, on: dt.date) -> Decimal:
    total = (t.due_on - signed_on).days
    if total <= 0:
        return Decimal(1)
    return min(Decimal(1), max(Decimal(0), Decimal((on - signed_on).days) / Decimal(total)))


# --------------------------------------------------------------------------- status

def status(p: ProjectIn, *, today: dt.date) -> Status:
    if p.closed:
        return Status(CLOSED, ())
    reasons: list[Reason] = []
    for m in p.milestones:
        if m.done_on is None and m.due_on is not None:
            if m.due_on < today:
                reasons.append(Reason("milestone_overdue", {
                    "title": m.title, "due": m.due_on.isoformat(),
                    "days": (today - m.due_on).days}, LATE))
            elif (m.due_on - today).days <= SOON_DAYS:
                reasons.append(Reason("milestone_soon", {
                    "title": m.title, "due": m.due_on.isoformat(),
                    "days": (m.due_on - today).days}, AT_RISK))
    for t in p.targets:
        latest = "—" if t.latest is None else _plain(t.latest)
        if t.due_on < today and not met(t):
            reasons.append(Reason("target_missed", {
                "name": t.name, "target": _plain(t.target), "unit": t.unit, "latest": latest,
                "due": t.due_on.isoformat()}, LATE))
            continue
        if met(t):
            continue
        on = t.latest_on or today
        elapsed = expected_progress(t, p.signed_on, today)
        if elapsed < MIN_ELAPSED_SHARE:
            continue
        expected = expected_progress(t, p.signed_on, on)
        got = progress(t) or Decimal(0)
        if got < expected - TRAJECTORY_TOLERANCE:
            reasons.append(Reason("target_behind", {
                "name": t.name, "latest": latest, "unit": t.unit,
                "expected": _plain((t.baseline + (t.target - t.baseline) * expected)
                                   .quantize(Decimal("0.01"))),
                "target": _plain(t.target)}, AT_RISK))
    period = last_ended_period(today, p.signed_on, p.cycle)
    if period is not None and period[0] not in p.reported_periods \
            and (today - period[1]).days > REPORT_GRACE_DAYS:
        reasons.append(Reason("report_missing", {
            "period": period_label(period[0], p.cycle),
            "days": (today - period[1]).days - REPORT_GRACE_DAYS,
            "returned": period[0] in p.returned_periods}, AT_RISK))
    reasons.sort(key=lambda r: -SEVERITY[r.severity])
    worst = max((SEVERITY[r.severity] for r in reasons), default=0)
    code = {0: ON_TRACK, 1: AT_RISK, 2: LATE}[worst]
    return Status(code, tuple(reasons))


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# --------------------------------------------------------------------------- measures

@dataclass(frozen=True)
class Tallies:
    """One project's share of the city measures (the measures are sums of these)."""

    obligations_due: int  # milestones and targets due on or before today
    obligations_met: int  # of those, done / met
    start_due: int  # 1 if the project has a 开工 milestone due by today
    started: int  # 1 if it is also done
    production_due: int
    producing: int
    targets_reported: int  # targets with an accepted value
    attainment_sum: Decimal  # Σ min(progress, 1) over those targets


def tallies(p: ProjectIn, *, today: dt.date) -> Tallies:
    due = done = 0
    start_due = started = production_due = producing = 0
    for m in p.milestones:
        if m.due_on is not None and m.due_on <= today:
            due += 1
            done += m.done_on is not None
            if m.marks == "start":
                start_due, started = 1, int(m.done_on is not None)
            elif m.marks == "production":
                production_due, producing = 1, int(m.done_on is not None)
    reported = 0
    attainment = Decimal(0)
    for t in p.targets:
        if t.due_on <= today:
            due += 1
            done += met(t)
        pr = progress(t)
        if pr is not None:
            reported += 1
            attainment += max(Decimal(0), min(Decimal(1), pr))
    return Tallies(due, done, start_due, started, production_due, producing, reported,
                   attainment.quantize(Decimal("0.0001")))


def rate(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """A percentage with one decimal, or None when nothing is due.

    >>> rate(3, 4)
    Decimal('75.0')
    """
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.1"))
