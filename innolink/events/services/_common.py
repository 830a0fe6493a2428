"""Helpers the events and judging services share: permission checks, field refusals and
the row lock of an editable event."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from innolink.accounts.models import User
from innolink.core.errors import Conflict, PermissionDenied, ValidationFailed
from innolink.events import access
from innolink.events.models import (
    Event,
    EventState,
)
from innolink.events.errors import EVENT_CLOSED

TWO = Decimal("0.01")
EDITABLE_EVENT_STATES = (EventState.DRAFT, EventState.SCHEDULED, EventState.PUBLISHED)


def _staff(actor) -> None:
    if not access.is_event_staff(actor):
        raise PermissionDenied()


def _fail(field_name: str, message: str) -> ValidationFailed:
    """The refusal of one field; ``message`` is a msgid already translated (``_("…")``), never
    a literal (tests/test_error_codes.py walks the calls)."""
    return ValidationFailed({field_name: [message]}, message=message)


def _staff_users() -> list[User]:
    return list(User.objects.filter(role__in=access.EVENT_STAFF, is_active=True))


def _parse_time(value: Any, field_name: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise _fail(field_name, _("开始时间格式应为 HH:MM，例如 09:00")) from None


def _int_in(value: Any, field_name: str, label: str, lo: int, hi: int) -> int:
    """``value`` as an integer within [lo, hi]; ``label`` is a msgid (the field's name)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _fail(field_name, _("%(label)s必须是整数") % {"label": _(label)}) from None
    if not lo <= number <= hi:
        raise _fail(field_name, _("%(label)s应在 %(lo)s 到 %(hi)s 之间") % {
            "label": _(label), "lo": lo, "hi": hi})
    return number


def _room_names(rooms: Iterable[str] | str) -> list[str]:
    if isinstance(rooms, str):
        rooms = rooms.replace("，", ",").replace("\n", ",").split(",")
    names = [r.strip() for r in rooms if r and r.strip()]
    if not names:
        raise _fail("rooms", _("请至少填写一间会议室"))
    if len(names) > 50:
        raise _fail("rooms", _("会议室最多 50 间"))
    if len(set(names)) != len(names):
        raise _fail("rooms", _("会议室名称不能重复"))
    if any(len(n) > 60 for n in names):
        raise _fail("rooms", _("会议室名称不能超过 60 个字"))
    return names


def _locked_event(event: Event) -> Event:
    """Re-read the event under a row lock: invitation and schedule writes of one event
    serialize, so the duplicate checks hold under concurrent requests."""
    return Event.objects.select_for_update().get(pk=event.pk)


def _editable(event: Event) -> None:
    if event.state not in EDITABLE_EVENT_STATES:
        raise Conflict(_("活动“%(state)s”，不能再修改") % {"state": event.get_state_display()}, code=EVENT_CLOSED)

def _text(changes: dict[str, Any], errors: dict[str, list[str]], name: str, label: str,
          limit: int, required: bool) -> None:
    if name not in changes:
        return
    value = str(changes[name] or "").strip()
    if required and not value:
        errors[name] = [_("请填写%(label)s") % {"label": _(label)}]
    elif len(value) > limit:
        errors[name] = [_("%(label)s不能超过 %(limit)s 个字") % {"label": _(label), "limit": limit}]
    changes[name] = value

def _unknown(changes: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationFailed({k: [_("该字段不能修改")] for k in unknown})
