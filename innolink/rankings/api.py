"""Rankings API: runs and their workflow, lists, declarations and objections.

Staff endpoints need an organizer or admin; ``/public/...`` needs no login and shows only lists
under 公示 or published."""

from __future__ import annotations

from django.utils.translation import gettext as _

from django.urls import reverse
from ninja import Router
from ninja.responses import Status

from innolink.core.schemas import ERRORS, ErrorOut
from innolink.core.errors import PermissionDenied
from innolink.rankings import checks, selectors, services
from innolink.rankings.access import can_declare, can_manage_rankings
from innolink.rankings.schemas import (
    AnswerIn,
    ConfirmIn,
    CorrectionIn,
    CorrectionOut,
    CountOut,
    DeclarationIn,
    DeclarationOut,
    EntryOut,
    JobRef,
    NoticeIn,
    ObjectionIn,
    ObjectionOut,
    PublicEditionOut,
    PublicListOut,
    PublicRowOut,
    ReturnIn,
    ReviewIn,
    RunIn,
    RunOut,
)

router = Router(tags=["rankings"])


def _manager(request):
    if not can_manage_rankings(request.auth):
        raise PermissionDenied()
    return request.auth


# ---------------------------------------------------------------- answer shapes

def _entry(e) -> EntryOut:
    return EntryOut(id=e.pk, list_id=e.ranking_list.list_id, enterprise_id=e.enterprise_id,
                    enterprise_name=e.enterprise.name, town=e.enterprise.town, rank=e.rank,
                    in_list=e.in_list, tied=e.tied, score=e.score, median_rank=e.median_rank,
                    rank_p05=e.rank_p05, rank_p95=e.rank_p95,
                    in_list_frequency=e.in_list_frequency, uncertain=e.uncertain,
                    review=e.review, review_note=e.review_note)


def _objection(o) -> ObjectionOut:
    return ObjectionOut(id=o.pk, list_id=o.ranking_list.list_id, enterprise_id=o.enterprise_id,
                        name=o.name, organization=o.organization, content=o.content,
                        status=o.status, answer=o.answer, created_at=o.created_at,
                        answered_at=o.answered_at)


# ---------------------------------------------------------------- runs (staff)


@router.get("/runs", response={200: list[RunOut], **ERRORS})
def run_list(request):
    _manager(request)
    return list(selectors.runs_visible_to(request.auth).prefetch_related("lists")[:100])


@router.post("/runs", response={202: JobRef, **ERRORS})
def run_start(request, payload: RunIn):
    """Check the methodologies against the year's data, then compute in the background.
    Poll ``/api/jobs/{job_id}`` or ``/api/rankings/runs/{run_id}``."""
    user = _manager(request)
    run = services.run_start(year=payload.year, actor=user, samples=payload.samples)
    return Status(202, JobRef(run_id=run.pk, job_id=run.job_id, status=run.status))


@router.get("/runs/{int:run_id}", response={200: RunOut, **ERRORS})
def run_detail(request, run_id: int):
    return selectors.run_for_user(request.auth, run_id)


@router.get("/runs/{int:run_id}/review", response={200: list[EntryOut], **ERRORS})
def run_review(request, run_id: int):
    run = selectors.run_for_user(request.auth, run_id)
    return [_entry(e) for e in selectors.review_entries(run)]


@router.post("/entries/{int:entry_id}/review", response={200: EntryOut, **ERRORS})
def entry_review(request, entry_id: int, payload: ReviewIn):
    entry = selectors.entry_for_user(request.auth, entry_id)
    entry = services.entry_review(entry=entry, actor=request.auth, decision=payload.decision,
                                  note=payload.note)
    return _entry(entry)


@router.post("/runs/{int:run_id}/confirm-pending", response={200: CountOut, **ERRORS})
def entries_confirm_pending(request, run_id: int, payload: ConfirmIn):
    """Confirm every entry still pending review, with the reason."""
    _manager(request)
    run = selectors.run_for_user(request.auth, run_id)
    return CountOut(count=services.entries_confirm_pending(run=run, actor=request.auth,
                                                           note=payload.note))


@router.post("/runs/{int:run_id}/reviewed", response={200: RunOut, **ERRORS})
def run_mark_reviewed(request, run_id: int):
    _manager(request)
    run = selectors.run_for_user(request.auth, run_id)
    return services.run_mark_reviewed(run=run, actor=request.auth)


@router.post("/runs/{int:run_id}/notice", response={200: RunOut, **ERRORS})
def run_open_notice(request, run_id: int, payload: NoticeIn):
    _manager(request)
    run = selectors.run_for_user(request.auth, run_id)
    return services.run_open_notice(run=run, actor=request.auth, closes_on=payload.closes_on)


@router.post("/runs/{int:run_id}/close-notice", response={200: RunOut, **ERRORS})
def run_close_notice(request, run_id: int):
    _manager(request)
    run = selectors.run_for_user(request.auth, run_id)
    return services.run_close_notice(run=run, actor=request.auth)


@router.post("/runs/{int:run_id}/publish", response={200: RunOut, **ERRORS})
def run_publish(request, run_id: int):
    _manager(request)
    run = selectors.run_for_user(request.auth, run_id)
    return services.run_publish(run=run, actor=request.auth)


@router.get("/runs/{int:run_id}/objections", response={200: list[ObjectionOut], **ERRORS})
def run_objections(request, run_id: int):
    run = selectors.run_for_user(request.auth, run_id)
    return [_objection(o) for o in selectors.objections_for_run(run)]


@router.post("/objections/{int:objection_id}/answer", response={200: ObjectionOut, **ERRORS})
def objection_answer(request, objection_id: int, payload: AnswerIn):
    objection = selectors.objection_for_user(request.auth, objection_id)
    return _objection(services.objection_answer(objection=objection, actor=request.auth,
                                                answer=payload.answer))


@router.post("/runs/{int:run_id}/lists/{list_id}/corrections",
             response={201: CorrectionOut, **ERRORS})
def correction_add(request, run_id: int, list_id: str, payload: CorrectionIn):
    _manager(request)
    ranking_list = selectors.run_list_for_user(request.auth, run_id, list_id)
    correction = services.correction_add(ranking_list=ranking_list, actor=request.auth,
                                         description=payload.description,
                                         enterprise_id=payload.enterprise_id)
    return Status(201, correction)


# ---------------------------------------------------------------- public (no login)


@router.get("/public", response={200: list[PublicEditionOut], **ERRORS}, auth=None)
def public_index(request):
    return [PublicEditionOut(year=run.year, status=run.status,
                             notice_closes_on=run.notice_closes_on,
                             lists={rl.list_id: rl.title_zh for rl in lists})
            for run, lists in selectors.public_index()]


def _list_out(request, ranking_list, *, members_only: bool = True) -> PublicListOut:
    columns, rows = selectors.list_rows(ranking_list, members_only=members_only)
    run = ranking_list.run
    url = request.build_absolute_uri(reverse("rankings:public-list", kwargs={
        "year": run.year, "list_id": ranking_list.list_id}))
    return PublicListOut(
        year=run.year, list_id=ranking_list.list_id, title_zh=ranking_list.title_zh,
        status=run.status, notice_closes_on=run.notice_closes_on,
        published_at=run.published_at, size=ranking_list.size, eligible=ranking_list.eligible,
        methodology_version=ranking_list.methodology_version,
        methodology_hash=ranking_list.methodology_hash, data_fingerprint=run.data_fingerprint,
        note_zh=ranking_list.note_zh, tie_rule_zh=ranking_list.result.get("tie_rule_zh", ""),
        threshold_field=ranking_list.result.get("threshold_field", ""),
        entry_threshold=selectors.entry_threshold(rows), url=url, qr_url=url + "qr.svg",
        columns={c.name: f"{c.label}（{c.unit}）" if c.unit else c.label for c in columns},
        rows=[PublicRowOut(
            rank=r.entry.rank, in_list=r.entry.in_list, tied=r.entry.tied,
            enterprise_id=r.entry.enterprise_id, enterprise_name=r.entry.enterprise.name,
            town=r.entry.enterprise.town,
            indicators={c.name: v for c, v in zip(columns, r.values)},
            previous_rank=r.previous_rank, change=r.change, new_entrant=r.new,
            median_rank=r.entry.median_rank, rank_p05=r.entry.rank_p05,
            rank_p95=r.entry.rank_p95, uncertain=r.entry.uncertain) for r in rows],
        corrections=[CorrectionOut(id=c.pk, enterprise_id=c.enterprise_id,
                                   description=c.description, created_at=c.created_at)
                     for c in ranking_list.corrections.all()],
    )


@router.get("/runs/{int:run_id}/lists/{list_id}", response={200: PublicListOut, **ERRORS})
def run_list_detail(request, run_id: int, list_id: str):
    """A list of any run (staff), members and the uncertain non-members (``in_list`` false)."""
    ranking_list = selectors.run_list_for_user(request.auth, run_id, list_id)
    return _list_out(request, ranking_list, members_only=False)


@router.get("/public/{int:year}/{list_id}", response={200: PublicListOut, **ERRORS}, auth=None)
def public_list(request, year: int, list_id: str):
    """A list under 公示 or published: members in rank order, with the change against last
    year's published edition and the 5–95% rank interval."""
    return _list_out(request, selectors.public_list(year, list_id))


@router.post("/public/{int:year}/{list_id}/objections",
             response={201: ObjectionOut, **ERRORS, 429: ErrorOut},
             auth=None)
def objection_submit(request, year: int, list_id: str, payload: ObjectionIn):
    """A real-name objection while the list is under 公示 (name and phone required); at most
    ``INNOLINK_PUBLIC_POST_LIMIT`` per client and list in ``INNOLINK_PUBLIC_POST_WINDOW``
    seconds (429 past it)."""
    from innolink.core.throttle import public_post_throttle

    ranking_list = selectors.public_list(year, list_id)
    public_post_throttle(request, scope="rankings.objection", target=ranking_list.pk)
    objection = services.objection_submit(
        ranking_list=ranking_list, name=payload.name, phone=payload.phone,
        content=payload.content, organization=payload.organization,
        enterprise_id=payload.enterprise_id, user=request.user)
    return Status(201, _objection(objection))


# ---------------------------------------------------------------- declarations


@router.get("/declarations", response={200: list[DeclarationOut], **ERRORS})
def declaration_list(request, year: int | None = None, status: str = ""):
    """Staff see every declaration; an enterprise user sees its own."""
    qs = selectors.declarations_visible_to(request.auth)
    if not (can_manage_rankings(request.auth) or can_declare(request.auth)):
        raise PermissionDenied()
    if year is not None:
        qs = qs.filter(year=year) if 0 < year < 10000 else qs.none()
    if status:
        qs = qs.filter(status=status.replace("\x00", ""))
    return list(qs[:500])


@router.post("/declarations", response={200: DeclarationOut, **ERRORS})
def declaration_save(request, payload: DeclarationIn):
    """Save (or with ``submit`` and the attestation, submit) the user's enterprise's figures."""
    if not can_declare(request.auth):
        raise PermissionDenied(_("只有企业用户可以申报本企业数据"))
    return services.declaration_save(
        enterprise=request.auth.enterprise, year=payload.year, values=payload.values,
        actor=request.auth, submit=payload.submit, attested_name=payload.attested_name,
        attest=payload.attest)


@router.get("/declarations/fields", response={200: list[dict], **ERRORS})
def declaration_fields(request):
    return [{"code": f.code, "label": f.label, "kind": f.kind,
             "allow_negative": f.allow_negative, "required": f.code in checks.REQUIRED}
            for f in checks.DECLARED_FIELDS]


@router.get("/declarations/{int:declaration_id}", response={200: DeclarationOut, **ERRORS})
def declaration_detail(request, declaration_id: int):
    return selectors.declaration_for_user(request.auth, declaration_id)


@router.post("/declarations/{int:declaration_id}/accept", response={200: DeclarationOut, **ERRORS})
def declaration_accept(request, declaration_id: int):
    declaration = selectors.declaration_for_user(request.auth, declaration_id)
    user = _manager(request)
    return services.declaration_accept(declaration=declaration, actor=user)


@router.post("/declarations/{int:declaration_id}/return", response={200: DeclarationOut, **ERRORS})
def declaration_return(request, declaration_id: int, payload: ReturnIn):
    declaration = selectors.declaration_for_user(request.auth, declaration_id)
    user = _manager(request)
    return services.declaration_return(declaration=declaration, actor=user,
                                       reason=payload.reason)
