"""Who may use the matching pages. Views, the API and the selectors ask these predicates."""

from __future__ import annotations

from innolink.accounts.roles import Role, has_role
from innolink.challenges import access as board_access


def is_matching_staff(user) -> bool:
    """Organizer staff and administrators: every recommendation, the terms, rebuilds and
    invitation runs."""
    return board_access.is_board_staff(user)


def may_see_challenge_matches(user, challenge) -> bool:
    """Staff, or the users of the enterprise (or the staff member) that posted the challenge."""
    return is_matching_staff(user) or board_access.owns_challenge(user, challenge)


def may_see_researcher_matches(user, profile) -> bool:
    return is_matching_staff(user) or (
        has_role(user, Role.RESEARCHER) and profile.user_id is not None
        and profile.user_id == user.pk)


def may_see_offer_matches(user, offer) -> bool:
    if is_matching_staff(user) or board_access.owns_offer(user, offer):
        return True
    researcher = offer.researcher
    return bool(researcher and researcher.user_id and researcher.user_id == user.pk
                and has_role(user, Role.RESEARCHER))
