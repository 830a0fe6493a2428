"""Who may do what with events and judging rounds. Views, APIs and services ask these."""

from __future__ import annotations

from innolink.accounts.roles import Role, has_role

EVENT_STAFF = frozenset({Role.ORGANIZER, Role.ADMIN})


def is_event_staff(user) -> bool:
    """Organizer staff manage events and judging rounds."""
    return has_role(user, *EVENT_STAFF)


def is_reviewer(user) -> bool:
    return has_role(user, Role.REVIEWER)


def participant_keys(user) -> list[str]:
    """The event-participant keys a user acts for: their enterprise's delegation (``e:<id>``)
    and their own researcher profile (``r:<id>``)."""
    if not (user and user.is_authenticated and user.is_active):
        return []
    keys = []
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        keys.append(f"e:{user.enterprise_id}")
    if user.role == Role.RESEARCHER:
        from innolink.challenges.models import ResearcherProfile

        keys += [f"r:{pk}" for pk in
                 ResearcherProfile.objects.filter(user=user).values_list("pk", flat=True)]
    return keys
