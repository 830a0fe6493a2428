"""The challenge API: every step of the path, the one error shape, tenant isolation."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from innolink.accounts.roles import Role
from innolink.challenges.models import Challenge, Proposal, TechnologyOffer
from innolink.challenges.tests.factories import (
    challenge_data,
    make_challenge,
    make_poster,
    make_proposal,
    make_researcher,
    proposal_data,
)
from innolink.core.models import AuditEntry
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db


def post(client, url, payload=None):
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


def test_every_step_from_posting_to_closing_through_the_api(client, staff, poster, researcher):
    # post and submit (enterprise)
    client.force_login(poster)
    created = assert_json_success(post(client, "/api/challenges", challenge_data()), 201)
    cid = created["id"]
    assert created["state"] == "draft" and created["contact"]["phone"] == "0595-88001234"
    assert assert_json_success(post(client, f"/api/challenges/{cid}/submit"))["state"] == \
        "submitted"
    # publish (staff)
    client.force_login(staff)
    assert assert_json_success(post(client, f"/api/challenges/{cid}/publish"))["state"] == \
        "published"
    # find and claim (researcher)
    client.force_login(researcher)
    board = assert_json_success(client.get("/api/challenges", {"q": "光刻胶 介电常数"}))
    assert [item["id"] for item in board["items"]] == [cid]
    claimed = assert_json_success(post(client, f"/api/challenges/{cid}/claim",
                                       proposal_data()), 201)
    assert claimed["state"] == "submitted" and claimed["budget"] == "1800000.00"
    mine = assert_json_success(client.get("/api/challenges/proposals/mine"))
    assert [p["id"] for p in mine] == [claimed["id"]]
    # shortlist and match (staff)
    client.force_login(staff)
    pid = claimed["id"]
    assert assert_json_success(post(client, f"/api/challenges/proposals/{pid}/shortlist"))[
        "state"] == "shortlisted"
    assert assert_json_success(post(client, f"/api/challenges/proposals/{pid}/match"))[
        "state"] == "matched"
    # contract, milestones, acceptance (enterprise), close (staff)
    client.force_login(poster)
    start = timezone.localdate().isoformat()
    later = (timezone.localdate() + dt.timedelta(days=180)).isoformat()
    contracted = assert_json_success(post(client, f"/api/challenges/{cid}/contract", {
        "amount": "1700000", "start": start,
        "milestones": [{"title": "小试", "due_on": later, "payment": "500000"}]}))
    assert contracted["state"] == "contracted" and contracted["contract_amount"] == "1700000.00"
    mid = contracted["milestones"][0]["id"]
    assert_json_error(post(client, f"/api/challenges/{cid}/accept"), 409, "milestones_pending")
    assert assert_json_success(post(client, f"/api/challenges/milestones/{mid}/complete"))[
        "state"] == "done"
    assert assert_json_success(post(client, f"/api/challenges/{cid}/accept"))["state"] == \
        "accepted"
    client.force_login(staff)
    assert assert_json_success(post(client, f"/api/challenges/{cid}/close"))["state"] == "closed"
    states = [e.changes["state"] for e in AuditEntry.objects.filter(
        model="challenges.challenge", object_id=str(cid), action="transition").order_by("pk")]
    assert states == [["draft", "submitted"], ["submitted", "published"],
                      ["published", "claimed"], ["claimed", "shortlisted"],
                      ["shortlisted", "matched"], ["matched", "contracted"],
                      ["contracted", "in_progress"], ["in_progress", "accepted"],
                      ["accepted", "closed"]]


def test_invalid_post_names_fields_in_chinese_and_writes_nothing(client, poster):
    client.force_login(poster)
    body = assert_json_error(post(client, "/api/challenges", challenge_data(
        time_limit_months=200, funding="-1", domain="tourism", indicators=[])), 422, "invalid")
    fields = body["extra"]["fields"]
    assert fields["time_limit_months"] == ["时限要求：最长 120 个月"]
    assert fields["funding"] == ["资金投入：不得为负数"]
    assert fields["domain"] == ["主领域：应为六大领域之一"]
    assert "indicators" not in fields  # optional: a screening check, not a refusal
    assert Challenge.objects.count() == 0 and AuditEntry.objects.count() == 0


def test_the_wrong_role_is_refused_each_step(client, staff, poster, researcher):
    challenge = make_challenge(poster=poster, state="submitted", staff=staff)
    client.force_login(poster)
    assert_json_error(post(client, f"/api/challenges/{challenge.pk}/publish"), 403,
                      "permission_denied")
    client.force_login(researcher)
    assert_json_error(post(client, f"/api/challenges/{challenge.pk}/publish"), 404, "not_found")
    client.force_login(staff)
    assert_json_error(post(client, f"/api/challenges/{challenge.pk}/return"), 422, "invalid")
    challenge.refresh_from_db()
    assert challenge.state == "submitted"


@pytest.mark.parametrize("suffix", ["", "/proposals", "/submit", "/claim"])
def test_another_tenant_learns_nothing_about_a_draft(client, staff, suffix):
    draft = make_challenge(state="draft")
    client.force_login(make_poster())
    method = client.get if suffix in ("", "/proposals") else (
        lambda url: post(client, url, proposal_data()))
    hidden = method(f"/api/challenges/{draft.pk}{suffix}")
    missing = method(f"/api/challenges/{draft.pk + 999}{suffix}")
    assert assert_json_error(hidden, 404, "not_found") == assert_json_error(missing, 404,
                                                                             "not_found")


def test_public_detail_has_no_contact_and_no_review_comment(client, staff):
    challenge = make_challenge(state="published", staff=staff)
    body = assert_json_success(client.get(f"/api/challenges/{challenge.pk}"))
    assert body["contact"] is None and body["review_comment"] is None
    assert [i["name"] for i in body["indicators"]] == ["介电常数", "玻璃化转变温度"]


def test_claim_when_places_are_full_is_refused_and_not_counted(client, staff):
    challenge = make_challenge(state="published", staff=staff, max_claims=1)
    make_proposal(challenge)
    late = make_researcher()
    client.force_login(late)
    assert_json_error(post(client, f"/api/challenges/{challenge.pk}/claim", proposal_data()),
                      409, "no_places")
    challenge.refresh_from_db()
    assert challenge.open_claims == 1 and Proposal.objects.count() == 1


def test_offer_publish_interest_and_conversation(client, staff, researcher):
    client.force_login(researcher)
    offer = assert_json_success(post(client, "/api/challenges/offers", {
        "title": "高耐磨再生橡胶鞋底材料", "domain": "materials", "trl": 6,
        "summary": "以废旧轮胎胶粉为原料，经动态脱硫和纳米补强制备的鞋底材料，耐磨性能达到原生胶水平。",
        "applications": "运动鞋、工装鞋大底", "ip_status": "patent_granted",
        "cooperation_mode": "licence", "asking_price": "500000",
        "contact_name": "李博士", "contact_phone": "13700000000"}), 201)
    oid = offer["id"]
    assert_json_success(post(client, f"/api/challenges/offers/{oid}/submit"))
    # not public before publication
    enterprise = make_user(Role.ENTERPRISE)
    client.force_login(enterprise)
    assert_json_error(client.get(f"/api/challenges/offers/{oid}"), 404, "not_found")
    client.force_login(staff)
    assert assert_json_success(post(client, f"/api/challenges/offers/{oid}/publish"))[
        "state"] == "published"
    client.force_login(enterprise)
    interest = assert_json_success(post(client, f"/api/challenges/offers/{oid}/interest",
                                        {"message": "我司希望许可使用，年产 200 万双。"}), 201)
    assert [m["body"] for m in interest["messages"]] == ["我司希望许可使用，年产 200 万双。"]
    assert_json_error(post(client, f"/api/challenges/offers/{oid}/interest",
                           {"message": "再来一次"}), 409, "already_interested")
    client.force_login(researcher)
    assert_json_success(post(client, f"/api/challenges/interests/{interest['id']}/messages",
                             {"body": "欢迎来实验室考察。"}), 201)
    assert enterprise.notifications.filter(kind="offer.message").count() == 1
    # a third party sees nothing of the conversation
    client.force_login(make_user(Role.ENTERPRISE))
    assert_json_error(client.get(f"/api/challenges/interests/{interest['id']}"), 404,
                      "not_found")
    assert TechnologyOffer.objects.get().state == "published"


def test_overview_requires_staff(client, staff, poster):
    client.force_login(poster)
    assert_json_error(client.get("/api/challenges/overview"), 403, "permission_denied")
    client.force_login(staff)
    body = assert_json_success(client.get("/api/challenges/overview"))
    assert body["total"] == 0 and body["claim_rate"] is None


def test_anonymous_cannot_post(client):
    assert_json_error(post(client, "/api/challenges", challenge_data()), 401,
                      "not_authenticated")


def test_attachments_through_the_api_are_checked(client, staff, researcher):
    from django.core.files.uploadedfile import SimpleUploadedFile

    challenge = make_challenge(state="published", staff=staff)
    proposal = make_proposal(challenge, researcher)
    client.force_login(researcher)
    good = SimpleUploadedFile("方案.pdf", b"%PDF-1.7\n" + b"0" * 100)
    body = assert_json_success(client.post(
        f"/api/challenges/proposals/{proposal.pk}/attachments", {"file": good}), 201)
    assert (body["original_name"], body["kind"], body["size"]) == ("方案.pdf", "proposal", 109)
    bad = SimpleUploadedFile("方案.docx", b"not a zip")
    err = assert_json_error(client.post(f"/api/challenges/proposals/{proposal.pk}/attachments",
                                        {"file": bad}), 422, "invalid")
    assert err["extra"]["fields"]["file"] == ["附件：文件内容与扩展名 .docx 不符"]
    client.force_login(make_researcher())
    assert_json_error(client.post(f"/api/challenges/proposals/{proposal.pk}/attachments",
                                  {"file": good}), 404, "not_found")
    assert proposal.attachments.count() == 1
