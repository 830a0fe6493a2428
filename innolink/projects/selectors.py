"""Scoped reads of signed projects and the city measures (from the overview's tallies)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from innolink.core.errors import NotFound
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



@dataclass(frozen=True)
class ProjectFilters:
    status: str = ""
    kind: str = ""
    town: str = ""
    q: str = ""
    reason: str = ""  # a status reason code (report_missing …)
    signed_from: str = ""  # "2026-01": signed in or after this month
    signed_to: str = ""  # "2026-11": signed in or before this month


def projects_for(user, filters: ProjectFilters = ProjectFilters()) -> QuerySet[Project]:
    qs = access.visible_projects(user, Project.objects.all())
    if filters.status in ProjectStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.kind in ProjectKind.values:
        qs = qs.filter(kind=filters.kind)
    if filters.town:
        qs = qs.filter(town=filters.town)
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q) | Q(parties__organisation__icontains=filters.q)
                       | Q(parties__enterprise__name__icontains=filters.q)).distinct()
    if filters.reason:
        qs = qs.filter(status_reasons__icontains=f'"{filters.reason}"')
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


REASONS = {
    "milestone_overdue": gettext_lazy("节点“%(title)s”计划 %(due)s 完成，已逾期 %(days)s 天"),
    "milestone_soon": gettext_lazy("节点“%(title)s”将于 %(due)s 到期（还有 %(days)s 天）"),
    "target_missed": gettext_lazy("指标“%(name)s”期限 %(due)s 已过，目标 %(target)s %(unit)s，"
                                  "最新 %(latest)s"),
    "target_behind": gettext_lazy("指标“%(name)s”落后于进度：最新 %(latest)s %(unit)s，"
                                  "按进度应达 %(expected)s（目标 %(target)s）"),
    "report_missing": gettext_lazy("%(period)s 进展报告逾期未报（超过 %(days)s 天）"),
}


def reason_text(reason: dict) -> str:
    template = REASONS.get(reason.get("code"))
    if template is None:
        return str(reason.get("code", ""))
    try:
        return str(template) % reason
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
