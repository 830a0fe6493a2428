"""Editing events and rounds after creation (decision 0322): what each state allows, refusals
that write nothing, the audit trail, the pages and the API."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict, PermissionDenied, ValidationFailed
from innolink.core.models import AuditEntry
from innolink.core.testing import assert_json_error, assert_json_success
from innolink.enterprises.testing import make_user
from innolink.events import services
from innolink.events.models import Event, EventSlot, JudgingRound, Meeting, Unavailability
from innolink.events.tests.conftest import EVENT_DATE
from innolink.events.tests.factories import make_proposal, make_reviewer

pytestmark = pytest.mark.django_db


def _state(event: Event):
    """Everything an event edit could write: the row, its slots, meetings, unavailability and
    the audit trail."""
    event = Event.objects.get(pk=event.pk)
    return (
        {f.attname: getattr(event, f.attname) for f in Event._meta.concrete_fields},
        list(EventSlot.objects.filter(event=event).values_list("pk", "starts_at", "ends_at")),
        list(Meeting.objects.filter(event=event).values_list("pk", "slot_id", "room_id")),
        list(Unavailability.objects.filter(event=event).values_list("pk", "slot_id")),
        AuditEntry.objects.count(),
    )


def _round_state(rnd: JudgingRound):
    rnd = JudgingRound.objects.get(pk=rnd.pk)
    return ({f.attname: getattr(rnd, f.attname) for f in JudgingRound._meta.concrete_fields},
            AuditEntry.objects.count())


def _last_update(instance):
    return AuditEntry.objects.filter(model=instance._meta.label_lower, object_id=str(instance.pk),
                                     action="update").latest("pk")


@pytest.fixture
def scheduled(staff, event, pairs):
    services.invitations_invite_shortlisted(actor=staff, event=event)
    services.event_schedule(actor=staff, event=event)
    event.refresh_from_db()
    assert event.state == "scheduled" and event.meetings.count() == 4
    return event


def _times(event):
    from django.utils import timezone

    return [(f"{timezone.localtime(s.starts_at):%Y-%m-%d %H:%M}",
             f"{timezone.localtime(s.ends_at):%H:%M}") for s in event.slots.order_by("starts_at")]


# ------------------------------------------------------------------------------ events

def test_text_fields_are_edited_and_audited_before_and_after(staff, event):
    services.event_update(actor=staff, event=event, title="  揭榜领题对接会（第二场） ",
                          venue="晋江市科技创新中心", description="请提前 10 分钟到场")
    event.refresh_from_db()
    assert (event.title, event.venue, event.description) == (
        "揭榜领题对接会（第二场）", "晋江市科技创新中心", "请提前 10 分钟到场")
    entry = _last_update(event)
    assert entry.actor == staff and entry.changes == {
        "title": ["揭榜领题对接会", "揭榜领题对接会（第二场）"],
        "venue": ["晋江国际会展中心", "晋江市科技创新中心"],
        "description": ["", "请提前 10 分钟到场"]}


def test_nothing_changed_writes_no_audit_entry(staff, event):
    before = _state(event)
    services.event_update(actor=staff, event=event, title=event.title, venue=event.venue,
                          date=event.date, start="09:00", slot_minutes=20, slot_count=3,
                          break_minutes=10)
    assert _state(event) == before


def test_date_change_moves_every_slot_and_keeps_the_schedule(staff, scheduled):
    meetings = list(scheduled.meetings.values_list("pk", "slot_id", "room_id"))
    new_date = EVENT_DATE + dt.timedelta(days=7)
    services.event_update(actor=staff, event=scheduled, date=new_date)
    scheduled.refresh_from_db()
    assert scheduled.date == new_date and scheduled.state == "scheduled"
    assert _times(scheduled) == [("2027-03-25 09:00", "09:20"), ("2027-03-25 09:30", "09:50"),
                                 ("2027-03-25 10:00", "10:20")]
    assert list(scheduled.meetings.values_list("pk", "slot_id", "room_id")) == meetings
    assert _last_update(scheduled).changes == {"date": ["2027-03-18", "2027-03-25"]}


def test_slot_settings_in_draft_rebuild_the_slots(staff, event):
    services.event_update(actor=staff, event=event, start="14:00", slot_minutes=30,
                          slot_count=4, break_minutes=0)
    assert _times(event) == [("2027-03-18 14:00", "14:30"), ("2027-03-18 14:30", "15:00"),
                             ("2027-03-18 15:00", "15:30"), ("2027-03-18 15:30", "16:00")]
    assert services.event_slot_settings(event) == {"start": "14:00", "slot_minutes": 30,
                                                   "slot_count": 4, "break_minutes": 0}
    changes = _last_update(event).changes
    assert changes["slots"] == [["09:00–09:20", "09:30–09:50", "10:00–10:20"],
                                ["14:00–14:30", "14:30–15:00", "15:00–15:30", "15:30–16:00"]]


def test_adding_slots_to_a_schedule_keeps_its_meetings(staff, scheduled):
    meetings = list(scheduled.meetings.values_list("pk", "slot_id", "room_id"))
    services.event_update(actor=staff, event=scheduled, slot_count=5)
    assert scheduled.slots.count() == 5
    assert list(scheduled.meetings.values_list("pk", "slot_id", "room_id")) == meetings
    assert Event.objects.get(pk=scheduled.pk).state == "scheduled"


def test_slot_change_that_moves_meetings_is_refused_with_their_number(staff, scheduled):
    before = _state(scheduled)
    with pytest.raises(Conflict) as exc:
        services.event_update(actor=staff, event=scheduled, start="10:00")
    assert exc.value.code == "schedule_affected" and exc.value.extra == {"meetings": 4}
    assert "4 场洽谈" in exc.value.message and "重新自动排程" in exc.value.message
    assert _state(scheduled) == before


def test_discarding_the_schedule_applies_the_change_and_goes_back_to_draft(staff, scheduled):
    services.event_update(actor=staff, event=scheduled, slot_count=2, discard_schedule=True)
    scheduled.refresh_from_db()
    assert scheduled.state == "draft" and scheduled.scheduled_at is None
    assert scheduled.slots.count() == 2 and not scheduled.meetings.exists()
    entry = _last_update(scheduled)
    assert entry.changes["meetings"] == [4, 0] and entry.changes["state"] == ["scheduled", "draft"]
    assert entry.note == "清除排程"
    # the organizer schedules again on the new slots
    assert services.event_schedule(actor=staff, event=scheduled).placed >= 1


def test_published_event_keeps_date_and_slots_but_takes_a_new_venue(staff, scheduled):
    services.event_publish(actor=staff, event=scheduled)
    before = _state(scheduled)
    with pytest.raises(Conflict) as exc:
        services.event_update(actor=staff, event=scheduled, date=EVENT_DATE + dt.timedelta(1))
    assert exc.value.code == "schedule_published" and "重新排程" in exc.value.message
    with pytest.raises(Conflict):
        services.event_update(actor=staff, event=scheduled, venue="新地点", slot_minutes=25)
    assert _state(scheduled) == before
    services.event_update(actor=staff, event=scheduled, venue="晋江市科技创新中心",
                          date=EVENT_DATE)  # the unchanged date is not a change
    scheduled.refresh_from_db()
    assert scheduled.venue == "晋江市科技创新中心" and scheduled.state == "published"


@pytest.mark.parametrize("to", ["closed", "cancelled"])
def test_closed_or_cancelled_event_takes_no_edit(staff, scheduled, to):
    services.event_publish(actor=staff, event=scheduled)
    services.event_transition(actor=staff, event=scheduled, to=to)
    before = _state(scheduled)
    with pytest.raises(Conflict) as exc:
        services.event_update(actor=staff, event=scheduled, title="改名")
    assert exc.value.code == "event_closed"
    assert _state(scheduled) == before


@pytest.mark.parametrize("changes, field", [
    ({"title": " "}, "title"),
    ({"venue": ""}, "venue"),
    ({"title": "长" * 121}, "title"),
    ({"date": None}, "date"),
    ({"date": dt.date(2020, 1, 1)}, "date"),
    ({"start": "9点"}, "start"),
    ({"slot_minutes": 3}, "slot_minutes"),
    ({"slot_count": "x"}, "slot_count"),
    ({"start": "22:00", "slot_count": 12}, "slot_count"),
    ({"rooms": ["A"]}, "rooms"),
])
def test_invalid_event_edit_names_the_field_and_writes_nothing(staff, event, changes, field):
    before = _state(event)
    with pytest.raises(ValidationFailed) as exc:
        services.event_update(actor=staff, event=event, **changes)
    assert field in exc.value.fields
    assert _state(event) == before


@pytest.mark.parametrize("role", [Role.ENTERPRISE, Role.RESEARCHER, Role.REVIEWER])
def test_non_staff_may_not_edit(event, role):
    before = _state(event)
    with pytest.raises(PermissionDenied):
        services.event_update(actor=make_user(role), event=event, title="改名")
    assert _state(event) == before


def test_any_organizer_may_edit_events_as_they_may_manage_them(event):
    """The module does not restrict management to the creator (README: organizer staff manage
    events and rounds); another organizer's edit is recorded under their name."""
    other = make_user(Role.ORGANIZER)
    services.event_update(actor=other, event=event, venue="另一地点")
    assert _last_update(event).actor == other


# ------------------------------------------------------------------------------ rounds

@pytest.fixture
def rnd(staff):
    return services.round_create(actor=staff, title="决赛", reviewers_per_entry=2,
                                 default_max_load=4, scoring_deadline=dt.date(2027, 5, 1))


@pytest.fixture
def scoring(staff, rnd):
    proposals = [make_proposal() for _ in range(2)]
    services.round_entries_add(actor=staff, round=rnd, proposals=proposals)
    services.round_reviewers_add(actor=staff, round=rnd,
                                 reviewers=[make_reviewer() for _ in range(3)])
    services.round_assign(actor=staff, round=rnd)
    services.round_open_scoring(actor=staff, round=rnd)
    rnd.refresh_from_db()
    return rnd


def test_draft_round_settings_are_edited_and_audited(staff, rnd):
    services.round_update(actor=staff, round=rnd, title="总决赛", reviewers_per_entry=3,
                          default_max_load=6, scoring_deadline=dt.date(2027, 5, 10),
                          description="线上评审")
    rnd.refresh_from_db()
    assert (rnd.title, rnd.reviewers_per_entry, rnd.default_max_load, rnd.scoring_deadline,
            rnd.description) == ("总决赛", 3, 6, dt.date(2027, 5, 10), "线上评审")
    assert _last_update(rnd).changes == {
        "title": ["决赛", "总决赛"], "reviewers_per_entry": [2, 3], "default_max_load": [4, 6],
        "scoring_deadline": ["2027-05-01", "2027-05-10"], "description": ["", "线上评审"]}


def test_round_deadline_can_be_cleared_and_unchanged_values_write_nothing(staff, rnd):
    before = _round_state(rnd)
    services.round_update(actor=staff, round=rnd, title="决赛", reviewers_per_entry="2")
    assert _round_state(rnd) == before
    services.round_update(actor=staff, round=rnd, scoring_deadline=None)
    assert JudgingRound.objects.get(pk=rnd.pk).scoring_deadline is None


def test_k_cannot_drop_below_the_reviewers_an_entry_has(staff, scoring):
    JudgingRound.objects.filter(pk=scoring.pk).update(state="draft")
    scoring.refresh_from_db()
    before = _round_state(scoring)
    with pytest.raises(Conflict) as exc:
        services.round_update(actor=staff, round=scoring, reviewers_per_entry=1)
    assert exc.value.code == "assignments_exceed_k" and "2 位" in exc.value.message
    assert _round_state(scoring) == before


def test_scoring_round_takes_title_and_description_only(staff, scoring):
    before = _round_state(scoring)
    for changes in ({"scoring_deadline": dt.date(2027, 6, 1)}, {"reviewers_per_entry": 3},
                    {"default_max_load": 5}, {"title": "新名称", "default_max_load": 5}):
        with pytest.raises(Conflict) as exc:
            services.round_update(actor=staff, round=scoring, **changes)
        assert exc.value.code == "round_scoring"
    assert _round_state(scoring) == before
    services.round_update(actor=staff, round=scoring, title="决赛（更正）", reviewers_per_entry=2)
    assert JudgingRound.objects.get(pk=scoring.pk).title == "决赛（更正）"
    assert _last_update(scoring).changes == {"title": ["决赛", "决赛（更正）"]}


def test_finalised_round_takes_no_edit(staff, scoring):
    services.round_finalise(actor=staff, round=scoring, allow_missing=True)
    before = _round_state(scoring)
    with pytest.raises(Conflict) as exc:
        services.round_update(actor=staff, round=scoring, description="补充")
    assert exc.value.code == "round_finalised"
    assert _round_state(scoring) == before


@pytest.mark.parametrize("changes, field", [
    ({"title": ""}, "title"),
    ({"reviewers_per_entry": 0}, "reviewers_per_entry"),
    ({"default_max_load": 500}, "default_max_load"),
    ({"scoring_deadline": dt.date(2020, 1, 1)}, "scoring_deadline"),
    ({"scoring_deadline": "明天"}, "scoring_deadline"),
    ({"state": "finalised"}, "state"),
])
def test_invalid_round_edit_names_the_field_and_writes_nothing(staff, rnd, changes, field):
    before = _round_state(rnd)
    with pytest.raises(ValidationFailed) as exc:
        services.round_update(actor=staff, round=rnd, **changes)
    assert field in exc.value.fields
    assert _round_state(rnd) == before


def test_non_staff_may_not_edit_a_round(rnd):
    before = _round_state(rnd)
    with pytest.raises(PermissionDenied):
        services.round_update(actor=make_reviewer(), round=rnd, title="改名")
    assert _round_state(rnd) == before


# ------------------------------------------------------------------------------- pages

def test_edit_page_is_prefilled_and_saves(client, staff, event):
    client.force_login(staff)
    detail = client.get(f"/events/{event.pk}/").content.decode()
    assert f'href="/events/{event.pk}/edit/"' in detail
    page = client.get(f"/events/{event.pk}/edit/").content.decode()
    for value in ('value="揭榜领题对接会"', 'value="2027-03-18"', 'value="晋江国际会展中心"',
                  'value="09:00"', 'value="20"', 'value="3"', 'value="10"'):
        assert value in page
    response = client.post(f"/events/{event.pk}/edit/", {
        "title": "揭榜领题对接会", "date": "2027-03-18", "venue": "晋江市科技创新中心",
        "start": "09:00", "slot_minutes": "20", "slot_count": "3", "break_minutes": "10"},
        follow=True)
    assert response.redirect_chain[-1][0] == f"/events/{event.pk}/"
    assert "活动信息已保存。" in response.content.decode()
    assert Event.objects.get(pk=event.pk).venue == "晋江市科技创新中心"
    assert _last_update(event).changes == {"venue": ["晋江国际会展中心", "晋江市科技创新中心"]}


def test_edit_page_shows_errors_inline_and_writes_nothing(client, staff, event):
    client.force_login(staff)
    before = _state(event)
    response = client.post(f"/events/{event.pk}/edit/", {
        "title": "", "date": "2027-03-18", "venue": "新地点", "start": "09:00",
        "slot_minutes": "20", "slot_count": "3", "break_minutes": "10"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "请填写活动名称" in page and 'value="新地点"' in page  # the input is kept
    assert _state(event) == before


def test_edit_page_shows_a_schedule_conflict_and_offers_to_discard(client, staff, scheduled):
    client.force_login(staff)
    page = client.get(f"/events/{scheduled.pk}/edit/").content.decode()
    assert 'name="discard_schedule"' in page
    data = {"title": scheduled.title, "date": "2027-03-18", "venue": scheduled.venue,
            "start": "13:00", "slot_minutes": "20", "slot_count": "3", "break_minutes": "10"}
    before = _state(scheduled)
    response = client.post(f"/events/{scheduled.pk}/edit/", data)
    assert response.status_code == 409 and "4 场洽谈" in response.content.decode()
    assert _state(scheduled) == before
    response = client.post(f"/events/{scheduled.pk}/edit/", {**data, "discard_schedule": "1"})
    assert response.status_code == 302
    assert Event.objects.get(pk=scheduled.pk).state == "draft"


def test_published_event_page_locks_date_and_slots(client, staff, scheduled):
    services.event_publish(actor=staff, event=scheduled)
    client.force_login(staff)
    page = client.get(f"/events/{scheduled.pk}/edit/").content.decode()
    assert 'id="slots-locked"' in page and 'name="date" id="id_date" value="2027-03-18" ' \
        'required disabled' in page
    response = client.post(f"/events/{scheduled.pk}/edit/", {
        "title": scheduled.title, "venue": "新会场", "description": ""})
    assert response.status_code == 302
    assert Event.objects.get(pk=scheduled.pk).venue == "新会场"


def test_non_staff_get_403_on_edit_pages(client, event, rnd):
    client.force_login(make_user(Role.ENTERPRISE))
    assert client.get(f"/events/{event.pk}/edit/").status_code == 403
    assert client.post(f"/events/{event.pk}/edit/", {"title": "x"}).status_code == 403
    assert client.get(f"/events/rounds/{rnd.pk}/edit/").status_code == 403
    assert Event.objects.get(pk=event.pk).title == "揭榜领题对接会"


def test_round_edit_page_prefilled_saves_and_locks_when_scoring(client, staff, scoring):
    client.force_login(staff)
    assert f'href="/events/rounds/{scoring.pk}/edit/"' in \
        client.get(f"/events/rounds/{scoring.pk}/").content.decode()
    page = client.get(f"/events/rounds/{scoring.pk}/edit/").content.decode()
    assert 'value="决赛"' in page and 'value="2027-05-01"' in page and 'id="settings-locked"' in page
    response = client.post(f"/events/rounds/{scoring.pk}/edit/",
                           {"title": "决赛（更正）", "description": "线下答辩"}, follow=True)
    assert response.redirect_chain[-1][0] == f"/events/rounds/{scoring.pk}/"
    assert "轮次信息已保存。" in response.content.decode()
    scoring.refresh_from_db()
    assert (scoring.title, scoring.description) == ("决赛（更正）", "线下答辩")


def test_round_edit_page_inline_error_writes_nothing(client, staff, rnd):
    client.force_login(staff)
    before = _round_state(rnd)
    response = client.post(f"/events/rounds/{rnd.pk}/edit/", {
        "title": "决赛", "reviewers_per_entry": "0", "default_max_load": "4",
        "scoring_deadline": "2027-05-01"})
    assert response.status_code == 422 and "每个方案的评审专家数应在 1 到 15 之间" in \
        response.content.decode()
    assert _round_state(rnd) == before


def test_finalised_round_edit_page_redirects_with_the_reason(client, staff, scoring):
    services.round_finalise(actor=staff, round=scoring, allow_missing=True)
    client.force_login(staff)
    response = client.get(f"/events/rounds/{scoring.pk}/edit/", follow=True)
    assert "本轮评审结果已确定，不能再修改。" in response.content.decode()
    assert 'id="edit-round"' not in response.content.decode()


# --------------------------------------------------------------------------------- API

def patch(client, url, data):
    return client.patch(url, json.dumps(data), content_type="application/json")


def test_api_patch_event_changes_only_what_is_sent(client, staff, event):
    client.force_login(staff)
    body = assert_json_success(patch(client, f"/api/events/{event.pk}",
                                     {"venue": "晋江市科技创新中心", "slot_count": 4}))
    assert body["venue"] == "晋江市科技创新中心" and len(body["slots"]) == 4
    assert body["title"] == "揭榜领题对接会"
    assert _last_update(event).source == "api"


def test_api_patch_event_refusals_use_the_one_error_shape(client, staff, scheduled):
    client.force_login(staff)
    before = _state(scheduled)
    body = assert_json_error(patch(client, f"/api/events/{scheduled.pk}", {"start": "11:00"}),
                             409, "schedule_affected")
    assert body["extra"] == {"meetings": 4}
    body = assert_json_error(patch(client, f"/api/events/{scheduled.pk}", {"slot_minutes": 1}),
                             422, "invalid")
    assert list(body["extra"]["fields"]) == ["slot_minutes"]
    assert _state(scheduled) == before
    client.force_login(make_user(Role.ENTERPRISE))
    assert_json_error(patch(client, f"/api/events/{scheduled.pk}", {"title": "x"}), 403,
                      "permission_denied")
    assert _state(scheduled) == before
    assert_json_error(patch(client, "/api/events/987654", {"title": "x"}), 403,
                      "permission_denied")


def test_api_patch_round(client, staff, rnd, scoring):
    client.force_login(staff)
    base = f"/api/events/rounds/{rnd.pk}"
    assert assert_json_success(patch(client, base, {"title": "总决赛"}))["title"] == "总决赛"
    before = _round_state(rnd)
    body = assert_json_error(patch(client, base, {"scoring_deadline": "2027-06-01"}), 409,
                             "round_scoring")
    assert body["extra"] == {"fields": ["scoring_deadline"]}
    assert _round_state(rnd) == before
    client.force_login(make_reviewer())
    assert_json_error(patch(client, base, {"title": "x"}), 403, "permission_denied")
    assert _round_state(rnd) == before


def test_edit_pages_are_available_in_english(client, staff, event, rnd):
    from django.conf import settings

    client.force_login(staff)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = client.get(f"/events/{event.pk}/edit/").content.decode()
    assert "Edit matchmaking event" in text and "Save changes" in text
    assert "编辑对接活动" not in text
    assert "Edit judging round" in client.get(f"/events/rounds/{rnd.pk}/edit/").content.decode()


def test_unavailability_on_a_moved_slot_is_removed_and_audited(staff, event, pairs):
    services.invitations_invite_shortlisted(actor=staff, event=event)
    first, second, _ = event.slots.order_by("starts_at")
    key = f"e:{pairs['enterprise'].pk}"
    services.availability_set(actor=staff, event=event, participant=key, slot_ids=[first.pk])
    services.event_update(actor=staff, event=event, date=EVENT_DATE + dt.timedelta(days=1))
    assert list(Unavailability.objects.filter(event=event).values_list("slot_id", flat=True)) \
        == [first.pk]  # a date change keeps the clock times: the record still holds
    services.event_update(actor=staff, event=event, start="08:00")
    assert not Unavailability.objects.filter(event=event).exists()
    assert _last_update(event).changes["unavailability"] == [1, 0]
