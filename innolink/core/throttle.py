"""Throttle of anonymous writes (the 公示 objection, and any later public form): at most
``INNOLINK_PUBLIC_POST_LIMIT`` posts per client address and target in
``INNOLINK_PUBLIC_POST_WINDOW`` seconds, counted in the database so that every web process
counts together. Past the limit: ``Throttled`` (429, the platform's error shape in the API, a
page with the message otherwise), before anything is read or written."""

from __future__ import annotations

import hashlib
import math
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from innolink.core.errors import Throttled
from innolink.core.models import RateCount
from innolink.core.net import client_ip


def throttle_hit(*, scope: str, client: str, target: object, limit: int, window: int,
                 now: datetime | None = None) -> int:
    """Count one action; returns the count in this window, or raises ``Throttled`` when it
    passes ``limit``."""
    now = now or timezone.now()
    start = datetime.fromtimestamp(math.floor(now.timestamp() / window) * window,
                                   tz=dt_timezone.utc)
    key = hashlib.sha256(f"{scope}|{client}|{target}".encode()).hexdigest()
    with transaction.atomic():
        row, created = RateCount.objects.get_or_create(key=key, window_start=start,
                                                       defaults={"scope": scope})
        RateCount.objects.filter(pk=row.pk).update(count=F("count") + 1)
        count = RateCount.objects.filter(pk=row.pk).values_list("count", flat=True)[0]
        if created:  # windows that are over are no use to anyone
            RateCount.objects.filter(scope=scope,
                                     window_start__lt=start - timedelta(seconds=window)).delete()
    if count > limit:
        wait = int((start + timedelta(seconds=window) - now).total_seconds()) + 1
        minutes = max(1, math.ceil(wait / 60))
        raise Throttled(_("提交过于频繁，请 %(m)s 分钟后再试") % {"m": minutes},
                        extra={"retry_after": wait, "limit": limit, "window": window})
    return count


def public_post_throttle(request, *, scope: str, target: object) -> int:
    """For an anonymous (public) write: counted per client address and target."""
    limits = settings.INNOLINK
    return throttle_hit(scope=scope, client=client_ip(request), target=target,
                        limit=limits["PUBLIC_POST_LIMIT"], window=limits["PUBLIC_POST_WINDOW"])
