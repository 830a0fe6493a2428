"""Events: create, edit, availability, schedule (now or as a job), publish and state."""

from __future__ import annotations

from django.utils.translation import gettext as _
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_noop as N_
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from innolink.accounts.models import User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_diff, audit_record, audit_record_many, snapshot
from innolink.core.errors import Conflict, ValidationFailed
from innolink.core.models import Job
from innolink.core.notifications import notify
from innolink.events import fetch, scheduling
from innolink.events.models import (
    Event,
    EventRoom,
    EventSlot,
    EventState,
    Invitation,
    InvitationState,
    Meeting,
    Unavailability,
)
from innolink.events.services._common import (
    _editable,
    _fail,
    _int_in,
    _locked_event,
    _parse_time,
    _room_names,
    _staff,
    _text,
    _unknown,
)
from innolink.events.errors import (
    BAD_TRANSITION,
    NOT_SCHEDULED,
    SCHEDULE_AFFECTED,
    SCHEDULE_PUBLISHED,
)


@transaction.atomic
def event_create(*, actor, title: str, date: dt.date, venue: str, start: Any = "09:00",
                 slot_minutes: int = 20, slot_count: int = 8, break_minutes: int = 5,
                 rooms: Iterable[str] | str = ("洽谈室 1", "洽谈室 2"), description: str = "",
                 is_demo: bool = False, source: str = "web") -> Event:
    """An event with its time slots (``slot_count`` slots of ``slot_minutes`` from ``start``,
    ``break_minutes`` apart, Asia/Shanghai) and rooms."""
    _staff(actor)
    errors: dict[str, list[str]] = {}
    title, venue = (title or "").strip(), (venue or "").strip()
    if not title:
        errors["title"] = [_("请填写活动名称")]
    elif len(title) > 120:
        errors["title"] = [_("活动名称不能超过 120 个字")]
    if not venue:
        errors["venue"] = [_("请填写活动地点")]
    elif len(venue) > 200:
        errors["venue"] = [_("活动地点不能超过 200 个字")]
    if not isinstance(date, dt.date):
        errors["date"] = [_("请填写活动日期（YYYY-MM-DD）")]
    elif date < timezone.localdate() and not is_demo:
        errors["date"] = [_("活动日期不能早于今天")]
    if errors:
        raise ValidationFailed(errors)
    start_t = _parse_time(start, "start")
    minutes = _int_in(slot_minutes, "slot_minutes", N_("每场洽谈时长（分钟）"), 5, 240)
    count = _int_in(slot_count, "slot_count", N_("时段数"), 1, 40)
    gap = _int_in(break_minutes, "break_minutes", N_("间隔（分钟）"), 0, 120)
    names = _room_names(rooms)
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(date, start_t, tzinfo=tz)
    step = dt.timedelta(minutes=minutes + gap)
    last_end = first + step * (count - 1) + dt.timedelta(minutes=minutes)
    if last_end.date() != date:
        raise _fail("slot_count", _("最后一个时段结束于次日 %(end)s，请减少时段数或提前开始时间") % {"end": f"{last_end:%H:%M}"})

    event = Event.objects.create(title=title, date=date, venue=venue, description=description,
                                 created_by=actor if getattr(actor, "pk", None) else None,
                                 is_demo=is_demo)
    slots = EventSlot.objects.bulk_create([
        EventSlot(event=event, position=i, starts_at=first + step * i,
                  ends_at=first + step * i + dt.timedelta(minutes=minutes))
        for i in range(count)])
    EventRoom.objects.bulk_create([EventRoom(event=event, position=i, name=n)
                                   for i, n in enumerate(names)])
    audit_record(actor=actor, action="create", instance=event, source=source,
                 changes={"title": [None, title], "date": [None, date], "venue": [None, venue],
                          "slots": [None, [str(s) for s in slots]], "rooms": [None, names]})
    return event


@transaction.atomic
def availability_set(*, actor, event: Event, participant: str, slot_ids: Iterable[int],
                     source: str = "web") -> list[int]:
    """Replace the slots in which an invited participant cannot meet (the next scheduling run
    respects them)."""
    _staff(actor)
    event = _locked_event(event)
    _editable(event)
    invited = fetch.event_inputs(event)["labels"]
    if participant not in invited:
        raise _fail("participant", _("该参会方不在本活动的邀请名单中"))
    wanted = sorted(set(int(s) for s in slot_ids))
    known = set(event.slots.values_list("pk", flat=True))
    if set(wanted) - known:
        raise _fail("slot_ids", _("所选时段不属于本活动"))
    if wanted and len(wanted) == len(known):
        raise _fail("slot_ids", _("不能把全部时段都设为不可参会；如该方不参加，请取消其邀请"))
    before = sorted(event.unavailability.filter(participant_key=participant)
                    .values_list("slot_id", flat=True))
    event.unavailability.filter(participant_key=participant).delete()
    Unavailability.objects.bulk_create([Unavailability(event=event, participant_key=participant,
                                                       slot_id=s) for s in wanted])
    if before != wanted:
        audit_record(actor=actor, action="update", instance=event, source=source,
                     changes={f"unavailable:{invited[participant]}": [before, wanted]})
    return wanted


@dataclass
class ScheduleOutcome:
    placed: int
    #: invitation id -> reason, in the language of the request that scheduled
    unplaced: dict[int, str] = field(default_factory=dict)
    optimal: bool = True


@transaction.atomic
def event_schedule(*, actor, event: Event, time_limit_s: float = 10.0, source: str = "web"
                   ) -> ScheduleOutcome:
    """(Re)schedule every invited pair: nobody in two places at once, every pair placed when a
    schedule exists; the pairs that cannot be placed keep the reason. Replaces the previous
    schedule; a published schedule goes back to 已排程 until published again."""
    _staff(actor)
    event = _locked_event(event)
    _editable(event)
    data = fetch.event_inputs(event)
    slots, rooms = data["slots"], data["rooms"]
    plan = scheduling.plan_meetings(
        data["pairs"], slots=[s.pk for s in slots], rooms=[r.pk for r in rooms],
        unavailable=data["unavailable"], labels=data["labels"], time_limit_s=time_limit_s)
    old = {m.invitation_id: (m.slot_id, m.room_id) for m in event.meetings.all()}
    event.meetings.all().delete()
    by_id = {inv.pk: inv for inv in data["invitations"]}
    meetings = [Meeting(event=event, invitation_id=key, slot_id=p.slot, room_id=p.room,
                        host_key=by_id[key].host_key, guest_key=by_id[key].guest_key)
                for key, p in sorted(plan.placements.items())]
    Meeting.objects.bulk_create(meetings)
    for inv in data["invitations"]:
        reason = plan.unplaced.get(inv.pk)
        inv.unscheduled_reason = str(reason or "")[:300]
        inv.unscheduled_message = ({"msgid": reason.msgid, "params": reason.params}
                                   if reason else {})
    Invitation.objects.bulk_update(data["invitations"],
                                   ["unscheduled_reason", "unscheduled_message"])
    before = event.state
    event.state = EventState.SCHEDULED
    event.scheduled_at = timezone.now()
    event.save(update_fields=["state", "scheduled_at"])
    new = {key: (p.slot, p.room) for key, p in plan.placements.items()}
    audit_record(actor=actor, action="transition", instance=event, source=source,
                 changes={"state": [before, event.state],
                          "meetings": [len(old), len(new)],
                          "unplaced": [None, len(plan.unplaced)]},
                 note="排程：CP-SAT" + ("（最优）" if plan.optimal else "（时限内可行解）"))
    changed = [(by_id[k], {"slot_room": [list(old[k]) if k in old else None,
                                         list(new[k]) if k in new else None]})
               for k in sorted(set(old) | set(new)) if k in by_id and old.get(k) != new.get(k)]
    audit_record_many(actor=actor, action="update", items=changed, source=source,
                      note="排程结果")
    return ScheduleOutcome(placed=len(plan.placements),
                           unplaced={k: m.render() for k, m in plan.unplaced.items()},
                           optimal=plan.optimal)


#: Above this many invited pairs, the page and the API schedule in a background job.
SYNC_SCHEDULE_PAIRS = 200
#: The job kind ``innolink.events.tasks`` registers its runner under.
SCHEDULE_KIND = "events.schedule"


@transaction.atomic
def event_schedule_start(*, actor, event: Event, time_limit_s: float = 30.0):
    """Start scheduling as a background job (large events); the job page follows it."""
    from innolink.core.jobs import job_start

    _staff(actor)
    _editable(event)
    return job_start(kind=SCHEDULE_KIND, title=N_("排程：%(title)s"),
                     title_params={"title": event.title}, user=actor,
                     params={"event_id": event.pk, "time_limit_s": time_limit_s})


def event_schedule_now_or_later(*, actor, event: Event, source: str = "web"
                                ) -> ScheduleOutcome | Job:
    """Schedule now, or in a background job when the event has more than
    ``SYNC_SCHEDULE_PAIRS`` invited pairs: the one place that decides (page and API)."""
    if event.invitations.filter(state=InvitationState.INVITED).count() > SYNC_SCHEDULE_PAIRS:
        return event_schedule_start(actor=actor, event=event)
    return event_schedule(actor=actor, event=event, source=source)


def _participant_users(event: Event) -> list[User]:
    from innolink.challenges.models import ResearcherProfile

    enterprise_ids = {k for k in event.meetings.values_list("invitation__host_enterprise_id",
                                                            flat=True) if k}
    researcher_ids = {k for k in event.meetings.values_list("invitation__guest_researcher_id",
                                                            flat=True) if k}
    users = list(User.objects.filter(role=Role.ENTERPRISE, enterprise_id__in=enterprise_ids,
                                     is_active=True))
    user_ids = ResearcherProfile.objects.filter(pk__in=researcher_ids, user__isnull=False) \
        .values_list("user_id", flat=True)
    users += list(User.objects.filter(pk__in=list(user_ids), is_active=True))
    return users


@transaction.atomic
def event_publish(*, actor, event: Event, source: str = "web") -> Event:
    """Publish the schedule: participants see their agenda and are notified."""
    _staff(actor)
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.state != EventState.SCHEDULED:
        raise Conflict(_("请先完成排程再发布日程") if event.state == EventState.DRAFT
                       else _("活动“%(state)s”，不能发布日程") % {"state": event.get_state_display()},
                       code=NOT_SCHEDULED)
    before = event.state
    event.state = EventState.PUBLISHED
    event.published_at = timezone.now()
    event.save(update_fields=["state", "published_at"])
    audit_record(actor=actor, action="transition", instance=event, source=source,
                 changes={"state": [before, event.state]})
    notify(recipients=_participant_users(event), title=f"对接活动日程已发布：{event.title}",
           body=f"{event.date:%Y-%m-%d} · {event.venue}。请查看您的洽谈安排。",
           url=reverse("events:agenda", args=[event.pk]), kind="events.published")
    return event


@transaction.atomic
def event_transition(*, actor, event: Event, to: str, source: str = "web") -> Event:
    """Close a held event or cancel one (participants of a published schedule are told)."""
    _staff(actor)
    event = Event.objects.select_for_update().get(pk=event.pk)
    allowed = {EventState.CLOSED: (EventState.PUBLISHED,),
               EventState.CANCELLED: (EventState.DRAFT, EventState.SCHEDULED,
                                      EventState.PUBLISHED)}
    if to not in allowed:
        raise _fail("state", _("只能结束（closed）或取消（cancelled）活动"))
    if event.state not in allowed[to]:
        raise Conflict(_("活动当前为“%(state)s”，不能变为“%(to)s”") % {
            "state": event.get_state_display(), "to": EventState(to).label}, code=BAD_TRANSITION)
    was_published = event.state == EventState.PUBLISHED
    before = event.state
    event.state = to
    event.save(update_fields=["state"])
    audit_record(actor=actor, action="transition", instance=event, source=source,
                 changes={"state": [before, to]})
    if to == EventState.CANCELLED and was_published:
        notify(recipients=_participant_users(event), title=f"对接活动已取消：{event.title}",
               url="", kind="events.cancelled")
    return event


# ------------------------------------------------------------------------- editing (0322)

#: Event fields an organizer may change, by what they depend on (decision 0322).
EVENT_TEXT_FIELDS = ("title", "venue", "description")
EVENT_SCHEDULE_FIELDS = ("date", "start", "slot_minutes", "slot_count", "break_minutes")


def event_slot_settings(event: Event) -> dict[str, Any]:
    """The slot settings the event's slots were made from (what the edit form shows)."""
    slots = list(event.slots.order_by("starts_at", "id"))
    if not slots:
        return {"start": "09:00", "slot_minutes": 20, "slot_count": 0, "break_minutes": 0}
    first = timezone.localtime(slots[0].starts_at)
    minutes = int((slots[0].ends_at - slots[0].starts_at).total_seconds() // 60)
    gap = (int((slots[1].starts_at - slots[0].ends_at).total_seconds() // 60)
           if len(slots) > 1 else 5)
    return {"start": f"{first:%H:%M}", "slot_minutes": minutes, "slot_count": len(slots),
            "break_minutes": gap}




@transaction.atomic
def event_update(*, actor, event: Event, discard_schedule: bool = False, source: str = "web",
                 **changes: Any) -> Event:
    """Change what is safe in the event's state (decision 0322): title, venue and description
    until the event is closed or cancelled; the date and the slot settings (``start``,
    ``slot_minutes``, ``slot_count``, ``break_minutes``) only before the schedule is published.
    A date change moves every slot to the new day (meetings and unavailability stay with their
    slots). Slot settings that move or remove slots holding placed meetings are refused with
    the number of meetings, unless ``discard_schedule``: then the schedule is cleared (the
    event goes back to 筹备中) and the organizer runs 自动排程 again. Values equal to the
    current ones are not changes; nothing changed writes nothing."""
    _staff(actor)
    _unknown(changes, EVENT_TEXT_FIELDS + EVENT_SCHEDULE_FIELDS)
    event = _locked_event(event)
    _editable(event)
    errors: dict[str, list[str]] = {}
    _text(changes, errors, "title", N_("活动名称"), 120, True)
    _text(changes, errors, "venue", N_("活动地点"), 200, True)
    if "description" in changes:
        changes["description"] = str(changes["description"] or "").strip()
    if "date" in changes:
        if not isinstance(changes["date"], dt.date):
            errors["date"] = [_("请填写活动日期（YYYY-MM-DD）")]
        elif changes["date"] != event.date and changes["date"] < timezone.localdate() \
                and not event.is_demo:
            errors["date"] = [_("活动日期不能早于今天")]
    if errors:
        raise ValidationFailed(errors)
    current = event_slot_settings(event)
    wanted = dict(current)
    if "start" in changes:
        wanted["start"] = f"{_parse_time(changes['start'], 'start'):%H:%M}"
    for name, label, lo, hi in (("slot_minutes", N_("每场洽谈时长（分钟）"), 5, 240),
                                ("slot_count", N_("时段数"), 1, 40),
                                ("break_minutes", N_("间隔（分钟）"), 0, 120)):
        if name in changes:
            wanted[name] = _int_in(changes[name], name, label, lo, hi)
    if wanted["slot_count"] == 1:
        wanted["break_minutes"] = current["break_minutes"]  # a single slot has no break
    new_date = changes.get("date", event.date)
    before = snapshot(event, EVENT_TEXT_FIELDS + ("date",))
    after = {**before, **{k: changes[k] for k in EVENT_TEXT_FIELDS if k in changes},
             "date": new_date}
    slots_change = wanted != current
    diff = audit_diff(before, after)
    if not diff and not slots_change:
        return event
    locked = [name for name in EVENT_SCHEDULE_FIELDS
              if (name == "date" and "date" in diff) or (name != "date" and
                                                         wanted[name] != current[name])]
    if locked and event.state == EventState.PUBLISHED:
        raise Conflict(_("日程已发布，不能再修改活动日期或洽谈时段；如确需调整，请先重新排程"
                         "（日程退回“已排程”，参会方在再次发布后收到新日程），再修改"),
                       code=SCHEDULE_PUBLISHED, extra={"fields": locked})

    old_slots = list(event.slots.order_by("starts_at", "id"))
    tz = timezone.get_current_timezone()
    if slots_change:
        first = dt.datetime.combine(new_date, dt.time.fromisoformat(wanted["start"]), tzinfo=tz)
        step = dt.timedelta(minutes=wanted["slot_minutes"] + wanted["break_minutes"])
        length = dt.timedelta(minutes=wanted["slot_minutes"])
        times = [(first + step * i, first + step * i + length)
                 for i in range(wanted["slot_count"])]
        if times[-1][1].astimezone(tz).date() != new_date:
            raise _fail("slot_count", _("最后一个时段结束于次日 %(end)s，请减少时段数或提前开始时间") % {
                "end": f"{times[-1][1].astimezone(tz):%H:%M}"})
    else:
        shift = new_date - event.date
        times = [(s.starts_at + shift, s.ends_at + shift) for s in old_slots]

    def clock(start, end):
        return (timezone.localtime(start).time(), timezone.localtime(end).time())

    moved = [s.pk for i, s in enumerate(old_slots)
             if i >= len(times) or clock(s.starts_at, s.ends_at) != clock(*times[i])]
    affected = Meeting.objects.filter(slot_id__in=moved).count()
    if affected and not discard_schedule:
        raise Conflict(_("当前排程中有 %(n)s 场洽谈安排在将被调整或删除的时段，修改会使其失效。"
                         "如确认修改，请选择“清除现有排程”后保存，再重新自动排程") % {"n": affected},
                       code=SCHEDULE_AFFECTED, extra={"meetings": affected})
    if affected:
        diff["meetings"] = [event.meetings.count(), 0]
        event.meetings.all().delete()
        event.invitations.update(unscheduled_reason="", unscheduled_message={})
        if event.state == EventState.SCHEDULED:
            diff["state"] = [event.state, EventState.DRAFT]
            event.state, event.scheduled_at = EventState.DRAFT, None
    dropped = Unavailability.objects.filter(event=event, slot_id__in=moved)
    n_dropped = dropped.count()
    if n_dropped:
        diff["unavailability"] = [n_dropped, 0]
        dropped.delete()
    if slots_change:
        diff["slots"] = [[str(s) for s in old_slots], None]
    keep = old_slots[:len(times)]
    for slot, (start, end) in zip(keep, times):
        slot.starts_at, slot.ends_at = start, end
    EventSlot.objects.filter(pk__in=[s.pk for s in old_slots[len(times):]]).delete()
    EventSlot.objects.bulk_update(keep, ["starts_at", "ends_at"])
    EventSlot.objects.bulk_create([
        EventSlot(event=event, position=i, starts_at=start, ends_at=end)
        for i, (start, end) in enumerate(times) if i >= len(keep)])
    if slots_change:
        diff["slots"][1] = [str(s) for s in event.slots.order_by("starts_at", "id")]
    for name in EVENT_TEXT_FIELDS + ("date",):
        setattr(event, name, after[name])
    event.save(update_fields=list(EVENT_TEXT_FIELDS) + ["date", "state", "scheduled_at"])
    audit_record(actor=actor, action="update", instance=event, changes=diff, source=source,
                 note="清除排程" if affected else "")
    return event
