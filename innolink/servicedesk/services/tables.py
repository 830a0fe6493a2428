"""The tables desk staff keep: routing rules, the desk's settings, time-limit rules and
supervising leaders."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from innolink.accounts.models import Department, User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_diff, audit_record
from innolink.core.errors import Conflict, NotFound, ValidationFailed
from innolink.engines.sla import OfficeHours
from innolink.servicedesk.models import (
    Category,
    DeskSettings,
    RoutingRule,
    SlaRule,
    Supervision,
)
from innolink.servicedesk.errors import (
    RULE_EXISTS,
)
from innolink.servicedesk.services._common import (
    _clean,
    _department,
    _require_desk_staff,
    category_resolve,
    town_check,
)


def routing_rule_save(*, actor, category: Category | str, town: str,
                      lead: Department | int | str, co_departments: Iterable = (),
                      note: str = "", rule_id: int | None = None) -> RoutingRule:
    """Create or change a routing rule (audited; one rule per category and town)."""
    _require_desk_staff(actor)
    category = category_resolve(category)
    town = town_check(town) if _clean(town) else ""
    lead = _department(lead)
    co = [_department(d) for d in co_departments if _clean(d) or isinstance(d, Department)]
    co = [d for d in dict.fromkeys(co) if d.pk != lead.pk]
    note = _clean(note)[:200]
    with transaction.atomic():
        rule = None
        if rule_id:
            rule = RoutingRule.objects.select_for_update().filter(pk=rule_id).first()
            if rule is None:
                raise NotFound()
        clash = RoutingRule.objects.filter(category=category, town=town)
        if rule is not None:
            clash = clash.exclude(pk=rule.pk)
        if clash.exists():
            raise Conflict(_("「%(c)s × %(t)s」已有分派规则，请直接修改它") % {
                "c": category.name, "t": town or _("全部镇街")}, code=RULE_EXISTS)
        before = {} if rule is None else {
            "category": rule.category_id, "town": rule.town, "lead": rule.lead_id,
            "co_departments": sorted(rule.co_departments.values_list("pk", flat=True)),
            "note": rule.note}
        rule = rule or RoutingRule()
        rule.category, rule.town, rule.lead, rule.note = category, town, lead, note
        rule.save()
        rule.co_departments.set(co)
        after = {"category": category.pk, "town": town, "lead": lead.pk,
                 "co_departments": sorted(d.pk for d in co), "note": note}
        audit_record(actor=actor, action="update" if before else "create", instance=rule,
                     changes=audit_diff(before, after))
    return rule


def routing_rule_delete(*, actor, rule_id: int) -> None:
    _require_desk_staff(actor)
    with transaction.atomic():
        rule = RoutingRule.objects.select_for_update().filter(pk=rule_id).first()
        if rule is None:
            raise NotFound()
        audit_record(actor=actor, action="delete", instance=rule,
                     changes={"lead": [rule.lead_id, None], "town": [rule.town, None]})
        rule.delete()


def desk_settings_update(*, actor, fallback_department: Department | int | str | None,
                         office_hours: str, callback_percent: Any, duplicate_threshold: Any,
                         escalate_hours: Any) -> DeskSettings:
    _require_desk_staff(actor)
    errors: dict[str, list[str]] = {}
    fallback = None
    if _clean(fallback_department) or isinstance(fallback_department, Department):
        fallback = _department(fallback_department)
    try:
        hours = str(OfficeHours.parse(_clean(office_hours)))
    except ValueError:
        errors["office_hours"] = [_("工作时间格式应为 08:30-12:00,14:00-17:30")]
        hours = ""

    def number(value, field, lo, hi, label, cast):
        try:
            out = cast(_clean(value))
        except (TypeError, ValueError, InvalidOperation):
            out = None
        if out is None or not lo <= out <= hi:
            errors[field] = [_("%(l)s应在 %(a)s–%(b)s 之间") % {"l": label, "a": lo, "b": hi}]
        return out

    percent = number(callback_percent, "callback_percent", 0, 100, _("回访抽样比例"), int)
    threshold = number(duplicate_threshold, "duplicate_threshold", Decimal("0.1"), Decimal("1"),
                       _("相似度阈值"), Decimal)
    escalate = number(escalate_hours, "escalate_hours", 1, 200, _("升级督办时限"), int)
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        row = DeskSettings.objects.select_for_update().filter(pk=1).first() or \
            DeskSettings.objects.create(pk=1)
        before = {"fallback_department": row.fallback_department_id,
                  "office_hours": row.office_hours, "callback_percent": row.callback_percent,
                  "duplicate_threshold": row.duplicate_threshold,
                  "escalate_hours": row.escalate_hours}
        row.fallback_department = fallback
        row.office_hours, row.callback_percent = hours, percent
        row.duplicate_threshold, row.escalate_hours = threshold.quantize(Decimal("0.01")), escalate
        row.save()
        after = {"fallback_department": row.fallback_department_id,
                 "office_hours": row.office_hours, "callback_percent": row.callback_percent,
                 "duplicate_threshold": row.duplicate_threshold,
                 "escalate_hours": row.escalate_hours}
        audit_record(actor=actor, action="update", instance=row, changes=audit_diff(before, after))
    return row


def sla_rule_update(*, actor, key: str, sign_hours: Any, handle_value: Any, handle_unit: str,
                    warn_fraction: Any) -> SlaRule:
    """Change a time limit. Requests already assigned keep the deadline they were given."""
    _require_desk_staff(actor)
    errors: dict[str, list[str]] = {}
    try:
        sign = Decimal(_clean(sign_hours))
        if not Decimal("0.25") <= sign <= 72:
            raise ValueError
    except (InvalidOperation, ValueError):
        errors["sign_hours"] = [_("签收时限应为 0.25–72 个工作小时")]
        sign = None
    try:
        value = int(_clean(handle_value))
        if not 1 <= value <= 365:
            raise ValueError
    except ValueError:
        errors["handle_value"] = [_("办理时限应为 1–365")]
        value = None
    if handle_unit not in SlaRule.Unit.values:
        errors["handle_unit"] = [_("单位应为工作小时或工作日")]
    try:
        fraction = Decimal(_clean(warn_fraction))
        if not Decimal("0") < fraction < 1:
            raise ValueError
    except (InvalidOperation, ValueError):
        errors["warn_fraction"] = [_("黄灯比例应在 0 和 1 之间，例如 0.25")]
        fraction = None
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        rule = SlaRule.objects.select_for_update().filter(key=key).first()
        if rule is None:
            raise NotFound()
        before = {"sign_hours": rule.sign_hours, "handle_value": rule.handle_value,
                  "handle_unit": rule.handle_unit, "warn_fraction": rule.warn_fraction}
        rule.sign_hours, rule.handle_value = sign.quantize(Decimal("0.01")), value
        rule.handle_unit, rule.warn_fraction = handle_unit, fraction.quantize(Decimal("0.01"))
        rule.save()
        after = {"sign_hours": rule.sign_hours, "handle_value": rule.handle_value,
                 "handle_unit": rule.handle_unit, "warn_fraction": rule.warn_fraction}
        audit_record(actor=actor, action="update", instance=rule, changes=audit_diff(before, after))
    return rule


def supervision_set(*, actor, department: Department | int | str, leader: User | None) -> None:
    _require_desk_staff(actor)
    department = _department(department)
    if leader is not None and leader.role != Role.LEADER:
        raise ValidationFailed({"leader": [_("分管领导须为市领导账号")]})
    with transaction.atomic():
        row = Supervision.objects.filter(department=department).first()
        old = row.leader_id if row else None
        if leader is None:
            if row:
                row.delete()
        else:
            Supervision.objects.update_or_create(department=department,
                                                 defaults={"leader": leader})
        audit_record(actor=actor, action="update", instance=department,
                     changes={"supervising_leader": [old, leader.pk if leader else None]})
