"""Request and answer bodies of the matching API (operations in ``innolink.matching.api``)."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Schema


class SignalOut(Schema):
    name: str
    label: str
    raw: float
    weight: float
    contribution: float
    share: float


class HighlightOut(Schema):
    field: str
    label: str
    text: str
    spans: list[list]


class MatchIndicatorOut(Schema):
    indicator: str
    target: str
    status: str
    status_label: str
    value: float | None
    gap: float | None
    reason: str


class FactorOut(Schema):
    factor: str
    label: str
    score: float
    weight: float
    reason: str


class SimilarOut(Schema):
    id: int
    title: str


class RecommendationOut(Schema):
    """Only what lifted the candidate is listed (ADR 0363): ``signals`` with their share of
    the lift, ``matched_terms`` that carried weight, ``indicators`` when a target is met or
    near, ``structured`` factors in the candidate's favour; ``reasons`` says the same in
    plain sentences (request language); ``similar`` lists near-duplicate listings folded
    into this one (ADR 0362)."""

    id: int
    name: str
    rank: int
    score: float
    summary: str
    reasons: list[str]
    matched_terms: list[str]
    signals: list[SignalOut]
    highlights: list[HighlightOut]
    indicators: list[MatchIndicatorOut]
    indicator_summary: str
    structured: list[FactorOut]
    similar: list[SimilarOut]


class TermOut(Schema):
    id: int
    term: str
    added_by: str | None
    created_at: datetime

    @staticmethod
    def resolve_added_by(obj) -> str | None:
        return str(obj.added_by) if obj.added_by_id else None


class TermIn(Schema):
    term: str


class JobStartedOut(Schema):
    job_id: uuid.UUID
    status: str


class AssignmentIn(Schema):
    challenge_ids: list[int]
    teams_per_challenge: int = 3
    researcher_limit: int = 2
    seed: int = 0


class PairOut(Schema):
    challenge_id: int
    researcher_id: int
    score: float


class UnmetOut(Schema):
    challenge_id: int
    missing: int
    reason: str


class RefusedOut(Schema):
    challenge_id: int
    researcher_id: int
    reason: str


class ProblemOut(Schema):
    code: str
    challenge_id: int | None
    message: str


class AssignmentOut(Schema):
    id: int
    created_at: datetime
    challenge_ids: list[int]
    teams_per_challenge: int
    researcher_limit: int
    seed: int
    status: str
    total_score: float
    pairs: list[PairOut]
    unmet: list[UnmetOut]
    refused: list[RefusedOut]
    problems: list[ProblemOut]
