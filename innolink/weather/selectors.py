"""Scoped reads of 气象+: every list is filtered to what the user may see (another enterprise's
notice is the same 404 as a missing one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from innolink.core.errors import NotFound, PermissionDenied
from innolink.weather import access
from innolink.weather.models import (
    ExposureProfile,
    ForecastProduct,
    IngestLog,
    Notice,
    Warning,
    WarningTownTally,
)
from innolink.core.ids import parse_id


_valid_id = parse_id  # the one id helper (innolink.core.ids)


def warnings_for(user) -> QuerySet[Warning]:
    if access.can_read_warnings(user):
        return Warning.objects.all()
    if access.is_enterprise(user):
        return Warning.objects.filter(notices__enterprise_id=user.enterprise_id).distinct()
    raise PermissionDenied()


def warning_for_user(user, pk: Any) -> Warning:
    warning = warnings_for(user).filter(pk=_valid_id(pk)).first()
    if warning is None:
        raise NotFound()
    return warning


def active_warnings(now: dt.datetime | None = None) -> QuerySet[Warning]:
    now = now or timezone.now()
    return Warning.objects.filter(state=Warning.State.ACTIVE).filter(
        Q(expires__isnull=True) | Q(expires__gt=now))


def notices_for(user) -> QuerySet[Notice]:
    if not access.is_enterprise(user):
        raise PermissionDenied()
    return Notice.objects.filter(enterprise_id=user.enterprise_id).select_related("warning")


def notice_for_user(user, pk: Any) -> Notice:
    notice = notices_for(user).filter(pk=_valid_id(pk)).first()
    if notice is None:
        raise NotFound()
    return notice


def non_responders(user, warning: Warning) -> QuerySet[Notice]:
    """Active notices of ``warning`` nobody has acknowledged (staff only)."""
    if not access.can_read_warnings(user):
        raise PermissionDenied()
    reached = (Notice.objects.filter(state=Notice.State.ACTIVE)
               if warning.state == Warning.State.ACTIVE
               else Notice.objects.exclude(state=Notice.State.WITHDRAWN))
    return (reached.filter(warning=warning, acknowledged_at__isnull=True)
            .select_related("enterprise").order_by("town", "enterprise__name"))


def town_tallies(warning: Warning) -> list[WarningTownTally]:
    return list(WarningTownTally.objects.filter(warning=warning).order_by("-active", "town"))


@dataclass(frozen=True)
class RedSummary:
    warning: Warning
    non_responders: int


def red_warnings_open(user) -> list[RedSummary]:
    """Active red warnings with enterprises that have not responded (from the aggregates)."""
    if not access.can_read_warnings(user):
        raise PermissionDenied()
    return [RedSummary(w, w.non_responders) for w in active_warnings().filter(level="红")]


def profile_of(enterprise) -> ExposureProfile | None:
    return ExposureProfile.objects.filter(enterprise=enterprise).select_related("park").first()


def forecasts_for_enterprise(enterprise, today: dt.date | None = None) -> QuerySet[ForecastProduct]:
    """Products that apply to this enterprise now: its park's forecast, its industry cluster's,
    those for one of its exposures, and the platform-wide ones."""
    today = today or timezone.localdate()
    profile = profile_of(enterprise)
    applies = Q(area=ForecastProduct.Area.PLATFORM)
    if profile is not None and profile.park_id:
        applies |= Q(area=ForecastProduct.Area.PARK, park_id=profile.park_id)
    code = enterprise.industry_code or ""
    prefixes = [code[:n] for n in range(1, len(code) + 1)]
    if prefixes:
        applies |= Q(area=ForecastProduct.Area.CLUSTER, industry_prefix__in=prefixes)
    if profile is not None and profile.exposures:
        applies |= Q(exposure__in=profile.exposures) & ~Q(area=ForecastProduct.Area.PARK)
    return (ForecastProduct.objects.filter(applies, valid_to__gte=today)
            .select_related("park", "event").order_by("valid_from", "id"))


def forecasts_for_event(event) -> QuerySet[ForecastProduct]:
    return ForecastProduct.objects.filter(event=event).order_by("-valid_from", "-id")


def forecasts_for_staff(user) -> QuerySet[ForecastProduct]:
    if not access.can_read_warnings(user):
        raise PermissionDenied()
    return ForecastProduct.objects.select_related("park", "event").all()


def ingest_log(user) -> QuerySet[IngestLog]:
    if not access.is_weather_staff(user):
        raise PermissionDenied()
    return IngestLog.objects.select_related("warning", "user")
