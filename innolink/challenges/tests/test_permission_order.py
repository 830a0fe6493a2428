"""Permission before rules: a user who may not take an action is told so (403, or 404 for a
record they may not see) before any rule about the record's state or content, so another
enterprise never learns "还有 2 个合同节点未完成" or that a deadline has not passed."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from innolink.accounts.roles import Role
from innolink.challenges import services
from innolink.challenges.models import Challenge, Milestone, OfferInterest, TechnologyOffer
from innolink.challenges.tests.factories import (make_challenge, make_poster, make_proposal,
                                                 make_researcher, proposal_data)
from innolink.core.errors import NotFound, PermissionDenied
from innolink.core.models import AuditEntry
from innolink.core.testing import assert_json_error
from innolink.enterprises.testing import make_enterprise, make_user

pytestmark = pytest.mark.django_db


def _in_progress(poster, staff):
    """A contracted challenge with two pending milestones."""
    challenge = make_challenge(poster=poster, state="published", staff=staff)
    proposal = make_proposal(challenge, make_researcher())
    services.proposal_shortlist(actor=staff, proposal=proposal)
    services.proposal_match(actor=staff, proposal=proposal)
    start = timezone.localdate() + dt.timedelta(days=10)
    services.challenge_contract(actor=poster, challenge=challenge, amount="100",
                                start=start.isoformat(), milestones=[
                                    {"title": "小试", "due_on": (start + dt.timedelta(days=90))
                                     .isoformat(), "payment": "30"},
                                    {"title": "中试", "due_on": (start + dt.timedelta(days=200))
                                     .isoformat(), "payment": "30"}])
    challenge.refresh_from_db()
    assert challenge.milestones.filter(state="pending").count() == 2
    return challenge


def _step(client, challenge, action):
    return client.post(f"/api/challenges/{challenge.pk}/{action}", "{}",
                       content_type="application/json")


def _no_rule_leaks(body: dict) -> None:
    assert "节点" not in body["message"] and "截止" not in body["message"], body


def test_accept_by_another_enterprise_is_403_not_the_pending_milestones(client):
    poster, staff = make_poster(), make_user(Role.ORGANIZER)
    challenge = _in_progress(poster, staff)
    other = make_poster()
    client.force_login(other)
    body = assert_json_error(_step(client, challenge, "accept"), 403,
                             "permission_denied")
    _no_rule_leaks(body)
    page = client.post(f"/challenges/{challenge.pk}/action/accept/")
    assert page.status_code == 403 and "合同节点" not in page.content.decode()
    # the owner is told the rule
    client.force_login(poster)
    body = assert_json_error(_step(client, challenge, "accept"), 409,
                             "milestones_pending")
    assert "还有 2 个合同节点未完成" in body["message"]


def test_expire_by_a_non_staff_user_is_403_not_the_deadline(client):
    poster = make_poster()
    challenge = make_challenge(poster=poster, state="published")
    for user in (make_poster(), poster, make_researcher()):
        client.force_login(user)
        body = assert_json_error(_step(client, challenge, "expire"), 403,
                                 "permission_denied")
        _no_rule_leaks(body)
    client.force_login(make_user(Role.ORGANIZER))
    assert_json_error(_step(client, challenge, "expire"), 409,
                      "deadline_not_passed")


def test_publish_and_submit_by_the_wrong_user_are_refused_before_their_rules():
    poster = make_poster()
    submitted = make_challenge(poster=poster, state="submitted")
    Challenge.objects.filter(pk=submitted.pk).update(
        claim_deadline=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(NotFound):  # another enterprise may not see a submission
        services.challenge_publish(actor=make_poster(), challenge=submitted)
    with pytest.raises(PermissionDenied):  # the poster sees it but may not publish
        services.challenge_publish(actor=poster, challenge=submitted)
    draft = make_challenge(poster=poster, state="draft")
    draft.indicators.all().delete()
    with pytest.raises(NotFound):
        services.challenge_submit(actor=make_poster(), challenge=draft)
    assert Challenge.objects.get(pk=draft.pk).state == "draft"


def test_milestone_by_another_enterprise_is_403_even_when_done():
    poster, staff = make_poster(), make_user(Role.ORGANIZER)
    challenge = _in_progress(poster, staff)
    milestone = challenge.milestones.first()
    services.milestone_complete(actor=poster, milestone=milestone)
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        services.milestone_complete(actor=make_poster(), milestone=milestone)
    assert AuditEntry.objects.count() == before
    assert Milestone.objects.filter(challenge=challenge, state="done").count() == 1


def test_claiming_an_unpublished_challenge_is_404_whatever_the_input(client):
    draft = make_challenge(state="draft")
    client.force_login(make_researcher())
    bad = proposal_data(approach="短", budget="-1")
    assert_json_error(client.post(f"/api/challenges/{draft.pk}/claim", json.dumps(bad),
                                  content_type="application/json"), 404, "not_found")


def test_interest_in_an_unpublished_offer_is_404_whatever_the_message(client):
    owner = make_user(Role.RESEARCHER)
    offer = services.offer_create(actor=owner, data={
        "title": "高耐磨再生橡胶鞋底材料", "domain": "materials", "trl": "6",
        "summary": "以废旧轮胎胶粉为原料，经动态脱硫和纳米补强制备的鞋底材料，耐磨达到原生胶水平。",
        "applications": "运动鞋大底", "ip_status": "patent_granted",
        "cooperation_mode": "licence", "contact_name": "李博士", "contact_phone": "13700000000"})
    enterprise_user = make_user(Role.ENTERPRISE, enterprise=make_enterprise())
    for message in ("", "希望合作"):
        with pytest.raises(NotFound):
            services.offer_interest_create(actor=enterprise_user, offer=offer, message=message)
    assert TechnologyOffer.objects.get(pk=offer.pk).state == "draft"
    assert not OfferInterest.objects.exists()
