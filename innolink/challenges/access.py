"""Who may do what on the challenge board. Views, APIs and services ask these predicates."""

from __future__ import annotations

from innolink.accounts.roles import Role, has_role
from innolink.challenges import lifecycle

BOARD_STAFF = frozenset({Role.ORGANIZER, Role.ADMIN})


def is_board_staff(user) -> bool:
    return has_role(user, *BOARD_STAFF)


def is_researcher(user) -> bool:
    return has_role(user, Role.RESEARCHER)


def can_post_challenge(user) -> bool:
    """Enterprise users post for their own enterprise; staff post for an enterprise or an
    institution (on behalf of a laboratory without an account)."""
    return (has_role(user, Role.ENTERPRISE) and bool(user.enterprise_id)) or is_board_staff(user)


def owns_challenge(user, challenge) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    if challenge.enterprise_id and has_role(user, Role.ENTERPRISE):
        return user.enterprise_id == challenge.enterprise_id
    return bool(challenge.created_by_id) and challenge.created_by_id == user.pk \
        and challenge.enterprise_id is None


def actors_for(user, challenge) -> set[str]:
    actors: set[str] = set()
    if owns_challenge(user, challenge):
        actors.add(lifecycle.OWNER)
    if is_board_staff(user):
        actors.add(lifecycle.STAFF)
    if is_researcher(user):
        actors.add(lifecycle.RESEARCHER)
    return actors


def can_post_offer(user) -> bool:
    return (is_researcher(user) and bool(user.institution_id)) or is_board_staff(user)


def owns_offer(user, offer) -> bool:
    if not (user and user.is_authenticated and user.is_active):
        return False
    return offer.created_by_id == user.pk


def can_express_interest(user) -> bool:
    return has_role(user, Role.ENTERPRISE) and bool(user.enterprise_id)
