from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import PUBLIC, NavEntry, Panel
from innolink.accounts.roles import Role
from innolink.rankings.access import RANKING_MANAGERS

NAV_ITEMS = [
    NavEntry(_("500强榜单"), "rankings:runs", RANKING_MANAGERS, order=40, group="rankings"),
    NavEntry(_("500强申报"), "rankings:declare", frozenset({Role.ENTERPRISE}),
             order=40, group="rankings"),
    NavEntry(_("民营企业500强"), "rankings:public", PUBLIC, order=45, group="rankings"),
]


def workspace_panels(user) -> list[Panel]:
    from innolink.rankings.models import Declaration, RankingRun

    if user.role in RANKING_MANAGERS:
        return [Panel("rankings/_workspace_staff.html", {
            "ranking_runs": RankingRun.objects.order_by("-created_at")[:3],
            "declarations_waiting": Declaration.objects.filter(status="submitted").count(),
        }, 60)]
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return [Panel("rankings/_workspace_enterprise.html", {
            "ranking_declarations": Declaration.objects.filter(
                enterprise_id=user.enterprise_id).order_by("-year")[:3]}, 60)]
    return []
