"""Who may do what in 气象+. Meteorological staff run the service; organizer staff and admins
read warnings and who has not responded; an enterprise sees only its own notices and profile."""

from __future__ import annotations

from innolink.accounts.roles import Role, has_role

WEATHER_STAFF = frozenset({Role.METEOROLOGIST, Role.ADMIN})
WEATHER_READERS = WEATHER_STAFF | {Role.ORGANIZER, Role.LEADER}


def is_weather_staff(user) -> bool:
    return has_role(user, *WEATHER_STAFF)


def can_read_warnings(user) -> bool:
    return has_role(user, *WEATHER_READERS)


def is_enterprise(user) -> bool:
    return has_role(user, Role.ENTERPRISE) and bool(getattr(user, "enterprise_id", None))
