"""Who may read the leaders' overview: leaders and staff (read-only, city-wide)."""

from __future__ import annotations

from innolink.accounts.roles import STAFF_ROLES, Role, has_role

OVERVIEW_READERS = frozenset(STAFF_ROLES | {Role.LEADER, Role.COORDINATOR})
REFRESHERS = frozenset({Role.ORGANIZER, Role.ADMIN})


def can_read_overview(user) -> bool:
    return has_role(user, *OVERVIEW_READERS)


def can_refresh(user) -> bool:
    return has_role(user, *REFRESHERS)
