import pytest

from innolink.challenges import services
from innolink.challenges.tests.factories import make_challenge, make_proposal

pytestmark = pytest.mark.django_db


def test_full_flow(poster, staff, researcher):
    c = make_challenge(poster=poster, state="published", staff=staff)
    p = make_proposal(c, researcher)
    c.refresh_from_db()
    assert c.state == "claimed" and c.open_claims == 1
    services.proposal_shortlist(actor=staff, proposal=p)
    services.proposal_match(actor=staff, proposal=p)
    c.refresh_from_db()
    services.challenge_contract(actor=poster, challenge=c, amount="1500000", start="2027-01-01",
                                milestones=[{"title": "a", "due_on": "2027-06-01",
                                             "payment": "100"}])
    c.refresh_from_db()
    assert c.state == "contracted"
