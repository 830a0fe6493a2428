"""API of a reviewer's own profile and declared conflicts."""

from __future__ import annotations

from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.core.errors import NotFound, PermissionDenied
from innolink.events import access, selectors, services
from innolink.events.api._router import router
from innolink.events.api.schemas import (
    CreatedCountOut,
    DeclareIn,
    ReviewerProfileIn,
    ReviewerProfileOut,
    _clean,
)


@router.get("/reviewers/me", response={200: ReviewerProfileOut, **ERRORS})
def reviewer_profile_read(request):
    """The caller's reviewer profile (404 until one is saved)."""
    if not access.is_reviewer(request.auth):
        raise PermissionDenied()
    profile = selectors.reviewer_profile_of(request.auth)
    if profile is None:
        raise NotFound()
    return profile


@router.put("/reviewers/me", response={200: ReviewerProfileOut, **ERRORS})
def reviewer_profile_save(request, payload: ReviewerProfileIn):
    """Fields (challenge domain codes), keywords, station, part-time institutions and the
    enterprises served: all used for affinity and conflicts of interest."""
    if not access.is_reviewer(request.auth):
        raise PermissionDenied()
    institutions, enterprises = selectors.profile_choices_for_reviewer(
        request.auth, institution_ids=payload.other_institution_ids,
        enterprise_ids=payload.enterprise_ids)
    services.reviewer_profile_save(
        actor=request.auth, user=request.auth, title=payload.title, fields=payload.fields,
        keywords=payload.keywords, station=payload.station,
        other_institutions=institutions, enterprises=enterprises,
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
        **{kind: selectors.conflict_subject_for_reviewer(request.auth, kind, pk)
           for kind, pk in (("proposal", payload.proposal_id),
                            ("researcher", payload.researcher_id),
                            ("enterprise", payload.enterprise_id)) if pk is not None})
    return Status(201, CreatedCountOut(created=1))
