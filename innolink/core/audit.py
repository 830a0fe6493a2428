"""Write and read the audit trail.

Services call ``audit_record`` (or ``audit_record_many`` for bulk work) inside their transaction,
so a rolled-back change leaves no entry and a committed change always has one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from innolink.core.models import AuditEntry

Changes = dict[str, list[Any]]


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value that keeps its meaning (Decimal stays exact)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(_plain(v) for v in value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def audit_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> Changes:
    """The fields whose values differ, as ``{field: [old, new]}``.

    Examples:
        >>> audit_diff({"name": "甲", "town": "青阳"}, {"name": "乙", "town": "青阳"})
        {'name': ['甲', '乙']}
    """
    changes: Changes = {}
    for key in sorted(set(old) | set(new)):
        before, after = _plain(old.get(key)), _plain(new.get(key))
        if before != after:
            changes[key] = [before, after]
    return changes


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    names = fields or [f.attname for f in instance._meta.concrete_fields if not f.primary_key]
    return {name: getattr(instance, name) for name in names}


_SOURCE: ContextVar[str | None] = ContextVar("innolink_audit_source", default=None)


@contextmanager
def audit_source(source: str) -> Iterator[None]:
    """Entries written inside this block without a source of their own get ``source``: the
    request middleware says "web", "api" or "admin" for the channel a request came through."""
    token = _SOURCE.set(source)
    try:
        yield
    finally:
        _SOURCE.reset(token)


def _source(source: str | None) -> str:
    """A service's default ("web", or none) means "the channel of the current request"; any
    other source ("job:…", "import:…", "public", "demo", "command") is kept as given."""
    if not source or source == "web":
        source = _SOURCE.get() or "web"
    return source[:64]


def _actor_fields(actor) -> dict[str, Any]:
    """The actor's foreign key and a snapshot of who they were (kept when the user is
    deleted, renamed or changes role)."""
    if not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_username": "", "actor_name": "", "actor_role": ""}
    username = getattr(actor, "username", "") or ""
    return {"actor": actor, "actor_username": username[:150],
            "actor_name": (getattr(actor, "display_name", "") or username)[:150],
            "actor_role": (getattr(actor, "role", "") or "")[:32]}


def _entry(*, actor, action: str, instance: models.Model, changes: Changes | None,
           note: str, source: str | None) -> AuditEntry:
    return AuditEntry(
        **_actor_fields(actor),
        action=action,
        model=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:200],
        changes=_plain(changes or {}),
        note=note[:300],
        source=_source(source),
    )


def audit_record(*, actor, action: str, instance: models.Model, changes: Changes | None = None,
                 note: str = "", source: str | None = None) -> AuditEntry:
    entry = _entry(actor=actor, action=action, instance=instance, changes=changes, note=note,
                   source=source)
    entry.save()
    return entry


def audit_record_many(*, actor, action: str, items: Iterable[tuple[models.Model, Changes]],
                      note: str = "", source: str | None = None) -> int:
    """One entry per item, written with a bulk insert (imports write 100,000 at a time)."""
    from innolink.core.bulk import insert_rows

    who = _actor_fields(actor)
    actor_id = who["actor"].pk if who["actor"] is not None else None
    source = _source(source)
    at = timezone.now()
    rows = (
        (at, actor_id, who["actor_username"], who["actor_name"], who["actor_role"], action,
         instance._meta.label_lower, str(instance.pk), str(instance)[:200],
         _plain(changes or {}), note[:300], source)
        for instance, changes in items
    )
    return insert_rows(AuditEntry, ["at", "actor", "actor_username", "actor_name",
                                    "actor_role", "action", "model", "object_id",
                                    "object_repr", "changes", "note", "source"], rows)


def audit_trail_for(instance: models.Model, *, related: Iterable[tuple[str, Iterable[Any]]] = ()):
    """Entries for one record, plus those of related records named as ``(label, ids)``."""
    query = models.Q(model=instance._meta.label_lower, object_id=str(instance.pk))
    for label, ids in related:
        query |= models.Q(model=label, object_id__in=[str(i) for i in ids])
    return AuditEntry.objects.filter(query).select_related("actor")
