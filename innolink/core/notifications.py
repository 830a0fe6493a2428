"""Notify users: an in-platform notification row, plus any channels an operator plugs in.

    notify(recipients=[user], title="您的榜单已发布", body="…", url="/challenges/12/",
           kind="challenge.published")

Rows are written in the caller's transaction (a rolled-back change notifies nobody); external
channels run on commit. A channel is a dotted path to a callable ``channel(notification)``
listed in ``settings.INNOLINK_NOTIFICATION_CHANNELS`` (empty by default: the intranet has no
mail or SMS gateway until an operator configures one).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from innolink.core.models import Notification


def notify(*, recipients: Iterable, title: str, body: str = "", url: str = "",
           kind: str = "") -> list[Notification]:
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    rows = Notification.objects.bulk_create([
        Notification(recipient=user, title=title[:200], body=body, url=url[:300], kind=kind[:64])
        for user in unique.values()
    ])
    channels = [import_string(path) for path in
                getattr(settings, "INNOLINK_NOTIFICATION_CHANNELS", [])]
    for channel in channels:
        for row in rows:
            transaction.on_commit(lambda row=row, channel=channel: channel(row))
    return rows


def notifications_for(user, *, unread_only: bool = False, query: str = ""):
    """``user``'s notifications, newest first; ``query`` is looked for in title and body."""
    rows = Notification.objects.filter(recipient=user)
    if query:
        rows = rows.filter(Q(title__icontains=query) | Q(body__icontains=query))
    return rows.filter(read_at__isnull=True) if unread_only else rows


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
