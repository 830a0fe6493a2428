"""The overview's filters, applied by the lists its figures link to, so a list shows exactly the
records a figure counts: ``?stage=published&town=陈埭&from=2026-01&to=2026-11``.

Each function takes a queryset and the request's GET and returns the narrowed queryset; a
parameter that is absent or malformed narrows nothing. ``describe`` words the active filters
for the list's heading.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from innolink.enterprises.reference import TOWN_NAMES

STAGE_LABELS = {"posted": _("发榜"), "published": _("张榜"), "claimed": _("揭榜"),
                "matched": _("对接成功"), "contracted": _("签约"), "delivered": _("验收交付"),
                "closed": _("已成交")}


def month_bounds(params) -> tuple[dt.datetime | None, dt.datetime | None]:
    """``from``/``to`` months as aware datetimes [start of ``from``, start of the month after
    ``to``), in Asia/Shanghai."""
    def first_day(text: str, after: bool) -> dt.datetime | None:
        try:
            year, month = (int(x) for x in str(text).split("-"))
            day = dt.date(year, month, 1)
        except (TypeError, ValueError):
            return None
        if after:
            day = dt.date(year + (month == 12), month % 12 + 1, 1)
        return timezone.make_aware(dt.datetime.combine(day, dt.time()))

    return first_day(params.get("from", ""), False), first_day(params.get("to", ""), True)


def town_of(params) -> str:
    town = params.get("town", "")
    return town if town in TOWN_NAMES else ""


def _between(field: str, start, end) -> Q:
    q = Q()
    if start:
        q &= Q(**{f"{field}__gte": start})
    if end:
        q &= Q(**{f"{field}__lt": end})
    return q


def challenge_filter(qs: QuerySet, params) -> QuerySet:
    """The 揭榜领题 funnel: challenges that reached ``stage`` within the months, by the
    poster's town (the same rules as the overview's tally)."""
    start, end = month_bounds(params)
    town = town_of(params)
    if town:
        qs = qs.filter(enterprise__town=town)
    stage = params.get("stage", "")
    field = {"published": "published_at", "matched": "matched_at",
             "contracted": "contracted_at", "delivered": "accepted_at"}.get(stage)
    if field:
        qs = qs.filter(Q(**{f"{field}__isnull": False}) & _between(field, start, end))
    elif stage == "posted":
        qs = (qs.exclude(state="draft").annotate(_posted=Coalesce("submitted_at", "created_at"))
              .filter(_between("_posted", start, end)))
    elif stage == "claimed":
        qs = (qs.annotate(_claimed=Min("proposals__created_at"))
              .filter(Q(_claimed__isnull=False) & _between("_claimed", start, end)))
    return qs


def offer_filter(qs: QuerySet, params) -> QuerySet:
    start, end = month_bounds(params)
    stage = params.get("stage", "")
    if stage == "posted":
        qs = qs.exclude(state="draft").filter(_between("created_at", start, end))
    elif stage == "published":
        qs = qs.filter(Q(published_at__isnull=False) & _between("published_at", start, end))
    elif stage == "closed":
        qs = qs.filter(Q(state="closed") & _between("updated_at", start, end))
    return qs


def ledger_filter(qs: QuerySet, params) -> QuerySet:
    """Ledger entries booked within the months, of enterprises in the town."""
    start, end = month_bounds(params)
    town = town_of(params)
    if town:
        qs = qs.filter(enterprise__town=town)
    if start:
        qs = qs.filter(booked_on__gte=timezone.localtime(start).date())
    if end:
        qs = qs.filter(booked_on__lt=timezone.localtime(end).date())
    return qs


def describe(params) -> str:
    parts = []
    stage = params.get("stage", "")
    if stage in STAGE_LABELS:
        parts.append(str(STAGE_LABELS[stage]))
    if town_of(params):
        parts.append(town_of(params))
    if params.get("from") or params.get("to"):
        parts.append(f"{params.get('from', '')} — {params.get('to', '')}")
    return " · ".join(parts)
