"""Scoped reads of signed projects and the city measures (from the overview's tallies)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innolink.core.errors import NotFound
from innolink.core.money import money_text, unit_amount, wan, wan_input
from innolink.dashboard.tallies import rollup
from innolink.engines.projects import status as engine
from innolink.projects import access
from innolink.projects.models import (
    ProgressReport,
    Project,
    ProjectKind,
    ProjectStatus,
    ProjectTarget,
    plain,
)
from innolink.core.ids import parse_id



#: the list's status filter for every project not closed (the overview's 在建项目)
OPEN = "open"


def status_choices() -> list[tuple[str, str]]:
    """The list's status filter: 在建 (every open project), then each computed status."""
    return [(OPEN, _("在建（未结项）")), *ProjectStatus.choices]


@dataclass(frozen=True)
class ProjectFilters:
    status: str = ""
    kind: str = ""
    town: str = ""
    q: str = ""
    reason: str = ""  # a status reason code (report_missing …); unknown codes are dropped
    measure: str = ""  # a city measure's key: the projects that measure counts
    signed_from: str = ""  # "2026-01": signed in or after this month
    signed_to: str = ""  # "2026-11": signed in or before this month


def projects_for(user, filters: ProjectFilters = ProjectFilters()) -> QuerySet[Project]:
    qs = access.visible_projects(user, Project.objects.all())
    if filters.status == OPEN:  # 在建: not closed, as the overview's 在建项目 counts them
        qs = qs.exclude(status=ProjectStatus.CLOSED)
    elif filters.status in ProjectStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.kind in ProjectKind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.town:
        qs = qs.filter(town=filters.town)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(parties__organisation__icontains=filters.q)
                       | Q(parties__enterprise__name__icontains=filters.q)).distinct()
    if filters.reason in REASON_LABELS:
        qs = qs.filter(status_reasons__icontains=f'"{filters.reason}"')
    if filters.measure in MEASURE_COUNTS:
        qs = qs.filter(MEASURE_COUNTS[filters.measure])
    for bound, op in ((filters.signed_from, "gte"), (filters.signed_to, "lte")):
        try:
            year, month = (int(x) for x in bound.split("-"))
            day = dt.date(year, month, 1)
        except (ValueError, TypeError):
            continue
        if op == "lte":
            day = engine.period_of(day, "monthly")[1]
        qs = qs.filter(**{f"signed_on__{op}": day})
    return (qs.select_related("department", "cadre")
            .prefetch_related("parties__enterprise", "parties__institution")
            .order_by("-signed_on", "-id"))


def export_rows(projects: QuerySet[Project]) -> tuple[list[str], list[list]]:
    """The project list as spreadsheet rows (amounts in 万元, status with its first reason)."""
    header = [_("项目名称"), _("项目类型"), _("签约日期"), _("责任部门"), _("责任干部"),
              _("所在镇街"), _("参与方"), _("计划投资（万元）"), _("资金到位（万元）"),
              _("推进状态"), _("状态原因")]
    rows = []
    for p in projects:  # prefetched parties: a fixed number of queries
        rows.append([p.title, p.get_kind_display(), p.signed_on.isoformat(), str(p.department),
                     str(p.cadre or ""), p.town,
                     "；".join(f"{party.name}（{party.get_role_display()}）"
                              for party in p.parties.all()),
                     wan(p.investment), wan(p.funds_in_place), p.get_status_display(),
                     "；".join(reason_text(r) for r in p.status_reasons)])
    return header, rows


def project_for(user, pk: int) -> Project:
    pk = parse_id(pk)
    project = (Project.objects.select_related("department", "cadre", "signing_event",
                                              "source_challenge", "source_award")
               .prefetch_related("parties__enterprise", "parties__institution",
                                 Prefetch("targets", ProjectTarget.objects.order_by("position",
                                                                                    "id")),
                                 "milestones").filter(pk=pk).first())
    if project is None or not access.can_read(user, project):
        raise NotFound()
    return project


def reports_of(project: Project) -> QuerySet[ProgressReport]:
    return (project.reports.select_related("filed_by", "reviewed_by")
            .prefetch_related("values__target", "milestone_evidence__milestone", "problems")
            .order_by("-period_start", "-filed_at"))


@dataclass(frozen=True)
class ProblemRow:
    problem: object  # ProjectProblem
    request_state: str = ""  # the escalated request's status code, read live from the desk
    request_state_label: str = ""
    overdue: bool = False


def problem_rows(project: Project) -> list[ProblemRow]:
    """The project's problems, each escalated one with its service-desk request's current
    state (the request carries ``source="project:<pk>"``, the hook the escalation sets; one
    query for all of them). A merged request shows the state of the one it was merged into."""
    problems = list(project.problems.select_related("report"))
    requests: dict[str, object] = {}
    if any(p.request_ref for p in problems):
        try:
            from innolink.servicedesk.models import ServiceRequest
        except ImportError:  # the service desk is not installed: the stored reference only
            ServiceRequest = None
        if ServiceRequest is not None:
            for r in (ServiceRequest.objects.filter(source=f"project:{project.pk}")
                      .select_related("merged_into")):
                requests[r.number] = r
    today_now = timezone.now()
    rows = []
    for p in problems:
        r = requests.get(p.request_ref)
        if r is not None and r.status == "merged" and r.merged_into_id:
            r = r.merged_into
        rows.append(ProblemRow(p, r.status if r else "", r.get_status_display() if r else "",
                               bool(r and r.deadline_at and r.deadline_at < today_now)))
    return rows


REASONS = {
    "milestone_overdue": gettext_lazy("节点“%(title)s”计划 %(due)s 完成，已逾期 %(days)s 天"),
    "milestone_soon": gettext_lazy("节点“%(title)s”将于 %(due)s 到期（还有 %(days)s 天）"),
    "target_missed": gettext_lazy("指标“%(name)s”期限 %(due)s 已过，目标 %(target)s %(unit)s，"
                                  "最新 %(latest)s"),
    "target_behind": gettext_lazy("指标“%(name)s”落后于进度：最新 %(latest)s %(unit)s，"
                                  "按进度应达 %(expected)s（目标 %(target)s）"),
    "report_missing": gettext_lazy("%(period)s 进展报告逾期未报（超过 %(days)s 天）"),
    # report_missing for a period whose report was returned (退回) and not filed again
    "report_returned": gettext_lazy("%(period)s 进展报告已被退回，逾期未重新报送（超过 %(days)s 天）"),
}


#: A reason code as a filter's label ("filtered by …" on the list).
REASON_LABELS = {
    "milestone_overdue": gettext_lazy("节点逾期"),
    "milestone_soon": gettext_lazy("节点即将到期"),
    "target_missed": gettext_lazy("指标到期未达成"),
    "target_behind": gettext_lazy("指标落后于进度"),
    "report_missing": gettext_lazy("进展报告逾期未报"),
}

#: The projects each city measure counts (its denominator), from the measures the last
#: recompute stored on the project: a figure on the overview links to exactly these.
MEASURE_COUNTS = {
    "fulfilment": Q(measures__obligations_due__gt=0),
    "start": Q(measures__start_due__gt=0),
    "production": Q(measures__production_due__gt=0),
    "funds": Q(investment__gt=0),
    "attainment": Q(measures__targets_reported__gt=0),
}


def _amount_or_as_is(value, unit: str):
    try:
        amount = unit_amount(value, unit)
    except ValueError:  # "—" for a target with no value yet
        return value
    return value if amount is None else money_text(amount)


def reason_text(reason: dict) -> str:
    code = reason.get("code")
    if code == "report_missing" and reason.get("returned"):
        code = "report_returned"
    template = REASONS.get(code)
    if template is None:
        return str(reason.get("code", ""))
    if unit_amount(1, reason.get("unit")) is not None:  # a target in 万元 reads as an amount
        reason = {**reason, "unit": "", **{k: _amount_or_as_is(reason.get(k), reason["unit"])
                                           for k in ("latest", "target", "expected")}}
    try:
        return (str(template) % reason).replace(" ，", "，").replace(" ,", ",")
    except (KeyError, TypeError, ValueError):
        return str(reason.get("code"))


def target_rows(project: Project) -> list[dict]:
    rows = []
    for t in project.targets.all():
        p = engine.progress(engine.TargetIn(t.name, t.unit, t.baseline, t.target, t.due_on,
                                            t.latest_value, t.latest_on))
        rows.append({"target": t, "progress": None if p is None else
                     max(0, min(100, int(p * 100))), "latest": plain(t.latest_value),
                     "goal": plain(t.target), "baseline": plain(t.baseline)})
    return rows


def report_periods(project: Project, today: dt.date) -> list[tuple[str, str]]:
    """The periods a report may be filed for: from the signing to the current one, newest
    first, as (value, label)."""
    periods = engine.periods_between(project.signed_on, today, project.report_cycle)
    out = []
    for start, end in reversed(periods):
        label = engine.period_label(start, project.report_cycle)
        out.append((label, f"{label}（{start:%Y-%m-%d} — {end:%Y-%m-%d}）"))
    return out


def default_period(project: Project, today: dt.date) -> str:
    """The period the report form opens on: the latest ended period with no report filed (or
    only returned ones), the one the reminders chase; else the current period."""
    filed = set(project.reports.exclude(state=ProgressReport.State.RETURNED)
                .values_list("period_start", flat=True))
    periods = engine.periods_between(project.signed_on, today, project.report_cycle)
    for start, end in reversed(periods):
        if end < today and start not in filed:
            return engine.period_label(start, project.report_cycle)
    return engine.period_label(periods[-1][0], project.report_cycle) if periods else ""


def period_value(report: ProgressReport) -> str:
    """The report form's value for a report's period (``2026Q3`` or ``2026-09``)."""
    return engine.period_label(report.period_start, report.project.report_cycle)


def correction_initial(report: ProgressReport) -> dict[str, str]:
    """The correction form starts from the accepted report: its period, values, funds (万元)
    and narrative, to be changed where wrong."""
    data = {"period": period_value(report), "narrative": report.narrative,
            "funds_in_place": wan_input(report.funds_in_place)}
    for v in report.values.all():
        data[f"value-{v.target_id}"] = plain(v.value)
    for e in report.milestone_evidence.all():
        data[f"done-{e.milestone_id}"] = e.done_on.isoformat()
        data[f"evidence-{e.milestone_id}"] = e.evidence
    return data


# --------------------------------------------------------------------------- city measures

@dataclass
class Measure:
    key: str
    label: str
    value: Decimal | None
    numerator: Decimal | int
    denominator: Decimal | int
    definition: str
    unit: str = "%"


def measures(kind: str = "") -> list[Measure]:
    """履约率, 开工率, 投产率, 资金到位率 and target attainment, city-wide or for one kind, from
    the tallies the project services keep (one grouped query)."""
    names = ["projects.obligations_due", "projects.obligations_met", "projects.start_due",
             "projects.started", "projects.production_due", "projects.producing",
             "projects.targets_reported", "projects.attainment", "projects.funds",
             "projects.kind"]
    sums = rollup(names, by=("metric", "key"))

    def total(metric: str, field: int = 0):
        return sum((v[field] for (m, k), v in sums.items()
                    if m == metric and (not kind or k == kind)),
                   Decimal(0) if field else 0)

    investment = total("projects.kind", 1)
    funds = total("projects.funds", 1)
    attainment = total("projects.attainment", 1)
    reported = total("projects.targets_reported")
    return [
        Measure("fulfilment", _("履约率"), engine.rate(total("projects.obligations_met"),
                                                     total("projects.obligations_due")),
                total("projects.obligations_met"), total("projects.obligations_due"),
                _("已到期的节点和指标中已完成（指标已达标）的比例。")),
        Measure("start", _("开工率"), engine.rate(total("projects.started"),
                                                 total("projects.start_due")),
                total("projects.started"), total("projects.start_due"),
                _("开工节点已到计划日期的项目中，已开工的比例（算力平台以“建设”、AI应用以“试点应用”、"
                  "气象服务以“数据对接”为开工）。")),
        Measure("production", _("投产率"), engine.rate(total("projects.producing"),
                                                      total("projects.production_due")),
                total("projects.producing"), total("projects.production_due"),
                _("投产节点已到计划日期的项目中，已投产（上线、推广）的比例。")),
        Measure("funds", _("资金到位率"), engine.rate(funds, investment), funds, investment,
                _("已确认报告中的累计到位资金之和 ÷ 计划投资之和。")),
        Measure("attainment", _("指标完成度"),
                (attainment * 100 / reported).quantize(Decimal("0.1")) if reported else None,
                attainment.quantize(Decimal("0.01")), reported,
                _("已报送数值的指标，从基数到目标完成的比例（超过按 100% 计）的平均值。")),
    ]


def measures_by_kind() -> list[tuple[str, str, list[Measure]]]:
    return [(value, label, measures(value)) for value, label in ProjectKind.choices]
