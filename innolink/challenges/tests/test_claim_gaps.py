"""Issue 16, "Flows that break": a milestone beyond the challenge's time limit is refused at its
field, and once a challenge takes no more claims (入围 and later) the board shows no free
place and the claim page says why before anything is typed (ADR 0795)."""

import pytest
from django.urls import reverse

from innolink.challenges import services
from innolink.challenges.models import Challenge, Proposal
from innolink.challenges.tests.factories import (
    make_challenge,
    make_proposal,
    make_researcher,
    proposal_data,
)
from innolink.core.errors import ValidationFailed
from innolink.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_a_milestone_after_the_time_limit_is_refused_at_its_field(staff, researcher):
    challenge = make_challenge(state="published", staff=staff)  # 24 months
    data = proposal_data(milestones=[{"title": "小试", "month": 6, "deliverable": ""},
                                     {"title": "验收", "month": 30, "deliverable": ""}])
    with pytest.raises(ValidationFailed) as refused:
        services.proposal_create(actor=researcher, challenge=challenge, data=data)
    assert refused.value.fields == {
        "milestones.2.month": ["第 2 个节点月份：不得超过榜单时限 24 个月"]}
    challenge.refresh_from_db()
    assert challenge.open_claims == 0 and not Proposal.objects.exists()
    assert not AuditEntry.objects.filter(model="challenges.proposal").exists()
    # month 24 itself is inside the limit
    data["milestones"][1]["month"] = 24
    assert services.proposal_create(actor=researcher, challenge=challenge, data=data).pk


def test_the_claim_page_bounds_the_month_and_shows_the_error_at_its_row(client, staff,
                                                                        researcher):
    challenge = make_challenge(state="published", staff=staff)
    client.force_login(researcher)
    url = reverse("challenges:claim", args=[challenge.pk])
    assert 'max="24" name="ms-0-month"' in client.get(url).content.decode()
    post = {"approach": "采用含氟苯并环丁烯单体共聚，降低极化率，进一步降低介电常数。",
            "budget": "180", "plan": "第1-6个月合成与表征，之后中试与验证。",
            "ms-0-title": "验收", "ms-0-month": "30"}
    response = client.post(url, post)
    assert response.status_code == 422
    body = response.content.decode()
    assert "不得超过榜单时限 24 个月" in body and 'value="30"' in body
    assert not Proposal.objects.exists()


def test_after_the_first_shortlisting_no_place_is_offered_and_the_form_does_not_open(
        client, staff, researcher):
    challenge = make_challenge(state="published", staff=staff)
    proposal = make_proposal(challenge)
    services.proposal_shortlist(actor=staff, proposal=proposal)
    challenge.refresh_from_db()
    assert challenge.state == "shortlisted" and challenge.open_claims < challenge.max_claims
    assert challenge.places_left == 0

    board = client.get(reverse("challenges:board")).content.decode()
    assert "余 0 个名额" in board
    client.force_login(researcher)
    detail = client.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()
    assert "claim-link" not in detail
    url = reverse("challenges:claim", args=[challenge.pk])
    opened = client.get(url)
    assert opened.status_code == 302 and opened["Location"].endswith(f"/challenges/{challenge.pk}/")
    followed = client.get(opened["Location"]).content.decode()
    assert "不再接受揭榜" in followed
    posted = client.post(url, {"approach": "x"})  # refused on the state, not on the fields
    assert posted.status_code == 302
    assert Proposal.objects.filter(challenge=challenge).count() == 1


def test_a_full_or_own_claim_is_said_before_the_form(client, staff, researcher):
    challenge = make_challenge(state="published", staff=staff, max_claims=1)
    make_proposal(challenge, researcher)
    client.force_login(researcher)
    response = client.get(reverse("challenges:claim", args=[challenge.pk]), follow=True)
    assert "您已揭榜此榜单" in response.content.decode()
    other = make_researcher()
    client.force_login(other)
    response = client.get(reverse("challenges:claim", args=[challenge.pk]), follow=True)
    assert "揭榜名额已满" in response.content.decode()
    assert Challenge.objects.get(pk=challenge.pk).open_claims == 1
