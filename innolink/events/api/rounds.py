"""API of judging rounds and reviewers' assignments: entries, reviewers, assignment,
scores, results and awards."""

from __future__ import annotations

from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.core.errors import NotFound, PermissionDenied
from innolink.events import access, selectors, services
from innolink.events.api._router import router
from innolink.events.api.schemas import (
    AssignmentDetailOut,
    AssignOutcomeOut,
    AwardIn,
    AwardOut,
    ConflictsOut,
    CreatedCountOut,
    FinaliseIn,
    IdsIn,
    LoadIn,
    RecuseReasonIn,
    ResultOut,
    ResultsOut,
    ReviewAssignmentOut,
    ReviewRefusedOut,
    ReviewUnmetOut,
    RoundDetailOut,
    RoundIn,
    RoundOut,
    RoundPatchIn,
    ScoresIn,
    _clean,
)
from innolink.events.models import Award, RoundEntry, RoundState

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
def round_entries_add(request, round_id: int, payload: IdsIn):
    rnd = selectors.round_for_staff(request.auth, round_id)
    proposals = selectors.proposals_for_staff(request.auth, payload.ids)
    entries = services.round_entries_add(actor=request.auth, round=rnd, proposals=proposals,
                                         source="api")
    return Status(201, CreatedCountOut(created=len(entries)))


@router.post("/rounds/{int:round_id}/reviewers", response={201: CreatedCountOut, **ERRORS})
def round_reviewers_add(request, round_id: int, payload: IdsIn):
    rnd = selectors.round_for_staff(request.auth, round_id)
    users = selectors.users_for_staff(request.auth, payload.ids)
    members = services.round_reviewers_add(actor=request.auth, round=rnd, reviewers=users,
                                           max_load=payload.max_load, source="api")
    return Status(201, CreatedCountOut(created=len(members)))


@router.put("/rounds/{int:round_id}/reviewers/{int:reviewer_id}",
            response={200: CreatedCountOut, **ERRORS})
def round_reviewer_set_load(request, round_id: int, reviewer_id: int, payload: LoadIn):
    """Change one reviewer's load limit in the round (not below the work already assigned)."""
    rnd = selectors.round_for_staff(request.auth, round_id)
    member = selectors.round_member_for_staff(request.auth, rnd, reviewer_id)
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
def round_open_scoring(request, round_id: int):
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
    entry = selectors.round_entry_for_staff(request.auth, rnd, payload.entry_id)
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
def conflict_declare(request, assignment_id: int, payload: RecuseReasonIn):
    assignment = selectors.assignment_for_reviewer(request.auth, assignment_id)
    if assignment.reviewer_id != request.auth.pk:
        raise NotFound()
    services.conflict_declare(actor=request.auth, reviewer=request.auth,
                              proposal=assignment.entry.proposal, reason=_clean(payload.reason),
                              source="api")
    return CreatedCountOut(created=1)
