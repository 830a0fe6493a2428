"""气象+'s section of the leaders' overview, read from the warnings' aggregates and town tallies
that the services keep current: a fixed number of queries."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innolink.dashboard.overview import Figure, LateItem, Section


def overview_section(*, today: datetime.date) -> Section | None:
    from innolink.weather.models import Warning, WarningTownTally
    from innolink.weather.selectors import active_warnings

    active = list(active_warnings())
    year_start = timezone.make_aware(datetime.datetime(today.year, 1, 1))
    issued = Warning.objects.filter(first_sent__gte=year_start).count()
    if not active and not issued:
        return None
    reds = [w for w in active if w.level == "红"]
    missing = sum(w.non_responders for w in reds)
    by_town: dict[str, int] = defaultdict(int)
    for tally in WarningTownTally.objects.filter(warning__in=reds):
        if tally.town:
            by_town[tally.town] += tally.missing
    figures = [
        Figure("weather.active_warnings", _("生效中的气象预警"), len(active), _("条"), "/weather/",
               status="bad" if reds else ("warn" if active else "ok"),
               definition=_("尚未解除且未过期的预警信号")),
        Figure("weather.red_non_responders", _("红色预警未回应企业"), missing, _("家"),
               "/weather/", by_town=dict(by_town), status="bad" if missing else "ok",
               definition=_("生效中的红色预警已通知、尚未确认并报告措施的企业")),
        Figure("weather.warnings_issued", _("本年度接收预警"), issued, _("条"), "/weather/",
               definition=_("本年度接收并推送的预警信号（不含更新与解除）")),
    ]
    late = [LateItem(
        title=f"{w.headline or w}：{w.non_responders} 家企业未回应",
        url=f"/weather/warnings/{w.pk}/#missing", owner=str(_("气象局 · 各镇街")),
        due=timezone.localtime(w.onset or w.first_sent).date(),
        days_late=max((today - timezone.localtime(w.onset or w.first_sent).date()).days, 0),
        kind=_("红色预警未回应")) for w in reds if w.non_responders]
    return Section("weather", _("气象+"), 75, figures, late)
