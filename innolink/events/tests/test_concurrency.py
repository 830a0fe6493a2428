"""Concurrent organizers on PostgreSQL: the same pair invited twice at once gives one invitation
and a refusal; schedules run at the same moment leave one consistent schedule; two reviewers'
sessions scoring one assignment at once leave one complete set of scores.

Run with
    scripts/with-postgres .venv/bin/python -m pytest innolink/events -q
"""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict
from innolink.enterprises.testing import make_user
from innolink.events import services
from innolink.events.models import Invitation, Meeting, ReviewAssignment, Score
from innolink.events.tests.conftest import EVENT_DATE
from innolink.events.tests.factories import make_proposal, make_researcher, make_reviewer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _parallel(fns):
    barrier = threading.Barrier(len(fns))
    outcomes = [None] * len(fns)

    def run(i, fn):
        try:
            barrier.wait()
            outcomes[i] = fn()
        except Exception as exc:  # collected and asserted below
            outcomes[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return outcomes


@pytest.fixture
def needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")


def test_same_pair_invited_at_once_gives_one_invitation(needs_postgres):
    staff = [make_user(Role.ORGANIZER) for _ in range(6)]
    event = services.event_create(actor=staff[0], title="对接会", date=EVENT_DATE, venue="晋江")
    proposal = make_proposal()
    outcomes = _parallel([
        (lambda s=s: services.invitation_create(actor=s, event=event, proposal=proposal))
        for s in staff])
    assert sum(isinstance(o, Invitation) for o in outcomes) == 1, outcomes
    refused = [o for o in outcomes if not isinstance(o, Invitation)]
    assert all(isinstance(o, Conflict) and o.code == "already_invited" for o in refused), outcomes
    assert Invitation.objects.filter(event=event).count() == 1


def test_parallel_schedules_leave_one_consistent_schedule(needs_postgres):
    staff = make_user(Role.ORGANIZER)
    event = services.event_create(actor=staff, title="对接会", date=EVENT_DATE, venue="晋江",
                                  slot_count=4, rooms=["A", "B", "C"])
    first = make_proposal()
    enterprise = first.challenge.enterprise
    for _ in range(5):
        make_proposal(challenge=first.challenge, researcher=make_researcher())
    for _ in range(4):
        make_proposal(researcher=first.researcher)
    services.invitations_invite_shortlisted(actor=staff, event=event)
    outcomes = _parallel([(lambda: services.event_schedule(actor=staff, event=event))
                          for _ in range(4)])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    meetings = list(Meeting.objects.filter(event=event))
    assert len(meetings) == outcomes[0].placed
    for key in ("host_key", "guest_key"):
        seen = [(m.slot_id, getattr(m, key)) for m in meetings]
        assert len(seen) == len(set(seen))
    # the enterprise has 6 pairs but only 4 slots
    assert sum(m.host_key == f"e:{enterprise.pk}" for m in meetings) == 4


def test_parallel_score_submissions_leave_one_complete_set(needs_postgres):
    staff = make_user(Role.ORGANIZER)
    reviewer = make_reviewer()
    rnd = services.round_create(actor=staff, title="决赛", reviewers_per_entry=1)
    services.round_entries_add(actor=staff, round=rnd, proposals=[make_proposal()])
    services.round_reviewers_add(actor=staff, round=rnd, reviewers=[reviewer])
    services.round_assign(actor=staff, round=rnd)
    services.round_open_scoring(actor=staff, round=rnd)
    assignment = ReviewAssignment.objects.get()
    criteria = list(rnd.criteria.all())
    versions = [{c.pk: str(c.max_points - i) for c in criteria} for i in range(5)]
    outcomes = _parallel([
        (lambda v=v: services.score_submit(actor=reviewer, assignment=assignment, points=v))
        for v in versions])
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assignment.refresh_from_db()
    scores = list(Score.objects.filter(assignment=assignment))
    assert len(scores) == 4
    assert sum(s.points for s in scores) == assignment.total
    assert assignment.total in {Decimal(100) - 4 * i for i in range(5)}
