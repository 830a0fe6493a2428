from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry, Panel
from innolink.accounts.roles import Role

ALL_READERS = frozenset({Role.COORDINATOR, Role.LEADER, Role.ORGANIZER, Role.ADMIN})
DESK_STAFF = frozenset({Role.COORDINATOR, Role.ORGANIZER, Role.ADMIN})
#: The leader reads city-wide and acts on nothing: the desk's work queues and settings
#: (协调督办, 挂钩服务 lists, 分派规则与时限) are not in a leader's menu (ADR 0018: the menu
#: and its links show what a reader opens to use).
DESK_WORK = DESK_STAFF

NAV_ITEMS = [
    NavEntry(_("我的诉求"), "servicedesk:list", frozenset({Role.ENTERPRISE}), order=12,
             group="servicedesk"),
    NavEntry(_("提交诉求"), "servicedesk:create", frozenset({Role.ENTERPRISE}), order=13,
             group="servicedesk"),
    NavEntry(_("待办诉求"), "servicedesk:list", frozenset({Role.DEPT_HANDLER}), order=12,
             group="servicedesk"),
    NavEntry(_("挂钩企业诉求"), "servicedesk:list", frozenset({Role.CADRE}), order=12,
             group="servicedesk"),
    NavEntry(_("诉求总览"), "servicedesk:list", ALL_READERS, order=12, group="servicedesk"),
    NavEntry(_("协调督办"), "servicedesk:coordination", DESK_WORK, order=13,
             group="servicedesk"),
    NavEntry(_("超时诉求"), "servicedesk:overdue", ALL_READERS, order=14, group="servicedesk"),
    NavEntry(_("我的挂钩企业"), "servicedesk:cadres", frozenset({Role.CADRE}), order=15,
             group="servicedesk"),
    NavEntry(_("走访记录"), "servicedesk:visits", frozenset({Role.CADRE}) | ALL_READERS,
             order=16, group="servicedesk"),
    NavEntry(_("接访与恳谈会"), "servicedesk:sessions", ALL_READERS, order=17,
             group="servicedesk"),
    NavEntry(_("挂钩服务"), "servicedesk:cadres", DESK_WORK, order=18, group="servicedesk"),
    NavEntry(_("走访覆盖"), "servicedesk:coverage", ALL_READERS, order=19, group="servicedesk"),
    NavEntry(_("办理成效"), "servicedesk:measures",
             ALL_READERS | frozenset({Role.DEPT_HANDLER}), order=20, group="servicedesk"),
    NavEntry(_("分派规则与时限"), "servicedesk:routing", DESK_WORK, order=21,
             group="servicedesk"),
    NavEntry(_("12345转办导入"), "servicedesk:import", DESK_STAFF, order=22,
             group="servicedesk"),
]


def workspace_panels(user) -> list[Panel]:
    from innolink.servicedesk import access, selectors
    from innolink.servicedesk.models import Status

    if access.is_enterprise_user(user):
        qs = selectors.requests_visible_to(user)
        return [Panel("servicedesk/_workspace_enterprise.html", {
            "open": qs.filter(status__in=[s for s in Status.values
                                          if s not in (Status.CLOSED, Status.MERGED)]).count(),
            "awaiting": selectors.awaiting_rating(user).count()}, 8)]
    if access.is_handler(user):
        from django.utils import timezone

        queue = selectors.handler_queue(user)
        return [Panel("servicedesk/_workspace_handler.html", {
            "to_sign": queue.filter(status=Status.ASSIGNED).count(),
            "handling": queue.filter(status=Status.HANDLING).count(),
            "overdue": queue.filter(deadline_at__lt=timezone.now()).count(),
            "inputs": selectors.pending_inputs(user).count()}, 4)]
    if access.is_cadre(user):
        from django.utils import timezone

        year, quarter = selectors.quarter_of(timezone.localdate())
        start, end = selectors.quarter_bounds(year, quarter)
        mine = selectors.assignments_visible_to(user)
        visited = selectors.visits_visible_to(user).filter(
            visited_on__gte=start, visited_on__lt=end).values("enterprise_id").distinct().count()
        return [Panel("servicedesk/_workspace_cadre.html", {
            "assigned": mine.count(), "visited": visited, "quarter": quarter,
            "open": selectors.requests_visible_to(user).filter(
                status__in=[Status.ASSIGNED, Status.HANDLING, Status.PENDING]).count()}, 4)]
    if access.reads_all(user):
        from django.utils import timezone

        desk = selectors.coordinator_desk(limit=500)
        return [Panel("servicedesk/_workspace_coordinator.html", {
            "overdue": selectors.overdue_list(timezone.now()).count(),
            "pending": len(desk.pending) + len(desk.fallback), "returned": len(desk.returned),
            "review": len(desk.review), "extensions": len(desk.extensions),
            "callbacks": len(desk.callbacks),
            # a leader reads the figures; the coordination queue is the desk staff's work
            "coordinate": access.is_desk_staff(user)}, 6)]
    return []
