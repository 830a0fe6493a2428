"""The service desk's part of the leaders' overview (contract: ``innolink.dashboard.overview``).

Everything is read from the aggregate rows the services keep current in the same transaction
as each write (``RateCounter`` per month × department × town × category, ``TopicCounter`` per
week), plus the overdue list, which is an index range scan of the running deadlines
(``sd_overdue``) limited to the longest-overdue items: a fixed number of queries, never a scan
of every request.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from innolink.dashboard.overview import Figure, LateItem, Section
from innolink.servicedesk import selectors
from innolink.servicedesk.exports import DEFINITIONS
from innolink.servicedesk.models import RateCounter, TopicCounter

LATE_LIMIT = 20
RATES = [
    ("timely_sign_rate", _("及时签收率"), Decimal("95"), Decimal("85")),
    ("on_time_rate", _("按时办结率"), Decimal("95"), Decimal("85")),
    ("satisfaction_rate", _("满意率"), Decimal("95"), Decimal("90")),
]


def _status(value: Decimal | None, good: Decimal, fair: Decimal) -> str:
    if value is None:
        return ""
    return "ok" if value >= good else ("warn" if value >= fair else "bad")


def overview_section(*, today: dt.date) -> Section:
    start, end = dt.date(today.year, 1, 1), dt.date(today.year + 1, 1, 1)
    _total, months = selectors.rates(start=start, end=end, by="month")
    _t, towns = selectors.rates(start=start, end=end, by="town")
    # the same months of last year, for comparison
    last_start = dt.date(today.year - 1, 1, 1)
    last_end = dt.date(today.year - 1, today.month, 1) + dt.timedelta(days=32)
    last_end = last_end.replace(day=1)
    previous = selectors.RateRow("previous", "")
    previous.add(RateCounter.objects.filter(month__gte=last_start, month__lt=last_end)
                 .aggregate(**{f: Sum(f) for f in RateCounter.FIELDS}))
    total = selectors.RateRow("all", "")
    for row in months:
        total.add({f: getattr(row, f) for f in RateCounter.FIELDS})
    definitions = {str(name): text for name, text in DEFINITIONS}
    measures = reverse("servicedesk:measures")
    figures = [Figure(
        key="servicedesk.received", label=_("受理企业诉求"), value=total.received, unit=_("件"),
        url=f"{reverse('servicedesk:list')}?view=all&year={today.year}",
        previous=previous.received,
        by_town={r.key: r.received for r in towns},  # bare town names, as the map has them
        by_month=[(str(r.label), r.received) for r in months],
        definition=_("本年受理的企业诉求，含网上提交、干部走访、领导接访、恳谈会和 12345 转办。"))]
    for attr, label, good, fair in RATES:
        value = getattr(total, attr)
        figures.append(Figure(
            key=f"servicedesk.{attr}", label=label, value=value, unit="%",
            url=f"{measures}?year={today.year}&by=department",
            previous=getattr(previous, attr),
            by_town={r.key: getattr(r, attr) for r in towns
                     if getattr(r, attr) is not None},
            by_month=[(str(r.label), getattr(r, attr)) for r in months
                      if getattr(r, attr) is not None],
            status=_status(value, good, fair), definition=definitions.get(str(label), "")))
    now = timezone.now()
    overdue = selectors.overdue_list(now)
    overdue_count = overdue.count()  # an index range scan of the running deadlines (sd_overdue)
    overdue_url = reverse("servicedesk:overdue")
    figures.append(Figure(
        key="servicedesk.overdue", label=_("超时诉求"), value=overdue_count, unit=_("件"),
        url=overdue_url, status="bad" if overdue_count else "ok", higher_is_better=False,
        definition=_("现在已超过签收或办结时限、尚未签收或办结的诉求（随时间变化，不做同比）。")))
    late = [LateItem(title=f"{r.number} {r.enterprise.name}：{r.title}",
                     url=reverse("servicedesk:detail", args=[r.pk]),
                     owner=gettext(r.department.name) if r.department else gettext("待分派"),
                     due=timezone.localtime(r.deadline_at).date(),
                     days_late=(now - r.deadline_at).days, kind=_("诉求超时"))
            for r in overdue[:LATE_LIMIT]]
    week = today - dt.timedelta(days=today.weekday())
    received_week = (TopicCounter.objects.filter(week=week, kind="category")
                     .aggregate(n=Sum("count"))["n"] or 0)
    this_month = next((r for r in months if r.key == today.replace(day=1)), None)
    moved = [str(_("本周新受理诉求 %(n)s 件") % {"n": received_week})]
    if this_month is not None and this_month.done_total:
        moved.append(str(_("本月答复 %(n)s 件，按时办结率 %(r)s%%") % {
            "n": this_month.done_total, "r": this_month.on_time_rate}))
    return Section(key="servicedesk", title=_("企业诉求办理"), order=30, figures=figures,
                   late=late, moved=moved, late_total=overdue_count, late_url=overdue_url)


def bench_requests(*, count: int, enterprise_ids: list[int]) -> int:
    """For ``bench/overview.py``: ``count`` service requests over the last year from the given
    enterprises, with the city's departments and the counter rows this section reads (written
    in the same pass, so no refresh is needed). Returns the number written."""
    from innolink.enterprises.models import Enterprise
    from innolink.servicedesk.loadgen import desk_setup, load_requests

    wanted = set(enterprise_ids)
    enterprises = [(pk, town) for pk, town in Enterprise.objects.values_list("pk", "town")
                   .order_by("pk").iterator(10_000) if pk in wanted]
    return load_requests(count=count, enterprises=enterprises, departments=desk_setup())
