"""Event services: creation with slots and rooms, invitations, scheduling, publication."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from innolink.accounts.roles import Role
from innolink.core.errors import Conflict, PermissionDenied, ValidationFailed
from innolink.core.models import AuditEntry, Notification
from innolink.enterprises.testing import make_user
from innolink.events import selectors, services
from innolink.events.models import Event, EventSlot, Invitation, Meeting
from innolink.events.tests.conftest import EVENT_DATE
from innolink.events.tests.factories import make_proposal

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_event_create_makes_slots_in_shanghai_time_and_rooms(event):
    slots = list(event.slots.all())
    assert [s.starts_at.astimezone(SHANGHAI).strftime("%H:%M") for s in slots] == \
        ["09:00", "09:30", "10:00"]
    assert slots[0].ends_at - slots[0].starts_at == dt.timedelta(minutes=20)
    assert [r.name for r in event.rooms.all()] == ["A 厅", "B 厅"]
    entry = AuditEntry.objects.get(model="events.event", object_id=str(event.pk))
    assert entry.action == "create" and entry.changes["rooms"] == [None, ["A 厅", "B 厅"]]


@pytest.mark.parametrize("change, field, message", [
    ({"title": " "}, "title", "请填写活动名称"),
    ({"date": dt.date(2020, 1, 1)}, "date", "活动日期不能早于今天"),
    ({"rooms": ["A", "A"]}, "rooms", "会议室名称不能重复"),
    ({"rooms": []}, "rooms", "请至少填写一间会议室"),
    ({"slot_minutes": 2}, "slot_minutes", "每场洽谈时长（分钟）应在 5 到 240 之间"),
    ({"start": "25:00"}, "start", "开始时间格式应为 HH:MM，例如 09:00"),
    ({"start": "22:00", "slot_count": 10}, "slot_count",
     "最后一个时段结束于次日 02:05，请减少时段数或提前开始时间"),
])
def test_event_create_refuses_bad_input_and_writes_nothing(staff, change, field, message):
    data = {"title": "对接会", "date": EVENT_DATE, "venue": "晋江", "start": "09:00",
            "slot_minutes": 20, "slot_count": 3, "break_minutes": 5, "rooms": ["A"], **change}
    with pytest.raises(ValidationFailed) as caught:
        services.event_create(actor=staff, **data)
    assert caught.value.fields[field] == [message]
    assert not Event.objects.exists() and not EventSlot.objects.exists()
    assert not AuditEntry.objects.filter(model="events.event").exists()


def test_only_staff_create_events(db):
    with pytest.raises(PermissionDenied):
        services.event_create(actor=make_user(Role.ENTERPRISE), title="x", date=EVENT_DATE,
                              venue="y")
    assert not Event.objects.exists()


def test_invite_a_shortlisted_proposal_and_refuse_others(staff, event, pairs):
    proposal = pairs["proposals"][0]
    invitation = services.invitation_create(actor=staff, event=event, proposal=proposal,
                                            priority=3)
    assert invitation.host_enterprise == proposal.challenge.enterprise
    assert invitation.guest_researcher == proposal.researcher
    assert invitation.host_key == f"e:{proposal.challenge.enterprise_id}"
    assert AuditEntry.objects.filter(model="events.invitation", action="create").count() == 1
    # the same pair twice is a conflict, and nothing more is written
    with pytest.raises(Conflict):
        services.invitation_create(actor=staff, event=event, proposal=proposal)
    # a proposal that is only submitted (not shortlisted) is refused with the rule
    submitted = make_proposal(state="submitted")
    with pytest.raises(ValidationFailed) as caught:
        services.invitation_create(actor=staff, event=event, proposal=submitted)
    assert "只能邀请入围或对接成功的方案" in caught.value.fields["proposal"][0]
    assert Invitation.objects.count() == 1
    # priority outside 1-5
    with pytest.raises(ValidationFailed) as caught:
        services.invitation_create(actor=staff, event=event, proposal=pairs["proposals"][1],
                                   priority=9)
    assert caught.value.fields == {"priority": ["优先级应在 1 到 5 之间"]}
    assert Invitation.objects.count() == 1


def test_a_listing_of_an_outside_issuer_is_hosted_by_that_issuer(staff, event):
    # a contest listing from an institute outside the platform (decision 0352): its meetings
    # are keyed to the issuer, so two of its listings never share a slot
    from innolink.challenges.models import Challenge, Issuer

    issuer = Issuer.objects.create(name="某省轻工研究所（测试）", kind="institute",
                                   region="山东省烟台市")
    first, second = (make_proposal() for _ in range(2))
    Challenge.objects.filter(pk__in=[first.challenge_id, second.challenge_id]).update(
        enterprise=None, issuer=issuer)
    first.refresh_from_db()
    second.refresh_from_db()
    assert services.invitations_invite_shortlisted(actor=staff, event=event) == 2
    invitations = list(event.invitations.order_by("id"))
    assert {i.host_key for i in invitations} == {f"o:{issuer.pk}"}
    assert invitations[0].host_name == "某省轻工研究所（测试）"
    services.event_schedule(actor=staff, event=event)
    slots = list(Meeting.objects.filter(event=event).values_list("slot_id", flat=True))
    assert len(slots) == 2 and len(set(slots)) == 2


def test_schedule_places_everybody_without_double_booking(staff, event, pairs):
    assert services.invitations_invite_shortlisted(actor=staff, event=event) == 4
    outcome = services.event_schedule(actor=staff, event=event)
    # 4 pairs, the enterprise is in 3 of them and the first researcher in 2: 3 slots suffice
    assert outcome.placed == 4 and outcome.unplaced == {}
    meetings = list(Meeting.objects.filter(event=event))
    for key in ("host_key", "guest_key"):
        seen = [(m.slot_id, getattr(m, key)) for m in meetings]
        assert len(seen) == len(set(seen)), f"double-booked {key}"
    assert len({(m.slot_id, m.room_id) for m in meetings}) == 4
    event.refresh_from_db()
    assert event.state == "scheduled"
    assert AuditEntry.objects.filter(model="events.event", action="transition").exists()


def test_unplaceable_pairs_keep_their_reason(staff, pairs):
    event = services.event_create(actor=staff, title="短会", date=EVENT_DATE, venue="晋江",
                                  slot_count=2, rooms=["A", "B"])
    services.invitations_invite_shortlisted(actor=staff, event=event)
    outcome = services.event_schedule(actor=staff, event=event)
    # the enterprise has 3 meetings but only 2 slots
    assert outcome.placed == 3
    reasons = set(Invitation.objects.filter(event=event).exclude(unscheduled_reason="")
                  .values_list("unscheduled_reason", flat=True))
    name = pairs["enterprise"].name
    assert reasons == {f"{name}需参加 3 场洽谈，但只有 2 个可参会时段"}


def test_reschedule_after_cancel_frees_the_slot(staff, event, pairs):
    services.invitations_invite_shortlisted(actor=staff, event=event)
    services.event_schedule(actor=staff, event=event)
    invitation = Invitation.objects.filter(event=event).first()
    services.invitation_cancel(actor=staff, invitation=invitation)
    assert not Meeting.objects.filter(invitation=invitation).exists()
    outcome = services.event_schedule(actor=staff, event=event)
    assert outcome.placed == 3
    with pytest.raises(Conflict):
        services.invitation_cancel(actor=staff, invitation=invitation)


def test_publish_notifies_participants_and_shows_their_agenda(staff, event, pairs):
    with pytest.raises(Conflict):  # not scheduled yet
        services.event_publish(actor=staff, event=event)
    services.invitations_invite_shortlisted(actor=staff, event=event)
    services.event_schedule(actor=staff, event=event)
    enterprise_user = make_user(Role.ENTERPRISE, enterprise=pairs["enterprise"])
    researcher_user = pairs["proposals"][0].researcher.user
    services.event_publish(actor=staff, event=event)
    notified = set(Notification.objects.filter(kind="events.published")
                   .values_list("recipient_id", flat=True))
    assert {enterprise_user.pk, researcher_user.pk} <= notified
    (agenda,) = selectors.agendas_for_user(researcher_user, event)
    assert len(agenda.rows) == 2  # the first researcher claimed two challenges
    assert {r.counterpart for r in agenda.rows} == {
        pairs["enterprise"].name, pairs["proposals"][1].challenge.enterprise.name}
    (mine,) = selectors.agendas_for_user(enterprise_user, event)
    assert len(mine.rows) == 3
    assert [r.starts_at for r in mine.rows] == sorted(r.starts_at for r in mine.rows)


def test_participants_see_only_published_events_they_are_in(staff, event, pairs):
    services.invitations_invite_shortlisted(actor=staff, event=event)
    services.event_schedule(actor=staff, event=event)
    insider = make_user(Role.ENTERPRISE, enterprise=pairs["enterprise"])
    outsider = make_user(Role.ENTERPRISE)
    assert not selectors.events_visible_to(insider).exists()  # scheduled, not yet published
    services.event_publish(actor=staff, event=event)
    assert list(selectors.events_visible_to(insider)) == [event]
    assert not selectors.events_visible_to(outsider).exists()
    assert not selectors.events_visible_to(make_user(Role.REVIEWER)).exists()


def test_cancel_and_close(staff, event):
    with pytest.raises(Conflict):
        services.event_transition(actor=staff, event=event, to="closed")
    services.event_transition(actor=staff, event=event, to="cancelled")
    event.refresh_from_db()
    assert event.state == "cancelled"
    with pytest.raises(Conflict):
        services.event_schedule(actor=staff, event=event)


def test_unavailable_slots_are_respected_and_explained(staff, pairs):
    event = services.event_create(actor=staff, title="上午会", date=EVENT_DATE, venue="晋江",
                                  slot_count=3, rooms=["A", "B"])
    proposal = pairs["proposals"][0]
    inv = services.invitation_create(actor=staff, event=event, proposal=proposal)
    slots = list(event.slots.all())
    # the researcher leaves after the first slot, the enterprise arrives for the last one only
    services.availability_set(actor=staff, event=event, participant=inv.guest_key,
                              slot_ids=[s.pk for s in slots[1:]])
    services.availability_set(actor=staff, event=event, participant=inv.host_key,
                              slot_ids=[s.pk for s in slots[:2]])
    outcome = services.event_schedule(actor=staff, event=event)
    assert outcome.placed == 0
    assert outcome.unplaced == {
        inv.pk: f"{pairs['enterprise'].name}与{proposal.researcher.name}没有共同的可参会时段"}
    # the enterprise can come earlier after all: the meeting lands in the one common slot
    services.availability_set(actor=staff, event=event, participant=inv.host_key, slot_ids=[])
    services.event_schedule(actor=staff, event=event)
    assert Meeting.objects.get(invitation=inv).slot == slots[0]


def test_availability_refuses_strangers_and_foreign_slots(staff, event, pairs):
    inv = services.invitation_create(actor=staff, event=event, proposal=pairs["proposals"][0])
    with pytest.raises(ValidationFailed) as caught:
        services.availability_set(actor=staff, event=event, participant="e:999999", slot_ids=[])
    assert caught.value.fields == {"participant": ["该参会方不在本活动的邀请名单中"]}
    with pytest.raises(ValidationFailed) as caught:
        services.availability_set(actor=staff, event=event, participant=inv.host_key,
                                  slot_ids=[s.pk for s in event.slots.all()])
    assert "不能把全部时段都设为不可参会" in caught.value.fields["slot_ids"][0]
    assert not event.unavailability.exists()


def test_large_events_schedule_in_a_background_job(client, staff, event, pairs,
                                                   django_capture_on_commit_callbacks):
    from innolink.core.models import Job
    from innolink.events.services import events as event_services

    services.invitations_invite_shortlisted(actor=staff, event=event)
    client.force_login(staff)
    original = event_services.SYNC_SCHEDULE_PAIRS
    event_services.SYNC_SCHEDULE_PAIRS = 2  # this event (4 pairs) counts as large
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/events/{event.pk}/schedule/")
    finally:
        event_services.SYNC_SCHEDULE_PAIRS = original
    job = Job.objects.get(kind="events.schedule")
    assert response["Location"] == f"/jobs/{job.pk}/"
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result["placed"] == 4
    assert Meeting.objects.filter(event=event).count() == 4
