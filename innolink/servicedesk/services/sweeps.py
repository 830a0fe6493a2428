"""Upkeep run on a schedule or by hand: the time-limit sweep (warn, overdue, escalate) and
the rebuild of the aggregate counters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import User
from innolink.core.audit import audit_record
from innolink.core.messages import Message, msg
from innolink.engines.sla import Level
from innolink.servicedesk import counters, sla
from innolink.servicedesk.models import (
    ServiceRequest,
    Status,
    Supervision,
)
from innolink.servicedesk.text import topic_terms
from innolink.servicedesk.services._common import (
    E,
    _coordinators,
    _event,
    _handlers,
    _send,
)


# --------------------------------------------------------------------------- time limits

@dataclass
class SweepResult:
    warned: int = 0
    overdue: int = 0
    escalated: int = 0


def sla_sweep(*, now: dt.datetime | None = None, limit: int = 20_000) -> SweepResult:
    """Warn before the limit (yellow), mark and count overdue after it (red), and escalate to
    the supervising leader once a handling deadline is ``escalate_hours`` working hours past.
    Run every few minutes (``manage.py servicedesk_sweep``); each request is handled once per
    level (``warned``), so running it again changes nothing."""
    now = now or timezone.now()
    result = SweepResult()
    settings_row = sla.desk_settings()
    work = sla.clock(settings_row)
    rules = sla.rules_by_key()
    horizon = now + dt.timedelta(days=30)
    candidates = list(ServiceRequest.objects.filter(deadline_at__lte=horizon)
                      .exclude(warned="escalated").order_by("deadline_at")
                      .values_list("pk", flat=True)[:limit])
    supervisors = dict(Supervision.objects.values_list("department_id", "leader_id"))
    for pk in candidates:
        with transaction.atomic():
            request = ServiceRequest.objects.select_for_update(of=("self",)).select_related(
                "department", "enterprise").filter(pk=pk).first()
            if request is None or request.deadline_at is None:
                continue
            countdown = sla.countdown(request, now=now, work=work, rules=rules)
            if countdown is None:
                continue
            signing = request.status == Status.ASSIGNED
            stage_id = N_("签收") if signing else N_("办理")
            if countdown.level == Level.YELLOW and request.warned == "":
                request.warned = "yellow"
                request.save(update_fields=["warned", "updated_at"])
                _event(request, E.WARNED, at=now, internal=True,
                       note=_("签收时限即将到期") if signing else _("办理时限即将到期"))
                _send(_handlers(request.department_id),
                      title=Message(N_("黄灯预警：%(t)s"), t=request.title),
                      body=Message(N_("%(s)s时限 %(d)s 到期。"), s=msg(stage_id),
                                   d=f"{timezone.localtime(request.deadline_at):%m-%d %H:%M}"),
                      request=request, kind="yellow")
                result.warned += 1
            elif countdown.level == Level.RED and request.warned in ("", "yellow"):
                tally = {}
                if request.status == Status.ASSIGNED and not request.sign_counted:
                    tally = {"sign_total": 1}
                    request.sign_counted = True
                elif request.status == Status.HANDLING and not request.done_counted:
                    tally = {"done_total": 1}
                    request.done_counted = True
                request.warned = "red"
                request.save(update_fields=["warned", "sign_counted", "done_counted",
                                            "updated_at"])
                _event(request, E.OVERDUE, at=now, tally=tally,
                       note=_("签收已超时") if signing else _("办理已超时"))
                _send(_handlers(request.department_id) + _coordinators(),
                      title=Message(N_("红灯：已超时 %(t)s"), t=request.title),
                      body=Message(N_("%(d)s的诉求%(s)s已超过时限。"), s=msg(stage_id),
                                   d=request.department.name if request.department else ""),
                      request=request, kind="red")
                result.overdue += 1
            elif (countdown.level == Level.RED and request.warned == "red"
                  and request.status == Status.HANDLING
                  and -countdown.seconds >= settings_row.escalate_hours * 3600):
                request.warned = "escalated"
                request.save(update_fields=["warned", "updated_at"])
                leader_id = supervisors.get(request.department_id)
                leader = User.objects.filter(pk=leader_id, is_active=True).first() \
                    if leader_id else None
                _event(request, E.ESCALATED, at=now, note=_("超时升级督办"),
                       data={"leader": str(leader) if leader else ""})
                _send([leader] + _coordinators() if leader else _coordinators(),
                      title=Message(N_("督办：%(t)s 已超时"), t=request.title),
                      body=Message(N_("%(d)s承办，已超过办理时限。"),
                                   d=request.department.name if request.department else ""),
                      request=request, kind="escalated")
                result.escalated += 1
    return result


# --------------------------------------------------------------------------- aggregates upkeep

def counters_rebuild(*, actor=None) -> int:
    """Replace the rate counters by a recount of the whole history (every event's tally) and the
    topic counters by a recount of every request's words. For repairs and bulk loads (the demo
    city, the bench); normal writes keep both current themselves. Returns the rows written."""
    from innolink.servicedesk.models import RateCounter, TopicCounter
    from innolink.servicedesk.selectors import counters_recount

    with transaction.atomic():
        RateCounter.objects.all().delete()
        recount = counters_recount()
        counters.counters_add(recount)
        TopicCounter.objects.all().delete()
        weekly: dict = {}
        rows = ServiceRequest.objects.values_list("created_at", "title", "description",
                                                  "category__code")
        for created_at, title, description, code in rows.iterator(5000):
            week = counters.week_of(created_at)
            bucket = weekly.setdefault(week, {})
            for key in {("term", t[:64]) for t in topic_terms(f"{title} {description}")[:20]} | {
                    ("category", code)}:
                bucket[key] = bucket.get(key, 0) + 1
        TopicCounter.objects.bulk_create(
            [TopicCounter(week=w, kind=k, key=key, count=n)
             for w, bucket in weekly.items() for (k, key), n in bucket.items()],
            batch_size=5000)
        audit_record(actor=actor, action="update", instance=sla.desk_settings(),
                     note=f"counters rebuilt: {len(recount)} keys", source="counters")
    return len(recount)
