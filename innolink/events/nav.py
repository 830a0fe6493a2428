from django.utils.translation import gettext_lazy as _

from innolink.accounts.navigation import NavEntry, Panel
from innolink.accounts.roles import Role
from innolink.events.access import EVENT_STAFF

NAV_ITEMS = [
    NavEntry(_("对接活动"), "events:list", EVENT_STAFF | {Role.ENTERPRISE, Role.RESEARCHER},
             order=40, group="events"),
    NavEntry(_("揭榜领题赛"), "events:rounds", EVENT_STAFF, order=41, group="events"),
    NavEntry(_("我的评审"), "events:my-reviews", frozenset({Role.REVIEWER}), order=20, group="events"),
]


def workspace_panels(user) -> list[Panel]:
    from innolink.events import access, selectors

    if access.is_reviewer(user):
        assignments = selectors.assignments_of_reviewer(user)
        return [Panel("events/_workspace_reviewer.html", {
            "todo": assignments.filter(state="assigned", round__state="scoring").count(),
            "done": assignments.filter(state="submitted").count()}, 10)]
    if access.is_event_staff(user):
        return [Panel("events/_workspace_staff.html", {
            "events": selectors.event_list(user)[:3],
            "rounds": selectors.round_list(user)[:3]}, 60)]
    if access.participant_keys(user):
        events = list(selectors.events_visible_to(user).order_by("-date")[:3])
        if events:
            return [Panel("events/_workspace_participant.html", {"events": events}, 30)]
    return []
