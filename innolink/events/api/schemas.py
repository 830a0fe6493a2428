"""Request and answer bodies of the events API."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from ninja import Schema
from pydantic import Field, field_validator


def _clean(value: str) -> str:
    return value.replace("\x00", "")



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
    def resolve_unscheduled_reason(obj) -> str:
        return obj.unscheduled_reason_text

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



class AvailabilityIn(Schema):
    participant: str = Field(max_length=32)
    unavailable_slot_ids: list[int] = Field([], max_length=100)


class ParticipantOut(Schema):
    participant: str
    name: str
    unavailable_slot_ids: list[int]



class JobStartedOut(Schema):
    job_id: uuid.UUID
    status: str


class LoadIn(Schema):
    max_load: int



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
