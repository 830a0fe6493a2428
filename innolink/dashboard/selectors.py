"""Reads for the overview pages."""

from __future__ import annotations

import heapq

from django.apps import apps
from django.db.models import Count

from innolink.core.models import AuditEntry
from innolink.enterprises.models import Enterprise


def registry_overview() -> dict:
    return {
        "enterprise_count": Enterprise.objects.count(),
        "by_town": list(Enterprise.objects.values("town").annotate(n=Count("id"))
                        .order_by("-n")[:19]),
        # The registry's own changes: enterprises and their yearly figures, not every app's.
        "recent_audit": recent_audit_of_app("enterprises"),
    }


def recent_audit_of_app(app_label: str, limit: int = 10) -> list[AuditEntry]:
    """The latest ``limit`` audit entries about the records of one app.

    One exact ``model = …`` query per model of the app, each reading at most ``limit`` rows
    from the ``(model, -at, -id)`` index, merged newest first: no scan of the whole trail
    (a ``LIKE 'enterprises.%'`` prefix match cannot use that index on PostgreSQL)."""
    labels = [m._meta.label_lower for m in apps.get_app_config(app_label).get_models()]
    per_model = [list(AuditEntry.objects.filter(model=label).select_related("actor")[:limit])
                 for label in labels]
    return heapq.nlargest(limit, (e for rows in per_model for e in rows),
                          key=lambda e: (e.at, e.pk))
