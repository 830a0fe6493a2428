"""What other apps call when something becomes a project (no double entry; decision 0502).

Each function registers the work to run after the caller's transaction commits, in its own
transaction; a failure there is logged and never undoes the caller's change (the reconciling
job, ``services.projects_reconcile``, creates anything missed)::

    from innolink.projects.hooks import challenge_changed
    challenge_changed(challenge.pk)
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _after_commit(func, **kwargs) -> None:
    def run() -> None:
        try:
            func(**kwargs)
        except Exception:  # the caller's change stands; the reconciling job catches up
            logger.exception("project hook %s(%s) failed", func.__name__, kwargs)

    transaction.on_commit(run)


def challenge_changed(challenge_id: int) -> None:
    """A 揭榜 contract was signed, or a contract milestone or the acceptance was recorded."""
    from innolink.projects.services import project_from_challenge

    _after_commit(project_from_challenge, challenge_id=challenge_id)


def award_recorded(award_id: int) -> None:
    """A contest award was recorded (赛事签约)."""
    from innolink.projects.services import project_from_award

    _after_commit(project_from_award, award_id=award_id)
