from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry, Panel
from innolink.accounts.roles import Role
from innolink.policies.access import MANAGERS, METRIC_READERS

NAV_ITEMS = [
    NavEntry(_("我能享受的政策"), "policies:mine", frozenset({Role.ENTERPRISE}),
             order=20, group="policies"),
    NavEntry(_("惠企政策"), "policies:list", None, order=30, group="policies"),
    NavEntry(_("兑现审核"), "policies:applications", frozenset(MANAGERS), order=31, group="policies"),
    NavEntry(_("政策台账"), "policies:ledger", frozenset(METRIC_READERS), order=32, group="policies"),
    NavEntry(_("兑现统计"), "policies:metrics", frozenset(METRIC_READERS), order=33, group="policies"),
    NavEntry(_("工作日历"), "policies:calendar", frozenset(MANAGERS), order=34, group="policies"),
]
# pages other pages link to (the overview's table by policy), with who may open them
LINK_ROLES = {"policies:unpaid": frozenset(METRIC_READERS)}


def workspace_panels(user) -> list[Panel]:
    from innolink.policies import access
    from innolink.policies.models import Application

    if access.is_enterprise_user(user):
        from innolink.policies.selectors import default_year, enterprise_view

        open_count = Application.objects.filter(enterprise_id=user.enterprise_id,
                                                status__in=Application.OPEN).count()
        view = enterprise_view(user.enterprise, default_year())
        return [Panel("policies/_workspace_enterprise.html", {
            "open_count": open_count, "year": view.year, "count": len(view.eligible),
            "total": view.total}, 5)]
    if access.can_manage_policies(user):
        from django.utils import timezone

        from innolink.policies.workdays import calendar_gaps

        pending = Application.objects.filter(status__in=Application.OPEN)
        return [Panel("policies/_workspace_officer.html", {
            "pending": pending.count(),
            "overdue": pending.filter(due_on__lt=timezone.localdate()).count(),
            "calendar_gaps": calendar_gaps()}, 10)]
    return []
