"""The Django admin as part of the platform: its name and look, and every change made in it
in the platform's audit trail (source "admin").

``PlatformAdminSite.register`` mixes :class:`AuditedAdmin` into every model admin registered
on it, whichever app registers it (Django's ``LogEntry`` alone keeps no old and new values and
is not the platform's trail).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from innolink.core.audit import audit_diff, audit_record

#: never copied into the trail: a hash is a secret, the login time is noise
SECRET_FIELDS = frozenset({"password", "digest"})
IGNORED_FIELDS = frozenset({"last_login"})
MASK = "***"


def admin_snapshot(instance: models.Model | None) -> dict[str, Any]:
    """The values the trail compares: concrete fields (secrets masked by a change marker) and
    many-to-many ids."""
    if instance is None or instance.pk is None:
        return {}
    values: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.primary_key or field.name in IGNORED_FIELDS:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)  # the same instant reads the same
        values[field.attname] = value
    for field in instance._meta.many_to_many:
        values[field.name] = sorted(getattr(instance, field.name).values_list("pk", flat=True))
    return values


def _masked(changes: dict[str, list[Any]]) -> dict[str, list[Any]]:
    return {k: ([MASK, MASK] if k in SECRET_FIELDS else v) for k, v in changes.items()}


class AuditedAdmin:
    """Writes an ``AuditEntry`` (source "admin") for each add, change and delete made in the
    admin, inside the admin's own transaction."""

    def save_model(self, request, obj, form, change):
        before = admin_snapshot(type(obj)._default_manager.filter(pk=obj.pk).first()
                                if change and obj.pk is not None else None)
        super().save_model(request, obj, form, change)
        obj._audit_before = (change, before)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        was_change, before = getattr(obj, "_audit_before", (change, {}))
        changes = _masked(audit_diff(before, admin_snapshot(obj)))
        if changes or not was_change:
            audit_record(actor=request.user, action="update" if was_change else "create",
                         instance=obj, changes=changes, source="admin",
                         note=str(_("管理后台")))

    def delete_model(self, request, obj):
        audit_record(actor=request.user, action="delete", instance=obj,
                     changes=_masked(audit_diff(admin_snapshot(obj), {})), source="admin",
                     note=str(_("管理后台")))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit_record(actor=request.user, action="delete", instance=obj,
                         changes=_masked(audit_diff(admin_snapshot(obj), {})), source="admin",
                         note=str(_("管理后台（批量删除）")))
        super().delete_queryset(request, queryset)


class PlatformAdminSite(admin.AdminSite):
    site_header = _("晋江创新对接平台 · 管理后台")
    site_title = _("InnoLink 管理后台")
    index_title = _("系统管理")

    def register(self, model_or_iterable, admin_class=None, **options):
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedAdmin):
            admin_class = type(base.__name__, (AuditedAdmin, base), {"__module__": base.__module__})
        return super().register(model_or_iterable, admin_class, **options)
