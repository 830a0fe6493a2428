"""Time limits on the platform's calendar: deadlines, countdowns and warning levels.

Working days come from the official calendar of ``innolink.policies.workdays`` (ADR 0121, holidays
and 调休 as rows); office hours and the limits by type are rows of this app (``DeskSettings``,
``SlaRule``). The arithmetic is the pure ``innolink.engines.sla``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from innolink.engines.sla import Level, OfficeHours, WorkClock, warning_level
from innolink.policies import workdays
from innolink.servicedesk.models import DeskSettings, ServiceRequest, SlaRule, Status


def desk_settings() -> DeskSettings:
    row = DeskSettings.objects.select_related("fallback_department").filter(pk=1).first()
    return row or DeskSettings.objects.create(pk=1)


def clock(settings: DeskSettings | None = None) -> WorkClock:
    settings = settings or desk_settings()
    try:
        hours = OfficeHours.parse(settings.office_hours)
    except ValueError:
        hours = OfficeHours()
    return WorkClock(workdays.calendar().is_working_day, hours)


def local(moment: dt.datetime) -> dt.datetime:
    """An aware datetime as naive Asia/Shanghai time, for the engine."""
    return timezone.localtime(moment).replace(tzinfo=None)


def aware(moment: dt.datetime) -> dt.datetime:
    return timezone.make_aware(moment, timezone.get_default_timezone())


def rules_by_key() -> dict[str, SlaRule]:
    return {r.key: r for r in SlaRule.objects.all()}


def rule_key(kind: str, urgent: bool) -> str:
    return SlaRule.URGENT if urgent else kind


def deadlines(start: dt.datetime, rule: SlaRule, work: WorkClock) -> tuple[dt.datetime, dt.datetime]:
    """(sign by, handle by) for a request assigned at ``start`` (aware)."""
    begin = local(start)
    sign = work.add_hours(begin, float(rule.sign_hours))
    if rule.handle_unit == SlaRule.Unit.HOURS:
        due = work.add_hours(begin, rule.handle_value)
    else:
        due = work.add_days(begin, rule.handle_value)
    return aware(sign), aware(max(due, sign))


@dataclass(frozen=True)
class Countdown:
    stage: str  # "sign" | "handle"
    level: Level
    seconds: int  # working seconds left; negative: overdue by that much working time
    day_seconds: int

    @property
    def text(self) -> str:
        left = abs(self.seconds)
        if left >= self.day_seconds:
            amount = _("%(n)s 个工作日") % {"n": f"{left / self.day_seconds:.1f}".rstrip("0").rstrip(".")}
        elif left >= 3600:
            amount = _("%(n)s 小时") % {"n": f"{left / 3600:.1f}".rstrip("0").rstrip(".")}
        else:
            amount = _("%(n)s 分钟") % {"n": max(1, left // 60)}
        if self.level == Level.RED:
            return _("已超时 %(t)s") % {"t": amount} if self.seconds < 0 else _("已超时")
        return (_("签收剩 %(t)s") if self.stage == "sign" else _("办理剩 %(t)s")) % {"t": amount}


def countdown(request: ServiceRequest, *, now: dt.datetime | None = None,
              work: WorkClock | None = None, rules: dict[str, SlaRule] | None = None
              ) -> Countdown | None:
    """The running clock of a request (None when no clock runs)."""
    if request.deadline_at is None or request.status not in (Status.ASSIGNED, Status.HANDLING):
        return None
    now = now or timezone.now()
    work = work or clock()
    rules = rules if rules is not None else rules_by_key()
    rule = rules.get(rule_key(request.kind, request.urgent))
    fraction = float(rule.warn_fraction) if rule else 0.25
    stage = "sign" if request.status == Status.ASSIGNED else "handle"
    start = request.assigned_at or request.created_at  # a reopening re-dispatches: new start
    remaining = work.working_seconds(local(now), local(request.deadline_at))
    total = work.working_seconds(local(start), local(request.deadline_at))
    level = warning_level(now=now, due=request.deadline_at, remaining_seconds=remaining,
                          total_seconds=total, warn_fraction=fraction)
    return Countdown(stage, level, remaining, work.hours.seconds_per_day)


def countdowns(requests, *, now: dt.datetime | None = None,
               settings: DeskSettings | None = None
               ) -> list[tuple[ServiceRequest, Countdown | None]]:
    """Countdowns for a page of requests with one read of the rules and the calendar (and of
    the settings row, unless the caller already has it)."""
    now = now or timezone.now()
    work, rules = clock(settings), rules_by_key()
    return [(r, countdown(r, now=now, work=work, rules=rules)) for r in requests]
