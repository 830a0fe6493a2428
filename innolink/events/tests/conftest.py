import datetime as dt

import pytest

from innolink.accounts.roles import Role
from innolink.enterprises.testing import make_user
from innolink.events import services
from innolink.events.tests.factories import make_interest, make_proposal, make_researcher

EVENT_DATE = dt.date(2027, 3, 18)


@pytest.fixture
def staff(db):
    return make_user(Role.ORGANIZER, display_name="林主任")


@pytest.fixture
def event(staff):
    return services.event_create(actor=staff, title="揭榜领题对接会", date=EVENT_DATE,
                                 venue="晋江国际会展中心", start="09:00", slot_minutes=20,
                                 slot_count=3, break_minutes=10, rooms=["A 厅", "B 厅"])


@pytest.fixture
def pairs(db):
    """Enterprise E's challenge claimed by researchers R1 and R2, another enterprise's challenge
    claimed by R1, and E interested in a technology offer: E has 3 meetings, R1 has 2."""
    first = make_proposal()
    enterprise = first.challenge.enterprise
    second = make_proposal(researcher=first.researcher)
    third = make_proposal(challenge=first.challenge, researcher=make_researcher())
    interest = make_interest(enterprise=enterprise)
    return {"proposals": [first, second, third], "interest": interest, "enterprise": enterprise}
