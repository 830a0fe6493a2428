"""Reads for the overview pages."""

from __future__ import annotations

from django.db.models import Count

from innolink.core.models import AuditEntry
from innolink.enterprises.models import Enterprise


def registry_overview() -> dict:
    return {
        "enterprise_count": Enterprise.objects.count(),
        "by_town": list(Enterprise.objects.values("town").annotate(n=Count("id"))
                        .order_by("-n")[:19]),
        "recent_audit": list(AuditEntry.objects.select_related("actor")[:10]),
    }
