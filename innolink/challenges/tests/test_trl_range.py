"""A listing's TRL range (ADR 0365): "TRL 4–6" is stored as ``trl_min``–``trl_max`` from the
page, the API and a 榜单 import, refused when reversed (with a clear message, nothing written),
held by database constraints, shown on the detail page and passed to the matching engine."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from innolink.challenges import listing_import as li
from innolink.challenges import services
from innolink.challenges.listing_services import listing_import_run
from innolink.challenges.models import Challenge, IndicatorTarget
from innolink.challenges.tests.factories import challenge_data, make_challenge
from innolink.core.errors import ValidationFailed
from innolink.core.models import AuditEntry
from innolink.core.testing import assert_json_error, assert_json_success

pytestmark = pytest.mark.django_db


def _nothing_written():
    assert Challenge.objects.count() == 0 and IndicatorTarget.objects.count() == 0
    assert not AuditEntry.objects.filter(model="challenges.challenge").exists()


# --- services and validation -----------------------------------------------------------------

def test_a_range_is_stored_audited_and_shown(client, poster):
    challenge = services.challenge_create(actor=poster, data=challenge_data(trl_min=4, trl_max=6))
    challenge.refresh_from_db()
    assert (challenge.trl_min, challenge.trl_max) == (4, 6)
    entry = AuditEntry.objects.get(model="challenges.challenge", action="create")
    assert entry.changes["trl_max"] == [None, 6]
    client.force_login(poster)
    page = client.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()
    assert 'id="trl">TRL 4–6<' in page


@pytest.mark.parametrize("low, high, shown", [
    (5, None, "TRL 5 及以上"), (None, 6, "TRL 6 及以下"), (7, 7, "TRL 7")])
def test_a_floor_a_ceiling_or_one_level_reads_plainly(client, poster, low, high, shown):
    challenge = services.challenge_create(actor=poster,
                                          data=challenge_data(trl_min=low, trl_max=high))
    client.force_login(poster)
    page = client.get(reverse("challenges:detail", args=[challenge.pk])).content.decode()
    assert f'id="trl">{shown}<' in page


def test_a_reversed_range_is_refused_with_a_clear_message_and_nothing_written(poster):
    with pytest.raises(ValidationFailed) as refused:
        services.challenge_create(actor=poster, data=challenge_data(trl_min=6, trl_max=4))
    assert refused.value.extra["fields"]["trl_max"] == [
        "最高技术成熟度：不得低于最低技术成熟度（TRL 6）"]
    _nothing_written()


@pytest.mark.parametrize("value, message", [
    ("0", "最高技术成熟度：不得小于 1"), ("10", "最高技术成熟度：不得大于 9"),
    ("六", "最高技术成熟度：应为整数")])
def test_a_level_outside_1_to_9_is_refused(poster, value, message):
    with pytest.raises(ValidationFailed) as refused:
        services.challenge_create(actor=poster, data=challenge_data(trl_max=value))
    assert refused.value.extra["fields"]["trl_max"] == [message]
    _nothing_written()


def test_editing_narrows_the_range_and_the_audit_trail_has_it(poster):
    challenge = make_challenge(poster=poster, trl_min=3, trl_max=7)
    services.challenge_update(actor=poster, challenge=challenge,
                              data=challenge_data(title=challenge.title, trl_min=4, trl_max=6))
    challenge.refresh_from_db()
    assert (challenge.trl_min, challenge.trl_max) == (4, 6)
    update = AuditEntry.objects.get(model="challenges.challenge", action="update")
    assert update.changes["trl_max"] == [7, 6] and update.changes["trl_min"] == [3, 4]


def test_the_database_refuses_a_reversed_or_out_of_scale_range(poster):
    challenge = make_challenge(poster=poster)
    for values in ({"trl_min": 6, "trl_max": 4}, {"trl_max": 12}, {"trl_min": 0}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Challenge.objects.filter(pk=challenge.pk).update(**values)
    challenge.refresh_from_db()
    assert (challenge.trl_min, challenge.trl_max) == (None, None)


# --- the page --------------------------------------------------------------------------------

def _form(**overrides):
    deadline = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    data = {"title": "鞋底耐磨橡胶配方优化", "domain": "materials",
            "statement": "运动鞋大底在湿滑路面防滑与耐磨之间难以兼顾，需要新的橡胶配方体系。",
            "funding": "80", "ip_ownership": "enterprise", "claim_deadline": deadline,
            "max_claims": "3", "contact_name": "陈经理", "contact_phone": "13900000000"}
    data.update(overrides)
    return data


def test_the_form_keeps_the_range_and_prefills_it_for_editing(client, poster):
    client.force_login(poster)
    response = client.post(reverse("challenges:create"), _form(trl_min="4", trl_max="6"))
    assert response.status_code == 302
    challenge = Challenge.objects.get()
    assert (challenge.trl_min, challenge.trl_max) == (4, 6)
    edit = client.get(reverse("challenges:update", args=[challenge.pk])).content.decode()
    assert 'name="trl_max" min="1" max="9" value="6"' in edit


@pytest.mark.parametrize("language, message", [
    ("zh-hans", "最高技术成熟度：不得低于最低技术成熟度（TRL 6）"),
    ("en", "Highest TRL: must not be below the lowest TRL (TRL 6)")])
def test_the_form_names_a_reversed_range_in_the_readers_language(client, poster, language,
                                                                 message):
    client.force_login(poster)
    with translation.override(language):
        response = client.post(reverse("challenges:create"), _form(trl_min="6", trl_max="4"),
                               HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 422
    assert message in response.content.decode()
    _nothing_written()


# --- the API ---------------------------------------------------------------------------------

def _post(client, url, payload):
    return client.post(url, json.dumps(payload), content_type="application/json")


def test_the_api_takes_and_returns_the_range(client, poster):
    client.force_login(poster)
    created = assert_json_success(
        _post(client, "/api/challenges", challenge_data(trl_min=4, trl_max=6)), 201)
    detail = assert_json_success(client.get(f"/api/challenges/{created['id']}"))
    assert (detail["trl_min"], detail["trl_max"]) == (4, 6)


def test_the_api_refuses_a_reversed_range_and_writes_nothing(client, poster):
    client.force_login(poster)
    body = assert_json_error(
        _post(client, "/api/challenges", challenge_data(trl_min=7, trl_max=5)), 422, "invalid")
    assert body["extra"]["fields"] == {
        "trl_max": ["最高技术成熟度：不得低于最低技术成熟度（TRL 7）"]}
    _nothing_written()


# --- the 榜单 import -------------------------------------------------------------------------

@pytest.mark.parametrize("text, low, high, readable", [
    ("TRL 4-6", 4, 6, True), ("4～6级", 4, 6, True), ("TRL4至TRL6", 4, 6, True),
    ("6级以上", 6, None, True), ("不低于5级", 5, None, True), ("≥TRL5", 5, None, True),
    ("TRL7以下", None, 7, True), ("不超过7级", None, 7, True), ("6", 6, 6, True),
    ("六级", 6, 6, True), ("技术成熟度：三至五级", 3, 5, True), ("", None, None, True),
    ("TRL6-4", 6, 4, True),  # read as written; the row is refused
    ("较成熟", None, None, False), ("10", None, None, False), ("TRL 0-3", None, None, False),
    ("中试阶段", None, None, False)])
def test_trl_cells(text, low, high, readable):
    assert li.parse_trl(text) == (low, high, readable)


def test_the_trl_header_is_recognised():
    assert {li.guess_field(h) for h in ("技术成熟度", "TRL要求", "技术成熟度要求（TRL）")} == {"trl"}


HEADER = "序号,需求名称,需求单位,所属领域,需求描述,技术成熟度\n"
STATEMENT = "面向运动鞋中底的超临界发泡材料，需要回弹与耐久兼顾的配方体系"


def _import(staff, rows: list[str], *, commit: bool):
    content = (HEADER + "".join(r + "\n" for r in rows)).encode("gbk")
    headers = HEADER.strip().split(",")
    return listing_import_run(
        actor=staff, content=content, filename="trl.csv",
        choices={h: li.guess_field(h) for h in headers}, programme_id=None,
        default_deadline=timezone.localdate() + dt.timedelta(days=60), publish=False,
        commit=commit)


def test_an_imported_range_reaches_the_listing_and_an_unreadable_level_is_only_flagged(staff):
    report = _import(staff, [f"1,发泡中底回弹提升,某鞋业有限公司,新材料,{STATEMENT},TRL 4-6",
                             f"2,再生橡胶大底配方,某橡胶制品厂,新材料,{STATEMENT},较成熟"],
                     commit=True)
    assert report["committed"] is True and report["created"] == 2
    trl = [(w["row"], w["code"]) for w in report["warnings"] if w["code"].startswith("trl")]
    assert trl == [(3, "trl_unreadable")]
    rows = {c.external_ref: c for c in Challenge.objects.all()}
    assert (rows["1"].trl_min, rows["1"].trl_max) == (4, 6)
    assert (rows["2"].trl_min, rows["2"].trl_max) == (None, None)


def test_an_imported_reversed_range_is_an_error_and_nothing_is_written(staff):
    report = _import(staff, [f"1,发泡中底回弹提升,某鞋业有限公司,新材料,{STATEMENT},TRL 4-6",
                             f"2,再生橡胶大底配方,某橡胶制品厂,新材料,{STATEMENT},TRL 6-4"],
                     commit=True)
    assert report["committed"] is False
    assert [(e["row"], e["code"]) for e in report["errors"]] == [(3, "trl_reversed")]
    assert report["errors"][0]["reason"] == "技术成熟度区间有误：最高 4 级低于最低 6 级"
    _nothing_written()


# --- the matching engine ---------------------------------------------------------------------

def test_the_range_reaches_the_engine(poster):
    from innolink.matching import fetch

    challenge = make_challenge(poster=poster, trl_min=4, trl_max=6)
    doc = fetch.challenge_doc(challenge)
    assert (doc.trl_min, doc.trl_max) == (4, 6) and "trl" in doc.requirements
    only = fetch._challenges_with_indicators(Challenge.objects.filter(pk=challenge.pk)).get()
    assert fetch.challenge_doc(only).trl_max == 6
