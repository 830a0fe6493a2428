"""Field refusals built by the events helpers (``_fail``, ``_room_names``, ``_parse_time``,
``_unknown``, the field lists) and the stored reasons of unplaced pairs read in the reader's
language, on pages and in the API (issue 16, ADR 0791)."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from innolink.accounts.roles import Role
from innolink.core.errors import ValidationFailed
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user
from innolink.events import services
from innolink.events.models import DeclaredConflict, Event, Invitation
from innolink.events.tests.conftest import EVENT_DATE

pytestmark = pytest.mark.django_db


def _post(client, url, data, language):
    return client.post(url, json.dumps(data), content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE=language)


@pytest.mark.parametrize("language, rooms, start", [
    ("en", ["Room names must be different"], ["The start time should be HH:MM, e.g. 09:00"]),
    ("zh-hans", ["会议室名称不能重复"], ["开始时间格式应为 HH:MM，例如 09:00"]),
])
def test_a_bad_event_in_the_api_is_refused_in_the_readers_language(client, staff, language,
                                                                   rooms, start):
    client.force_login(staff)
    base = {"title": "对接会", "date": EVENT_DATE.isoformat(), "venue": "晋江"}
    body = assert_json_error(_post(client, "/api/events", {**base, "rooms": ["A", "A"]},
                                   language), 422, "invalid")
    assert body["extra"]["fields"] == {"rooms": rooms}
    body = assert_json_error(_post(client, "/api/events", {**base, "start": "9点"}, language),
                             422, "invalid")
    assert body["extra"]["fields"] == {"start": start}
    assert not Event.objects.exists()


@pytest.mark.parametrize("language, expected, other", [
    ("en", "The last slot would end at 00:10 the next day; use fewer slots or start earlier",
     "最后一个时段结束于次日"),
    ("zh-hans", "最后一个时段结束于次日 00:10，请减少时段数或提前开始时间", "the next day"),
])
def test_a_bad_event_on_the_page_is_refused_in_the_readers_language(client, staff, language,
                                                                   expected, other):
    client.force_login(staff)
    response = client.post("/events/new/", {
        "title": "夜场", "date": EVENT_DATE.isoformat(), "venue": "晋江", "start": "23:00",
        "slot_minutes": 30, "slot_count": 2, "break_minutes": 10, "rooms": "A"},
        HTTP_ACCEPT_LANGUAGE=language)
    text = response.content.decode()
    assert response.status_code == 422
    assert expected in text and other not in text
    assert not Event.objects.exists()


@pytest.mark.parametrize("language, expected", [
    ("en", {"reason": ["Enter the reason for the conflict of interest"]}),
    ("zh-hans", {"reason": ["请填写回避理由"]}),
])
def test_a_conflict_without_a_reason_is_refused_in_the_readers_language(language, expected):
    reviewer = make_user(Role.REVIEWER)
    with translation.override(language), pytest.raises(ValidationFailed) as info:
        services.conflict_declare(actor=reviewer, reviewer=reviewer, reason=" ",
                                  enterprise=None)
    assert info.value.fields == expected
    assert not DeclaredConflict.objects.exists()


@pytest.mark.parametrize("language, expected", [
    ("en", {"venue_hall": ["This field cannot be changed"]}),
    ("zh-hans", {"venue_hall": ["该字段不能修改"]}),
])
def test_an_unknown_field_is_refused_in_the_readers_language(staff, event, language, expected):
    with translation.override(language), pytest.raises(ValidationFailed) as info:
        services.event_update(actor=staff, event=event, venue_hall="B 馆")
    assert info.value.fields == expected


def test_an_unplaced_pairs_stored_reason_reads_in_each_readers_language(client, staff, pairs):
    event = services.event_create(actor=staff, title="短会", date=EVENT_DATE, venue="晋江",
                                  slot_count=2, rooms=["A", "B"])
    services.invitations_invite_shortlisted(actor=staff, event=event)
    name = pairs["enterprise"].name
    with translation.override("zh-hans"):
        outcome = services.event_schedule(actor=staff, event=event)
    chinese = f"{name}需参加 3 场洽谈，但只有 2 个可参会时段"
    english = f"{name} has 3 meetings but only 2 available slots"
    assert list(outcome.unplaced.values()) == [chinese]
    stored = Invitation.objects.exclude(unscheduled_reason="").get()
    assert stored.unscheduled_reason == chinese  # the text as before, for older clients
    assert stored.unscheduled_message["msgid"] == (
        "%(who)s需参加 %(need)s 场洽谈，但只有 %(have)s 个可参会时段")
    client.force_login(staff)
    for language, expected, other in (("en", english, chinese), ("zh-hans", chinese, english)):
        schedule = assert_json_success(client.get(f"/api/events/{event.pk}/schedule",
                                                  HTTP_ACCEPT_LANGUAGE=language))
        assert schedule["unplaced"] == {str(stored.pk): expected}
        listed = assert_json_success(client.get(f"/api/events/{event.pk}/invitations",
                                                HTTP_ACCEPT_LANGUAGE=language))
        assert {i["unscheduled_reason"] for i in listed} == {"", expected}
        text = client.get(f"/events/{event.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        assert expected in text and other not in text


def test_a_reason_stored_before_is_shown_as_stored(staff, pairs):
    event = services.event_create(actor=staff, title="短会", date=EVENT_DATE, venue="晋江",
                                  slot_count=2, rooms=["A", "B"])
    services.invitations_invite_shortlisted(actor=staff, event=event)
    invitation = event.invitations.first()
    invitation.unscheduled_reason = "旧的原因"
    with translation.override("en"):
        assert invitation.unscheduled_reason_text == "旧的原因"
        invitation.unscheduled_reason = "活动尚未设置时段"  # a known msgid without values
        assert invitation.unscheduled_reason_text == "The event has no time slots yet"


def test_the_judging_plans_reasons_read_in_each_readers_language(client, staff):
    from innolink.events.models import ReviewAssignment
    from innolink.events.tests.factories import (
        make_institution,
        make_proposal,
        make_researcher,
        make_reviewer,
    )

    hqu = make_institution("华侨大学")
    proposal = make_proposal(researcher=make_researcher(institution=hqu))
    rnd = services.round_create(actor=staff, title="决赛", reviewers_per_entry=2)
    services.round_entries_add(actor=staff, round=rnd, proposals=[proposal])
    services.round_reviewers_add(actor=staff, round=rnd,
                                 reviewers=[make_reviewer(institution=hqu), make_reviewer()])
    title = proposal.challenge.title
    client.force_login(staff)
    expected = {
        "en": ("Same institution: 华侨大学", f"“{title}” needs 2 reviewers but only 1 have no "
               "conflict of interest (1 excluded: Same institution: 1)"),
        "zh-hans": ("同一单位：华侨大学", f"《{title}》需要 2 位评审专家，但只有 1 位无利益冲突的专家"
                    "（回避 1 位：同一单位 1 位）"),
    }
    for language, (refused, problem) in expected.items():
        body = assert_json_success(client.get(f"/api/events/rounds/{rnd.pk}/conflicts",
                                              HTTP_ACCEPT_LANGUAGE=language))
        assert [r["reason"] for r in body["refused"]] == [refused]
        assert body["problems"] == [problem]
        text = client.get(f"/events/rounds/{rnd.pk}/", HTTP_ACCEPT_LANGUAGE=language
                          ).content.decode()
        assert refused in text and problem in text
    assert not ReviewAssignment.objects.exists()
