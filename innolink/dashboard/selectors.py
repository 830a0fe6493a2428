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
        # The registry's own changes: enterprises and their yearly figures, not every app's.
        "recent_audit": list(AuditEntry.objects.filter(model__startswith="enterprises.")
                             .select_related("actor")[:10]),
    }
