"""Reads of the service desk, each scoped to what the user may see."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from innolink.accounts.models import Department, User
from innolink.accounts.roles import Role
from innolink.core.errors import NotFound
from innolink.engines.routing import rising_terms, similar
from innolink.enterprises.models import Enterprise
from innolink.servicedesk import access, counters, sla
from innolink.servicedesk.models import (
    OPEN_STATES,
    Attachment,
    CadreAssignment,
    Callback,
    Category,
    CoHandling,
    Extension,
    RateCounter,
    RequestEvent,
    ServiceRequest,
    Status,
    TopicCounter,
    Visit,
    VisitPlan,
)
from innolink.servicedesk.reference import town_label
from innolink.servicedesk.text import tokens
from innolink.core.ids import is_id, parse_id



_valid_id = parse_id  # the one id helper (innolink.core.ids)


# --------------------------------------------------------------------------- requests

def requests_visible_to(user) -> QuerySet[ServiceRequest]:
    qs = ServiceRequest.objects.select_related("enterprise", "category", "department")
    if access.reads_all(user):
        return qs
    if access.is_enterprise_user(user):
        return qs.filter(enterprise_id=user.enterprise_id)
    if access.is_handler(user):
        department = user.department_id
        co = CoHandling.objects.filter(request_id=OuterRef("pk"), department_id=department)
        return qs.filter(Q(department_id=department) | Q(first_department_id=department)
                         | Exists(co))
    if access.is_cadre(user):
        mine = CadreAssignment.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                              cadre_id=user.pk)
        return qs.filter(Exists(mine))
    return qs.none()


def request_for_user(user, pk: Any) -> ServiceRequest:
    """The request if the user may see it; otherwise the same 404 as for a missing one."""
    request = requests_visible_to(user).filter(pk=_valid_id(pk)).first()
    if request is None:
        raise NotFound()
    return request


@dataclass(frozen=True)
class RequestFilters:
    status: str = ""
    category: str = ""
    town: str = ""
    channel: str = ""
    department: int | None = None
    overdue: bool = False
    q: str = ""
    year: int | None = None  # received in this year (local time), as the overview counts


def request_search(user, filters: RequestFilters) -> QuerySet[ServiceRequest]:
    qs = requests_visible_to(user)
    if filters.year:
        start = timezone.make_aware(dt.datetime(filters.year, 1, 1))
        qs = qs.filter(created_at__gte=start,
                       created_at__lt=timezone.make_aware(dt.datetime(filters.year + 1, 1, 1)))
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.town:
        qs = qs.filter(town=filters.town)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.department:
        if not is_id(filters.department):
            return qs.none()
        qs = qs.filter(department_id=filters.department)
    if filters.overdue:
        return qs.filter(deadline_at__lt=timezone.now()).order_by("deadline_at", "id")
    q = filters.q.replace("\x00", "").strip()
    if q:
        number = q.upper().removeprefix("SQ")
        pk = number.split("-")[-1]
        if pk.isdigit() and len(pk) < 12:
            qs = qs.filter(Q(pk=int(pk)) | Q(title__icontains=q))
        else:
            qs = qs.filter(Q(title__icontains=q) | Q(enterprise__name__icontains=q)
                           | Q(external_id=q))
    return qs.order_by("-created_at", "-id")


#: the stages a handler's queue can be narrowed to (待签收, 办理中)
QUEUE_STAGES = (Status.ASSIGNED, Status.HANDLING)


def handler_queue(user, status: str = "") -> QuerySet[ServiceRequest]:
    """The department's running clocks, nearest deadline first (index ``sd_queue``); with
    ``status`` one of QUEUE_STAGES only that stage (anything else is the whole queue)."""
    qs = (ServiceRequest.objects.select_related("enterprise", "category", "department")
          .filter(department_id=user.department_id, deadline_at__isnull=False))
    if status in QUEUE_STAGES:
        qs = qs.filter(status=status)
    return qs.order_by("deadline_at", "id")


def overdue_list(now: dt.datetime | None = None) -> QuerySet[ServiceRequest]:
    """Every request past its running deadline, longest overdue first (index ``sd_overdue``)."""
    return (ServiceRequest.objects.select_related("enterprise", "category", "department")
            .filter(deadline_at__lt=now or timezone.now()).order_by("deadline_at", "id"))


def pending_inputs(user) -> QuerySet[CoHandling]:
    return (CoHandling.objects.select_related("request__enterprise", "request__department")
            .filter(department_id=user.department_id, asked_at__isnull=False,
                    answered_at__isnull=True).order_by("asked_at"))


def awaiting_rating(user) -> QuerySet[ServiceRequest]:
    return requests_visible_to(user).filter(status=Status.REPLIED, rating="")


@dataclass
class CoordinatorDesk:
    pending: list
    fallback: list
    returned: list
    review: list
    extensions: list
    callbacks: list
    fallback_department: Department | None


def coordinator_desk(limit: int = 50) -> CoordinatorDesk:
    settings = sla.desk_settings()
    base = ServiceRequest.objects.select_related("enterprise", "category", "department")
    fallback = []
    if settings.fallback_department_id:
        fallback = list(base.filter(department_id=settings.fallback_department_id,
                                    status=Status.ASSIGNED).order_by("deadline_at")[:limit])
    return CoordinatorDesk(
        pending=list(base.filter(status=Status.PENDING).order_by("created_at")[:limit]),
        fallback=fallback,
        returned=list(base.filter(status=Status.RETURNED).order_by("updated_at")[:limit]),
        review=list(base.filter(status=Status.REVIEW).order_by("rated_at")[:limit]),
        extensions=list(Extension.objects.select_related("request__enterprise",
                                                         "request__department")
                        .filter(state=Extension.State.PENDING).order_by("requested_at")[:limit]),
        callbacks=list(Callback.objects.select_related("request__enterprise",
                                                       "request__department")
                       .filter(done_at__isnull=True).order_by("selected_at")[:limit]),
        fallback_department=settings.fallback_department)


@dataclass(frozen=True)
class Step:
    event: RequestEvent
    note: str  # shown text ("" when internal and the viewer is the enterprise)
    from_number: str  # the merged request this step came from, or ""


def timeline(request: ServiceRequest, user) -> list[Step]:
    """Every step of the request and of the requests merged into it, oldest first. An
    enterprise sees every step; internal notes (co-handling, disputes, call notes) show without
    their text."""
    sources = {r.pk: r for r in ServiceRequest.objects.filter(merged_into=request)}
    events = (RequestEvent.objects.select_related("actor", "department")
              .filter(request_id__in=[request.pk, *sources]).order_by("at", "id"))
    enterprise = access.is_enterprise_user(user)
    steps = []
    for e in events:
        hidden = enterprise and (e.internal or e.kind == RequestEvent.Kind.RETURNED)
        source = sources.get(e.request_id)
        steps.append(Step(e, "" if hidden else e.note, source.number if source else ""))
    return steps


def attachments_for(request: ServiceRequest) -> QuerySet[Attachment]:
    return Attachment.objects.filter(Q(request=request) | Q(request__merged_into=request))


def attachment_for_user(user, pk: Any) -> Attachment:
    row = Attachment.objects.filter(pk=_valid_id(pk)).first()
    if row is None or not requests_visible_to(user).filter(pk=row.request_id).exists():
        raise NotFound()
    return row


@dataclass(frozen=True)
class Duplicate:
    request: ServiceRequest
    score: float
    shared: tuple[str, ...]


def duplicates_for(request: ServiceRequest, *, threshold: float | None = None) -> list[Duplicate]:
    """Open requests of the same enterprise whose text is similar (token cosine with the
    matching engine's tokenizer), most similar first: offered for merging."""
    if request.status not in OPEN_STATES:
        return []
    if threshold is None:
        threshold = float(sla.desk_settings().duplicate_threshold)
    others = list(ServiceRequest.objects.select_related("department", "category")
                  .filter(enterprise_id=request.enterprise_id, status__in=OPEN_STATES)
                  .exclude(pk=request.pk).order_by("-created_at")[:50])
    if not others:
        return []
    found = similar(tokens(f"{request.title} {request.description}"),
                    [tokens(f"{o.title} {o.description}") for o in others], threshold=threshold)
    return [Duplicate(others[f.index], f.score, f.shared) for f in found]


def cohandlings_for(request: ServiceRequest) -> QuerySet[CoHandling]:
    return CoHandling.objects.select_related("department").filter(request=request)


# --------------------------------------------------------------------------- measures

@dataclass
class RateRow:
    key: Any
    label: str
    received: int = 0
    sign_total: int = 0
    sign_timely: int = 0
    done_total: int = 0
    done_timely: int = 0
    rated: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0
    reopened: int = 0

    @staticmethod
    def _pct(num: int, den: int) -> Decimal | None:
        return (Decimal(100 * num) / den).quantize(Decimal("0.1")) if den else None

    @property
    def timely_sign_rate(self) -> Decimal | None:
        """及时签收率 = signed within the limit / assignments whose signing is due."""
        return self._pct(self.sign_timely, self.sign_total)

    @property
    def on_time_rate(self) -> Decimal | None:
        """按时办结率 = answered within the limit / handling cycles whose limit is due."""
        return self._pct(self.done_timely, self.done_total)

    @property
    def satisfaction_rate(self) -> Decimal | None:
        """满意率 = (满意 + 基本满意) / ratings."""
        return self._pct(self.satisfied + self.basic, self.rated)

    @property
    def reopen_rate(self) -> Decimal | None:
        """重办率 = reopened / handling cycles completed."""
        return self._pct(self.reopened, self.done_total)

    def add(self, values: dict[str, int]) -> None:
        for name in RateCounter.FIELDS:
            setattr(self, name, getattr(self, name) + int(values.get(name) or 0))


DIMENSIONS = {"department": "department_id", "town": "town", "category": "category_id",
              "month": "month"}


def _labels(by: str, keys) -> dict:
    if by == "department":
        names = dict(Department.objects.filter(pk__in=[k for k in keys if k]).values_list(
            "pk", "name"))
        return {k: _(names[k]) if k in names else _("未分派") for k in keys}
    if by == "category":
        names = dict(Category.objects.filter(pk__in=keys).values_list("pk", "name"))
        return {k: _(names[k]) if k in names else str(k) for k in keys}
    if by == "town":
        return {k: town_label(k) for k in keys}
    return {k: f"{k:%Y-%m}" for k in keys}


def rates(*, start: dt.date, end: dt.date, by: str = "department",
          department: int | None = None, town: str = "", category: int | None = None
          ) -> tuple[RateRow, list[RateRow]]:
    """三率 (and 重办率) from the counters for the months ``start`` ≤ month < ``end``, grouped by
    department, town, category or month: one grouped query plus one for the labels."""
    if by not in DIMENSIONS:
        raise ValueError(by)
    qs = RateCounter.objects.filter(month__gte=start, month__lt=end)
    if department:
        qs = qs.filter(department_id=department)
    if town:
        qs = qs.filter(town=town)
    if category:
        qs = qs.filter(category_id=category)
    column = DIMENSIONS[by]
    grouped = list(qs.values(column).annotate(**{f: Sum(f) for f in RateCounter.FIELDS})
                   .order_by(column))
    labels = _labels(by, [g[column] for g in grouped])
    total = RateRow("all", _("合计"))
    rows = []
    for g in grouped:
        row = RateRow(g[column], labels[g[column]])
        row.add(g)
        total.add(g)
        rows.append(row)
    if by != "month":
        rows.sort(key=lambda r: (-r.received, str(r.label)))
    return total, rows


def counters_recount() -> dict[tuple, dict[str, int]]:
    """The counters recomputed from the whole history (every event's tally), for checks and for
    ``manage.py servicedesk_counters --rebuild``: keys as in ``RateCounter``."""
    out: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = (RequestEvent.objects.exclude(tally={})
            .values_list("at", "department_id", "tally", "request__town", "request__category_id"))
    for at, department_id, tally, town, category_id in rows.iterator(5000):
        key = (counters.month_of(at), department_id or 0, town, category_id)
        for name, n in tally.items():
            out[key][name] += n
    return {k: {f: v for f, v in d.items() if v} for k, d in out.items()}


def counters_stored() -> dict[tuple, dict[str, int]]:
    out = {}
    for row in RateCounter.objects.all().values():
        values = {f: row[f] for f in RateCounter.FIELDS if row[f]}
        if values:
            out[(row["month"], row["department_id"], row["town"], row["category_id"])] = values
    return out


@dataclass
class HotTopics:
    week: dt.date
    previous_week: dt.date
    terms: list[tuple[str, int]]
    rising: list
    categories: list[tuple[str, int, int]]  # name, this week, previous week


def hot_topics(today: dt.date | None = None, *, k: int = 15) -> HotTopics:
    """The last complete week against the week before: the most frequent terms, the terms that
    rose most, and requests per category (from ``TopicCounter``, two weeks of rows)."""
    today = today or timezone.localdate()
    week = counters.week_of(today) - dt.timedelta(days=7)
    previous = week - dt.timedelta(days=7)
    rows = TopicCounter.objects.filter(week__in=[week, previous]).values_list(
        "week", "kind", "key", "count")
    now_terms, before_terms = Counter(), Counter()
    now_cats, before_cats = Counter(), Counter()
    for w, kind, key, n in rows:
        target = (now_terms if w == week else before_terms) if kind == "term" else (
            now_cats if w == week else before_cats)
        target[key] += n
    names = dict(Category.objects.values_list("code", "name"))
    categories = sorted(((names.get(c, c), now_cats[c], before_cats[c])
                         for c in set(now_cats) | set(before_cats)), key=lambda r: (-r[1], r[0]))
    return HotTopics(week, previous, now_terms.most_common(k),
                     rising_terms(now_terms, before_terms, k=10), categories)


# --------------------------------------------------------------------------- cadres

def quarter_of(day: dt.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * (quarter - 1) + 1, 1)
    end = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, end


def assignments_visible_to(user) -> QuerySet[CadreAssignment]:
    qs = CadreAssignment.objects.select_related("enterprise", "cadre")
    if access.reads_all(user):
        return qs
    if access.is_cadre(user):
        return qs.filter(cadre=user)
    return qs.none()


def visits_visible_to(user) -> QuerySet[Visit]:
    qs = Visit.objects.select_related("enterprise", "cadre")
    if access.reads_all(user):
        return qs
    if access.is_cadre(user):
        return qs.filter(cadre=user)
    return qs.none()


def filing_enterprise_for_user(user, *, enterprise_id: Any = None,
                               credit_code: str = "") -> Enterprise | None:
    """The enterprise a new request names (by id, else by credit code) if ``user`` may file for
    it: an enterprise user its own, a cadre an enterprise assigned to them, anyone else (desk
    staff, the 12345 account; the channel is checked by the service) any. A missing enterprise
    and one the user may not file for are both ``None``, so the answer never tells whether
    another enterprise exists (ADR 0005)."""
    if enterprise_id is not None:
        qs = Enterprise.objects.filter(pk=parse_id(enterprise_id))
    elif credit_code:
        qs = Enterprise.objects.filter(credit_code=credit_code)
    else:
        return None
    role = getattr(user, "role", None)  # as services.check_creator reads it
    if role == Role.ENTERPRISE:
        qs = qs.filter(pk=user.enterprise_id) if user.enterprise_id else qs.none()
    elif role == Role.CADRE:
        qs = qs.filter(cadre_assignment__cadre=user)
    return qs.first()


def cadre_enterprise_for_user(user, pk: Any) -> Enterprise:
    """An enterprise the user may prepare a visit sheet for: a cadre's own enterprises, any
    for staff who read everything."""
    pk = _valid_id(pk)
    if access.reads_all(user):
        enterprise = Enterprise.objects.filter(pk=pk).first()
    elif access.is_cadre(user):
        enterprise = Enterprise.objects.filter(pk=pk, cadre_assignment__cadre=user).first()
    else:
        enterprise = None
    if enterprise is None:
        raise NotFound()
    return enterprise


@dataclass
class CadreProgress:
    cadre: User
    assigned: int
    target: int | None
    done: int
    expected: int
    behind: bool


@dataclass
class Coverage:
    year: int
    quarter: int
    start: dt.date
    end: dt.date
    assigned: int
    visited: int
    unvisited: QuerySet
    cadres: list[CadreProgress] = field(default_factory=list)


def coverage(year: int, quarter: int, *, today: dt.date | None = None) -> Coverage:
    """Key enterprises with no visit this quarter, and each cadre's visits against plan (behind
    when visits so far are fewer than the plan pro rata to the days gone)."""
    today = today or timezone.localdate()
    start, end = quarter_bounds(year, quarter)
    visited = Visit.objects.filter(enterprise_id=OuterRef("enterprise_id"),
                                   visited_on__gte=start, visited_on__lt=end)
    assignments = CadreAssignment.objects.select_related("enterprise", "cadre")
    unvisited = assignments.exclude(Exists(visited)).order_by("enterprise__town",
                                                              "enterprise__name")
    total = assignments.count()
    visited_count = assignments.filter(Exists(visited)).count()
    elapsed = min(max((today - start).days + 1, 0), (end - start).days) / (end - start).days
    plans = {p.cadre_id: p.target for p in VisitPlan.objects.filter(year=year, quarter=quarter)}
    done = Counter(Visit.objects.filter(visited_on__gte=start, visited_on__lt=end)
                   .values_list("cadre_id", flat=True))
    assigned = Counter(CadreAssignment.objects.values_list("cadre_id", flat=True))
    cadres = []
    for user in User.objects.filter(role=Role.CADRE, is_active=True).order_by("display_name",
                                                                                  "username"):
        target = plans.get(user.pk)
        plan = target if target is not None else assigned[user.pk]
        expected = int(plan * elapsed)
        cadres.append(CadreProgress(user, assigned[user.pk], target, done[user.pk], expected,
                                    done[user.pk] < expected))
    return Coverage(year, quarter, start, end, total, visited_count, unvisited, cadres)


@dataclass
class VisitSheet:
    enterprise: Enterprise
    cadre: User | None
    year: int
    unclaimed: list  # (policy title, clause title, amount, lane)
    unclaimed_total: Decimal
    missing: list[tuple[str, str]]  # (fact, which policies need it)
    near: list  # (policy title, clause title, first gap message)
    open_requests: list[ServiceRequest]
    last_visits: list[Visit]
    generated_at: dt.datetime


def visit_sheet(enterprise: Enterprise) -> VisitSheet:
    """主动送政策进企业: what the enterprise qualifies for and has not claimed (amounts from the
    policy engine), the facts the registry lacks to decide the rest, its nearest misses, and
    its open requests — for the cadre to bring to the visit."""
    from innolink.policies.selectors import default_year, enterprise_view

    year = default_year()
    view = enterprise_view(enterprise, year)
    unclaimed = [(r.answer.policy_title, r.answer.clause_title, r.answer.amount, r.answer.lane)
                 for r in view.eligible if r.application is None and r.answer.amount > 0]
    needs: dict[str, set[str]] = defaultdict(set)
    near = []
    for row in view.not_eligible:
        a = row.answer
        for miss in a.misses:
            if miss.passed is None:
                needs[miss.label].add(a.policy_title)
        decided = [m for m in a.misses if m.passed is False]
        if len(a.misses) == 1 and decided and len(near) < 5:
            near.append((a.policy_title, a.clause_title, decided[0].message))
    missing = [(label, "、".join(sorted(policies))) for label, policies in sorted(needs.items())]
    assignment = CadreAssignment.objects.select_related("cadre").filter(
        enterprise=enterprise).first()
    return VisitSheet(
        enterprise=enterprise, cadre=assignment.cadre if assignment else None, year=year,
        unclaimed=unclaimed, unclaimed_total=sum((u[2] for u in unclaimed), Decimal("0.00")),
        missing=missing, near=near,
        open_requests=list(ServiceRequest.objects.select_related("department", "category")
                           .filter(enterprise=enterprise, status__in=OPEN_STATES)
                           .order_by("created_at")),
        last_visits=list(Visit.objects.filter(enterprise=enterprise).select_related("cadre")
                         .order_by("-visited_on")[:3]),
        generated_at=timezone.now())
