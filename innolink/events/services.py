"""Every write of events and judging rounds. Each function is one transaction, audits what it
changes and notifies those concerned in the platform."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from innolink.accounts.models import Institution, User
from innolink.accounts.roles import Role
from innolink.core.audit import audit_diff, audit_record, audit_record_many, snapshot
from innolink.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from innolink.core.notifications import notify
from innolink.events import access, fetch, scheduling, selectors
from innolink.events.models import (
    AssignmentState,
    Award,
    AwardLevel,
    Criterion,
    DeclaredConflict,
    Event,
    EventRoom,
    EventSlot,
    EventState,
    Invitation,
    InvitationKind,
    InvitationState,
    JudgingRound,
    Meeting,
    ResultRow,
    ReviewAssignment,
    ReviewerProfile,
    RoundEntry,
    RoundReviewer,
    RoundState,
    Score,
    Unavailability,
)

TWO = Decimal("0.01")
DEFAULT_RUBRIC = (("技术可行性", Decimal(30), "技术路线是否可行，指标能否达到"),
                  ("创新性", Decimal(30), "与现有方案相比的新颖程度"),
                  ("团队能力", Decimal(20), "团队的专业背景、前期成果与投入"),
                  ("预算合理性", Decimal(20), "经费预算与实施计划是否匹配"))
EDITABLE_EVENT_STATES = (EventState.DRAFT, EventState.SCHEDULED, EventState.PUBLISHED)


def _staff(actor) -> None:
    if not access.is_event_staff(actor):
        raise PermissionDenied()


def _fail(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed({field_name: [message]}, message=message)


def _staff_users() -> list[User]:
    return list(User.objects.filter(role__in=access.EVENT_STAFF, is_active=True))


# ================================================================================= events

def _parse_time(value: Any, field_name: str) -> dt.time:
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise _fail(field_name, "开始时间格式应为 HH:MM，例如 09:00") from None


def _int_in(value: Any, field_name: str, label: str, lo: int, hi: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise _fail(field_name, f"{label}必须是整数") from None
    if not lo <= number <= hi:
        raise _fail(field_name, f"{label}应在 {lo} 到 {hi} 之间")
    return number


def _room_names(rooms: Iterable[str] | str) -> list[str]:
    if isinstance(rooms, str):
        rooms = rooms.replace("，", ",").replace("\n", ",").split(",")
    names = [r.strip() for r in rooms if r and r.strip()]
    if not names:
        raise _fail("rooms", "请至少填写一间会议室")
    if len(names) > 50:
        raise _fail("rooms", "会议室最多 50 间")
    if len(set(names)) != len(names):
        raise _fail("rooms", "会议室名称不能重复")
    if any(len(n) > 60 for n in names):
        raise _fail("rooms", "会议室名称不能超过 60 个字")
    return names


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
        errors["title"] = ["请填写活动名称"]
    elif len(title) > 120:
        errors["title"] = ["活动名称不能超过 120 个字"]
    if not venue:
        errors["venue"] = ["请填写活动地点"]
    elif len(venue) > 200:
        errors["venue"] = ["活动地点不能超过 200 个字"]
    if not isinstance(date, dt.date):
        errors["date"] = ["请填写活动日期（YYYY-MM-DD）"]
    elif date < timezone.localdate() and not is_demo:
        errors["date"] = ["活动日期不能早于今天"]
    if errors:
        raise ValidationFailed(errors)
    start_t = _parse_time(start, "start")
    minutes = _int_in(slot_minutes, "slot_minutes", "每场洽谈时长（分钟）", 5, 240)
    count = _int_in(slot_count, "slot_count", "时段数", 1, 40)
    gap = _int_in(break_minutes, "break_minutes", "间隔（分钟）", 0, 120)
    names = _room_names(rooms)
    tz = timezone.get_current_timezone()
    first = dt.datetime.combine(date, start_t, tzinfo=tz)
    step = dt.timedelta(minutes=minutes + gap)
    last_end = first + step * (count - 1) + dt.timedelta(minutes=minutes)
    if last_end.date() != date:
        raise _fail("slot_count", f"最后一个时段结束于次日 {last_end:%H:%M}，请减少时段数或提前开始时间")

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


def _locked_event(event: Event) -> Event:
    """Re-read the event under a row lock: invitation and schedule writes of one event
    serialize, so the duplicate checks hold under concurrent requests."""
    return Event.objects.select_for_update().get(pk=event.pk)


def _editable(event: Event) -> None:
    if event.state not in EDITABLE_EVENT_STATES:
        raise Conflict(f"活动“{event.get_state_display()}”，不能再修改", code="event_closed")


def _sides_of_proposal(proposal) -> dict[str, Any]:
    ch = proposal.challenge
    return {"host_enterprise": ch.enterprise, "host_institution": None if ch.enterprise_id
            else ch.institution,
            "host_issuer": ch.issuer if not (ch.enterprise_id or ch.institution_id) else None,
            "guest_researcher": proposal.researcher,
            "guest_institution": None, "topic": ch.title[:200]}


def _sides_of_interest(interest) -> dict[str, Any]:
    offer = interest.offer
    return {"host_enterprise": interest.enterprise, "host_institution": None, "host_issuer": None,
            "guest_researcher": offer.researcher,
            "guest_institution": None if offer.researcher_id else offer.institution,
            "topic": offer.title[:200]}


@transaction.atomic
def invitation_create(*, actor, event: Event, proposal=None, offer_interest=None,
                      priority: int = 1, source: str = "web") -> Invitation:
    """Invite a pair: a shortlisted (or matched) proposal's poster and researcher, or an
    enterprise and the technology offer it is interested in."""
    _staff(actor)
    event = _locked_event(event)
    _editable(event)
    if (proposal is None) == (offer_interest is None):
        raise _fail("proposal", "请选择一个入围方案或一个成果合作意向（二选一）")
    priority = _int_in(priority, "priority", "优先级", 1, 5)
    if proposal is not None:
        if proposal.state not in ("shortlisted", "matched"):
            raise _fail("proposal", f"方案当前状态为“{proposal.get_state_display()}”，只能邀请入围或"
                                    f"对接成功的方案")
        sides, kind = _sides_of_proposal(proposal), InvitationKind.PROPOSAL
        if event.invitations.filter(proposal=proposal).exists():
            raise Conflict("该方案已在本活动的邀请名单中", code="already_invited")
    else:
        if offer_interest.state != "open":
            raise _fail("offer_interest", "该合作意向已结束，不能邀请")
        sides, kind = _sides_of_interest(offer_interest), InvitationKind.OFFER
        if event.invitations.filter(offer_interest=offer_interest).exists():
            raise Conflict("该合作意向已在本活动的邀请名单中", code="already_invited")
    invitation = Invitation.objects.create(event=event, kind=kind, proposal=proposal,
                                           offer_interest=offer_interest, priority=priority,
                                           **sides)
    audit_record(actor=actor, action="create", instance=invitation, source=source,
                 changes={"event": [None, event.pk], "kind": [None, kind],
                          "host": [None, invitation.host_name],
                          "guest": [None, invitation.guest_name], "priority": [None, priority]})
    return invitation


@transaction.atomic
def invitations_invite_shortlisted(*, actor, event: Event, source: str = "web") -> int:
    """Invite every shortlisted proposal and open offer interest not yet invited."""
    _staff(actor)
    event = _locked_event(event)
    _editable(event)
    candidates = selectors.invitation_candidates(event)
    created = []
    for proposal in candidates["proposals"]:
        created.append(Invitation(event=event, kind=InvitationKind.PROPOSAL, proposal=proposal,
                                  **_sides_of_proposal(proposal)))
    for interest in candidates["interests"]:
        created.append(Invitation(event=event, kind=InvitationKind.OFFER,
                                  offer_interest=interest, **_sides_of_interest(interest)))
    created = Invitation.objects.bulk_create(created)  # pks set on SQLite and PostgreSQL
    audit_record_many(actor=actor, action="create", source=source, items=[
        (inv, {"event": [None, event.pk], "kind": [None, inv.kind],
               "host": [None, inv.host_name], "guest": [None, inv.guest_name]})
        for inv in created])
    return len(created)


@transaction.atomic
def invitation_cancel(*, actor, invitation: Invitation, source: str = "web") -> Invitation:
    _staff(actor)
    _editable(_locked_event(invitation.event))
    invitation = Invitation.objects.get(pk=invitation.pk)
    if invitation.state == InvitationState.CANCELLED:
        raise Conflict("该邀请已取消", code="already_cancelled")
    meeting = Meeting.objects.filter(invitation=invitation).first()
    changes = {"state": [invitation.state, InvitationState.CANCELLED]}
    if meeting is not None:
        changes["meeting"] = [str(meeting), None]
        meeting.delete()
    invitation.state = InvitationState.CANCELLED
    invitation.unscheduled_reason = ""
    invitation.save(update_fields=["state", "unscheduled_reason"])
    audit_record(actor=actor, action="transition", instance=invitation, changes=changes,
                 source=source)
    return invitation


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
        raise _fail("participant", "该参会方不在本活动的邀请名单中")
    wanted = sorted(set(int(s) for s in slot_ids))
    known = set(event.slots.values_list("pk", flat=True))
    if set(wanted) - known:
        raise _fail("slot_ids", "所选时段不属于本活动")
    if wanted and len(wanted) == len(known):
        raise _fail("slot_ids", "不能把全部时段都设为不可参会；如该方不参加，请取消其邀请")
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
    unplaced: dict[int, str] = field(default_factory=dict)  # invitation id -> reason
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
        inv.unscheduled_reason = plan.unplaced.get(inv.pk, "")[:300]
    Invitation.objects.bulk_update(data["invitations"], ["unscheduled_reason"])
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
    return ScheduleOutcome(placed=len(plan.placements), unplaced=dict(plan.unplaced),
                           optimal=plan.optimal)


#: Above this many invited pairs, the page schedules in a background job.
SYNC_SCHEDULE_PAIRS = 200


@transaction.atomic
def event_schedule_start(*, actor, event: Event, time_limit_s: float = 30.0):
    """Start scheduling as a background job (large events); the job page follows it."""
    from innolink.core.jobs import job_start
    from innolink.events.tasks import SCHEDULE_KIND

    _staff(actor)
    _editable(event)
    return job_start(kind=SCHEDULE_KIND, title=f"排程：{event.title}", user=actor,
                     params={"event_id": event.pk, "time_limit_s": time_limit_s})


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
        raise Conflict("请先完成排程再发布日程" if event.state == EventState.DRAFT
                       else f"活动“{event.get_state_display()}”，不能发布日程", code="not_scheduled")
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
        raise _fail("state", "只能结束（closed）或取消（cancelled）活动")
    if event.state not in allowed[to]:
        raise Conflict(f"活动当前为“{event.get_state_display()}”，不能变为"
                       f"“{EventState(to).label}”", code="bad_transition")
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


# ================================================================================ judging

@transaction.atomic
def reviewer_profile_save(*, actor, user: User, title: str = "", fields: Sequence[str] = (),
                          keywords: str = "", station: str = "",
                          other_institutions: Iterable[Institution] = (),
                          enterprises: Iterable = (), default_max_load: int = 8,
                          is_demo: bool = False, source: str = "web") -> ReviewerProfile:
    """Create or update a reviewer's profile (by staff or the reviewer themselves)."""
    from innolink.challenges.models import Domain

    if not (access.is_event_staff(actor) or (actor is not None and actor.pk == user.pk)):
        raise PermissionDenied()
    if user.role != Role.REVIEWER:
        raise _fail("user", "只有评审专家可以建立评审档案")
    bad = [f for f in fields if f not in Domain.values]
    if bad:
        raise _fail("fields", f"评审领域无效：{'、'.join(bad)}；应为六大领域之一")
    load = _int_in(default_max_load, "default_max_load", "默认评审上限", 1, 200)
    profile, created = ReviewerProfile.objects.get_or_create(user=user, defaults={
        "is_demo": is_demo, "default_max_load": load})
    before = snapshot(profile, ["title", "fields", "keywords", "station", "default_max_load"])
    before["other_institutions"] = sorted(profile.other_institutions.values_list("pk", flat=True))
    before["enterprises"] = sorted(profile.enterprises.values_list("pk", flat=True))
    profile.title, profile.fields, profile.keywords = title[:32], list(fields), keywords[:300]
    profile.station, profile.default_max_load = station.strip()[:120], load
    profile.save()
    profile.other_institutions.set(list(other_institutions))
    profile.enterprises.set(list(enterprises))
    after = snapshot(profile, ["title", "fields", "keywords", "station", "default_max_load"])
    after["other_institutions"] = sorted(i.pk for i in profile.other_institutions.all())
    after["enterprises"] = sorted(e.pk for e in profile.enterprises.all())
    changes = audit_diff({} if created else before, after)
    if changes or created:
        audit_record(actor=actor, action="create" if created else "update", instance=profile,
                     changes=changes, source=source)
    return profile


@transaction.atomic
def conflict_declare(*, actor, reviewer: User, reason: str, proposal=None, researcher=None,
                     enterprise=None, source: str = "web") -> DeclaredConflict:
    """Record a declared conflict of interest; any unsubmitted assignment it touches in an
    open round is withdrawn (and audited)."""
    if not (access.is_event_staff(actor) or (actor is not None and actor.pk == reviewer.pk)):
        raise PermissionDenied()
    if reviewer.role != Role.REVIEWER:
        raise _fail("reviewer", "只有评审专家可以声明回避")
    reason = (reason or "").strip()
    if not reason:
        raise _fail("reason", "请填写回避理由")
    if len(reason) > 200:
        raise _fail("reason", "回避理由不能超过 200 个字")
    if sum(x is not None for x in (proposal, researcher, enterprise)) != 1:
        raise _fail("proposal", "请选择回避的对象：一个方案、一位科研人员或一家企业（三选一）")
    declared = DeclaredConflict.objects.create(reviewer=reviewer, proposal=proposal,
                                               researcher=researcher, enterprise=enterprise,
                                               reason=reason)
    audit_record(actor=actor, action="create", instance=declared, source=source,
                 changes={"reviewer": [None, reviewer.pk], "reason": [None, reason]})
    touched = ReviewAssignment.objects.filter(
        reviewer=reviewer, state=AssignmentState.ASSIGNED,
        round__state__in=[RoundState.DRAFT, RoundState.SCORING])
    if proposal is not None:
        touched = touched.filter(entry__proposal=proposal)
    elif researcher is not None:
        touched = touched.filter(entry__proposal__researcher=researcher)
    else:
        touched = touched.filter(entry__proposal__challenge__enterprise=enterprise)
    withdrawn = list(touched)
    if withdrawn:
        audit_record_many(actor=actor, action="delete", source=source, note="声明回避，撤回评审任务",
                          items=[(a, {"reviewer": [a.reviewer_id, None]}) for a in withdrawn])
        ReviewAssignment.objects.filter(pk__in=[a.pk for a in withdrawn]).delete()
        rounds = sorted({a.round_id for a in withdrawn})
        notify(recipients=_staff_users(), title=f"评审专家 {reviewer} 声明回避，{len(withdrawn)} 份评审待重新分配",
               body=f"理由：{reason}",
               url=reverse("events:round-detail", args=[rounds[0]]), kind="events.recused")
    return declared


def _criteria_rows(criteria: Iterable[Any] | None) -> list[tuple[str, Decimal, str]]:
    if criteria is None:
        return list(DEFAULT_RUBRIC)
    rows: list[tuple[str, Decimal, str]] = []
    for i, c in enumerate(criteria, start=1):
        if isinstance(c, dict):
            name, points, guidance = c.get("name", ""), c.get("max_points"), c.get("guidance", "")
        else:
            name, points, guidance = (list(c) + ["", "", ""])[:3]
        name = (name or "").strip()
        if not name:
            raise _fail("criteria", f"第 {i} 个评分项缺少名称")
        if len(name) > 60:
            raise _fail("criteria", f"评分项“{name[:20]}…”名称不能超过 60 个字")
        try:
            value = Decimal(str(points)).quantize(TWO)
        except (InvalidOperation, ValueError):
            raise _fail("criteria", f"评分项“{name}”的满分必须是数字") from None
        if not Decimal("0.5") <= value <= Decimal(100):
            raise _fail("criteria", f"评分项“{name}”的满分应在 0.5 到 100 之间")
        rows.append((name, value, (guidance or "").strip()[:300]))
    if not rows:
        raise _fail("criteria", "评分细则至少需要一个评分项")
    if len(rows) > 12:
        raise _fail("criteria", "评分项最多 12 个")
    if len({r[0] for r in rows}) != len(rows):
        raise _fail("criteria", "评分项名称不能重复")
    return rows


@transaction.atomic
def round_create(*, actor, title: str, reviewers_per_entry: int = 3, default_max_load: int = 8,
                 description: str = "", scoring_deadline: dt.date | None = None,
                 criteria: Iterable[Any] | None = None, is_demo: bool = False,
                 programme_id: int | None = None, source: str = "web") -> JudgingRound:
    """A judging round with its rubric. Without criteria the rubric is the judged programme's
    (weighted criteria of the contest, decision 0352) when the round judges one, else the
    default: 技术可行性 30, 创新性 30, 团队能力 20, 预算合理性 20."""
    _staff(actor)
    programme = None
    if programme_id:
        from innolink.challenges.models import Programme

        programme = Programme.objects.filter(pk=programme_id).first()
        if programme is None:
            raise _fail("programme_id", "评审的赛事/榜单批次不存在")
        if criteria is None and programme.rubric:
            criteria = [(r["name"], r["weight"], r.get("guidance", ""))
                        for r in programme.rubric]
    title = (title or "").strip()
    if not title:
        raise _fail("title", "请填写轮次名称")
    if len(title) > 120:
        raise _fail("title", "轮次名称不能超过 120 个字")
    k = _int_in(reviewers_per_entry, "reviewers_per_entry", "每个方案的评审专家数", 1, 15)
    load = _int_in(default_max_load, "default_max_load", "每位专家评审上限", 1, 200)
    if scoring_deadline is not None and scoring_deadline < timezone.localdate() and not is_demo:
        raise _fail("scoring_deadline", "评分截止日期不能早于今天")
    rows = _criteria_rows(criteria)
    rnd = JudgingRound.objects.create(title=title, description=description,
                                      reviewers_per_entry=k, default_max_load=load,
                                      scoring_deadline=scoring_deadline, is_demo=is_demo,
                                      programme=programme,
                                      created_by=actor if getattr(actor, "pk", None) else None)
    Criterion.objects.bulk_create([Criterion(round=rnd, position=i, name=n, max_points=p,
                                             guidance=g) for i, (n, p, g) in enumerate(rows)])
    audit_record(actor=actor, action="create", instance=rnd, source=source, changes={
        "title": [None, title], "reviewers_per_entry": [None, k], "default_max_load": [None, load],
        "programme": [None, programme.name if programme else None],
        "criteria": [None, [f"{n} {p}" for n, p, _ in rows]]})
    return rnd


def _open_round(rnd: JudgingRound) -> JudgingRound:
    rnd = JudgingRound.objects.select_for_update().get(pk=rnd.pk)
    if rnd.state == RoundState.FINALISED:
        raise Conflict("本轮评审结果已确定，不能再修改", code="round_finalised")
    return rnd


@transaction.atomic
def round_entries_add(*, actor, round: JudgingRound, proposals: Sequence,
                      source: str = "web") -> list[RoundEntry]:
    _staff(actor)
    rnd = _open_round(round)
    if not proposals:
        raise _fail("proposals", "请至少选择一个方案")
    bad = [p for p in proposals if p.state in ("withdrawn", "not_selected")]
    if bad:
        raise _fail("proposals", f"方案“{bad[0]}”状态为“{bad[0].get_state_display()}”，不能参赛")
    already = set(rnd.entries.filter(proposal__in=proposals).values_list("proposal_id", flat=True))
    if already:
        raise Conflict("所选方案中有已在本轮的参赛方案", code="already_entered",
                       extra={"proposal_ids": sorted(already)})
    entries = [RoundEntry.objects.create(round=rnd, proposal=p) for p in proposals]
    audit_record_many(actor=actor, action="create", source=source,
                      items=[(e, {"round": [None, rnd.pk], "proposal": [None, e.proposal_id]})
                             for e in entries])
    return entries


@transaction.atomic
def round_reviewers_add(*, actor, round: JudgingRound, reviewers: Sequence[User],
                        max_load: int | None = None, source: str = "web") -> list[RoundReviewer]:
    _staff(actor)
    rnd = _open_round(round)
    if not reviewers:
        raise _fail("reviewers", "请至少选择一位评审专家")
    bad = [u for u in reviewers if u.role != Role.REVIEWER or not u.is_active]
    if bad:
        raise _fail("reviewers", f"“{bad[0]}”不是在职的评审专家账户")
    if max_load is not None:
        max_load = _int_in(max_load, "max_load", "评审上限", 0, 200)
    already = set(rnd.reviewers.filter(reviewer__in=reviewers)
                  .values_list("reviewer_id", flat=True))
    if already:
        raise Conflict("所选专家中有已在本轮的专家", code="already_joined",
                       extra={"reviewer_ids": sorted(already)})
    profiles = dict(ReviewerProfile.objects.filter(user__in=reviewers)
                    .values_list("user_id", "default_max_load"))
    members = [RoundReviewer.objects.create(
        round=rnd, reviewer=u,
        max_load=max_load if max_load is not None else min(rnd.default_max_load,
                                                           profiles.get(u.pk, 200)))
        for u in reviewers]
    audit_record_many(actor=actor, action="create", source=source,
                      items=[(m, {"round": [None, rnd.pk], "reviewer": [None, m.reviewer_id],
                                  "max_load": [None, m.max_load]}) for m in members])
    return members


@transaction.atomic
def round_reviewer_set_load(*, actor, member: RoundReviewer, max_load: int,
                            source: str = "web") -> RoundReviewer:
    _staff(actor)
    _open_round(member.round)
    load = _int_in(max_load, "max_load", "评审上限", 0, 200)
    assigned = member.round.assignments.filter(reviewer=member.reviewer).count()
    if load < assigned:
        raise _fail("max_load", f"该专家已分配 {assigned} 份评审，上限不能低于 {assigned}")
    changes = {"max_load": [member.max_load, load]}
    member.max_load = load
    member.save(update_fields=["max_load"])
    audit_record(actor=actor, action="update", instance=member, changes=changes, source=source)
    return member


@dataclass
class AssignOutcome:
    created: int
    refused: list[tuple[int, int, str]]
    problems: list[str]
    unmet: dict[int, tuple[int, str]]


@transaction.atomic
def round_assign(*, actor, round: JudgingRound, seed: int = 0, source: str = "web"
                 ) -> AssignOutcome:
    """Fill every entry up to k reviewers (existing assignments are kept), never a conflict of
    interest, never above a reviewer's load; the refused pairs and the reasons k cannot be met
    are returned. Reviewers of a round already open for scoring are notified."""
    _staff(actor)
    rnd = _open_round(round)
    if not rnd.entries.exists():
        raise Conflict("本轮还没有参赛方案", code="no_entries")
    if not rnd.reviewers.exists():
        raise Conflict("本轮还没有评审专家", code="no_reviewers")
    plan = selectors.round_assignment_plan(rnd, seed=seed)
    rows = ReviewAssignment.objects.bulk_create([
        ReviewAssignment(round=rnd, entry_id=e, reviewer_id=r, affinity=_r4(a))
        for e, r, a in plan.pairs])
    audit_record_many(actor=actor, action="create", source=source, note="专家分配",
                      items=[(a, {"entry": [None, a.entry_id], "reviewer": [None, a.reviewer_id]})
                             for a in rows])
    before = rnd.assigned_at
    rnd.assigned_at = timezone.now()
    rnd.save(update_fields=["assigned_at"])
    audit_record(actor=actor, action="update", instance=rnd, source=source,
                 changes={"assigned_at": [before, rnd.assigned_at]},
                 note=f"新增分配 {len(rows)}，回避 {len(plan.refused)} 对，未满足 "
                      f"{sum(m for m, _ in plan.unmet.values())} 人次")
    if rnd.state == RoundState.SCORING and rows:
        _notify_reviewers(rnd, {r for _, r, _ in plan.pairs})
    return AssignOutcome(len(rows), plan.refused, plan.problems, plan.unmet)


def _r4(value: float) -> float:
    return float(round(value, 4))


def _notify_reviewers(rnd: JudgingRound, user_ids: Iterable[int]) -> None:
    notify(recipients=User.objects.filter(pk__in=list(user_ids)),
           title=f"您有新的评审任务：{rnd.title}",
           body=(f"评分截止日期：{rnd.scoring_deadline:%Y-%m-%d}" if rnd.scoring_deadline else ""),
           url=reverse("events:my-reviews"), kind="events.review_assigned")


@transaction.atomic
def round_open_scoring(*, actor, round: JudgingRound, source: str = "web") -> JudgingRound:
    _staff(actor)
    rnd = _open_round(round)
    if rnd.state != RoundState.DRAFT:
        raise Conflict("本轮已开始评分", code="already_scoring")
    if not rnd.criteria.exists():
        raise Conflict("请先设置评分细则", code="no_criteria")
    if not rnd.assignments.exists():
        raise Conflict("请先分配评审专家", code="no_assignments")
    rnd.state = RoundState.SCORING
    rnd.save(update_fields=["state"])
    audit_record(actor=actor, action="transition", instance=rnd, source=source,
                 changes={"state": [RoundState.DRAFT, RoundState.SCORING]})
    _notify_reviewers(rnd, rnd.assignments.values_list("reviewer_id", flat=True))
    return rnd


def _points(raw: Any, criterion: Criterion) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise _fail(f"criterion_{criterion.pk}", f"“{criterion.name}”的得分必须是数字") from None
    if not value.is_finite():
        raise _fail(f"criterion_{criterion.pk}", f"“{criterion.name}”的得分必须是数字")
    # the range first: quantizing "1e30" would raise (a 500), comparing it does not
    if not Decimal(0) <= value <= criterion.max_points:
        raise _fail(f"criterion_{criterion.pk}",
                    f"“{criterion.name}”的得分应在 0 到 {criterion.max_points.normalize():f} 之间")
    if value != value.quantize(TWO):
        raise _fail(f"criterion_{criterion.pk}", f"“{criterion.name}”的得分最多两位小数")
    return value.quantize(TWO)


@transaction.atomic
def score_submit(*, actor, assignment: ReviewAssignment, points: dict[int, Any],
                 comment: str = "", source: str = "web") -> ReviewAssignment:
    """A reviewer scores their own assignment: one score per criterion of the rubric, each
    between 0 and its maximum. Resubmitting while the round is open replaces the scores."""
    assignment = ReviewAssignment.objects.select_for_update().select_related("round").get(
        pk=assignment.pk)
    if actor is None or assignment.reviewer_id != actor.pk:
        raise NotFound()  # another reviewer's assignment: as if it did not exist
    rnd = assignment.round
    if rnd.state != RoundState.SCORING:
        raise Conflict("本轮当前不在评分阶段" if rnd.state == RoundState.DRAFT
                       else "本轮评审结果已确定，不能再修改评分", code="not_scoring")
    criteria = list(rnd.criteria.all())
    known = {c.pk for c in criteria}
    keys = {}
    for k, v in (points or {}).items():
        try:
            keys[int(k)] = v
        except (TypeError, ValueError):
            raise _fail("points", f"未知的评分项：{k}") from None
    unknown = sorted(set(keys) - known)
    if unknown:
        raise _fail("points", f"未知的评分项：{unknown}")
    errors: dict[str, list[str]] = {}
    values: dict[int, Decimal] = {}
    for c in criteria:
        if c.pk not in keys or str(keys[c.pk]).strip() == "":
            errors[f"criterion_{c.pk}"] = [f"请为“{c.name}”打分"]
            continue
        try:
            values[c.pk] = _points(keys[c.pk], c)
        except ValidationFailed as exc:
            errors.update(exc.fields)
    if errors:
        raise ValidationFailed(errors, message="；".join(m for ms in errors.values() for m in ms))
    comment = (comment or "").strip()
    if len(comment) > 2000:
        raise _fail("comment", "评审意见不能超过 2000 个字")
    old = {s.criterion_id: s.points for s in assignment.scores.all()}
    Score.objects.filter(assignment=assignment).delete()
    Score.objects.bulk_create([Score(assignment=assignment, criterion_id=c, points=p)
                               for c, p in values.items()])
    before = snapshot(assignment, ["state", "total", "comment"])
    assignment.total = sum(values.values(), Decimal(0)).quantize(TWO)
    assignment.comment = comment
    assignment.state = AssignmentState.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["total", "comment", "state", "submitted_at"])
    names = {c.pk: c.name for c in criteria}
    changes = audit_diff(before, snapshot(assignment, ["state", "total", "comment"]))
    changes.update(audit_diff({names[k]: v for k, v in old.items()},
                              {names[k]: v for k, v in values.items()}))
    audit_record(actor=actor, action="update" if old else "transition", instance=assignment,
                 changes=changes, source=source)
    return assignment


@transaction.atomic
def round_finalise(*, actor, round: JudgingRound, allow_missing: bool = False,
                   source: str = "web") -> list[ResultRow]:
    """Freeze the ranked result (ties stated). Refused while scores are missing unless
    ``allow_missing`` (the missing ones are then left out and the count is audited)."""
    _staff(actor)
    rnd = _open_round(round)
    if rnd.state != RoundState.SCORING:
        raise Conflict("只有评分中的轮次可以确定结果", code="not_scoring")
    missing = rnd.assignments.filter(state=AssignmentState.ASSIGNED).count()
    if missing and not allow_missing:
        raise Conflict(f"还有 {missing} 份评审未提交；确认忽略未提交的评审后才能确定结果",
                       code="scores_missing", extra={"missing": missing})
    ranked = selectors.round_ranking(rnd)
    rows = ResultRow.objects.bulk_create([
        ResultRow(round=rnd, entry_id=r.entry, rank=r.rank or None, score=r.score,
                  raw_mean=r.raw_mean, reviews=r.reviews, tied_with=list(r.tied_with))
        for r in ranked])
    rnd.state = RoundState.FINALISED
    rnd.finalised_at = timezone.now()
    rnd.save(update_fields=["state", "finalised_at"])
    ties = sum(1 for r in ranked if r.tied_with)
    audit_record(actor=actor, action="transition", instance=rnd, source=source,
                 changes={"state": [RoundState.SCORING, RoundState.FINALISED],
                          "results": [None, [[r.entry, r.rank, str(r.score)] for r in ranked]]},
                 note=f"未提交评审 {missing} 份；并列 {ties} 个方案")
    notify(recipients=_staff_users(), title=f"评审结果已确定：{rnd.title}",
           url=reverse("events:round-detail", args=[rnd.pk]), kind="events.round_finalised")
    return rows


@transaction.atomic
def award_record(*, actor, round: JudgingRound, entry: RoundEntry, level: str,
                 prize: Decimal | str | None = None, note: str = "", source: str = "web"
                 ) -> Award:
    """Record (or change) the award of a ranked entry of a finalised round; the researcher
    and the challenge's poster are notified."""
    _staff(actor)
    rnd = JudgingRound.objects.select_for_update().get(pk=round.pk)
    if entry.round_id != rnd.pk:  # the record first, then the rules of its state
        raise NotFound()
    if rnd.state != RoundState.FINALISED:
        raise Conflict("请先确定评审结果再评定奖项", code="not_finalised")
    if level not in AwardLevel.values:
        raise _fail("level", "奖项应为一等奖、二等奖、三等奖或优胜奖")
    amount = None
    if prize not in (None, ""):
        from innolink.core.money import MoneyInvalid, column_limits, parse_money

        try:  # the platform's one money parser, bounded by the prize column
            amount = parse_money(prize, label="奖金", round_places=False,
                                 **column_limits(Award, "prize"))
        except MoneyInvalid as exc:
            raise _fail("prize", exc.message) from None
    note = (note or "").strip()[:300]
    existing = Award.objects.filter(entry=entry).first()
    if existing is None:
        award = Award.objects.create(round=rnd, entry=entry, level=level, prize=amount, note=note,
                                     awarded_by=actor)
        audit_record(actor=actor, action="create", instance=award, source=source,
                     changes={"entry": [None, entry.pk], "level": [None, level],
                              "prize": [None, amount]})
    else:
        before = snapshot(existing, ["level", "prize", "note"])
        existing.level, existing.prize, existing.note = level, amount, note
        existing.awarded_by = actor
        existing.save(update_fields=["level", "prize", "note", "awarded_by"])
        audit_record(actor=actor, action="update", instance=existing, source=source,
                     changes=audit_diff(before, snapshot(existing, ["level", "prize", "note"])))
        award = existing
    proposal = entry.proposal
    recipients = [proposal.researcher.user] if proposal.researcher.user_id else []
    if proposal.challenge.enterprise_id:
        recipients += list(User.objects.filter(enterprise_id=proposal.challenge.enterprise_id,
                                               role=Role.ENTERPRISE, is_active=True))
    notify(recipients=recipients, title=f"{rnd.title}：{award.get_level_display()}",
           body=f"方案“{proposal.challenge.title}”获{award.get_level_display()}。",
           kind="events.award")
    from innolink.projects.hooks import award_recorded  # 赛事签约 becomes a project (0502)
    award_recorded(award.pk)
    return award


@transaction.atomic
def award_revoke(*, actor, award: Award, source: str = "web") -> None:
    _staff(actor)
    audit_record(actor=actor, action="delete", instance=award, source=source,
                 changes={"level": [award.level, None], "prize": [award.prize, None]})
    award.delete()


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


def _text(changes: dict[str, Any], errors: dict[str, list[str]], name: str, label: str,
          limit: int, required: bool) -> None:
    if name not in changes:
        return
    value = str(changes[name] or "").strip()
    if required and not value:
        errors[name] = [f"请填写{label}"]
    elif len(value) > limit:
        errors[name] = [f"{label}不能超过 {limit} 个字"]
    changes[name] = value


def _unknown(changes: dict[str, Any], allowed: Iterable[str]) -> None:
    unknown = sorted(set(changes) - set(allowed))
    if unknown:
        raise ValidationFailed({k: ["该字段不能修改"] for k in unknown})


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
    _text(changes, errors, "title", "活动名称", 120, True)
    _text(changes, errors, "venue", "活动地点", 200, True)
    if "description" in changes:
        changes["description"] = str(changes["description"] or "").strip()
    if "date" in changes:
        if not isinstance(changes["date"], dt.date):
            errors["date"] = ["请填写活动日期（YYYY-MM-DD）"]
        elif changes["date"] != event.date and changes["date"] < timezone.localdate() \
                and not event.is_demo:
            errors["date"] = ["活动日期不能早于今天"]
    if errors:
        raise ValidationFailed(errors)
    current = event_slot_settings(event)
    wanted = dict(current)
    if "start" in changes:
        wanted["start"] = f"{_parse_time(changes['start'], 'start'):%H:%M}"
    for name, label, lo, hi in (("slot_minutes", "每场洽谈时长（分钟）", 5, 240),
                                ("slot_count", "时段数", 1, 40),
                                ("break_minutes", "间隔（分钟）", 0, 120)):
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
        raise Conflict("日程已发布，不能再修改活动日期或洽谈时段；如确需调整，请先重新排程"
                       "（日程退回“已排程”，参会方在再次发布后收到新日程），再修改",
                       code="schedule_published", extra={"fields": locked})

    old_slots = list(event.slots.order_by("starts_at", "id"))
    tz = timezone.get_current_timezone()
    if slots_change:
        first = dt.datetime.combine(new_date, dt.time.fromisoformat(wanted["start"]), tzinfo=tz)
        step = dt.timedelta(minutes=wanted["slot_minutes"] + wanted["break_minutes"])
        length = dt.timedelta(minutes=wanted["slot_minutes"])
        times = [(first + step * i, first + step * i + length)
                 for i in range(wanted["slot_count"])]
        if times[-1][1].astimezone(tz).date() != new_date:
            raise _fail("slot_count", f"最后一个时段结束于次日 {times[-1][1].astimezone(tz):%H:%M}，"
                                      f"请减少时段数或提前开始时间")
    else:
        shift = new_date - event.date
        times = [(s.starts_at + shift, s.ends_at + shift) for s in old_slots]

    def clock(start, end):
        return (timezone.localtime(start).time(), timezone.localtime(end).time())

    moved = [s.pk for i, s in enumerate(old_slots)
             if i >= len(times) or clock(s.starts_at, s.ends_at) != clock(*times[i])]
    affected = Meeting.objects.filter(slot_id__in=moved).count()
    if affected and not discard_schedule:
        raise Conflict(f"当前排程中有 {affected} 场洽谈安排在将被调整或删除的时段，修改会使其失效。"
                       f"如确认修改，请选择“清除现有排程”后保存，再重新自动排程",
                       code="schedule_affected", extra={"meetings": affected})
    if affected:
        diff["meetings"] = [event.meetings.count(), 0]
        event.meetings.all().delete()
        event.invitations.update(unscheduled_reason="")
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


ROUND_TEXT_FIELDS = ("title", "description")
ROUND_DRAFT_FIELDS = ("reviewers_per_entry", "default_max_load", "scoring_deadline")


@transaction.atomic
def round_update(*, actor, round: JudgingRound, source: str = "web",
                 **changes: Any) -> JudgingRound:
    """Change what is safe in the round's state (decision 0322): title and description until
    the result is finalised; k, the default load and the scoring deadline only while the round
    is in preparation (reviewers were told the deadline and k when scoring opened). k cannot go
    below the reviewers an entry already has. Nothing changed writes nothing."""
    _staff(actor)
    _unknown(changes, ROUND_TEXT_FIELDS + ROUND_DRAFT_FIELDS)
    rnd = _open_round(round)
    errors: dict[str, list[str]] = {}
    _text(changes, errors, "title", "轮次名称", 120, True)
    if "description" in changes:
        changes["description"] = str(changes["description"] or "").strip()
    if errors:
        raise ValidationFailed(errors)
    if "reviewers_per_entry" in changes:
        changes["reviewers_per_entry"] = _int_in(changes["reviewers_per_entry"],
                                                 "reviewers_per_entry", "每个方案的评审专家数",
                                                 1, 15)
    if "default_max_load" in changes:
        changes["default_max_load"] = _int_in(changes["default_max_load"], "default_max_load",
                                              "每位专家评审上限", 1, 200)
    if "scoring_deadline" in changes:
        deadline = changes["scoring_deadline"]
        if deadline is not None and not isinstance(deadline, dt.date):
            raise _fail("scoring_deadline", "评分截止日期格式应为 YYYY-MM-DD")
        if deadline is not None and deadline != rnd.scoring_deadline \
                and deadline < timezone.localdate() and not rnd.is_demo:
            raise _fail("scoring_deadline", "评分截止日期不能早于今天")
    fields = ROUND_TEXT_FIELDS + ROUND_DRAFT_FIELDS
    before = snapshot(rnd, fields)
    diff = audit_diff(before, {**before, **changes})
    if not diff:
        return rnd
    locked = [name for name in ROUND_DRAFT_FIELDS if name in diff]
    if locked and rnd.state != RoundState.DRAFT:
        raise Conflict("本轮已开始评分，专家已按当前的每方案专家数、评审上限和截止日期收到任务，"
                       "只能修改名称和说明", code="round_scoring", extra={"fields": locked})
    if "reviewers_per_entry" in diff:
        from django.db.models import Count

        most = (rnd.assignments.values("entry").annotate(n=Count("id"))
                .order_by("-n").values_list("n", flat=True).first()) or 0
        if changes["reviewers_per_entry"] < most:
            raise Conflict(f"已有方案分配了 {most} 位评审专家，每个方案的评审专家数不能少于 {most}",
                           code="assignments_exceed_k", extra={"assigned": most})
    for name in diff:
        setattr(rnd, name, changes[name])
    rnd.save(update_fields=list(diff))
    audit_record(actor=actor, action="update", instance=rnd, changes=diff, source=source)
    return rnd
