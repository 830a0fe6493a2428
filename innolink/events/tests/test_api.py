"""The JSON API: every step of an event and a judging round, with the roles' limits."""

from __future__ import annotations

import json

import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user
from innolink.events.models import Event, JudgingRound, ReviewAssignment, Score
from innolink.events.tests.conftest import EVENT_DATE
from innolink.events.tests.factories import make_proposal, make_reviewer

pytestmark = pytest.mark.django_db


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def test_event_flow_through_the_api(client, staff, pairs):
    client.force_login(staff)
    event = assert_json_success(post(client, "/api/events", {
        "title": "揭榜领题对接会", "date": EVENT_DATE.isoformat(), "venue": "晋江国际会展中心",
        "slot_count": 3, "rooms": ["A", "B"]}), 201)
    assert len(event["slots"]) == 3 and [r["name"] for r in event["rooms"]] == ["A", "B"]
    base = f"/api/events/{event['id']}"
    inv = assert_json_success(post(client, f"{base}/invitations",
                                   {"proposal_id": pairs["proposals"][0].pk, "priority": 2}), 201)
    assert inv["host"] == pairs["enterprise"].name
    assert assert_json_success(post(client, f"{base}/invitations/invite-shortlisted"),
                               201) == {"created": 3}
    outcome = assert_json_success(post(client, f"{base}/schedule"))
    assert outcome["placed"] == 4 and outcome["unplaced"] == {}
    schedule = assert_json_success(client.get(f"{base}/schedule"))
    assert len(schedule["meetings"]) == 4 and schedule["state"] == "scheduled"
    assert assert_json_success(post(client, f"{base}/publish"))["state"] == "published"
    # the participant reads only their own agenda
    insider = make_user(Role.ENTERPRISE, enterprise=pairs["enterprise"])
    client.force_login(insider)
    (agenda,) = assert_json_success(client.get(f"{base}/agenda"))
    assert agenda["participant"] == f"e:{pairs['enterprise'].pk}" and len(agenda["meetings"]) == 3
    assert [e["id"] for e in assert_json_success(client.get("/api/events"))] == [event["id"]]
    # and may not manage
    assert_json_error(post(client, f"{base}/schedule"), 403, "permission_denied")
    # another enterprise learns nothing: the same 404 as a missing event
    client.force_login(make_user(Role.ENTERPRISE))
    other = assert_json_error(client.get(f"{base}/agenda"), 404, "not_found")
    missing = assert_json_error(client.get("/api/events/987654/agenda"), 404, "not_found")
    assert other == missing
    assert assert_json_success(client.get("/api/events")) == []


def test_bad_event_input_is_a_422_naming_the_field(client, staff):
    client.force_login(staff)
    body = assert_json_error(post(client, "/api/events", {
        "title": "对接会", "date": EVENT_DATE.isoformat(), "venue": "晋江", "slot_minutes": 1}),
        422, "invalid")
    assert body["extra"]["fields"] == {"slot_minutes": ["每场洽谈时长（分钟）应在 5 到 240 之间"]}
    assert not Event.objects.exists()


def test_judging_flow_through_the_api(client, staff):
    proposals = [make_proposal() for _ in range(3)]
    reviewers = [make_reviewer() for _ in range(3)]
    reviewers.append(make_reviewer(enterprises=[proposals[0].challenge.enterprise]))
    client.force_login(staff)
    rnd = assert_json_success(post(client, "/api/events/rounds", {
        "title": "决赛", "reviewers_per_entry": 2, "default_max_load": 2,
        "criteria": [{"name": "技术可行性", "max_points": "60"},
                     {"name": "创新性", "max_points": "40"}]}), 201)
    base = f"/api/events/rounds/{rnd['id']}"
    assert [c["name"] for c in rnd["criteria"]] == ["技术可行性", "创新性"]
    assert assert_json_success(post(client, f"{base}/entries",
                                    {"ids": [p.pk for p in proposals]}), 201) == {"created": 3}
    assert assert_json_success(post(client, f"{base}/reviewers",
                                    {"ids": [u.pk for u in reviewers]}), 201) == {"created": 4}
    conflicts = assert_json_success(client.get(f"{base}/conflicts"))
    assert conflicts["refused"] == [{
        "entry_id": JudgingRound.objects.get().entries.get(proposal=proposals[0]).pk,
        "reviewer_id": reviewers[3].pk,
        "reason": f"同一企业：{proposals[0].challenge.enterprise.name}"}]
    out = assert_json_success(post(client, f"{base}/assign"))
    assert out["created"] == 6 and out["unmet"] == []
    assert len(assert_json_success(client.get(f"{base}/assignments"))) == 6
    assert assert_json_success(post(client, f"{base}/open"))["state"] == "scoring"
    # a reviewer sees and scores only their own assignments
    reviewer = reviewers[0]
    client.force_login(reviewer)
    mine = assert_json_success(client.get("/api/events/assignments"))
    assert {a["reviewer_id"] for a in mine} == {reviewer.pk} and mine
    theirs = ReviewAssignment.objects.exclude(reviewer=reviewer).first()
    assert assert_json_error(client.get(f"/api/events/assignments/{theirs.pk}"), 404,
                             "not_found") == \
        assert_json_error(client.get("/api/events/assignments/987654"), 404, "not_found")
    crit = {c["name"]: c["id"] for c in rnd["criteria"]}
    assert_json_error(post(client, f"/api/events/assignments/{theirs.pk}/scores",
                           {"points": {str(crit["技术可行性"]): "50", str(crit["创新性"]): "30"}}),
                      404, "not_found")
    bad = assert_json_error(post(client, f"/api/events/assignments/{mine[0]['id']}/scores",
                                 {"points": {str(crit["技术可行性"]): "61",
                                             str(crit["创新性"]): "30"}}), 422, "invalid")
    assert bad["extra"]["fields"] == {
        f"criterion_{crit['技术可行性']}": ["“技术可行性”的得分应在 0 到 60 之间"]}
    assert not Score.objects.exists()
    done = assert_json_success(post(client, f"/api/events/assignments/{mine[0]['id']}/scores",
                                    {"points": {str(crit["技术可行性"]): "50.5",
                                                str(crit["创新性"]): "30"}, "comment": "可行"}))
    assert done["state"] == "submitted" and done["total"] == "80.50"
    # a reviewer may not read the round's management endpoints
    assert_json_error(client.get(f"{base}/results"), 403, "permission_denied")
    # staff finalise (ignoring the missing scores) and record an award
    client.force_login(staff)
    assert_json_error(post(client, f"{base}/finalise"), 409, "scores_missing")
    results = assert_json_success(post(client, f"{base}/finalise", {"allow_missing": True}))
    assert results["final"] is True
    ranked = [r for r in results["rows"] if r["rank"]]
    assert len(ranked) == 1 and ranked[0]["rank"] == 1
    award = assert_json_success(post(client, f"{base}/awards", {
        "entry_id": ranked[0]["entry_id"], "level": "first", "prize": "50000.00"}), 201)
    assert award["prize"] == "50000.00"
    assert assert_json_success(client.get(f"{base}/results"))["rows"][0]["award"] == "first"


def test_researcher_cannot_reach_rounds_or_assignments(client):
    client.force_login(make_user(Role.RESEARCHER))
    assert_json_error(client.get("/api/events/assignments"), 403, "permission_denied")
    assert_json_error(client.get("/api/events/rounds/1"), 403, "permission_denied")
    assert assert_json_success(client.get("/api/events/rounds")) == []


def test_reviewer_profile_through_the_api(client):
    reviewer = make_user(Role.REVIEWER)
    client.force_login(reviewer)
    assert_json_error(client.get("/api/events/reviewers/me"), 404, "not_found")
    bad = assert_json_error(client.put("/api/events/reviewers/me", json.dumps(
        {"fields": ["materials", "space"]}), content_type="application/json"), 422, "invalid")
    assert bad["extra"]["fields"] == {"fields": ["评审领域无效：space；应为六大领域之一"]}
    saved = assert_json_success(client.put("/api/events/reviewers/me", json.dumps(
        {"fields": ["materials"], "keywords": "光刻胶", "default_max_load": 5}),
        content_type="application/json"))
    assert saved["fields"] == ["materials"] and saved["default_max_load"] == 5
    assert assert_json_success(client.get("/api/events/reviewers/me"))["keywords"] == "光刻胶"
    client.force_login(make_user(Role.ENTERPRISE))
    assert_json_error(client.get("/api/events/reviewers/me"), 403, "permission_denied")


def test_participant_availability_through_the_api(client, staff, event, pairs):
    client.force_login(staff)
    base = f"/api/events/{event.pk}"
    post(client, f"{base}/invitations", {"proposal_id": pairs["proposals"][0].pk})
    (host, guest) = assert_json_success(client.get(f"{base}/participants"))
    assert host["participant"] == f"e:{pairs['enterprise'].pk}" and guest["unavailable_slot_ids"] == []
    first = event.slots.first().pk
    saved = assert_json_success(client.put(f"{base}/participants", json.dumps(
        {"participant": guest["participant"], "unavailable_slot_ids": [first]}),
        content_type="application/json"))
    assert saved["unavailable_slot_ids"] == [first]
    assert_json_success(post(client, f"{base}/schedule"))
    (meeting,) = assert_json_success(client.get(f"{base}/schedule"))["meetings"]
    assert meeting["slot_id"] != first


def test_large_event_is_scheduled_in_a_job_through_the_api(client, staff, event, pairs,
                                                          django_capture_on_commit_callbacks,
                                                          monkeypatch):
    from innolink.events import services

    monkeypatch.setattr(services.events, "SYNC_SCHEDULE_PAIRS", 2)
    client.force_login(staff)
    base = f"/api/events/{event.pk}"
    post(client, f"{base}/invitations/invite-shortlisted")
    with django_capture_on_commit_callbacks(execute=True):
        started = assert_json_success(post(client, f"{base}/schedule"), 202)
    job = assert_json_success(client.get(f"/api/jobs/{started['job_id']}"))
    assert job["status"] == "succeeded"
    assert len(assert_json_success(client.get(f"{base}/schedule"))["meetings"]) == 4


def test_a_reviewer_declares_conflicts_only_on_what_their_rounds_show(client, staff):
    """Issue 16: the declaration looked records up unscoped and answered 201 for any existing
    id, 404 for a missing one. Now a proposal of the reviewer's rounds, its researcher and its
    enterprise are accepted; anything else answers exactly as a missing id, writing nothing."""
    from innolink.events import services
    from innolink.events.models import DeclaredConflict

    mine, elsewhere = make_proposal(), make_proposal()
    reviewer = make_reviewer()
    rnd = services.round_create(actor=staff, title="决赛")
    services.round_entries_add(actor=staff, round=rnd, proposals=[mine])
    services.round_reviewers_add(actor=staff, round=rnd, reviewers=[reviewer])
    client.force_login(reviewer)
    url = "/api/events/conflicts"
    for key, seen, unseen in (
            ("proposal_id", mine.pk, elsewhere.pk),
            ("researcher_id", mine.researcher_id, elsewhere.researcher_id),
            ("enterprise_id", mine.challenge.enterprise_id, elsewhere.challenge.enterprise_id)):
        before = DeclaredConflict.objects.count()
        other = post(client, url, {key: unseen, "reason": "曾合作"})
        missing = post(client, url, {key: 2**40, "reason": "曾合作"})
        assert (other.status_code, other.content) == (missing.status_code, missing.content)
        assert_json_error(other, 404, "not_found")
        assert DeclaredConflict.objects.count() == before
        assert_json_success(post(client, url, {key: seen, "reason": "曾合作"}), 201)
        assert DeclaredConflict.objects.count() == before + 1
