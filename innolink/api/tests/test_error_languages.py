"""The API's own error messages and pydantic's field errors read in the user's language
(issue 16, ADR 0785); codes and statuses stay as they were."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from innolink.accounts.roles import Role
from innolink.core.testing import assert_json_error
from innolink.enterprises.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language, expected", [
    ("en", "Please sign in or give a valid API token"),
    ("zh-hans", "请先登录或提供有效的 API 令牌"),
])
def test_an_anonymous_request_is_told_in_its_language(client, language, expected):
    body = assert_json_error(client.get("/api/events", HTTP_ACCEPT_LANGUAGE=language), 401,
                             "not_authenticated")
    assert body["message"] == expected


@pytest.mark.parametrize("language, expected", [
    ("en", "The request could not be read (the body must be JSON)"),
    ("zh-hans", "无法解析请求内容（请求体应为 JSON）"),
])
def test_an_unreadable_body_is_told_in_its_language(language, expected):
    from innolink.events.models import JudgingRound

    client = Client()
    client.force_login(make_user(Role.ORGANIZER))
    body = assert_json_error(client.post("/api/events/rounds", "{not json",
                                         content_type="application/json",
                                         HTTP_ACCEPT_LANGUAGE=language), 400, "bad_request")
    assert body["message"] == expected
    assert not JudgingRound.objects.exists()


@pytest.mark.parametrize("language, expected", [
    ("en", {"title": ["At most 120 characters"], "scoring_deadline":
            ["Dates must be written YYYY-MM-DD"]}),
    ("zh-hans", {"title": ["不能超过 120 个字"], "scoring_deadline": ["日期格式应为 YYYY-MM-DD"]}),
])
def test_pydantic_field_errors_carry_their_limits_in_the_users_language(language, expected):
    from innolink.events.models import JudgingRound

    client = Client()
    client.force_login(make_user(Role.ORGANIZER))
    body = assert_json_error(client.post("/api/events/rounds", json.dumps({
        "title": "轮" * 121, "scoring_deadline": "明天"}), content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=language), 422, "invalid")
    assert body["extra"]["fields"] == expected
    assert not JudgingRound.objects.exists()


def test_every_mapped_error_type_has_english():
    from django.utils import translation

    from innolink.core.field_errors import FALLBACK, MESSAGES

    with translation.override("en"):
        untranslated = [m for m in {*MESSAGES.values(), FALLBACK}
                        if translation.gettext(m) == m]
    assert untranslated == []


@pytest.mark.parametrize("language, expected", [
    ("en", "The record does not exist or you are not allowed to view it"),
    ("zh-hans", "记录不存在或您无权查看"),
])
def test_an_unknown_api_path_is_told_in_its_language(client, language, expected):
    # shaped by the middleware: Django answered before any handler ran
    body = assert_json_error(client.get("/api/no-such-endpoint", HTTP_ACCEPT_LANGUAGE=language),
                             404, "not_found")
    assert body["message"] == expected
