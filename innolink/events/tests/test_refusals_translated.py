"""Judging refusals read in the user's language, on pages and in the API (issue 16, ADR 0785)."""

from __future__ import annotations

import json

import pytest

from innolink.core.testing import assert_json_error
from innolink.events import services
from innolink.events.models import ReviewAssignment
from innolink.events.tests.factories import make_proposal

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_without_reviewers(staff):
    rnd = services.round_create(actor=staff, title="初赛")
    services.round_entries_add(actor=staff, round=rnd, proposals=[make_proposal()])
    return rnd


@pytest.mark.parametrize("language, expected, other", [
    ("en", "This round has no reviewers yet", "本轮还没有评审专家"),
    ("zh-hans", "本轮还没有评审专家", "This round has no reviewers yet"),
])
def test_a_round_refusal_on_the_page_is_in_the_users_language(client, staff,
                                                              round_without_reviewers,
                                                              language, expected, other):
    client.force_login(staff)
    text = client.post(f"/events/rounds/{round_without_reviewers.pk}/assign/", follow=True,
                       HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected in text and other not in text
    assert not ReviewAssignment.objects.exists()


@pytest.mark.parametrize("language, expected", [
    ("en", "The score for “技术可行性” must be between 0 and 30"),
    ("zh-hans", "“技术可行性”的得分应在 0 到 30 之间"),
])
def test_a_field_refusal_with_values_is_translated_whole(staff, language, expected):
    from django.utils import translation

    from innolink.core.errors import ValidationFailed
    from innolink.events.services.rounds import _points

    rnd = services.round_create(actor=staff, title="初赛")
    criterion = rnd.criteria.get(name="技术可行性")
    with translation.override(language), pytest.raises(ValidationFailed) as info:
        _points("31", criterion)
    assert info.value.fields == {f"criterion_{criterion.pk}": [expected]}


def test_a_round_refusal_in_the_api_is_in_the_users_language(client, staff,
                                                             round_without_reviewers):
    client.force_login(staff)
    url = f"/api/events/rounds/{round_without_reviewers.pk}/assign"
    english = assert_json_error(client.post(url, "{}", content_type="application/json",
                                            HTTP_ACCEPT_LANGUAGE="en"), 409, "no_reviewers")
    chinese = assert_json_error(client.post(url, "{}", content_type="application/json",
                                            HTTP_ACCEPT_LANGUAGE="zh-hans"), 409, "no_reviewers")
    assert english["message"] == "This round has no reviewers yet"
    assert chinese["message"] == "本轮还没有评审专家"
    assert not ReviewAssignment.objects.exists()


def test_a_bad_round_body_names_its_fields_in_the_users_language(client, staff):
    client.force_login(staff)
    body = {"title": "初赛", "reviewers_per_entry": "three"}
    english = assert_json_error(client.post("/api/events/rounds", json.dumps(body),
                                            content_type="application/json",
                                            HTTP_ACCEPT_LANGUAGE="en"), 422, "invalid")
    chinese = assert_json_error(client.post("/api/events/rounds", json.dumps(body),
                                            content_type="application/json",
                                            HTTP_ACCEPT_LANGUAGE="zh-hans"), 422, "invalid")
    assert english["extra"]["fields"]["reviewers_per_entry"] == ["Must be a whole number"]
    assert chinese["extra"]["fields"]["reviewers_per_entry"] == ["应为整数"]
    assert english["message"] == "The submitted data contains errors; please correct them as indicated"
    assert chinese["message"] == "提交的数据有误，请按提示修改"
    from innolink.events.models import JudgingRound

    assert not JudgingRound.objects.exists()


@pytest.mark.parametrize("language, expected", [
    ("en", "Load limit must be between 0 and 200"),
    ("zh-hans", "评审上限应在 0 到 200 之间"),
])
def test_a_number_out_of_range_names_its_field_in_the_users_language(client, staff, language,
                                                                     expected):
    from innolink.events.tests.factories import make_reviewer

    rnd = services.round_create(actor=staff, title="初赛")
    services.round_reviewers_add(actor=staff, round=rnd, reviewers=[make_reviewer()])
    member = rnd.reviewers.get()
    client.force_login(staff)
    text = client.post(f"/events/rounds/{rnd.pk}/reviewers/{member.pk}/load/",
                       {"max_load": "500"}, follow=True,
                       HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert expected in text
    before = member.max_load
    member.refresh_from_db()
    assert member.max_load == before
