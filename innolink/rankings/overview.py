"""The 民营企业500强 lists' status in the leaders' overview (contract:
``innolink/dashboard/overview.py``): each data year's latest run, its status and lists, and the
declarations, from the tallies the refresh job recounts."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innolink.dashboard.overview import Figure, Section, Table
from innolink.dashboard.tallies import rollup


def overview_section(*, today: dt.date) -> Section | None:
    from innolink.rankings.models import RankingRun

    rows = rollup(["rankings.run", "rankings.lists", "rankings.declarations"],
                  by=("metric", "key", "period"))
    runs: dict[str, tuple[str, int]] = {}
    lists: dict[str, int] = {}
    declarations: dict[str, dict[str, int]] = defaultdict(dict)
    for (metric, key, year), (n, amount) in rows.items():
        if metric == "rankings.run" and n:
            runs[year] = (key, int(amount))
        elif metric == "rankings.lists":
            lists[year] = lists.get(year, 0) + n
        elif metric == "rankings.declarations":
            declarations[year][key] = n
    labels = dict(RankingRun.Status.choices)
    table_rows = []
    figures = []
    for year in sorted(set(runs) | set(declarations), reverse=True)[:3]:
        status, run_id = runs.get(year, ("", 0))
        url = reverse("rankings:run", args=[run_id]) if run_id else reverse("rankings:runs")
        d = declarations.get(year, {})
        table_rows.append((url, [year, labels.get(status, _("尚未计算")), lists.get(year, 0),
                                 d.get("submitted", 0), d.get("accepted", 0)]))
    if table_rows:
        url, (year, label, count, _s, _a) = table_rows[0]
        status = runs.get(year, ("", 0))[0]
        figures.append(Figure(
            key="rankings.lists", label=_("%(y)s 年度榜单") % {"y": year}, value=count,
            unit=_("个"), url=url, note=label,
            status="ok" if status == "published" else "warn" if status else "bad",
            definition=_("该数据年度最近一次计算的榜单数及其发布状态（综合、制造、服务、创新、绿色、外向）。")))
        figures.append(Figure(
            key="rankings.declarations_pending", label=_("待审核申报"),
            value=declarations.get(year, {}).get("submitted", 0), unit=_("家"),
            url=f"{reverse('rankings:declarations')}?year={year}&status=submitted",
            definition=_("企业已提交、尚待审核的榜单申报。"), higher_is_better=False))
    table = Table("rankings.years", _("各年度榜单"), [
        _("数据年度"), _("状态"), _("榜单数"), _("待审核申报"), _("已采纳申报")], table_rows)
    return Section(key="rankings", title=_("民营企业500强"), order=40, figures=figures,
                   tables=[table], url=reverse("rankings:public"))
