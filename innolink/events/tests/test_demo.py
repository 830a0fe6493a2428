"""The events demo: deterministic, idempotent, and it gives each demo account something to see."""

from __future__ import annotations

import pytest

from innolink.accounts.models import Department, Institution, User
from innolink.enterprises.testing import make_enterprise
from innolink.demo import generator
from innolink.demo.services import demo_accounts_ensure
from innolink.events import demo, selectors
from innolink.events.models import Award, Event, JudgingRound, Meeting, ReviewAssignment

pytestmark = [pytest.mark.django_db, pytest.mark.demo_seed]


@pytest.fixture
def demo_city(db):
    for name, kind, province, city in generator.INSTITUTIONS:
        Institution.objects.create(name=name, kind=kind, province=province, city=city,
                                   is_demo=True)
    for code, name in generator.DEPARTMENTS:
        Department.objects.create(code=code, name=name)
    for _ in range(12):
        make_enterprise(is_demo=True)
    demo_accounts_ensure()


def test_demo_seed_is_idempotent_and_complete(demo_city):
    summary = demo.seed(seed=2026)
    assert "对接活动 1 场" in summary and "决赛" in summary
    event = Event.objects.get(title=demo.EVENT_TITLE)
    assert event.state == "published"
    meetings = list(Meeting.objects.filter(event=event))
    assert meetings
    for key in ("host_key", "guest_key"):
        seen = [(m.slot_id, getattr(m, key)) for m in meetings]
        assert len(seen) == len(set(seen))
    # the demo enterprise and the demo researcher each have an agenda
    for username in ("enterprise", "researcher"):
        user = User.objects.get(username=username)
        assert selectors.agendas_for_user(user, event), username
    final = JudgingRound.objects.get(title=demo.FINAL_TITLE)
    assert final.state == "finalised" and Award.objects.filter(round=final).count() == 6
    assert final.results.filter(rank=1).exists()
    semi = JudgingRound.objects.get(title=demo.SEMI_TITLE)
    reviewer = User.objects.get(username="reviewer")
    assert ReviewAssignment.objects.filter(round=semi, reviewer=reviewer,
                                           state="assigned").exists()
    counts = (Event.objects.count(), Meeting.objects.count(), ReviewAssignment.objects.count(),
              Award.objects.count())
    again = demo.seed(seed=2026)
    assert "已存在" in again
    assert counts == (Event.objects.count(), Meeting.objects.count(),
                      ReviewAssignment.objects.count(), Award.objects.count())

