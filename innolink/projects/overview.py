"""Signed projects in the leaders' overview (contract: ``innolink/dashboard/overview.py``):
projects by computed status and town, the city measures, the late projects and who owns them,
and what moved this week. Counts come from the tallies the project services keep; the late
list reads the few late projects through the status index."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from innolink.core.money import money_text
from innolink.dashboard.overview import Figure, LateItem, Period, Section, month_series
from innolink.dashboard.tallies import rollup
from innolink.engines.projects.status import period_label

LATE_LIMIT = 20


def overview_section(*, today: dt.date) -> Section | None:
    from innolink.projects import selectors
    from innolink.projects.models import ProgressReport, Project, ProjectStatus

    period = Period.of(today)
    status_rows = rollup(["projects.status"], by=("key", "town", "period"))
    by_status: dict[str, int] = defaultdict(int)
    by_town_open: dict[str, int] = defaultdict(int)
    by_town_late: dict[str, int] = defaultdict(int)
    signed_month: dict[str, int] = defaultdict(int)
    for (status, town, month), (n, _a) in status_rows.items():
        by_status[status] += n
        signed_month[month] += n
        if status != "closed":
            by_town_open[town] += n
        if status == "late":
            by_town_late[town] += n
    listing = reverse("projects:list")
    this, last = month_series(signed_month, period)
    figures = [Figure(
        key="projects.signed", label=_("新签项目"), value=sum(v for _m, v in this), unit=_("个"),
        url=f"{listing}?signed_from={period.start}&signed_to={period.end}",
        previous=sum(v for _m, v in last), by_month=this, by_month_previous=last,
        definition=_("本年签约的项目（含揭榜合同、赛事签约自动生成的项目）。"))]
    labels = dict(ProjectStatus.choices)
    for status, tone in (("on_track", "ok"), ("at_risk", "warn"), ("late", "bad")):
        figures.append(Figure(
            key=f"projects.{status}", label=labels[status], value=by_status.get(status, 0),
            unit=_("个"), url=f"{listing}?status={status}",
            status=tone if by_status.get(status) else "",
            by_town={t: n for t, n in (by_town_late if status == "late" else {}).items() if t}
            or None, higher_is_better=status == "on_track",
            definition=_("按节点、指标进度和报告情况每日自动计算的推进状态。")))
    figures.append(Figure(
        key="projects.open", label=_("在建项目"), value=sum(by_town_open.values()), unit=_("个"),
        url=f"{listing}?status=open", by_town={t: n for t, n in by_town_open.items() if t},
        definition=_("未结项的签约项目，按所在镇街。")))
    for m in selectors.measures():
        figures.append(Figure(
            key=f"projects.{m.key}", label=m.label, value=m.value, unit="%",
            url=f"{listing}?measure={m.key}", definition=m.definition,
            note=f"{m.numerator:g} / {m.denominator:g}" if m.key != "funds" else
            f"{money_text(m.numerator)} / {money_text(m.denominator)}",
            status="bad" if m.value is not None and m.value < 60 else
            "warn" if m.value is not None and m.value < 85 else ""))
    late = []
    for project in (Project.objects.filter(status=ProjectStatus.LATE)
                    .select_related("department", "cadre").order_by("signed_on")[:LATE_LIMIT]):
        reasons = [r for r in project.status_reasons if r.get("severity") == "late"]
        first = reasons[0] if reasons else {}
        due = first.get("due")
        late.append(LateItem(
            title=gettext("%(t)s：%(r)s") % {"t": project.title, "r": selectors.reason_text(first)}
            if first else project.title,
            url=reverse("projects:detail", args=[project.pk]),
            owner=" · ".join(str(x) for x in (project.department, project.cadre) if x),
            due=dt.date.fromisoformat(due) if due else None,
            days_late=int(first.get("days") or (today - dt.date.fromisoformat(due)).days
                          if due else 0),
            kind=_("签约项目")))
    week_ago = today - dt.timedelta(days=7)
    moved = []
    accepted = (ProgressReport.objects.filter(state="accepted", reviewed_at__date__gt=week_ago)
                .select_related("project").order_by("-reviewed_at")[:10])
    for report in accepted:
        moved.append(gettext("%(t)s：%(p)s 进展报告已确认") % {
            "t": report.project.title,
            "p": period_label(report.period_start, report.project.report_cycle)})
    started = (Project.objects.filter(milestones__done_on__gt=week_ago,
                                      milestones__done_on__lte=today)
               .values_list("title", "milestones__title")[:10])
    for title, milestone in started:
        moved.append(gettext("%(t)s：完成“%(m)s”") % {"t": title, "m": milestone})
    return Section(key="projects", title=_("签约项目"), order=50, figures=figures, late=late,
                   moved=moved, url=listing, late_total=by_status.get("late", 0),
                   late_url=f"{listing}?status=late")
