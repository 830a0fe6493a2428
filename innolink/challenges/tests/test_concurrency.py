"""Two researchers claiming the last open place at once: exactly one wins. The challenge row is
locked with SELECT ... FOR UPDATE, so the second transaction waits, re-reads the count and is
refused. Needs PostgreSQL (SQLite serializes every write transaction anyway)."""

import threading

import pytest
from django.db import connection, connections

from innolink.challenges import services
from innolink.challenges.models import Challenge, Proposal
from innolink.challenges.tests.factories import make_challenge, make_researcher, proposal_data
from innolink.core.errors import Conflict


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_researchers_claiming_the_last_place_exactly_one_wins():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks")
    for _attempt in range(5):  # repeat to give the race several chances
        challenge = make_challenge(state="published", max_claims=2)
        services.proposal_create(actor=make_researcher(), challenge=challenge,
                                 data=proposal_data())  # one of two places taken
        racers = [make_researcher(), make_researcher()]
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def claim(user):
            try:
                barrier.wait()
                services.proposal_create(actor=user, challenge=challenge, data=proposal_data())
                outcomes.append("won")
            except Conflict as exc:
                outcomes.append(exc.code)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=claim, args=(u,)) for u in racers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        challenge.refresh_from_db()
        assert sorted(outcomes) == ["no_places", "won"]
        assert challenge.open_claims == 2
        assert Proposal.objects.filter(challenge=challenge).count() == 2
        assert Challenge.objects.get(pk=challenge.pk).places_left == 0
