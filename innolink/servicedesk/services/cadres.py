"""Cadres' work with enterprises: assignments, quarterly visit plans, visits with the
problems raised, and sessions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innolink.accounts.models import User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_record
from innolink.core.errors import NotFound, PermissionDenied, ValidationFailed
from innolink.enterprises.models import Enterprise
from innolink.servicedesk import access
from innolink.servicedesk.models import (
    CadreAssignment,
    Channel,
    Kind,
    Session,
    Visit,
    VisitPlan,
)
from innolink.servicedesk.errors import (
    UNKNOWN_CADRE,
)
from innolink.servicedesk.services._common import (
    MAX_TEXT,
    _clean,
    _require_desk_staff,
    _text,
    _user,
    category_resolve,
    town_check,
)
from innolink.servicedesk.services.requests import request_create


# --------------------------------------------------------------------------- cadres and visits

def _cadre(value: User | str | int) -> User:
    if isinstance(value, User):
        user = value
    else:
        raw = _clean(value)
        user = User.objects.filter(username=raw).first() or (
            User.objects.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 12 else None)
        if user is None:
            user = User.objects.filter(role=Role.CADRE, display_name=raw).first()
    if user is None or user.role != Role.CADRE or not user.is_active:
        raise ValidationFailed({"cadre": [_("「%(c)s」不是在岗的挂钩干部账号") % {
            "c": str(value)[:40]}]}, code=UNKNOWN_CADRE)
    return user


def cadre_assign(*, actor, enterprise: Enterprise, cadre: User | str | int,
                 since: dt.date | None = None, note: str = "",
                 source: str | None = None) -> CadreAssignment:
    """Give a key enterprise its cadre (replacing the previous one; audited)."""
    _require_desk_staff(actor)
    cadre = _cadre(cadre)
    with transaction.atomic():
        row = CadreAssignment.objects.select_for_update().filter(enterprise=enterprise).first()
        old = row.cadre_id if row else None
        if row is None:
            row = CadreAssignment(enterprise=enterprise)
        if old != cadre.pk or row.pk is None:
            row.since = since or timezone.localdate()
        row.cadre, row.note = cadre, _clean(note)[:200]
        row.save()
        audit_record(actor=actor, action="update" if old else "create", instance=row,
                     changes={"cadre": [old, cadre.pk]}, source=source)
    return row


def cadre_unassign(*, actor, enterprise: Enterprise) -> None:
    _require_desk_staff(actor)
    with transaction.atomic():
        row = CadreAssignment.objects.select_for_update().filter(enterprise=enterprise).first()
        if row is None:
            raise NotFound()
        audit_record(actor=actor, action="delete", instance=row,
                     changes={"cadre": [row.cadre_id, None]})
        row.delete()


def visit_plan_set(*, actor, cadre: User | str | int, year: Any, quarter: Any, target: Any,
                   note: str = "") -> VisitPlan:
    _require_desk_staff(actor)
    cadre = _cadre(cadre)
    errors = {}
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [_("年度无效")]
    try:
        quarter = int(quarter)
        if quarter not in (1, 2, 3, 4):
            raise ValueError
    except (TypeError, ValueError):
        errors["quarter"] = [_("季度应为 1–4")]
    try:
        target = int(target)
        if not 0 <= target <= 500:
            raise ValueError
    except (TypeError, ValueError):
        errors["target"] = [_("计划走访家次应为 0–500")]
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = VisitPlan.objects.select_for_update().filter(cadre=cadre, year=year,
                                                           quarter=quarter).first()
        old = row.target if row else None
        row = row or VisitPlan(cadre=cadre, year=year, quarter=quarter, target=target)
        row.target, row.note = target, _clean(note)[:200]
        row.save()
        audit_record(actor=actor, action="update" if old is not None else "create", instance=row,
                     changes={"target": [old, target]})
    return row


@dataclass(frozen=True)
class Problem:
    """One problem raised at a visit, a 接访 or a 恳谈会; it becomes its own request."""

    category: str
    description: str
    kind: str = Kind.HELP
    urgent: bool = False
    enterprise: Enterprise | None = None  # sessions: each problem names its enterprise
    town: str = ""


def _problem_errors(problems: Sequence[Problem], *, need_enterprise: bool) -> list[str]:
    errors = []
    for i, p in enumerate(problems, start=1):
        try:
            _text(p.description, "description", _("问题描述"))
            category_resolve(p.category)
            if p.kind not in Kind.values:
                raise ValidationFailed({"kind": [_("未知的诉求类型")]})
            if p.town:
                town_check(p.town)
            if need_enterprise and p.enterprise is None:
                raise ValidationFailed({"enterprise": [_("请填写企业")]})
        except ValidationFailed as exc:
            errors.extend(_("第 %(i)s 个问题：%(m)s") % {"i": i, "m": m}
                          for ms in exc.fields.values() for m in ms)
    return errors


def visit_record(*, actor, enterprise: Enterprise, visited_on: dt.date, people_met: str,
                 topics: str, policies_brought: Sequence[str] = (),
                 problems: Sequence[Problem] = ()) -> Visit:
    """A cadre's visit to one of their enterprises; each problem becomes a request (走访)."""
    if not access.is_cadre(actor):
        raise PermissionDenied()
    if not CadreAssignment.objects.filter(enterprise=enterprise, cadre=actor).exists():
        raise PermissionDenied(_("该企业不是您挂钩服务的企业"))
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not isinstance(visited_on, dt.date) or visited_on > today or \
            visited_on < today - dt.timedelta(days=366):
        errors["visited_on"] = [_("走访日期应在过去一年内，且不晚于今天")]
    for field, value, label in (("people_met", people_met, _("接待人员")),
                                ("topics", topics, _("交流内容"))):
        try:
            _text(value, field, label, limit=200 if field == "people_met" else MAX_TEXT)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    problem_errors = _problem_errors(problems, need_enterprise=False)
    if problem_errors:
        errors["problems"] = problem_errors
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        visit = Visit.objects.create(cadre=actor, enterprise=enterprise, visited_on=visited_on,
                                     people_met=_clean(people_met), topics=_clean(topics),
                                     policies_brought=[_clean(p)[:200] for p in policies_brought
                                                       if _clean(p)])
        audit_record(actor=actor, action="create", instance=visit,
                     changes={"enterprise": [None, enterprise.pk],
                              "visited_on": [None, visited_on], "problems": [None, len(problems)]})
        for p in problems:
            request_create(enterprise=enterprise, channel=Channel.VISIT, category=p.category,
                           description=p.description, kind=p.kind, urgent=p.urgent,
                           actor=actor, visit=visit, source=f"visit:{visit.pk}")
    return visit


def session_record(*, actor, kind: str, title: str, held_on: dt.date, host: str,
                   place: str = "", attendees: str = "",
                   problems: Sequence[Problem] = ()) -> Session:
    """A 接访 or 恳谈会 with several problems at once, each its own request linked to it."""
    if not access.can_record_sessions(actor):
        raise PermissionDenied()
    errors: dict[str, list[str]] = {}
    if kind not in Session.Kind.values:
        errors["kind"] = [_("请选择领导接访或政企恳谈会")]
    for field, value, label in (("title", title, _("主题")), ("host", host, _("主持/接访领导"))):
        try:
            _text(value, field, label, limit=200 if field == "title" else 100)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if not isinstance(held_on, dt.date) or held_on > timezone.localdate():
        errors["held_on"] = [_("日期不能晚于今天")]
    if not problems:
        errors["problems"] = [_("请至少登记一个问题")]
    else:
        problem_errors = _problem_errors(problems, need_enterprise=True)
        if problem_errors:
            errors["problems"] = problem_errors
    if errors:
        raise ValidationFailed(errors)
    channel = Channel.RECEPTION if kind == Session.Kind.RECEPTION else Channel.FORUM
    with transaction.atomic():
        session = Session.objects.create(kind=kind, title=_clean(title), held_on=held_on,
                                         host=_clean(host), place=_clean(place)[:200],
                                         attendees=_clean(attendees)[:MAX_TEXT],
                                         created_by=_user(actor))
        audit_record(actor=actor, action="create", instance=session,
                     changes={"kind": [None, kind], "problems": [None, len(problems)]})
        for p in problems:
            request_create(enterprise=p.enterprise, channel=channel, category=p.category,
                           description=p.description, kind=p.kind, urgent=p.urgent,
                           town=p.town or None, actor=actor, session=session,
                           source=f"session:{session.pk}")
    return session
