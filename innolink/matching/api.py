"""JSON API of 精准匹配: recommendations in three directions with explanations, the term
dictionary, rebuilds and capacity-aware invitation runs."""

from __future__ import annotations

from ninja import Router
from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.matching import selectors, services
from innolink.matching.schemas import (
    AssignmentIn,
    AssignmentOut,
    JobStartedOut,
    RecommendationOut,
    TermIn,
    TermOut,
)

router = Router(tags=["matching"])


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


@router.post("/rebuild", response={202: JobStartedOut, **ERRORS})
def index_rebuild_start(request):
    """Queue the full rebuild (encode changed profiles, then every process rebuilds).
    Poll /api/jobs/{job_id}."""
    job = services.index_rebuild_start(actor=request.auth, source="api")
    return Status(202, {"job_id": job.pk, "status": job.status})


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
