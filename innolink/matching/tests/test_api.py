"""JSON API: recommendations with explanations, tenant isolation, the one error shape."""

import json

import pytest

from innolink.accounts.roles import Role
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user
from innolink.engines.matching.engine import SIGNALS
from innolink.engines.matching.explain import MIN_SHARE
from innolink.matching.models import AssignmentRun, TechTerm
from innolink.matching.tests.factories import (make_challenge, make_offer, make_profile,
                                               make_researcher_user)

pytestmark = pytest.mark.django_db
API = "/api/matching"


@pytest.fixture
def staff():
    return make_user(Role.ORGANIZER)


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_challenge_researchers_with_explanations(client, staff):
    challenge = make_challenge(staff=staff)
    profile = make_profile(keywords="BCB光刻胶", achievements="介电常数 2.5")
    client.force_login(staff)
    [item] = assert_json_success(client.get(f"{API}/challenges/{challenge.pk}/researchers?k=5"))
    assert item["id"] == profile.pk and item["rank"] == 1 and item["name"] == profile.name
    assert item["indicators"][0]["status"] == "meets"
    # only the signals that lifted the candidate are listed, with their share of the lift
    names = {s["name"] for s in item["signals"]}
    assert names & {"lexical", "ngram"} and names <= set(SIGNALS)
    assert all(s["share"] >= MIN_SHARE for s in item["signals"])
    assert sum(s["share"] for s in item["signals"]) <= 1.0 + 1e-6
    assert item["reasons"][0] == "综合排名第 1" and item["similar"] == []
    spans = [h for h in item["highlights"] if h["field"] == "keywords"][0]["spans"]
    assert spans and "光刻胶" in "BCB光刻胶"[spans[0][0]:spans[-1][1]]


def test_another_enterprise_gets_the_missing_record_404(client, staff):
    challenge = make_challenge(staff=staff)
    client.force_login(make_user(Role.ENTERPRISE))
    theirs = assert_json_error(client.get(f"{API}/challenges/{challenge.pk}/researchers"),
                               404, "not_found")
    missing = assert_json_error(client.get(f"{API}/challenges/{challenge.pk + 99}/researchers"),
                                404, "not_found")
    assert theirs == missing
    assert_json_error(client.get(f"{API}/challenges/{2**70}/researchers"), 404, "not_found")


def test_the_poster_reads_their_challenges_recommendations(client):
    challenge = make_challenge()
    make_profile(keywords="光刻胶")
    client.force_login(challenge.created_by)
    assert len(assert_json_success(client.get(f"{API}/challenges/{challenge.pk}/researchers"))) == 1


def test_researcher_challenges_for_self_only(client, staff):
    challenge = make_challenge(staff=staff)
    user, profile = make_researcher_user(keywords="光刻胶")
    other = make_profile(keywords="光刻胶")
    client.force_login(user)
    [item] = assert_json_success(client.get(f"{API}/researchers/{profile.pk}/challenges"))
    assert item["id"] == challenge.pk and item["name"] == challenge.title
    assert_json_error(client.get(f"{API}/researchers/{other.pk}/challenges"), 404, "not_found")


def test_offer_enterprises_for_owner_only(client):
    from innolink.enterprises.testing import make_enterprise

    owner, _ = make_researcher_user()
    offer = make_offer(owner=owner)
    shoe = make_enterprise(products="运动鞋 橡胶大底")
    client.force_login(owner)
    items = assert_json_success(client.get(f"{API}/offers/{offer.pk}/enterprises"))
    assert items[0]["id"] == shoe.pk
    client.force_login(make_user(Role.ENTERPRISE))
    assert_json_error(client.get(f"{API}/offers/{offer.pk}/enterprises"), 404, "not_found")


def test_terms_list_add_delete(client, staff):
    client.force_login(staff)
    created = assert_json_success(_post(client, f"{API}/terms", {"term": "超临界发泡"}), 201)
    assert created["term"] == "超临界发泡" and created["added_by"]
    assert [t["term"] for t in assert_json_success(client.get(f"{API}/terms"))] == ["超临界发泡"]
    body = assert_json_error(_post(client, f"{API}/terms", {"term": "超临界发泡"}), 422,
                             "duplicate")
    assert "已在词典中" in body["extra"]["fields"]["term"][0]
    assert client.delete(f"{API}/terms/{created['id']}").status_code == 204
    assert_json_error(client.delete(f"{API}/terms/{created['id']}"), 404, "not_found")
    assert not TechTerm.objects.exists()


def test_terms_are_staff_only(client):
    client.force_login(make_user(Role.RESEARCHER))
    assert_json_error(client.get(f"{API}/terms"), 403, "permission_denied")
    assert_json_error(_post(client, f"{API}/terms", {"term": "光刻胶"}), 403, "permission_denied")
    assert not TechTerm.objects.exists()
    client.logout()
    assert_json_error(client.get(f"{API}/terms"), 401, "not_authenticated")


def test_rebuild_queues_a_job(client, staff, django_capture_on_commit_callbacks):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        body = assert_json_success(_post(client, f"{API}/rebuild", {}), 202)
    job = assert_json_success(client.get(f"/api/jobs/{body['job_id']}"))
    assert job["status"] == "succeeded"
    client.force_login(make_user(Role.ENTERPRISE))
    assert_json_error(_post(client, f"{API}/rebuild", {}), 403, "permission_denied")


def test_assignments_create_and_read(client, staff):
    challenge = make_challenge(staff=staff)
    profile = make_profile(keywords="光刻胶，BCB")
    client.force_login(staff)
    run = assert_json_success(_post(client, f"{API}/assignments", {
        "challenge_ids": [challenge.pk], "teams_per_challenge": 2, "researcher_limit": 1,
        "seed": 5}), 201)
    assert run["pairs"] == [{"challenge_id": challenge.pk, "researcher_id": profile.pk,
                             "score": run["pairs"][0]["score"]}]
    assert run["status"] == "partial" and "只有 1 位" in run["problems"][0]["message"]
    again = assert_json_success(client.get(f"{API}/assignments/{run['id']}"))
    assert again["pairs"] == run["pairs"] and again["seed"] == 5
    client.force_login(challenge.created_by)
    assert_json_error(client.get(f"{API}/assignments/{run['id']}"), 404, "not_found")


def test_assignment_bad_input_is_422_and_writes_nothing(client, staff):
    challenge = make_challenge(staff=staff)
    client.force_login(staff)
    body = assert_json_error(_post(client, f"{API}/assignments", {
        "challenge_ids": [challenge.pk], "teams_per_challenge": 50}), 422, "invalid")
    assert "1–20" in body["extra"]["fields"]["teams_per_challenge"][0]
    assert_json_error(_post(client, f"{API}/assignments", {"challenge_ids": "x"}), 422, "invalid")
    assert not AssignmentRun.objects.exists()


@pytest.mark.parametrize("language, summary", [
    ("zh-hans", "1 项指标中：满足 1 项，接近 0 项，有数值未达 0 项，仅提及 0 项，未涉及 0 项"),
    ("en", "Of 1 indicators: 1 met, 0 near, 0 short of the target, 0 only mentioned, 0 not covered"),
])
def test_the_indicator_summary_follows_the_request_language(client, staff, language, summary):
    """The engine's summary carries its frame and counts (ADR 0792): the API words it as the
    page words the indicator reasons."""
    challenge = make_challenge(staff=staff)
    make_profile(keywords="BCB光刻胶", achievements="介电常数 2.5")
    client.force_login(staff)
    [item] = assert_json_success(client.get(f"{API}/challenges/{challenge.pk}/researchers?k=5",
                                            HTTP_ACCEPT_LANGUAGE=language))
    assert item["indicator_summary"] == summary


def test_structured_reasons_are_worded_in_the_readers_language():
    from types import SimpleNamespace

    from django.utils import translation

    from innolink.engines.matching.structured import structured_fit
    from innolink.matching.selectors import explained

    need = SimpleNamespace(domain="新材料与石油化工", trl_min=4, trl_max=6, region="晋江")
    provider = SimpleNamespace(domain="新材料与石油化工", trl=5, available=True, region="福建省泉州市晋江市")
    parts = structured_fit(need, provider).as_dict()["parts"]
    match = SimpleNamespace(score=0.9, explanation={"structured": {"parts": parts}})
    obj = SimpleNamespace(pk=1)
    with translation.override("zh-hans"):
        chinese = {f["factor"]: f["reason"] for f in explained(obj, match, 1).structured}
    with translation.override("en"):
        english = {f["factor"]: f["reason"] for f in explained(obj, match, 1).structured}
    assert chinese["domain"] == "领域一致：新材料与石油化工" == parts["domain"]["reason"]
    assert chinese["trl"] == "技术成熟度 TRL5，在要求的 TRL4–6 之内"
    assert english["domain"] == "Same field: 新材料与石油化工"
    assert english["trl"] == "Readiness TRL5, within the required TRL4–6"
    assert english["availability"] == "Can take on new projects now"
    assert english["region"] == "Region as preferred: 福建省泉州市晋江市"


def test_the_engines_fit_frames_are_in_the_catalogue_list():
    from django.utils import translation
    from django.utils.translation import gettext

    from innolink.engines.matching.structured import FIT_FRAMES
    from innolink.matching.selectors import FIT_REASONS

    assert set(FIT_FRAMES) == set(FIT_REASONS) and len(FIT_FRAMES) == 36
    with translation.override("en"):
        assert [f for f in FIT_FRAMES if gettext(f) == f and not f.startswith("TRL")] == []
