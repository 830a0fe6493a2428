"""JSON API of 精准匹配: recommendations in three directions with explanations, the term
dictionary, rebuilds and capacity-aware invitation runs."""

from __future__ import annotations

import uuid
from datetime import datetime

from ninja import Router, Schema
from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.matching import selectors, services

router = Router(tags=["matching"])


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


def _out(recs, name) -> list[dict]:
    return [{**r.as_api(), "name": name(r.obj)} for r in recs]


@router.get("/challenges/{int:challenge_id}/researchers",
            response={200: list[RecommendationOut], **ERRORS})
def challenge_researchers(request, challenge_id: int, k: int = 20):
    """Researchers for a challenge (organizer staff, or the posting enterprise's users)."""
    return _out(selectors.recommendations_for_challenge(request.auth, challenge_id, k),
                lambda o: o.name)


@router.get("/researchers/{int:profile_id}/challenges",
            response={200: list[RecommendationOut], **ERRORS})
def researcher_challenges(request, profile_id: int, k: int = 20):
    """Open challenges for a researcher (the researcher themself, or staff)."""
    return _out(selectors.recommendations_for_researcher(request.auth, profile_id, k),
                lambda o: o.title)


@router.get("/offers/{int:offer_id}/enterprises",
            response={200: list[RecommendationOut], **ERRORS})
def offer_enterprises(request, offer_id: int, k: int = 20):
    """Enterprises for a technology offer (its owner, or staff)."""
    return _out(selectors.recommendations_for_offer(request.auth, offer_id, k),
                lambda o: o.name)


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


@router.get("/terms", response={200: list[TermOut], **ERRORS})
def term_list(request):
    return list(selectors.terms_for(request.auth))


@router.post("/terms", response={201: TermOut, **ERRORS})
def techterm_add(request, payload: TermIn):
    return Status(201, services.techterm_add(actor=request.auth, term=payload.term,
                                             source="api"))


@router.delete("/terms/{int:term_id}", response={204: None, **ERRORS})
def techterm_remove(request, term_id: int):
    services.techterm_remove(actor=request.auth, term_id=term_id, source="api")
    return Status(204, None)


class JobStartedOut(Schema):
    job_id: uuid.UUID
    status: str


@router.post("/rebuild", response={202: JobStartedOut, **ERRORS})
def index_rebuild_start(request):
    """Queue the full rebuild (encode changed profiles, then every process rebuilds).
    Poll /api/jobs/{job_id}."""
    job = services.index_rebuild_start(actor=request.auth, source="api")
    return Status(202, {"job_id": job.pk, "status": job.status})


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


@router.post("/assignments", response={201: AssignmentOut, **ERRORS})
def invitations_assign(request, payload: AssignmentIn):
    """Capacity-aware invitations over each challenge's top-50 candidates (organizer staff)."""
    run = services.invitations_assign(
        challenge_ids=payload.challenge_ids, teams_per_challenge=payload.teams_per_challenge,
        researcher_limit=payload.researcher_limit, seed=payload.seed, actor=request.auth,
        source="api")
    return Status(201, run)


@router.get("/assignments/{int:run_id}", response={200: AssignmentOut, **ERRORS})
def assignment_detail(request, run_id: int):
    return selectors.assignment_run_for(request.auth, run_id)
