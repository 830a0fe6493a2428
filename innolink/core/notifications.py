"""Notify users: an in-platform notification row, plus any channels an operator plugs in.

    notify(recipients=[user], title=N_("您的榜单已发布：%(t)s"), params={"t": challenge.title},
           url="/challenges/12/", kind="challenge.published")

``title`` and ``body`` are msgids (marked with ``gettext_noop as N_`` so ``makemessages``
collects them) and ``params`` their values (shared by both); a title or body with values of its
own is a ``Message(N_("…"), name=value)`` (``innolink.core.messages``). A value that is itself translatable (a status, an
award level) is passed as ``msg(...)`` / ``choice_msg(...)`` from ``innolink.core.messages``.
``note`` is what a person wrote (a reason, a comment): shown as written, under the body. The
row is worded when it is READ, in the reader's language (``Notification.title_text`` /
``body_text``; ADR 0790); its ``title``/``body`` columns keep the platform language's text
for search.

Rows are written in the caller's transaction (a rolled-back change notifies nobody); external
channels run on commit. A channel is a dotted path to a callable ``channel(notification)``
listed in ``settings.INNOLINK_NOTIFICATION_CHANNELS`` (empty by default: the intranet has no
mail or SMS gateway until an operator configures one). A channel is called with the platform's
language active (a user has no stored language), so ``title_text``/``body_text`` word it in
that language; a channel that knows its recipient's language renders inside
``translation.override(...)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from innolink.core.messages import Message, message_render
from innolink.core.models import Notification


def _msgid(text: Any, params: dict) -> tuple[str, dict]:
    if isinstance(text, Message):
        return text.msgid, {**params, **text.params}
    with translation.override(None):  # a lazy translation keeps its msgid, not a language
        return str(text or ""), params


def _stored(value: Any) -> Any:
    """A parameter as JSON keeps it: numbers, strings and ``msg`` values; others as text."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _stored(v) for k, v in value.items()}
    return str(value)


def _call(channel, row: Notification) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        channel(row)


def notify(*, recipients: Iterable, title: str, body: str = "", params: dict | None = None,
           note: str = "", url: str = "", kind: str = "") -> list[Notification]:
    unique = {user.pk: user for user in recipients if user is not None and user.is_active}
    title, title_params = _msgid(title, dict(params or {}))
    body, body_params = _msgid(body, dict(params or {}))
    title_params, body_params = _stored(title_params), _stored(body_params) if body else {}
    note = str(note or "")
    with translation.override(settings.LANGUAGE_CODE):
        title_text = message_render(title, title_params)
        body_text = "\n".join(filter(None, [message_render(body, body_params), note]))
    rows = Notification.objects.bulk_create([
        Notification(recipient=user, title=title_text[:200], body=body_text, url=url[:300],
                     kind=kind[:64], title_msgid=title[:200], title_params=title_params,
                     body_msgid=body, body_params=body_params, note=note)
        for user in unique.values()
    ])
    channels = [import_string(path) for path in
                getattr(settings, "INNOLINK_NOTIFICATION_CHANNELS", [])]
    for channel in channels:
        for row in rows:
            transaction.on_commit(lambda row=row, channel=channel: _call(channel, row))
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
