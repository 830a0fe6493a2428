"""The 揭榜领题 section of the leaders' overview (contract: ``innolink/dashboard/overview.py``):
the funnel (posted, published, claimed, matched, contracted, delivered) and the reverse flow of
technology offers, this year to date against the same months last year, from the tallies."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innolink.core.money import wan
from innolink.dashboard.overview import Figure, Period, Section, month_series
from innolink.dashboard.tallies import rollup

FUNNEL = [
    ("posted", _("发榜"), _("企业或机构提交审核的榜单（按首次提交月份）。")),
    ("published", _("张榜"), _("审核通过、公开张榜的榜单（按张榜月份）。")),
    ("claimed", _("揭榜"), _("收到第一份揭榜方案的榜单（按第一份方案的月份）。")),
    ("matched", _("对接成功"), _("选定揭榜方的榜单（按对接成功月份）。")),
    ("contracted", _("签约"), _("登记合同的榜单（按合同登记月份），金额为合同金额。")),
    ("delivered", _("验收交付"), _("通过验收的榜单（按验收月份）。")),
]
OFFERS = [
    ("posted", _("成果发布申请"), _("科研人员提交的拟转化成果。")),
    ("published", _("成果上线"), _("审核通过上线的成果。")),
    ("closed", _("成果成交"), _("已成交或关闭的成果。")),
]


def overview_section(*, today: dt.date) -> Section | None:
    period = Period.of(today)
    funnel = rollup(["challenges.stage"], by=("key", "period"),
                    period_from=period.months[0], period_to=period.end)
    funnel_towns = rollup(["challenges.stage"], by=("key", "town"), period_from=period.start,
                          period_to=period.end)
    offers = rollup(["offers.stage", "offers.interest"], by=("metric", "key", "period"),
                    period_from=period.months[0], period_to=period.end)
    manage = reverse("challenges:manage")
    figures = []
    for stage, label, definition in FUNNEL:
        ytd = prev = 0
        amount = Decimal(0)
        town: dict[str, int] = defaultdict(int)
        month: dict[str, int] = defaultdict(int)
        for (key, p), (n, a) in funnel.items():
            if key != stage:
                continue
            month[p] += n
            if period.this_year(p):
                ytd += n
                amount += a
            elif period.last_year(p):
                prev += n
        for (key, t), (n, _a) in funnel_towns.items():
            if key == stage:
                town[t] += n
        this, last = month_series(month, period)
        note = _("合同金额 %(w)s 万元") % {"w": wan(amount)} if stage == "contracted" else ""
        figures.append(Figure(
            key=f"challenges.{stage}", label=label, value=ytd, unit=_("项"),
            url=f"{manage}?stage={stage}&{period.query()}", previous=prev,
            by_town={t: v for t, v in town.items() if t}, by_month=this, by_month_previous=last,
            definition=definition, note=note))
    offer_manage = reverse("challenges:offer-manage")
    for stage, label, definition in OFFERS:
        month = defaultdict(int)
        for (metric, key, p), (n, _a) in offers.items():
            if metric == "offers.stage" and key == stage:
                month[p] += n
        this, last = month_series(month, period)
        figures.append(Figure(
            key=f"offers.{stage}", label=label, value=sum(v for _m, v in this), unit=_("项"),
            url=f"{offer_manage}?stage={stage}&{period.query()}",
            previous=sum(v for _m, v in last), by_month=this, by_month_previous=last,
            definition=definition))
    month = defaultdict(int)
    for (metric, _key, p), (n, _a) in offers.items():
        if metric == "offers.interest":
            month[p] += n
    this, last = month_series(month, period)
    figures.append(Figure(
        key="offers.interest", label=_("企业合作意向"), value=sum(v for _m, v in this),
        unit=_("次"), previous=sum(v for _m, v in last), by_month=this, by_month_previous=last,
        definition=_("企业对拟转化成果表达合作意向的次数。")))
    return Section(key="challenges", title=_("揭榜领题与成果转化"), order=20, figures=figures,
                   url=reverse("challenges:overview"))
