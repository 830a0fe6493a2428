"""A page of requests as the rows ``_rows.html`` shows, every text ready (ADR 0421).

The queue and overdue pages spent most of their CPU in the template engine resolving each row's
attributes, choice labels (``get_FOO_display`` rebuilds the choice map and translates a lazy
label per call), ``|tr`` and ``|town`` lookups, two ``{% url %}`` tags and the countdown's
translated titles. Here each distinct label is translated once per page and each row becomes a
plain dict, so the template only prints strings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from innolink.servicedesk import sla
from innolink.servicedesk.models import ServiceRequest
from innolink.servicedesk.reference import town_label


def _labels(field: str) -> dict:
    return {value: str(label)
            for value, label in ServiceRequest._meta.get_field(field).flatchoices}


def table_rows(requests: Iterable[ServiceRequest], *, now: dt.datetime | None = None,
               settings=None) -> list[dict]:
    """One dict per request (``select_related`` enterprise, category and department), in order,
    with its countdown (``None`` when no clock runs)."""
    pairs = sla.countdowns(requests, now=now, settings=settings)
    if not pairs:
        return []
    channels, kinds, statuses = _labels("channel"), _labels("kind"), _labels("status")
    titles = {"red": gettext("红灯：已超过时限"), "yellow": gettext("黄灯：时限将至")}
    in_time = gettext("时限内")
    names: dict[str, str] = {}
    towns: dict[str, str] = {}
    tz = timezone.get_current_timezone()
    detail = reverse("servicedesk:detail", args=[0])
    prefix, suffix = detail.rsplit("0", 1)

    def name(value):
        if not value:
            return value
        if value not in names:
            names[value] = gettext(str(value))
        return names[value]

    out = []
    for r, cd in pairs:
        if r.town not in towns:
            towns[r.town] = town_label(r.town) if r.town else r.town
        department = r.department.name if r.department_id else ""
        out.append({
            "pk": r.pk, "url": f"{prefix}{r.pk}{suffix}", "number": r.number,
            "title": r.title, "urgent": r.urgent,
            "channel": channels.get(r.channel, r.channel), "kind": kinds.get(r.kind, r.kind),
            "created": r.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "enterprise": r.enterprise.name, "town": towns[r.town],
            "category": name(r.category.name), "department": name(department) or "—",
            "status": r.status, "status_label": statuses.get(r.status, r.status),
            "cd": None if cd is None else {
                "level": str(cd.level), "text": cd.text,
                "title": titles.get(str(cd.level), in_time)},
        })
    return out
