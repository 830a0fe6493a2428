"""Reads of the policies app, each scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from innolink.core.errors import NotFound
from innolink.core.money import wan, wan_input
from innolink.engines.rules import EnterpriseAnswer, Proration
from innolink.engines.rules.parse import rule_codes
from innolink.engines.rules.types import yuan_to_fen
from innolink.enterprises.models import Enterprise, EnterpriseYear
from innolink.enterprises.reference import industry_label
from innolink.policies import access, fetch, present
from innolink.policies.models import (
    Application,
    Budget,
    BudgetShortfall,
    Eligibility,
    LedgerEntry,
    Policy,
    PolicyClause,
    PolicyVersion,
    Scan,
)
from innolink.policies.workdays import working_days_between
from innolink.core.ids import is_id, parse_id

ZERO = Decimal("0.00")


_valid_id = parse_id  # the one id helper (innolink.core.ids)


def default_year() -> int:
    """The assessed year officials ask about: the last full calendar year."""
    return timezone.localdate().year - 1


def year_choices() -> list[int]:
    """The policy years a select offers: of the last three, those the registry holds
    indicators for (one query), newest first; last year alone when none has any. A year
    without data would only lead to a page of "no data" (issue 16)."""
    this = timezone.localdate().year
    candidates = list(range(this - 1, this - 4, -1))
    held = set(EnterpriseYear.objects.filter(year__in=candidates)
               .values_list("year", flat=True).distinct())
    return [y for y in candidates if y in held] or candidates[:1]


# --------------------------------------------------------------------------- policies

def policy_list() -> QuerySet[Policy]:
    return Policy.objects.prefetch_related("versions__budget_row", "versions__clauses")


def policy_get(pk: Any) -> Policy:
    """Policies are public to every signed-in user (they are published documents)."""
    policy = Policy.objects.filter(pk=_valid_id(pk)).first()
    if policy is None:
        raise NotFound()
    return policy


def version_for_year(policy: Policy, year: int) -> PolicyVersion | None:
    """The version in force for ``year``; a version whose clauses all left the rules (kept
    only for the records pointing at it) answers for no year."""
    for version in policy.versions.all():
        clauses = list(version.clauses.all())
        if version.covers_year(year) and not (clauses and all(c.retired for c in clauses)):
            return version
    return None


def clause_get(pk: Any) -> PolicyClause:
    clause = PolicyClause.objects.select_related("version__policy").filter(pk=_valid_id(pk)).first()
    if clause is None:
        raise NotFound()
    return clause


# --------------------------------------------------------------------------- one enterprise

@dataclass
class ClauseRow:
    answer: Any  # engine ClauseAnswer
    clause: PolicyClause | None
    application: Application | None
    prorated: Any = None  # ProratedAmount when a pro-rata budget is short
    misses: list = field(default_factory=list)  # present.MissView, worded for the enterprise
    choices: list = field(default_factory=list)  # present.ChoiceView: every route of an 「或」
    level: Any = None  # present.LevelView: the level matched and what the next one needs
    inputs: list = field(default_factory=list)  # present.FactInput: figures it may type in
    steps: list = field(default_factory=list)  # the arithmetic, units written out
    declared: list = field(default_factory=list)  # (label, shown value) of its own figures used

    @property
    def only_missing(self) -> bool:
        """Every unmet condition is a figure the enterprise can type in here."""
        checks = [*self.misses, *(c for ch in self.choices for r in ch.routes for c in r.checks)]
        return bool(checks) and all(m.missing and m.inputs for m in checks)


@dataclass(frozen=True)
class OutOfForce:
    """A policy with no version in force for the year asked about, and why."""

    policy: Policy
    text: str  # 「已于2023-12-31失效」 or 「2027-01-01起施行」


@dataclass
class EnterpriseView:
    enterprise: Enterprise
    year: int
    answer: EnterpriseAnswer
    eligible: list[ClauseRow]
    not_eligible: list[ClauseRow]
    total: Decimal
    has_data: bool
    out_of_force: list[OutOfForce] = field(default_factory=list)
    declared: dict = field(default_factory=dict)  # {(code, year): value} the answer used


def policies_out_of_force(year: int) -> list[OutOfForce]:
    """Policies that say nothing for ``year`` because none of their versions is in force on
    31 December of it (ADR 0101): expired ones with the day they ended, future ones with the
    day they start."""
    day = dt.date(year, 12, 31)
    out = []
    for policy in Policy.objects.prefetch_related("versions__clauses").order_by("order", "code"):
        versions = [v for v in policy.versions.all()
                    if not (list(v.clauses.all()) and all(c.retired for c in v.clauses.all()))]
        if not versions or any(v.covers_year(year) for v in versions):
            continue
        ended = [v.effective_to for v in versions if v.effective_to and v.effective_to < day]
        later = [v.effective_from for v in versions if v.effective_from > day]
        if later:
            text = _("%(d)s起施行") % {"d": min(later).isoformat()}
        else:
            text = _("已于%(d)s失效") % {"d": max(ended).isoformat()}
        out.append(OutOfForce(policy, text))
    return out


def present_row(row: ClauseRow, record: dict | None, year: int,
                 declared: dict[tuple[str, int], str]) -> ClauseRow:
    from innolink.engines.rules import fields as rule_fields
    from innolink.policies import present

    a = row.answer
    row.steps = present.steps_view(a.steps)
    row.choices, held = present.choices_view(a, record, year)
    row.level = present.level_view(a, year)
    row.misses = [present.miss_view(m, record, year) for m in a.misses if present.check_key(m) not in held]
    seen: list = []
    for miss in (*row.misses, *(c for ch in row.choices for r in ch.routes for c in r.checks)):
        for item in miss.inputs:
            if item not in seen:
                seen.append(item)
    row.inputs = seen
    if a.eligible and declared and row.clause is not None:
        used = rule_codes(row.clause.rule)
        for (code, fact_year), value in sorted(declared.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            spec = rule_fields.INDICATORS.get(code)
            if code in used and spec is not None:
                row.declared.append((f"{fact_year}年 {spec.label}", declared_display(spec, value)))
    return row


def application_declared(application: Application) -> list[tuple[str, str]]:
    """(label, shown value) of the enterprise's own figures an application relied on."""
    from innolink.engines.rules import fields as rule_fields

    out = []
    for year, values in sorted((application.declared or {}).items()):
        for code, value in values.items():
            spec = rule_fields.INDICATORS.get(code)
            if spec is not None:
                out.append((f"{year}年 {spec.label}", declared_display(spec, value)))
    return out


def declared_display(spec, value: str) -> str:
    """A declared figure as the enterprise typed it: money in 万元, others in their unit."""
    from innolink.policies.present import readable_unit

    number = Decimal(value)
    if spec.kind == "money":
        return f"{wan_input(number)} {_('万元')}"
    return f"{number.normalize():f} {readable_unit(spec.unit)}"


def enterprise_view(enterprise: Enterprise, year: int) -> EnterpriseView:
    """Everything the enterprise can get in ``year`` (amount and arithmetic) and, for the rest,
    what is missing, nearest first — computed live from the registry (with the gaps the
    enterprise filled in itself, see ``DeclaredFact``)."""
    record, declared = fetch.record_with_declared(enterprise.pk, year)
    answer = fetch.explain_record(record, year)
    clauses = {(c.version.policy.code, c.code): c for c in
               PolicyClause.objects.filter(retired=False).select_related("version__policy")
               if c.version.covers_year(year)}
    applications = {a.clause_id: a for a in
                    Application.objects.filter(enterprise=enterprise, year=year)}

    def row(item) -> ClauseRow:
        clause = clauses.get((item.policy_id, item.clause_id))
        return ClauseRow(item, clause, applications.get(clause.pk) if clause else None)

    eligible = [row(a) for a in answer.eligible]
    prorations: dict[int, Any] = {}
    for item in eligible:
        clause = item.clause
        if clause is None or item.answer.amount <= 0 or \
                clause.version.budget_shortfall != BudgetShortfall.PRO_RATA:
            continue
        if item.application is not None and item.application.status not in Application.OPEN:
            continue
        counted = item.application is not None or Eligibility.objects.filter(
            clause=clause, enterprise=enterprise, year=year, active=True).exists()
        extra = ZERO if counted else item.answer.amount
        key = (clause.version_id, extra)
        if key not in prorations:
            prorations[key] = budget_proration(clause.version, extra_demand=extra)
        unscaled = item.application.amount_expected if item.application else item.answer.amount
        item.prorated = prorated_amount(prorations[key], unscaled)
    has_data = EnterpriseYear.objects.filter(enterprise=enterprise, year=year).exists()
    not_eligible = [row(a) for a in answer.not_eligible]
    for item in (*eligible, *not_eligible):
        present_row(item, record, year, declared)
    return EnterpriseView(enterprise, year, answer, eligible, not_eligible, answer.total, has_data,
                          out_of_force=policies_out_of_force(year), declared=declared)


# --------------------------------------------------------------------------- applications

def applications_visible_to(user) -> QuerySet[Application]:
    qs = Application.objects.select_related("enterprise", "clause__version__policy")
    if access.can_manage_policies(user) or access.can_read_metrics(user):
        return qs
    if access.is_enterprise_user(user):
        return qs.filter(enterprise_id=user.enterprise_id)
    return qs.none()


def application_for_user(user, pk: Any) -> Application:
    application = applications_visible_to(user).filter(pk=_valid_id(pk)).first()
    if application is None:
        raise NotFound()
    return application


@dataclass(frozen=True)
class ApplicationFilters:
    status: str = ""
    policy: int | None = None
    lane: str = ""
    overdue: bool = False
    q: str = ""


def application_search(user, filters: ApplicationFilters) -> QuerySet[Application]:
    qs = applications_visible_to(user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.policy:
        if not is_id(filters.policy):
            return qs.none()
        qs = qs.filter(clause__version__policy_id=filters.policy)
    if filters.lane:
        qs = qs.filter(lane=filters.lane)
    if filters.overdue:
        qs = qs.filter(status__in=Application.OPEN, due_on__lt=timezone.localdate())
    q = filters.q.replace("\x00", "").strip()
    if q:
        qs = qs.filter(Q(enterprise__name__icontains=q) | Q(enterprise__credit_code=q.upper()))
    return qs.order_by("due_on", "id") if filters.status in ("", "submitted", "deferred") \
        else qs.order_by("-submitted_at", "-id")


def material_for_user(user, pk: Any):
    from innolink.policies.models import ApplicationMaterial

    material = ApplicationMaterial.objects.filter(pk=_valid_id(pk)).first()
    if material is None or not applications_visible_to(user).filter(
            pk=material.application_id).exists():
        raise NotFound()
    return material


def countdown(application: Application, today: dt.date | None = None) -> int | None:
    """Working days left before the review deadline (negative: overdue); None once decided."""
    if application.status not in Application.OPEN:
        return None
    return working_days_between(today or timezone.localdate(), application.due_on)


def claim_prefill(user, enterprise: Enterprise) -> dict[str, str]:
    """What the platform already knows for a claim form: the enterprise's name as the account
    holder, the bank account and the contact of its last claim; without an earlier claim, the
    account's own name and phone (``accounts.contact``: a login name or a role label is not a
    contact person)."""
    from innolink.accounts.contact import contact_initial

    last = Application.objects.filter(enterprise=enterprise).order_by("-submitted_at").first()
    contact = contact_initial(user, last)
    return {
        "account_holder": last.account_holder if last else enterprise.name,
        "bank_name": last.bank_name if last else "",
        "bank_account": last.bank_account if last else "",
        "contact_name": contact["contact_name"],
        "contact_phone": contact["contact_phone"],
    }


# --------------------------------------------------------------------------- eligibility lists

def unpaid_eligibilities(*, policy: Policy, year: int) -> QuerySet[Eligibility]:
    """Enterprises that qualify for a clause of ``policy`` in ``year`` and are not fully paid."""
    paid = Application.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                      clause_id=OuterRef("clause_id"), year=year,
                                      status=Application.Status.PAID)
    return (Eligibility.objects.filter(clause__version__policy=policy, year=year, active=True,
                                       amount__gt=0)
            .exclude(Exists(paid)))


def unpaid_page_rows(qs: QuerySet[Eligibility]) -> QuerySet[Eligibility]:
    apps = Application.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                      clause_id=OuterRef("clause_id"), year=OuterRef("year"))
    from django.db.models import Subquery

    return (qs.select_related("enterprise", "clause")
            .annotate(application_status=Subquery(apps.values("status")[:1]),
                      application_id=Subquery(apps.values("pk")[:1]))
            .order_by("-amount", "id"))


def latest_scans(limit: int = 10) -> QuerySet[Scan]:
    return Scan.objects.select_related("job", "created_by")[:limit]


# --------------------------------------------------------------------------- ledger

def ledger_entries(*, policy: int | None = None, kind: str = "", level: str = ""
                   ) -> QuerySet[LedgerEntry]:
    qs = LedgerEntry.objects.select_related("version__policy", "enterprise", "application",
                                            "created_by")
    if policy:
        if not is_id(policy):
            return qs.none()
        qs = qs.filter(version__policy_id=policy)
    if kind:
        qs = qs.filter(kind=kind)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("-created_at", "-id")


@dataclass
class LedgerRow:
    policy: Policy
    version: PolicyVersion
    budget: Budget | None
    levels: dict[str, dict[str, Decimal]]  # level -> {commitment, payment}


def ledger_summary() -> list[LedgerRow]:
    sums = defaultdict(lambda: defaultdict(lambda: {"commitment": ZERO, "payment": ZERO}))
    for version_id, level, kind, amount in (LedgerEntry.objects.values_list("version_id", "level", "kind")
                                            .annotate(s=Sum("amount"))):
        sums[version_id][level][kind] = amount
    rows = []
    for version in PolicyVersion.objects.select_related("policy", "budget_row").order_by(
            "policy__order", "effective_from"):
        levels = {lvl: dict(sums[version.pk][lvl]) for lvl, _n in version.shares}
        rows.append(LedgerRow(version.policy, version, getattr(version, "budget_row", None), levels))
    return rows


# --------------------------------------------------------------------------- metrics

@dataclass
class MetricRow:
    key: str
    label: str
    eligible: int = 0
    eligible_amount: Decimal = ZERO
    applied: int = 0
    approved: int = 0
    paid: int = 0
    paid_amount: Decimal = ZERO
    days: list[int] = field(default_factory=list)
    budget: Decimal | None = None
    committed: Decimal | None = None

    @property
    def rate(self) -> float | None:
        """应兑尽兑率: paid / eligible (enterprise × clause pairs)."""
        return round(100 * self.paid / self.eligible, 1) if self.eligible else None

    @property
    def avg_days(self) -> float | None:
        return round(sum(self.days) / len(self.days), 1) if self.days else None

    @property
    def budget_used(self) -> float | None:
        if not self.budget:
            return None
        return round(float(100 * (self.committed or ZERO) / self.budget), 1)


@dataclass
class Metrics:
    year: int
    total: MetricRow
    by_policy: list[MetricRow]
    by_town: list[MetricRow]
    by_industry: list[MetricRow]


APPROVED_STATES = (Application.Status.APPROVED, Application.Status.PARTIALLY_PAID,
                   Application.Status.PAID)


def metrics(year: int) -> Metrics:
    """Eligible, applied, approved, paid, 应兑尽兑 rate, days from eligibility to cash and budget
    used, by policy, town and industry section. A fixed number of grouped queries."""
    rows: dict[str, dict[str, MetricRow]] = {"policy": {}, "town": {}, "industry": {}}
    total = MetricRow("all", _("全部"))
    policies = {p.pk: p for p in Policy.objects.all()}

    def get(dim: str, key: str, label: str) -> MetricRow:
        table = rows[dim]
        if key not in table:
            table[key] = MetricRow(key, label)
        return table[key]

    elig = (Eligibility.objects.filter(year=year, active=True, amount__gt=0)
            .values_list("clause__version__policy_id", "enterprise__town",
                         "enterprise__industry_code")
            .annotate(n=Count("id"), s=Sum("amount")))
    for policy_id, town, industry, n, s in elig:
        section = (industry or "?")[:1]
        for row in (get("policy", str(policy_id), policies[policy_id].title),
                    get("town", town, town), get("industry", section, industry_label(section) or section),
                    total):
            row.eligible += n
            row.eligible_amount += s or ZERO
    apps = (Application.objects.filter(year=year)
            .values_list("clause__version__policy_id", "enterprise__town",
                         "enterprise__industry_code", "status")
            .annotate(n=Count("id"), s=Sum("paid_total")))
    for policy_id, town, industry, status, n, s in apps:
        section = (industry or "?")[:1]
        for row in (get("policy", str(policy_id), policies[policy_id].title),
                    get("town", town, town), get("industry", section, industry_label(section) or section),
                    total):
            row.applied += n
            if status in APPROVED_STATES:
                row.approved += n
            if status == Application.Status.PAID:
                row.paid += n
            row.paid_amount += s or ZERO
    for policy_id, town, industry, since, paid_on in (
            Application.objects.filter(year=year, status=Application.Status.PAID)
            .values_list("clause__version__policy_id", "enterprise__town",
                         "enterprise__industry_code", "eligible_since", "paid_on")):
        days = (paid_on - since).days
        section = (industry or "?")[:1]
        for row in (get("policy", str(policy_id), policies[policy_id].title),
                    get("town", town, town), get("industry", section, industry_label(section) or section),
                    total):
            row.days.append(days)
    for budget in Budget.objects.select_related("version"):
        if budget.version.covers_year(year):
            row = get("policy", str(budget.version.policy_id), policies[budget.version.policy_id].title)
            row.budget = (row.budget or ZERO) + budget.total
            row.committed = (row.committed or ZERO) + budget.committed
            total.budget = (total.budget or ZERO) + budget.total
            total.committed = (total.committed or ZERO) + budget.committed
    order = {str(p.pk): p.order for p in policies.values()}
    return Metrics(
        year=year, total=total,
        by_policy=sorted(rows["policy"].values(), key=lambda r: order.get(r.key, 0)),
        by_town=sorted(rows["town"].values(), key=lambda r: -r.eligible),
        by_industry=sorted(rows["industry"].values(), key=lambda r: -r.eligible),
    )


def metrics_charts(m: Metrics) -> dict[str, dict]:
    """Chart data; money stays ``Decimal`` in 万元 (JSON carries it as exact text and the
    chart script makes it a number, the only place one is made)."""
    short = [r.label[:10] for r in m.by_policy]
    return {
        "policy": {"type": "bar", "labels": short, "series": [
            {"label": _("符合条件（户次）"), "values": [r.eligible for r in m.by_policy]},
            {"label": _("已申请/确认"), "values": [r.applied for r in m.by_policy]},
            {"label": _("已批准"), "values": [r.approved for r in m.by_policy]},
            {"label": _("已拨付"), "values": [r.paid for r in m.by_policy]}]},
        "budget": {"type": "bar", "labels": short, "series": [
            {"label": _("预算（万元）"), "values": [wan(r.budget or ZERO) for r in m.by_policy]},
            {"label": _("已承诺（万元）"), "values": [wan(r.committed or ZERO) for r in m.by_policy]},
            {"label": _("可兑现（万元）"), "values": [wan(r.eligible_amount) for r in m.by_policy]}]},
        "town": {"type": "bar", "labels": [r.label for r in m.by_town], "series": [
            {"label": _("可兑现（万元）"), "values": [wan(r.eligible_amount) for r in m.by_town]},
            {"label": _("已拨付（万元）"), "values": [wan(r.paid_amount) for r in m.by_town]}]},
        "industry": {"type": "bar", "labels": [r.label[:8] for r in m.by_industry], "series": [
            {"label": _("符合条件（户次）"), "values": [r.eligible for r in m.by_industry]},
            {"label": _("已拨付"), "values": [r.paid for r in m.by_industry]}]},
    }


# --------------------------------------------------------------------------- working-day calendar

@dataclass
class CalendarYear:
    year: int
    holidays: list  # CalendarDay rows
    workdays: list


def calendar_years() -> list[CalendarYear]:
    """The calendar's days grouped by year, latest year first."""
    from innolink.policies.models import CalendarDay

    years: dict[int, CalendarYear] = {}
    for row in CalendarDay.objects.order_by("date"):
        entry = years.setdefault(row.date.year, CalendarYear(row.date.year, [], []))
        (entry.workdays if row.kind == CalendarDay.Kind.WORKDAY else entry.holidays).append(row)
    return sorted(years.values(), key=lambda y: -y.year)


# --------------------------------------------------------------------------- budget proration

def budget_proration(version: PolicyVersion, budget: Budget | None = None,
                     extra_demand: Decimal = ZERO) -> Proration | None:
    """For a ``pro_rata`` version (「资金不足时按比例核减」, ADR 0122): the scaling of awards
    against what is left of its budget; None for ``first_come``.

    available = budget total − committed. demand = what is still owed and not yet committed:
    the expected amount of every open application (submitted or deferred) plus the amount of
    every active eligibility (any year of the version) that has no application at all.
    ``extra_demand`` adds a claim not yet in either (an enterprise looking before a scan found
    it). Pass the budget row locked by the caller when approving."""
    if version.budget_shortfall != BudgetShortfall.PRO_RATA:
        return None
    budget = budget or Budget.objects.filter(version=version).first()
    if budget is None:
        return None
    open_sum = (Application.objects.filter(clause__version=version, status__in=Application.OPEN)
                .aggregate(s=Sum("amount_expected"))["s"] or ZERO)
    claimed = Application.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                         clause_id=OuterRef("clause_id"), year=OuterRef("year"))
    unclaimed = (Eligibility.objects.filter(clause__version=version, clause__retired=False,
                                            active=True, amount__gt=0)
                 .exclude(Exists(claimed)).aggregate(s=Sum("amount"))["s"] or ZERO)
    return Proration(available_fen=yuan_to_fen(budget.total - budget.committed),
                     demand_fen=yuan_to_fen(open_sum + unclaimed + extra_demand))


@dataclass(frozen=True)
class ProratedAmount:
    """What a pro-rata award comes to now, for pages: the unscaled amount, the scaled one, the
    notice (「预算不足,按 83.21% 比例核减」) and the arithmetic."""

    proration: Proration
    unscaled: Decimal
    amount: Decimal
    notice: str
    steps: tuple[str, ...]


def prorated_amount(proration: Proration | None, unscaled: Decimal) -> ProratedAmount | None:
    """None when no scaling applies (first_come, or the budget covers the demand)."""
    if proration is None or not proration.applies:
        return None
    fen = yuan_to_fen(unscaled)
    return ProratedAmount(proration, unscaled, (Decimal(proration.scale(fen)) / 100).quantize(
        Decimal("0.01")), present.step_text(proration.notice),
        tuple(present.step_text(s) for s in proration.steps(fen)))


def application_proration(application: Application) -> ProratedAmount | None:
    """The scaling an open application would get if approved now (None once decided)."""
    if application.status not in Application.OPEN:
        return None
    return prorated_amount(budget_proration(application.clause.version),
                           application.amount_expected)


def scan_summary_rows(scan: Scan) -> list[dict[str, Any]]:
    """The per-policy totals of a finished scan, with the budget rule of the version in force:
    a pro-rata policy over its budget shows the factor against the whole budget
    (「预算不足,按 83.21% 比例核减」) and the scaled total."""
    versions = {v.policy.code: v for v in PolicyVersion.objects.select_related("policy")
                if v.covers_year(scan.year)}
    rows = []
    for code, row in scan.summary.items():
        version = versions.get(code)
        out = {"title": version.policy.title if version else code, **row, "notice": "",
               "payable": None}
        if version is not None and version.budget_shortfall == BudgetShortfall.PRO_RATA \
                and row.get("over_budget"):
            proration = Proration(available_fen=yuan_to_fen(Decimal(row["budget"])),
                                  demand_fen=yuan_to_fen(Decimal(row["total"])))
            out["notice"] = present.step_text(proration.notice)
        rows.append(out)
    return rows


def budget_shortages() -> list[tuple[PolicyVersion, Proration]]:
    """Pro-rata versions with open applications whose remaining budget is short now (for the
    officer's review list: approvals there are scaled)."""
    versions = (PolicyVersion.objects.filter(budget_shortfall=BudgetShortfall.PRO_RATA,
                                             clauses__applications__status__in=Application.OPEN)
                .select_related("policy", "budget_row").distinct())
    out = []
    for version in versions:
        proration = budget_proration(version, getattr(version, "budget_row", None))
        if proration is not None and proration.applies:
            out.append((version, proration))
    return out


# --------------------------------------------------------------------------- version differences

def version_changes(policy: Policy, *, can_manage: bool = False) -> dict[int, list]:
    """PolicyVersion id -> what changed from the version before it (``authoring.Change``s),
    read from the rules in force. For readers other than officers, a change of a clause's rule
    is left out (the legal text and the figures are what they read)."""
    from innolink.policies import authoring

    try:
        engine_policy = fetch.rules_registry().policy(policy.code)
    except KeyError:
        return {}
    rows = {v.effective_from: v.pk for v in policy.versions.all()}
    out: dict[int, list] = {}
    versions = list(engine_policy.versions)
    for before, after in zip(versions, versions[1:]):
        pk = rows.get(after.effective_from)
        if pk is None:
            continue
        items = authoring.version_changes(before, after)
        if not can_manage:
            items = [c for c in items if not c.what.endswith("的条件或计算")]
        out[pk] = items
    return out
