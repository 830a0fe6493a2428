"""The provider the challenges app looks up for its recommendation slot
(``challenges.selectors.recommendations_for``): a short list of ``{title, url, reason, score}``.

On a challenge page the staff and the poster get researchers; elsewhere a researcher gets
challenges. Everybody else gets nothing, without a query (the public board stays at its pinned
query count)."""

from __future__ import annotations

import logging
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from innolink.accounts.roles import Role, has_role
from innolink.matching import access, selectors

logger = logging.getLogger(__name__)
SLOT_SIZE = 5


def _reason(r: selectors.Explained) -> str:
    """Why it is recommended, in the reader's language: the worded reasons after the rank (the
    engine's Chinese summary only for an explanation stored before reasons were codes)."""
    return _("；").join(r.reasons[1:]) if r.reasons else r.summary


def challenge_recommendations(user, *, challenge=None) -> list[dict[str, Any]]:
    if not getattr(user, "is_authenticated", False):
        return []
    try:
        if challenge is not None:
            if not access.may_see_challenge_matches(user, challenge):
                return []
            return [{"title": r.obj.name, "url": reverse("matching:challenge", args=[challenge.pk]),
                     "reason": _reason(r), "score": r.score}
                    for r in selectors.recommend_researchers(challenge, SLOT_SIZE)]
        if has_role(user, Role.RESEARCHER):
            profile = selectors.board.profile_of(user)
            if profile is None:
                return []
            return [{"title": r.obj.title, "url": reverse("challenges:detail", args=[r.obj.pk]),
                     "reason": _reason(r), "score": r.score}
                    for r in selectors.recommend_challenges(profile, SLOT_SIZE)]
    except Exception:  # an optional panel must never take the board page down
        logger.exception("matching recommendations failed")
    return []
