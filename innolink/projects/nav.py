from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry, Panel
from innolink.accounts.roles import Role
from innolink.projects.access import READ_ALL

NAV_ITEMS = [
    NavEntry(_("项目台账"), "projects:list",
             frozenset(READ_ALL | {Role.ENTERPRISE, Role.RESEARCHER, Role.CADRE}),
             order=60, group="projects"),
    NavEntry(_("履约指标"), "projects:measures", READ_ALL, order=61, group="projects"),
]


def workspace_panels(user) -> list[Panel]:
    from innolink.projects import access, selectors

    if not access.can_list(user):
        return []
    qs = selectors.projects_for(user)
    if not access.reads_all(user) and not qs.exists():
        return []
    attention = list(qs.filter(status__in=["late", "at_risk"])[:5])
    for project in attention:
        project.first_reason = (selectors.reason_text(project.status_reasons[0])
                                if project.status_reasons else "")
    return [Panel("projects/_workspace.html", {"attention": attention, "total": qs.count()}, 40)]
