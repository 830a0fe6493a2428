"""The working-day calendar: public holidays and make-up working days (调休上班)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from innolink.core.audit import audit_record
from innolink.core.errors import Conflict, NotFound, ValidationFailed
from innolink.policies.models import CalendarDay
from innolink.core.ids import parse_id
from innolink.policies.errors import CALENDAR_DAY_EXISTS


CALENDAR_MAX_RANGE_DAYS = 31


def _calendar_date(value: Any, field_name: str, label: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationFailed({field_name: [_("%(l)s：应为日期，如 2027-10-01") % {"l": label}]})


def _calendar_changed() -> None:
    from innolink.policies.workdays import reset_cache

    reset_cache()
    transaction.on_commit(reset_cache)


@transaction.atomic
def calendar_days_add(*, actor, start: Any, end: Any = None, kind: str, name: str
                      ) -> list[CalendarDay]:
    """Add public holidays (a range, e.g. 国庆节 10-01 to 10-07) or make-up working days (调休上班,
    each a Saturday or Sunday) to the working-day calendar. All or nothing: a date that is
    already in the calendar (as either kind) refuses the whole request."""
    start = _calendar_date(start, "start", _("开始日期"))
    end = start if end in (None, "") else _calendar_date(end, "end", _("结束日期"))
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if kind not in CalendarDay.Kind.values:
        errors["kind"] = [_("类别：应为放假或调休上班")]
    if not name:
        errors["name"] = [_("节日名称：必填，如 国庆节")]
    elif len(name) > 32:
        errors["name"] = [_("节日名称：不超过32个字")]
    if end < start:
        errors["end"] = [_("结束日期不能早于开始日期")]
    elif (end - start).days >= CALENDAR_MAX_RANGE_DAYS:
        errors["end"] = [_("一次最多登记 %(n)s 天") % {"n": CALENDAR_MAX_RANGE_DAYS}]
    if errors:
        raise ValidationFailed(errors)
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    if kind == CalendarDay.Kind.WORKDAY:
        weekdays = [d for d in days if d.weekday() < 5]
        if weekdays:
            raise ValidationFailed({"start": [
                _("调休上班日应为周六或周日；%(d)s 本来就是工作日") % {"d": weekdays[0].isoformat()}]})
    existing = {row.date: row for row in CalendarDay.objects.select_for_update().filter(
        date__in=days)}
    clashes = []
    for day in days:
        row = existing.get(day)
        if row is None:
            continue
        if row.kind != kind:
            clashes.append(_("%(d)s 已登记为「%(k)s」（%(n)s），不能同时为「%(new)s」") % {
                "d": day.isoformat(), "k": row.get_kind_display(), "n": row.name,
                "new": CalendarDay.Kind(kind).label})
        else:
            clashes.append(_("%(d)s 已登记为「%(k)s」（%(n)s）") % {
                "d": day.isoformat(), "k": row.get_kind_display(), "n": row.name})
    if clashes:
        raise Conflict("；".join(clashes[:3]), code=CALENDAR_DAY_EXISTS,
                       extra={"dates": [d.isoformat() for d in days if d in existing]})
    rows = [CalendarDay.objects.create(date=day, kind=kind, name=name) for day in days]
    for row in rows:
        audit_record(actor=actor, action="create", instance=row, changes={
            "date": [None, row.date], "kind": [None, row.kind], "name": [None, row.name]})
    _calendar_changed()
    return rows


@transaction.atomic
def calendar_day_delete(*, actor, day_id: Any) -> CalendarDay:
    """Remove one day from the calendar (a holiday or make-up day entered by mistake)."""
    row = CalendarDay.objects.select_for_update().filter(pk=parse_id(day_id)).first()
    if row is None:
        raise NotFound()
    audit_record(actor=actor, action="delete", instance=row, changes={
        "date": [row.date, None], "kind": [row.kind, None], "name": [row.name, None]})
    row.delete()
    _calendar_changed()
    return row
