"""A new request from any channel: who may file it, routing to the lead and co-handling
departments, and the similar requests suggested to the coordinator."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from innolink.accounts.models import Department
from innolink.accounts.roles import Role
from innolink.core.audit import audit_record
from innolink.core.errors import Conflict, PermissionDenied, ValidationFailed
from innolink.core.messages import Message
from innolink.enterprises.models import Enterprise
from innolink.servicedesk import counters, sla
from innolink.servicedesk.models import (
    CadreAssignment,
    Category,
    Channel,
    CoHandling,
    Kind,
    RoutingRule,
    ServiceRequest,
    Session,
    Status,
    Visit,
)
from innolink.servicedesk.text import topic_terms
from innolink.servicedesk.errors import (
    DUPLICATE_EXTERNAL_ID,
    NO_SLA_RULE,
)
from innolink.servicedesk.services._common import (
    E,
    MAX_TITLE,
    _clean,
    _coordinators,
    _event,
    _handlers,
    _save_attachments,
    _send,
    _text,
    _user,
    attachments_check,
    category_resolve,
    town_check,
)


logger = logging.getLogger(__name__)


# --------------------------------------------------------------------------- routing

def route_for(category: Category, town: str) -> tuple[Department | None, list[Department], str]:
    """(lead, co-handlers, how): the town's own rule, else the category's rule for every
    town, else the fallback owner (兜底); (None, [], "") when none is configured."""
    rule = (RoutingRule.objects.filter(category=category, town__in=[town, ""])
            .select_related("lead").prefetch_related("co_departments").order_by("-town").first())
    if rule is not None:
        return rule.lead, [d for d in rule.co_departments.all() if d.pk != rule.lead_id], "rule"
    fallback = sla.desk_settings().fallback_department
    if fallback is not None:
        return fallback, [], "fallback"
    return None, [], ""


def _assign(request: ServiceRequest, department: Department | None, *, actor, now: dt.datetime,
            kind: str, how: str, note: str = "", internal: bool = False) -> None:
    """Hand the request to ``department`` with fresh clocks (or to nobody: 待分派)."""
    request.department = department
    request.routed_by = how
    request.warned = ""
    request.sign_counted = False
    request.done_counted = False
    if department is None:
        request.status = Status.PENDING
        request.assigned_at = request.sign_due_at = request.due_at = request.deadline_at = None
    else:
        work = sla.clock()
        rule = sla.rules_by_key().get(sla.rule_key(request.kind, request.urgent))
        if rule is None:
            raise Conflict(_("未配置该类型诉求的办理时限，请联系协调员"), code=NO_SLA_RULE)
        sign_due, due = sla.deadlines(now, rule, work)
        request.status = Status.ASSIGNED
        request.assigned_at, request.sign_due_at, request.due_at = now, sign_due, due
        request.deadline_at = sign_due
    request.save()
    _event(request, kind, actor=actor, at=now, note=note, internal=internal,
           data={"how": how, "department": department.name if department else ""})
    if department is None:
        _send(_coordinators(), title=Message(N_("新诉求待分派：%(t)s"), t=request.title),
              body=N_("没有分派规则和兜底部门能承接该诉求，请分派。"), request=request,
              kind="pending")
    else:
        _send(_handlers(department.pk), title=Message(N_("新诉求待签收：%(t)s"), t=request.title),
              body=Message(N_("%(e)s 的诉求已派至%(d)s，请在 %(s)s 前签收。"),
                           e=request.enterprise.name, d=department.name,
                           s=f"{timezone.localtime(request.sign_due_at):%m-%d %H:%M}"),
              request=request, kind="assigned")


def _suggestions(text: str, category: Category) -> list[dict]:
    from innolink.servicedesk.routing import suggest

    try:
        return suggest(text, category.code)
    except Exception:  # a broken model must never stop a request from being filed
        logger.exception("routing suggestion failed")
        return []


# --------------------------------------------------------------------------- create

CREATOR_CHANNELS = {
    Role.ENTERPRISE: {Channel.ONLINE},
    Role.CADRE: {Channel.VISIT},
    Role.COORDINATOR: {Channel.HOTLINE, Channel.RECEPTION, Channel.FORUM, Channel.STAFF,
                       Channel.ONLINE},
    Role.ORGANIZER: {Channel.HOTLINE, Channel.RECEPTION, Channel.FORUM, Channel.STAFF,
                     Channel.PROJECT},
    Role.ADMIN: set(Channel.values),
}


def check_creator(actor, enterprise: Enterprise, channel: str) -> None:
    """Who may file what: an enterprise for itself online, a cadre for their enterprises on a
    visit, desk staff for any enterprise on their channels. ``actor=None`` is the platform
    itself (another app's service, an import)."""
    if actor is None:
        return
    role = getattr(actor, "role", None)
    if channel not in CREATOR_CHANNELS.get(role, set()):
        raise PermissionDenied(_("您不能通过该渠道登记诉求"))
    if role == Role.ENTERPRISE and actor.enterprise_id != enterprise.pk:
        raise PermissionDenied()
    if role == Role.CADRE and not CadreAssignment.objects.filter(
            enterprise=enterprise, cadre=actor).exists():
        raise PermissionDenied(_("该企业不是您挂钩服务的企业"))


def request_create(*, enterprise: Enterprise, channel: str, category: Category | str,
                   description: str, actor, source: str | None = None, kind: str = Kind.HELP,
                   urgent: bool = False, town: str | None = None, title: str = "",
                   attachments: Sequence[Any] = (), session: Session | None = None,
                   visit: Visit | None = None, external_id: str = "",
                   received_at: dt.datetime | None = None, audit_source: str | None = None,
                   check_actor: bool = True) -> ServiceRequest:
    """File a request from any channel and route it at once.

    Routing: the routing table's rule for (category, town), else the fallback owner; the
    suggestion model's proposal (with the terms that voted) is stored beside it for staff to
    confirm or change. Bad input raises ``ValidationFailed`` (422) before anything is written;
    a repeated ``external_id`` on the same channel raises ``Conflict`` (409).
    """
    if channel not in Channel.values:
        raise ValidationFailed({"channel": [_("未知的诉求渠道「%(c)s」") % {"c": str(channel)[:20]}]})
    if kind not in Kind.values:
        raise ValidationFailed({"kind": [_("未知的诉求类型「%(k)s」") % {"k": str(kind)[:20]}]})
    description = _text(description, "description", _("诉求内容"))
    category = category_resolve(category)
    town = town_check(town or enterprise.town)
    title = _clean(title)[:MAX_TITLE] or description.splitlines()[0][:30]
    files = attachments_check(attachments)
    external_id = _clean(external_id)[:64]
    if check_actor:
        check_creator(actor, enterprise, channel)
    if external_id and ServiceRequest.objects.filter(channel=channel,
                                                     external_id=external_id).exists():
        raise Conflict(_("编号 %(n)s 的诉求已登记，不再重复导入") % {"n": external_id},
                       code=DUPLICATE_EXTERNAL_ID)
    suggestions = _suggestions(f"{title}\n{description}", category)
    words = topic_terms(f"{title} {description}")
    received = received_at or timezone.now()
    lead, co, how = route_for(category, town)
    with transaction.atomic():
        request = ServiceRequest(
            enterprise=enterprise, town=town, category=category, kind=kind, urgent=bool(urgent),
            channel=channel, title=title, description=description, status=Status.PENDING,
            suggestions=suggestions, session=session, visit=visit,
            source=_clean(source)[:100], external_id=external_id,
            created_by=_user(actor), created_at=received)
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:
            raise Conflict(_("编号 %(n)s 的诉求已登记，不再重复导入") % {"n": external_id},
                           code=DUPLICATE_EXTERNAL_ID)
        # received is counted against the department first given the request
        _event(request, E.CREATED, actor=actor, at=received, department=lead,
               data={"channel": channel, "source": request.source}, tally={"received": 1})
        if files:
            _save_attachments(actor=actor, request=request, files=files, event=None)
        # a transfer's clock starts when it reaches the platform, not when 12345 received it
        _assign(request, lead, actor=actor, now=max(received, timezone.now()), kind=E.ROUTED,
                how=how,
                note=_("按分派规则") if how == "rule" else (_("无匹配规则，由兜底部门承接")
                                                         if how == "fallback" else ""))
        for department in co:
            CoHandling.objects.create(request=request, department=department)
        counters.topics_add(counters.week_of(received), words[:20], category.code)
        audit_record(actor=actor, action="create", instance=request, source=audit_source,
                     changes={"enterprise": [None, enterprise.pk], "channel": [None, channel],
                              "category": [None, category.code], "status": [None, request.status],
                              "department": [None, request.department_id]})
    return request
