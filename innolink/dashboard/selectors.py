"""What each role's workspace shows."""

from __future__ import annotations

from django.db.models import Count

from innolink.accounts.roles import Role
from innolink.core.models import AuditEntry, Job
from innolink.enterprises.models import Enterprise


def workspace_context(user) -> dict:
    context: dict = {"role": user.role}
    if user.role == Role.ENTERPRISE:
        context["enterprise"] = user.enterprise
    if user.role in (Role.ORGANIZER, Role.POLICY_OFFICER, Role.ADMIN):
        context["enterprise_count"] = Enterprise.objects.count()
        context["by_town"] = list(
            Enterprise.objects.values("town").annotate(n=Count("id")).order_by("-n")[:19])
        context["recent_audit"] = AuditEntry.objects.select_related("actor")[:10]
    if user.role in (Role.ORGANIZER, Role.ADMIN):
        context["recent_jobs"] = Job.objects.filter(created_by=user)[:5]
    return context
