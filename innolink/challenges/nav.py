from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import PUBLIC, NavEntry, Panel
from innolink.accounts.roles import Role
from innolink.challenges.access import BOARD_STAFF

NAV_ITEMS = [
    NavEntry(_("揭榜领题"), "challenges:board", PUBLIC, order=20, group="innovation"),
    NavEntry(_("我的揭榜"), "challenges:workspace", frozenset({Role.RESEARCHER}),
             order=21, group="innovation"),
    NavEntry(_("我的榜单"), "challenges:manage", frozenset({Role.ENTERPRISE}),
             order=21, group="innovation"),
    NavEntry(_("榜单管理"), "challenges:manage", BOARD_STAFF, order=21, group="innovation"),
    NavEntry(_("成果转化"), "challenges:offers", PUBLIC, order=22, group="innovation"),
    NavEntry(_("揭榜统计"), "challenges:overview", BOARD_STAFF, order=23, group="innovation"),
    NavEntry(_("导入榜单"), "challenges:listing-import", BOARD_STAFF, order=24,
             group="innovation"),
]


def workspace_panels(user) -> list[Panel]:
    from innolink.challenges import access, selectors
    from innolink.challenges.models import Challenge

    if access.is_researcher(user):
        return [Panel("challenges/_workspace_researcher.html", {
            "profile": selectors.profile_of(user),
            "proposals": list(selectors.proposals_of(user)[:5])}, 10)]
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        return [Panel("challenges/_workspace_enterprise.html", {
            "challenges": list(selectors.challenges_managed_by(user)[:5])}, 20)]
    if access.is_board_staff(user):
        return [Panel("challenges/_workspace_staff.html", {
            "pending": Challenge.objects.filter(state="submitted").count(),
            "claimed": Challenge.objects.filter(state="claimed").count()}, 30)]
    return []
