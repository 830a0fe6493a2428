from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry, Panel
from innolink.accounts.roles import REGISTRY_IMPORTERS

NAV_ITEMS = [NavEntry(_("后台任务"), "core:jobs", REGISTRY_IMPORTERS, order=95, group="system")]


def workspace_panels(user) -> list[Panel]:
    from innolink.core.models import Job

    jobs = list(Job.objects.filter(created_by=user)[:5])
    return [Panel("core/_workspace_jobs.html", {"recent_jobs": jobs}, 99)] if jobs else []
