"""A notification is worded when it is read, in the reader's language (ADR 0790): what a
Chinese-speaking organizer's step sends reads in English for an English reader, on the page and
through the API, and in Chinese for a Chinese reader."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from innolink.accounts.services import api_token_create
from innolink.challenges import services
from innolink.challenges.tests.factories import make_challenge, make_poster
from innolink.core.errors import ValidationFailed
from innolink.core.models import Notification
from innolink.core.testing import assert_json_success

pytestmark = pytest.mark.django_db


def _returned(poster, staff):
    challenge = make_challenge(poster=poster, state="submitted", staff=staff, title="高温合金检测")
    with translation.override("zh-hans"):  # the organizer works in Chinese
        services.challenge_return(actor=staff, challenge=challenge, comment="请补充测试方法")
    return challenge


def test_an_organizers_step_reads_in_the_readers_language(staff):
    poster = make_poster()
    challenge = _returned(poster, staff)
    row = Notification.objects.get(recipient=poster, kind="challenge.returned")
    # stored: the msgid and values, with the Chinese text kept for search
    assert (row.title_msgid, row.title_params) == ("榜单被退回修改：%(t)s", {"t": "高温合金检测"})
    assert (row.title, row.note) == ("榜单被退回修改：高温合金检测", "请补充测试方法")

    english, chinese = Client(), Client()
    english.force_login(poster)
    english.cookies["django_language"] = "en"
    page = english.get("/notifications/").content.decode()
    assert "Challenge returned for changes: 高温合金检测" in page
    assert "榜单被退回修改" not in page and "请补充测试方法" in page  # a person's words as written

    chinese.force_login(poster)
    chinese.cookies["django_language"] = "zh-hans"
    page = chinese.get("/notifications/").content.decode()
    assert "榜单被退回修改：高温合金检测" in page and "Challenge returned" not in page

    _token, plain = api_token_create(user=poster, name="app")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    body = assert_json_success(Client().get("/api/notifications", HTTP_ACCEPT_LANGUAGE="en",
                                            **auth))
    item = body["items"][0]
    assert body["count"] == 1 and item["title"] == "Challenge returned for changes: 高温合金检测"
    assert item["title_id"] == "榜单被退回修改：%(t)s" and item["note"] == "请补充测试方法"
    assert item["url"] == f"/challenges/{challenge.pk}/"
    body = assert_json_success(Client().get("/api/notifications", HTTP_ACCEPT_LANGUAGE="zh-hans",
                                            **auth))
    assert body["items"][0]["title"] == "榜单被退回修改：高温合金检测"


def test_an_english_reader_still_finds_it_by_its_chinese_title(staff):
    poster = make_poster()
    _returned(poster, staff)
    client = Client()
    client.force_login(poster)
    client.cookies["django_language"] = "en"
    found = client.get("/notifications/?q=退回修改").content.decode()
    assert "Challenge returned for changes: 高温合金检测" in found
    missing = client.get("/notifications/?q=不存在的词").content.decode()
    assert "高温合金检测" not in missing
    _token, plain = api_token_create(user=poster, name="app")
    body = assert_json_success(Client().get("/api/notifications?q=高温合金",
                                            HTTP_AUTHORIZATION=f"Bearer {plain}"))
    assert body["count"] == 1


def test_a_refused_step_notifies_nobody(staff):
    poster = make_poster()
    challenge = make_challenge(poster=poster, state="submitted", staff=staff)
    before = Notification.objects.count()
    with pytest.raises(ValidationFailed):
        services.challenge_return(actor=staff, challenge=challenge, comment=" ")
    assert Notification.objects.count() == before
    assert not Notification.objects.filter(kind="challenge.returned").exists()
