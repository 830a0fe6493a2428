"""Events and judging in the leaders' overview (contract: ``innolink/dashboard/overview.py``),
from the tallies the refresh job recounts (events and rounds are tens of rows)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from innolink.core.money import wan
from innolink.dashboard.overview import Figure, Period, Section, month_series
from innolink.dashboard.tallies import rollup


def overview_section(*, today: dt.date) -> Section | None:
    period = Period.of(today)
    rows = rollup(["events.state", "events.meetings", "judging.round", "judging.reviews",
                   "judging.awards"], by=("metric", "key", "period"))
    events_month: dict[str, int] = defaultdict(int)
    meetings_month: dict[str, int] = defaultdict(int)
    rounds: dict[str, int] = defaultdict(int)
    reviews: dict[str, int] = defaultdict(int)
    awards = 0
    prize = Decimal(0)
    for (metric, key, p), (n, amount) in rows.items():
        if metric == "events.state" and key != "cancelled":
            events_month[p] += n
        elif metric == "events.meetings":
            meetings_month[p] += n
        elif metric == "judging.round":
            rounds[key] += n
        elif metric == "judging.reviews":
            reviews[key] += n
        elif metric == "judging.awards":
            awards += n
            prize += amount
    events_this, events_last = month_series(events_month, period)
    meet_this, meet_last = month_series(meetings_month, period)
    done, total = reviews.get("submitted", 0), sum(reviews.values())
    event_list, round_list = reverse("events:list"), reverse("events:rounds")
    figures = [
        Figure(key="events.events", label=_("对接活动"), value=sum(v for _m, v in events_this),
               unit=_("场"), url=f"{event_list}?{period.query()}",
               previous=sum(v for _m, v in events_last), by_month=events_this,
               by_month_previous=events_last,
               definition=_("本年举办（按活动日期，不含已取消）的交流对接活动。")),
        Figure(key="events.meetings", label=_("安排洽谈"), value=sum(v for _m, v in meet_this),
               unit=_("场次"), url=f"{event_list}?{period.query()}",
               previous=sum(v for _m, v in meet_last), by_month=meet_this,
               by_month_previous=meet_last, definition=_("活动中排入日程的一对一洽谈。")),
        Figure(key="judging.scoring", label=_("评审中的轮次"), value=rounds.get("scoring", 0),
               unit=_("轮"), url=f"{round_list}?state=scoring",
               note=_("已定结果 %(n)s 轮") % {"n": rounds.get("finalised", 0)},
               definition=_("正在专家评分的揭榜领题赛评审轮次。")),
        Figure(key="judging.progress", label=_("评审完成率"),
               value=(Decimal(done * 100) / total).quantize(Decimal("0.1")) if total else None,
               unit="%", url=round_list, note=_("%(d)s / %(t)s 份") % {"d": done, "t": total},
               definition=_("已提交评分的评审任务 ÷ 已分配的评审任务（全部轮次）。")),
        Figure(key="judging.awards", label=_("获奖方案"), value=awards, unit=_("项"),
               url=round_list, note=_("奖金 %(w)s 万元") % {"w": wan(prize)},
               definition=_("评审轮次确定的奖项（一、二、三等奖和优胜奖）。")),
    ]
    return Section(key="events", title=_("活动与评审"), order=30, figures=figures,
                   url=event_list)
