"""JSON API of matchmaking events and competition judging. Thin: parse, authorize (through the
scoped selectors and the services' checks), call, shape.

Roles: organizer staff manage events and rounds; reviewers see and score only their own
assignments (another reviewer's is a 404); participants see their own agenda only."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field, field_validator

from innolink.api.schemas import ERRORS
from innolink.core.errors import NotFound, PermissionDenied
from innolink.events import access, selectors, services
from innolink.events.models import Award, RoundEntry, RoundState

router = Router(tags=["events"])


def _clean(value: str) -> str:
    return value.replace("\x00", "")


# ----------------------------------------------------------------------------- schemas

class SlotOut(Schema):
    id: int
    starts_at: dt.datetime
    ends_at: dt.datetime


class RoomOut(Schema):
    id: int
    name: str


class EventOut(Schema):
    id: int
    title: str
    date: dt.date
    venue: str
    description: str
    state: str
    is_demo: bool


class EventDetailOut(EventOut):
    slots: list[SlotOut]
    rooms: list[RoomOut]

    @staticmethod
    def resolve_slots(obj) -> list:
        return list(obj.slots.all())

    @staticmethod
    def resolve_rooms(obj) -> list:
        return list(obj.rooms.all())


class EventIn(Schema):
    title: str = Field(max_length=120)
    date: dt.date
    venue: str = Field(max_length=200)
    description: str = ""
    start: str = "09:00"
    slot_minutes: int = 20
    slot_count: int = 8
    break_minutes: int = 5
    rooms: list[str] = ["洽谈室 1", "洽谈室 2"]

    @field_validator("title", "venue", "description", "start", mode="after")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return _clean(value)


class EventPatchIn(Schema):
    """Only the fields sent are changed (decision 0322 says which ones each state allows)."""

    title: str | None = Field(None, max_length=120)
    date: dt.date | None = None
    venue: str | None = Field(None, max_length=200)
    description: str | None = None
    start: str | None = None
    slot_minutes: int | None = None
    slot_count: int | None = None
    break_minutes: int | None = None
    discard_schedule: bool = False

    @field_validator("title", "venue", "description", "start", mode="after")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        return None if value is None else _clean(value)


class InvitationOut(Schema):
    id: int
    kind: str
    state: str
    proposal_id: int | None
    offer_interest_id: int | None
    host: str
    guest: str
    topic: str
    priority: int
    slot_id: int | None
    room_id: int | None
    unscheduled_reason: str

    @staticmethod
    def resolve_host(obj) -> str:
        return obj.host_name

    @staticmethod
    def resolve_guest(obj) -> str:
        return obj.guest_name

    @staticmethod
    def resolve_slot_id(obj) -> int | None:
        meeting = getattr(obj, "meeting", None) if hasattr(obj, "meeting") else None
        return meeting.slot_id if meeting else None

    @staticmethod
    def resolve_room_id(obj) -> int | None:
        meeting = getattr(obj, "meeting", None) if hasattr(obj, "meeting") else None
        return meeting.room_id if meeting else None


class InvitationIn(Schema):
    proposal_id: int | None = None
    offer_interest_id: int | None = None
    priority: int = 1


class CreatedCountOut(Schema):
    created: int


class ScheduleOutcomeOut(Schema):
    placed: int
    optimal: bool
    unplaced: dict[int, str]


class MeetingOut(Schema):
    id: int
    invitation_id: int
    slot_id: int
    room_id: int
    host_key: str
    guest_key: str


class ScheduleOut(Schema):
    state: str
    meetings: list[MeetingOut]
    unplaced: dict[int, str]


class StateIn(Schema):
    to: str


class AgendaRowOut(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    room: str
    counterpart: str
    topic: str


class AgendaOut(Schema):
    participant: str
    name: str
    meetings: list[AgendaRowOut]


class CriterionIn(Schema):
    name: str
    max_points: Decimal
    guidance: str = ""


class CriterionOut(Schema):
    id: int
    name: str
    max_points: Decimal
    guidance: str


class RoundIn(Schema):
    title: str = Field(max_length=120)
    description: str = ""
    reviewers_per_entry: int = 3
    default_max_load: int = 8
    scoring_deadline: dt.date | None = None
    criteria: list[CriterionIn] | None = None
    #: the contest whose listings the round judges: its rubric is the default criteria
    programme_id: int | None = None

    @field_validator("title", "description", mode="after")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return _clean(value)


class RoundPatchIn(Schema):
    """Only the fields sent are changed; ``scoring_deadline: null`` clears the deadline."""

    title: str | None = Field(None, max_length=120)
    description: str | None = None
    reviewers_per_entry: int | None = None
    default_max_load: int | None = None
    scoring_deadline: dt.date | None = None

    @field_validator("title", "description", mode="after")
    @classmethod
    def _no_nul(cls, value: str | None) -> str | None:
        return None if value is None else _clean(value)


class RoundOut(Schema):
    id: int
    title: str
    description: str
    reviewers_per_entry: int
    default_max_load: int
    scoring_deadline: dt.date | None
    state: str
    is_demo: bool


class RoundDetailOut(RoundOut):
    criteria: list[CriterionOut]
    entries: list[dict]
    reviewers: list[dict]

    @staticmethod
    def resolve_criteria(obj) -> list:
        return list(obj.criteria.all())

    @staticmethod
    def resolve_entries(obj) -> list[dict]:
        return [{"id": e.pk, "proposal_id": e.proposal_id, "title": e.proposal.challenge.title}
                for e in obj.entries.select_related("proposal__challenge")]

    @staticmethod
    def resolve_reviewers(obj) -> list[dict]:
        return [{"reviewer_id": m.reviewer_id, "name": str(m.reviewer), "max_load": m.max_load}
                for m in obj.reviewers.select_related("reviewer")]


class IdsIn(Schema):
    ids: list[int] = Field(min_length=1, max_length=500)
    max_load: int | None = None


class ReviewRefusedOut(Schema):
    entry_id: int
    reviewer_id: int
    reason: str


class ReviewUnmetOut(Schema):
    entry_id: int
    missing: int
    reason: str


class AssignOutcomeOut(Schema):
    created: int
    refused: list[ReviewRefusedOut]
    problems: list[str]
    unmet: list[ReviewUnmetOut]


class ConflictsOut(Schema):
    refused: list[ReviewRefusedOut]
    problems: list[str]


class ReviewAssignmentOut(Schema):
    id: int
    round_id: int
    entry_id: int
    proposal_id: int
    title: str
    reviewer_id: int
    state: str
    total: Decimal | None
    affinity: float

    @staticmethod
    def resolve_proposal_id(obj) -> int:
        return obj.entry.proposal_id

    @staticmethod
    def resolve_title(obj) -> str:
        return obj.entry.proposal.challenge.title


class ScoreOut(Schema):
    criterion_id: int
    points: Decimal


class AssignmentDetailOut(ReviewAssignmentOut):
    comment: str
    scores: list[ScoreOut]
    criteria: list[CriterionOut]
    approach: str
    plan: str
    budget: Decimal

    @staticmethod
    def resolve_scores(obj) -> list:
        return list(obj.scores.all())

    @staticmethod
    def resolve_criteria(obj) -> list:
        return list(obj.round.criteria.all())

    @staticmethod
    def resolve_approach(obj) -> str:
        return obj.entry.proposal.approach

    @staticmethod
    def resolve_plan(obj) -> str:
        return obj.entry.proposal.plan

    @staticmethod
    def resolve_budget(obj) -> Decimal:
        return obj.entry.proposal.budget


class ScoresIn(Schema):
    points: dict[str, str]
    comment: str = ""

    @field_validator("comment", mode="after")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return _clean(value)


class RecuseReasonIn(Schema):
    reason: str = Field(max_length=200)


class DeclareIn(Schema):
    reason: str = Field(max_length=200)
    proposal_id: int | None = None
    researcher_id: int | None = None
    enterprise_id: int | None = None


class FinaliseIn(Schema):
    allow_missing: bool = False


class ResultOut(Schema):
    entry_id: int
    title: str
    rank: int | None
    score: Decimal
    raw_mean: Decimal
    reviews: int
    tied_with: list[int]
    award: str | None = None
    prize: Decimal | None = None


class ResultsOut(Schema):
    final: bool
    method: str
    rows: list[ResultOut]


class AwardIn(Schema):
    entry_id: int
    level: str
    prize: Decimal | None = None
    note: str = ""


class AwardOut(Schema):
    id: int
    entry_id: int
    level: str
    prize: Decimal | None
    note: str


# ------------------------------------------------------------------------------ events

@router.get("", response={200: list[EventOut], **ERRORS})
def event_list(request):
    """Staff: every event. Participants: events whose published schedule includes them."""
    return list(selectors.event_list(request.auth)[:500])


@router.post("", response={201: EventDetailOut, **ERRORS})
def event_create(request, payload: EventIn):
    event = services.event_create(actor=request.auth, source="api", **payload.dict())
    return Status(201, event)


@router.get("/{int:event_id}", response={200: EventDetailOut, **ERRORS})
def event_detail(request, event_id: int):
    return selectors.event_for_user(request.auth, event_id)


@router.patch("/{int:event_id}", response={200: EventDetailOut, **ERRORS})
def event_update(request, event_id: int, payload: EventPatchIn):
    event = selectors.event_for_staff(request.auth, event_id)
    data = payload.dict(exclude_unset=True)
    discard = data.pop("discard_schedule", False)
    return services.event_update(actor=request.auth, event=event, discard_schedule=discard,
                                 source="api", **data)


@router.get("/{int:event_id}/invitations", response={200: list[InvitationOut], **ERRORS})
def invitation_list(request, event_id: int):
    event = selectors.event_for_staff(request.auth, event_id)
    return list(selectors.active_invitations(event))


def _get(model_path: str, pk: int | None):
    if pk is None:
        return None
    from django.apps import apps

    obj = apps.get_model(model_path).objects.filter(pk=pk).first() \
        if 0 < pk <= selectors.MAX_ID else None
    if obj is None:
        raise NotFound()
    return obj


@router.post("/{int:event_id}/invitations", response={201: InvitationOut, **ERRORS})
def invitation_create(request, event_id: int, payload: InvitationIn):
    event = selectors.event_for_staff(request.auth, event_id)
    invitation = services.invitation_create(
        actor=request.auth, event=event, priority=payload.priority, source="api",
        proposal=_get("challenges.Proposal", payload.proposal_id),
        offer_interest=_get("challenges.OfferInterest", payload.offer_interest_id))
    return Status(201, invitation)


@router.post("/{int:event_id}/invitations/invite-shortlisted",
             response={201: CreatedCountOut, **ERRORS})
def invite_shortlisted(request, event_id: int):
    event = selectors.event_for_staff(request.auth, event_id)
    n = services.invitations_invite_shortlisted(actor=request.auth, event=event, source="api")
    return Status(201, CreatedCountOut(created=n))


@router.post("/{int:event_id}/invitations/{int:invitation_id}/cancel",
             response={200: InvitationOut, **ERRORS})
def invitation_cancel(request, event_id: int, invitation_id: int):
    event = selectors.event_for_staff(request.auth, event_id)
    invitation = selectors.invitation_for_staff(request.auth, event, invitation_id)
    return services.invitation_cancel(actor=request.auth, invitation=invitation, source="api")


class AvailabilityIn(Schema):
    participant: str = Field(max_length=32)
    unavailable_slot_ids: list[int] = Field([], max_length=100)


class ParticipantOut(Schema):
    participant: str
    name: str
    unavailable_slot_ids: list[int]


@router.get("/{int:event_id}/participants", response={200: list[ParticipantOut], **ERRORS})
def participants(request, event_id: int):
    """Every invited participant and the slots they cannot attend."""
    event = selectors.event_for_staff(request.auth, event_id)
    return [ParticipantOut(participant=p.key, name=p.name,
                           unavailable_slot_ids=sorted(p.unavailable))
            for p in selectors.event_participants(event)]


@router.put("/{int:event_id}/participants", response={200: ParticipantOut, **ERRORS})
def availability_set(request, event_id: int, payload: AvailabilityIn):
    """Replace the slots a participant cannot attend (respected by the next schedule)."""
    event = selectors.event_for_staff(request.auth, event_id)
    slots = services.availability_set(actor=request.auth, event=event,
                                      participant=_clean(payload.participant),
                                      slot_ids=payload.unavailable_slot_ids, source="api")
    name = next(p.name for p in selectors.event_participants(event)
                if p.key == payload.participant)
    return ParticipantOut(participant=payload.participant, name=name,
                          unavailable_slot_ids=slots)


class JobStartedOut(Schema):
    job_id: uuid.UUID
    status: str


@router.post("/{int:event_id}/schedule",
             response={200: ScheduleOutcomeOut, 202: JobStartedOut, **ERRORS})
def event_schedule(request, event_id: int):
    """Schedule every invited pair (CP-SAT); pairs that cannot be placed come with a reason.
    An event with more than 200 pairs is scheduled in a background job (202; poll
    /api/jobs/{job_id})."""
    event = selectors.event_for_staff(request.auth, event_id)
    if event.invitations.filter(state="invited").count() > services.SYNC_SCHEDULE_PAIRS:
        job = services.event_schedule_start(actor=request.auth, event=event)
        return Status(202, JobStartedOut(job_id=job.pk, status=job.status))
    outcome = services.event_schedule(actor=request.auth, event=event, source="api")
    return ScheduleOutcomeOut(placed=outcome.placed, optimal=outcome.optimal,
                              unplaced=outcome.unplaced)


@router.get("/{int:event_id}/schedule", response={200: ScheduleOut, **ERRORS})
def schedule_read(request, event_id: int):
    event = selectors.event_for_staff(request.auth, event_id)
    return ScheduleOut(
        state=event.state, meetings=list(event.meetings.order_by("slot__starts_at", "id")),
        unplaced={i.pk: i.unscheduled_reason for i in selectors.active_invitations(event)
                  if i.unscheduled_reason})


@router.post("/{int:event_id}/publish", response={200: EventOut, **ERRORS})
def event_publish(request, event_id: int):
    event = selectors.event_for_staff(request.auth, event_id)
    return services.event_publish(actor=request.auth, event=event, source="api")


@router.post("/{int:event_id}/state", response={200: EventOut, **ERRORS})
def event_state(request, event_id: int, payload: StateIn):
    event = selectors.event_for_staff(request.auth, event_id)
    return services.event_transition(actor=request.auth, event=event, to=payload.to,
                                     source="api")


@router.get("/{int:event_id}/agenda", response={200: list[AgendaOut], **ERRORS})
def agenda(request, event_id: int):
    """The caller's own agenda (staff: every participant's)."""
    event = selectors.event_for_user(request.auth, event_id)
    agendas = selectors.agendas_for_event(event) if access.is_event_staff(request.auth) \
        else selectors.agendas_for_user(request.auth, event)
    return [AgendaOut(participant=a.key, name=a.name, meetings=[
        AgendaRowOut(starts_at=r.starts_at, ends_at=r.ends_at, room=r.room,
                     counterpart=r.counterpart, topic=r.topic) for r in a.rows])
        for a in agendas]


# ------------------------------------------------------------------------------ rounds

@router.get("/rounds", response={200: list[RoundOut], **ERRORS})
def round_list(request):
    return list(selectors.round_list(request.auth)[:500])


@router.post("/rounds", response={201: RoundDetailOut, **ERRORS})
def round_create(request, payload: RoundIn):
    data = payload.dict()
    criteria = data.pop("criteria")
    rnd = services.round_create(actor=request.auth, source="api", criteria=criteria, **data)
    return Status(201, rnd)


@router.get("/rounds/{int:round_id}", response={200: RoundDetailOut, **ERRORS})
def round_detail(request, round_id: int):
    return selectors.round_for_staff(request.auth, round_id)


@router.patch("/rounds/{int:round_id}", response={200: RoundDetailOut, **ERRORS})
def round_update(request, round_id: int, payload: RoundPatchIn):
    rnd = selectors.round_for_staff(request.auth, round_id)
    return services.round_update(actor=request.auth, round=rnd, source="api",
                                 **payload.dict(exclude_unset=True))


@router.post("/rounds/{int:round_id}/entries", response={201: CreatedCountOut, **ERRORS})
def round_entries(request, round_id: int, payload: IdsIn):
    from innolink.challenges.models import Proposal

    rnd = selectors.round_for_staff(request.auth, round_id)
    proposals = list(Proposal.objects.filter(pk__in=[i for i in payload.ids
                                                     if 0 < i <= selectors.MAX_ID]))
    if len(proposals) != len(set(payload.ids)):
        raise NotFound()
    entries = services.round_entries_add(actor=request.auth, round=rnd, proposals=proposals,
                                         source="api")
    return Status(201, CreatedCountOut(created=len(entries)))


@router.post("/rounds/{int:round_id}/reviewers", response={201: CreatedCountOut, **ERRORS})
def round_reviewers(request, round_id: int, payload: IdsIn):
    from innolink.accounts.models import User

    rnd = selectors.round_for_staff(request.auth, round_id)
    users = list(User.objects.filter(pk__in=[i for i in payload.ids
                                             if 0 < i <= selectors.MAX_ID]))
    if len(users) != len(set(payload.ids)):
        raise NotFound()
    members = services.round_reviewers_add(actor=request.auth, round=rnd, reviewers=users,
                                           max_load=payload.max_load, source="api")
    return Status(201, CreatedCountOut(created=len(members)))


class LoadIn(Schema):
    max_load: int


@router.put("/rounds/{int:round_id}/reviewers/{int:reviewer_id}",
            response={200: CreatedCountOut, **ERRORS})
def round_reviewer_load(request, round_id: int, reviewer_id: int, payload: LoadIn):
    """Change one reviewer's load limit in the round (not below the work already assigned)."""
    rnd = selectors.round_for_staff(request.auth, round_id)
    member = rnd.reviewers.filter(reviewer_id=reviewer_id).first() \
        if 0 < reviewer_id <= selectors.MAX_ID else None
    if member is None:
        raise NotFound()
    services.round_reviewer_set_load(actor=request.auth, member=member,
                                     max_load=payload.max_load, source="api")
    return CreatedCountOut(created=0)


def _refused(rows) -> list[ReviewRefusedOut]:
    return [ReviewRefusedOut(entry_id=e, reviewer_id=r, reason=why) for e, r, why in rows]


@router.post("/rounds/{int:round_id}/assign", response={200: AssignOutcomeOut, **ERRORS})
def round_assign(request, round_id: int):
    """k reviewers per entry within load limits; conflicts never assigned, listed with why."""
    rnd = selectors.round_for_staff(request.auth, round_id)
    out = services.round_assign(actor=request.auth, round=rnd, source="api")
    return AssignOutcomeOut(created=out.created, refused=_refused(out.refused),
                            problems=out.problems,
                            unmet=[ReviewUnmetOut(entry_id=e, missing=m, reason=why)
                                   for e, (m, why) in sorted(out.unmet.items())])


@router.get("/rounds/{int:round_id}/conflicts", response={200: ConflictsOut, **ERRORS})
def round_conflicts(request, round_id: int):
    """Every refused (entry, reviewer) pair with its reason, and why k cannot be met."""
    rnd = selectors.round_for_staff(request.auth, round_id)
    plan = selectors.round_assignment_plan(rnd)
    return ConflictsOut(refused=_refused(plan.refused), problems=plan.problems)


@router.get("/rounds/{int:round_id}/assignments", response={200: list[ReviewAssignmentOut], **ERRORS})
def round_assignments(request, round_id: int):
    rnd = selectors.round_for_staff(request.auth, round_id)
    return list(selectors.round_assignments(rnd))


@router.post("/rounds/{int:round_id}/open", response={200: RoundOut, **ERRORS})
def round_open(request, round_id: int):
    rnd = selectors.round_for_staff(request.auth, round_id)
    return services.round_open_scoring(actor=request.auth, round=rnd, source="api")


@router.post("/rounds/{int:round_id}/finalise", response={200: ResultsOut, **ERRORS})
def round_finalise(request, round_id: int, payload: FinaliseIn):
    rnd = selectors.round_for_staff(request.auth, round_id)
    services.round_finalise(actor=request.auth, round=rnd, allow_missing=payload.allow_missing,
                            source="api")
    return round_results(request, round_id)


METHOD = ("per-reviewer z-score rescaled to the pooled mean and the root-mean-square "
          "within-reviewer standard deviation; mean over reviewers; equal scores (2 places) "
          "share a rank (docs/decisions/0320-judging-normalisation.md)")


@router.get("/rounds/{int:round_id}/results", response={200: ResultsOut, **ERRORS})
def round_results(request, round_id: int):
    """The frozen result of a finalised round, or the live ranking while scoring."""
    rnd = selectors.round_for_staff(request.auth, round_id)
    titles = dict(RoundEntry.objects.filter(round=rnd).values_list(
        "pk", "proposal__challenge__title"))
    awards = {a.entry_id: a for a in Award.objects.filter(round=rnd)}
    if rnd.state == RoundState.FINALISED:
        rows = [(r.entry_id, r.rank, r.score, r.raw_mean, r.reviews, list(r.tied_with))
                for r in rnd.results.all()]
    else:
        rows = [(r.entry, r.rank or None, r.score, r.raw_mean, r.reviews, list(r.tied_with))
                for r in selectors.round_ranking(rnd)]
    return ResultsOut(final=rnd.state == RoundState.FINALISED, method=METHOD, rows=[
        ResultOut(entry_id=e, title=titles.get(e, ""), rank=rank, score=score, raw_mean=raw,
                  reviews=n, tied_with=ties,
                  award=awards[e].level if e in awards else None,
                  prize=awards[e].prize if e in awards else None)
        for e, rank, score, raw, n, ties in rows])


@router.post("/rounds/{int:round_id}/awards", response={201: AwardOut, **ERRORS})
def award_record(request, round_id: int, payload: AwardIn):
    rnd = selectors.round_for_staff(request.auth, round_id)
    entry = RoundEntry.objects.filter(round=rnd, pk=payload.entry_id).first() \
        if 0 < payload.entry_id <= selectors.MAX_ID else None
    if entry is None:
        raise NotFound()
    award = services.award_record(actor=request.auth, round=rnd, entry=entry,
                                  level=payload.level, prize=payload.prize,
                                  note=_clean(payload.note), source="api")
    return Status(201, award)


# --------------------------------------------------------------------------- reviewers

@router.get("/assignments", response={200: list[ReviewAssignmentOut], **ERRORS})
def my_assignments(request):
    """The caller's own review assignments (reviewers only)."""
    if not access.is_reviewer(request.auth):
        raise PermissionDenied()
    return list(selectors.assignments_of_reviewer(request.auth)[:1000])


@router.get("/assignments/{int:assignment_id}", response={200: AssignmentDetailOut, **ERRORS})
def assignment_detail(request, assignment_id: int):
    return selectors.assignment_for_reviewer(request.auth, assignment_id)


@router.post("/assignments/{int:assignment_id}/scores",
             response={200: AssignmentDetailOut, **ERRORS})
def score_submit(request, assignment_id: int, payload: ScoresIn):
    """Scores per criterion id (decimal strings, each between 0 and the criterion's maximum)."""
    assignment = selectors.assignment_for_reviewer(request.auth, assignment_id)
    services.score_submit(actor=request.auth, assignment=assignment, points=payload.points,
                          comment=payload.comment, source="api")
    return selectors.assignment_for_reviewer(request.auth, assignment_id)


@router.post("/assignments/{int:assignment_id}/recuse", response={200: CreatedCountOut, **ERRORS})
def assignment_recuse(request, assignment_id: int, payload: RecuseReasonIn):
    assignment = selectors.assignment_for_reviewer(request.auth, assignment_id)
    if assignment.reviewer_id != request.auth.pk:
        raise NotFound()
    services.conflict_declare(actor=request.auth, reviewer=request.auth,
                              proposal=assignment.entry.proposal, reason=_clean(payload.reason),
                              source="api")
    return CreatedCountOut(created=1)


class ReviewerProfileIn(Schema):
    title: str = Field("", max_length=32)
    fields: list[str] = []
    keywords: str = Field("", max_length=300)
    station: str = Field("", max_length=120)
    other_institution_ids: list[int] = Field([], max_length=50)
    enterprise_ids: list[int] = Field([], max_length=50)
    default_max_load: int = 8

    @field_validator("title", "keywords", "station", mode="after")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return _clean(value)


class ReviewerProfileOut(Schema):
    user_id: int
    institution: str | None
    title: str
    fields: list[str]
    keywords: str
    station: str
    other_institution_ids: list[int]
    enterprise_ids: list[int]
    default_max_load: int

    @staticmethod
    def resolve_institution(obj) -> str | None:
        return str(obj.user.institution) if obj.user.institution_id else None

    @staticmethod
    def resolve_other_institution_ids(obj) -> list[int]:
        return sorted(i.pk for i in obj.other_institutions.all())

    @staticmethod
    def resolve_enterprise_ids(obj) -> list[int]:
        return sorted(e.pk for e in obj.enterprises.all())


@router.get("/reviewers/me", response={200: ReviewerProfileOut, **ERRORS})
def reviewer_profile_read(request):
    """The caller's reviewer profile (404 until one is saved)."""
    if not access.is_reviewer(request.auth):
        raise PermissionDenied()
    profile = selectors.reviewer_profile_of(request.auth)
    if profile is None:
        raise NotFound()
    return profile


def _all_or_404(model_path: str, ids: list[int]) -> list:
    from django.apps import apps

    wanted = {i for i in ids if 0 < i <= selectors.MAX_ID}
    rows = list(apps.get_model(model_path).objects.filter(pk__in=wanted))
    if len(rows) != len(set(ids)):
        raise NotFound()
    return rows


@router.put("/reviewers/me", response={200: ReviewerProfileOut, **ERRORS})
def reviewer_profile_save(request, payload: ReviewerProfileIn):
    """Fields (challenge domain codes), keywords, station, part-time institutions and the
    enterprises served: all used for affinity and conflicts of interest."""
    if not access.is_reviewer(request.auth):
        raise PermissionDenied()
    services.reviewer_profile_save(
        actor=request.auth, user=request.auth, title=payload.title, fields=payload.fields,
        keywords=payload.keywords, station=payload.station,
        other_institutions=_all_or_404("accounts.Institution", payload.other_institution_ids),
        enterprises=_all_or_404("enterprises.Enterprise", payload.enterprise_ids),
        default_max_load=payload.default_max_load, source="api")
    return selectors.reviewer_profile_of(request.auth)


@router.post("/conflicts", response={201: CreatedCountOut, **ERRORS})
def conflict_declare(request, payload: DeclareIn):
    """A reviewer declares a conflict of interest with a proposal, a researcher or an
    enterprise."""
    if not access.is_reviewer(request.auth):
        raise PermissionDenied()
    services.conflict_declare(
        actor=request.auth, reviewer=request.auth, reason=_clean(payload.reason), source="api",
        proposal=_get("challenges.Proposal", payload.proposal_id),
        researcher=_get("challenges.ResearcherProfile", payload.researcher_id),
        enterprise=_get("enterprises.Enterprise", payload.enterprise_id))
    return Status(201, CreatedCountOut(created=1))

