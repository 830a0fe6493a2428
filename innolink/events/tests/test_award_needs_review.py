"""Issue 16: an award goes only to an entry reviewers scored (ADR 0795). A round finalised with
missing reviews leaves unscored entries without a rank; the service refuses their award and
the round page offers no award form for them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict
from innolink.core.models import AuditEntry
from innolink.enterprises.testing import make_user
from innolink.events import services
from innolink.events.models import Award, ResultRow, ReviewAssignment
from innolink.events.tests.factories import make_proposal, make_reviewer

pytestmark = pytest.mark.django_db


@pytest.fixture
def finalised_with_an_unscored_entry():
    staff = make_user(Role.ORGANIZER)
    rnd = services.round_create(actor=staff, title="决赛", reviewers_per_entry=1,
                                default_max_load=2)
    entries = services.round_entries_add(actor=staff, round=rnd,
                                         proposals=[make_proposal(), make_proposal()])
    services.round_reviewers_add(actor=staff, round=rnd,
                                 reviewers=[make_reviewer(), make_reviewer()])
    services.round_assign(actor=staff, round=rnd)
    services.round_open_scoring(actor=staff, round=rnd)
    scored = ReviewAssignment.objects.filter(round=rnd, entry=entries[0]).first()
    services.score_submit(actor=scored.reviewer, assignment=scored,
                          points={c.pk: str(c.max_points) for c in rnd.criteria.all()})
    services.round_finalise(actor=staff, round=rnd, allow_missing=True)
    rnd.refresh_from_db()
    return staff, rnd, entries


def test_an_entry_nobody_scored_gets_no_award(finalised_with_an_unscored_entry):
    staff, rnd, (reviewed, unreviewed) = finalised_with_an_unscored_entry
    assert ResultRow.objects.get(entry=unreviewed).rank is None
    with pytest.raises(Conflict) as refused:
        services.award_record(actor=staff, round=rnd, entry=unreviewed, level="first")
    assert refused.value.code == "not_reviewed"
    assert not Award.objects.exists()
    assert not AuditEntry.objects.filter(model="events.award").exists()
    assert services.award_record(actor=staff, round=rnd, entry=reviewed, level="first").pk


def test_the_round_page_offers_the_award_form_only_for_scored_entries(
        client, finalised_with_an_unscored_entry):
    staff, rnd, (reviewed, unreviewed) = finalised_with_an_unscored_entry
    client.force_login(staff)
    body = client.get(reverse("events:round-detail", args=[rnd.pk])).content.decode()
    assert f'name="entry" value="{reviewed.pk}"' in body
    assert f'name="entry" value="{unreviewed.pk}"' not in body
    assert "无评审得分，不能评奖" in body
    response = client.post(reverse("events:award-record", args=[rnd.pk]),
                           {"entry": unreviewed.pk, "level": "first"}, follow=True)
    assert "该方案没有评审得分，不能评定奖项" in response.content.decode()
    assert not Award.objects.exists()
