"""JSON API of the challenge board: every step from posting to acceptance, offers and interest.

Money is exchanged in yuan as decimal strings (``funding``, ``budget``, ``amount``), the same
unit as stored; pages take 万元 input instead. Errors have the shape ``{code, message, extra}``;
invalid fields come back as ``extra.fields`` with Chinese messages naming the field and rule.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.core.paginator import Paginator
from django.utils.translation import gettext
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from innolink.accounts.api_auth import ActiveSessionAuth, TokenAuth, anonymous_without_credentials
from innolink.core.schemas import ERRORS
from innolink.challenges import access, selectors, services
from innolink.challenges.models import Milestone
from innolink.core.errors import NotFound, PermissionDenied
from innolink.challenges.schemas import (
    AttachmentOut,
    BoardIn,
    ChallengeDetailOut,
    ChallengeIn,
    ChallengePage,
    CommentIn,
    ContractIn,
    DomainsIn,
    InterestIn,
    InterestOut,
    ListingImportColumnOut,
    ListingImportFieldOut,
    ListingImportJobOut,
    ListingImportMapIn,
    ListingImportMappingOut,
    ListingImportProblemOut,
    ListingImportReportOut,
    MessageIn,
    MessageOut,
    MilestoneOut,
    NoteIn,
    OfferIn,
    OfferOut,
    ProfileIn,
    ProfileOut,
    ProposalIn,
    ProposalOut,
    ResearcherImportJobOut,
    WaiveIn,
    _no_nul,
)

router = Router(tags=["challenges"])


# --- helpers -------------------------------------------------------------------------------

def _detail(user, challenge) -> dict[str, Any]:
    from innolink.challenges import screening

    show_contact = selectors.can_see_contact(user, challenge)
    owner_or_staff = access.is_board_staff(user) or access.owns_challenge(user, challenge)
    checks = None
    if owner_or_staff:
        checks = [{"code": c.code, "label": c.label, "detail": c.detail,
                   "waivable": c.waivable, "waived": c.resolved,
                   "reason": (c.waiver or {}).get("reason")}
                  for c in screening.checks_for(challenge)]
    return {
        **{f: getattr(challenge, f) for f in (
            "id", "title", "domain", "secondary_domains", "state", "funding_kind", "funding",
            "funding_max", "prize_schedule", "time_limit_months", "ip_ownership",
            "claim_deadline", "max_claims", "open_claims", "published_at", "statement",
            "keywords", "payment_terms", "ip_enterprise_share", "ip_notes", "other_conditions",
            "matched_proposal_id", "contract_amount", "contract_start", "external_ref",
            "solver_eligibility", "solver_region", "disciplines", "solver_types", "trl_min",
            "trl_max")},
        "issuer_kind": challenge.issuer_kind_label,
        "issuer_region": challenge.issuer_region,
        "programme": challenge.programme.name if challenge.programme_id else None,
        "screening": checks,
        "poster": challenge.poster_name,
        "indicators": list(challenge.indicators.all()),
        "review_comment": challenge.review_comment if owner_or_staff else None,
        "contact": {"name": challenge.contact_name, "phone": challenge.contact_phone,
                    "email": challenge.contact_email} if show_contact else None,
        "milestones": list(challenge.milestones.all()),
    }


def _challenge(request, challenge_id: int):
    return selectors.challenge_for_user(request.auth, challenge_id)


# --- challenges ----------------------------------------------------------------------------

@router.get("", response={200: ChallengePage, **ERRORS}, auth=None)
def board(request, filters: Query[BoardIn]):
    """The public board: published challenges, searchable in Chinese, with filters."""
    size = max(1, min(filters.page_size, 100))
    query = selectors.board_search(selectors.BoardFilters(
        q=filters.q, domain=filters.domain, funding_min_wan=filters.funding_min_wan,
        funding_max_wan=filters.funding_max_wan, max_months=filters.max_months, ip=filters.ip,
        deadline_from=filters.deadline_from))
    paginator = Paginator(query, size)
    page = paginator.get_page(filters.page)
    return ChallengePage(count=paginator.count, page=page.number, pages=paginator.num_pages,
                         items=list(page.object_list))


@router.get("/manage", response={200: ChallengePage, **ERRORS})
def manage(request, state: str = "", page: int = 1):
    """Every state: staff see all challenges, an enterprise user its own."""
    if not (access.is_board_staff(request.auth) or access.can_post_challenge(request.auth)):
        raise PermissionDenied()
    paginator = Paginator(selectors.challenges_managed_by(request.auth, state=state[:16]), 20)
    current = paginator.get_page(page)
    return ChallengePage(count=paginator.count, page=current.number, pages=paginator.num_pages,
                         items=list(current.object_list))


@router.post("", response={201: ChallengeDetailOut, **ERRORS})
def challenge_create(request, payload: ChallengeIn):
    """Post a draft challenge."""
    data = payload.dict()
    challenge = services.challenge_create(actor=request.auth, data=data, source="api")
    return Status(201, _detail(request.auth, challenge))


@router.get("/{int:challenge_id}", response={200: ChallengeDetailOut, **ERRORS},
            auth=[ActiveSessionAuth(), TokenAuth(), anonymous_without_credentials])
def challenge_detail(request, challenge_id: int):
    """One challenge, with the page's visibility: anyone sees a published one; its poster and
    the organizers also see drafts and submissions (a session or ``Authorization: Bearer``
    token; a request without credentials reads as anonymous, a wrong token is a 401)."""
    user = request.auth
    return _detail(user, selectors.challenge_for_user(user, challenge_id))


@router.put("/{int:challenge_id}", response={200: ChallengeDetailOut, **ERRORS})
def challenge_update(request, challenge_id: int, payload: ChallengeIn):
    challenge = services.challenge_update(actor=request.auth,
                                          challenge=_challenge(request, challenge_id),
                                          data=payload.dict(), source="api")
    return _detail(request.auth, challenge)


def _step(name: str, call):
    @router.post(f"/{{int:challenge_id}}/{name}", response={200: ChallengeDetailOut, **ERRORS},
                 operation_id=f"challenge_{name}", summary=f"Challenge: {name}")
    def endpoint(request, challenge_id: int, payload: CommentIn | None = None):
        challenge = _challenge(request, challenge_id)
        comment = payload.comment if payload else ""
        challenge = call(request.auth, challenge, _no_nul(comment))
        challenge.refresh_from_db()
        return _detail(request.auth, challenge)

    return endpoint


_step("submit", lambda u, c, t: services.challenge_submit(actor=u, challenge=c, source="api"))
_step("return", lambda u, c, t: services.challenge_return(actor=u, challenge=c, comment=t,
                                                          source="api"))
_step("reject", lambda u, c, t: services.challenge_reject(actor=u, challenge=c, reason=t,
                                                          source="api"))
_step("publish", lambda u, c, t: services.challenge_publish(actor=u, challenge=c, source="api"))
_step("withdraw", lambda u, c, t: services.challenge_withdraw(actor=u, challenge=c, reason=t,
                                                              source="api"))
_step("expire", lambda u, c, t: services.challenge_expire(actor=u, challenge=c, source="api"))
_step("accept", lambda u, c, t: services.challenge_accept(actor=u, challenge=c, source="api"))
_step("close", lambda u, c, t: services.challenge_close(actor=u, challenge=c, source="api"))


@router.post("/{int:challenge_id}/screening/waive", response={200: ChallengeDetailOut, **ERRORS})
def challenge_waive_check(request, challenge_id: int, payload: WaiveIn):
    """Organizer: waive a screening check with a reason (``indicators_missing``,
    ``indicators_unreadable``, ``time_limit_over``); audited."""
    challenge = services.challenge_waive_check(
        actor=request.auth, challenge=_challenge(request, challenge_id),
        code=_no_nul(payload.code), reason=_no_nul(payload.reason), source="api")
    challenge.refresh_from_db()
    return _detail(request.auth, challenge)


@router.post("/{int:challenge_id}/domains", response={200: ChallengeDetailOut, **ERRORS})
def challenge_set_domains(request, challenge_id: int, payload: DomainsIn):
    """Organizer: the primary domain and secondary domains of a listing; audited."""
    challenge = services.challenge_set_domains(
        actor=request.auth, challenge=_challenge(request, challenge_id),
        domain=_no_nul(payload.domain),
        secondary=[_no_nul(d) for d in payload.secondary_domains], source="api")
    challenge.refresh_from_db()
    return _detail(request.auth, challenge)


@router.get("/disciplines", response={200: list[dict], **ERRORS}, auth=None)
def discipline_search(request, q: str = "", limit: int = 20):
    """The GB/T 13745-2009 code table: codes whose code or name contains ``q``, then the
    closest names (fuzzy)."""
    from innolink.challenges import disciplines

    found = disciplines.search(_no_nul(q)[:50], limit=max(1, min(limit, 100)))
    return [{"code": d.code, "name": d.name, "level": d.level, "label": disciplines.label(d.code)}
            for d in found]


@router.post("/{int:challenge_id}/contract", response={200: ChallengeDetailOut, **ERRORS})
def challenge_contract(request, challenge_id: int, payload: ContractIn):
    """Record the contract: amount (yuan), start date and milestones."""
    challenge = services.challenge_contract(
        actor=request.auth, challenge=_challenge(request, challenge_id),
        amount=_no_nul(payload.amount), start=_no_nul(payload.start),
        milestones=[m.dict() for m in payload.milestones], source="api")
    challenge.refresh_from_db()
    return _detail(request.auth, challenge)


@router.post("/milestones/{int:milestone_id}/complete", response={200: MilestoneOut, **ERRORS})
def milestone_complete(request, milestone_id: int, payload: NoteIn | None = None):
    milestone = Milestone.objects.filter(pk=selectors._valid_pk(milestone_id)).first()
    if milestone is None:
        raise NotFound()
    selectors.challenge_for_user(request.auth, milestone.challenge_id)
    return services.milestone_complete(actor=request.auth, milestone=milestone,
                                       note=_no_nul(payload.note) if payload else "",
                                       source="api")


@router.post("/{int:challenge_id}/attachments", response={201: AttachmentOut, **ERRORS})
def challenge_attachment(request, challenge_id: int, file: File[UploadedFile],
                         kind: Form[str] = "other"):
    attachment = services.attachment_add(actor=request.auth, upload=file, kind=kind,
                                         challenge=_challenge(request, challenge_id),
                                         source="api")
    return Status(201, attachment)


# --- proposals -----------------------------------------------------------------------------

@router.post("/{int:challenge_id}/claim", response={201: ProposalOut, **ERRORS})
def proposal_create(request, challenge_id: int, payload: ProposalIn):
    """Claim (揭榜) with a proposal; ``budget`` in yuan."""
    data = payload.dict()
    data = {k: _no_nul(v) for k, v in data.items()}
    proposal = services.proposal_create(actor=request.auth,
                                        challenge=_challenge(request, challenge_id), data=data,
                                        source="api")
    return Status(201, proposal)


@router.get("/{int:challenge_id}/proposals", response={200: list[ProposalOut], **ERRORS})
def proposals(request, challenge_id: int):
    challenge = _challenge(request, challenge_id)
    return list(selectors.proposals_for_challenge(request.auth, challenge).select_related(
        "researcher"))


@router.get("/proposals/mine", response={200: list[ProposalOut], **ERRORS})
def my_proposals(request):
    return list(selectors.proposals_of(request.auth).select_related("researcher")[:500])


@router.get("/proposals/{int:proposal_id}", response={200: ProposalOut, **ERRORS})
def proposal_detail(request, proposal_id: int):
    return selectors.proposal_for_user(request.auth, proposal_id)


def _proposal_step(name: str, call):
    @router.post(f"/proposals/{{int:proposal_id}}/{name}", response={200: ProposalOut, **ERRORS},
                 operation_id=f"proposal_{name}", summary=f"Proposal: {name}")
    def endpoint(request, proposal_id: int, payload: NoteIn | None = None):
        proposal = selectors.proposal_for_user(request.auth, proposal_id)
        note = _no_nul(payload.note) if payload else ""
        return call(request.auth, proposal, note)

    return endpoint


_proposal_step("shortlist", lambda u, p, n: services.proposal_shortlist(
    actor=u, proposal=p, note=n, source="api"))
_proposal_step("match", lambda u, p, n: services.proposal_match(actor=u, proposal=p,
                                                                source="api"))
_proposal_step("decline", lambda u, p, n: services.proposal_decline(
    actor=u, proposal=p, note=n, source="api"))
_proposal_step("withdraw", lambda u, p, n: services.proposal_withdraw(actor=u, proposal=p,
                                                                      source="api"))


@router.post("/proposals/{int:proposal_id}/attachments", response={201: AttachmentOut, **ERRORS})
def proposal_attachment(request, proposal_id: int, file: File[UploadedFile],
                        kind: Form[str] = "proposal"):
    proposal = selectors.proposal_for_user(request.auth, proposal_id)
    return Status(201, services.attachment_add(actor=request.auth, upload=file, kind=kind,
                                               proposal=proposal, source="api"))


# --- researcher profile --------------------------------------------------------------------

@router.get("/profile", response={200: ProfileOut, **ERRORS})
def profile_get(request):
    profile = selectors.profile_of(request.auth)
    if profile is None:
        raise NotFound(gettext("尚未登记科研人员/团队信息"))
    return profile


@router.put("/profile", response={200: ProfileOut, **ERRORS})
def researcher_profile_save(request, payload: ProfileIn):
    data = {k: _no_nul(v) for k, v in payload.dict().items()}
    return services.researcher_profile_save(actor=request.auth, data=data, source="api")


@router.post("/researchers/import",
             response={200: dict, 202: ResearcherImportJobOut, **ERRORS})
def researcher_import_start(request, file: File[UploadedFile], commit: Form[bool] = False):
    """Organizers: a .xlsx/.csv of researchers, upserted by e-mail; all or nothing, errors row
    by row.

    - ``commit=false`` on a small file (CSV up to 256 KiB, .xlsx up to 64 KiB, about 1,300
      rows): **200** with the check, ``{rows, created, updated, unchanged, committed: false,
      errors: [{row, column, value, reason}], error_count, preview}``. Nothing is written.
    - ``commit=true``, or a check of a larger file: **202** with ``{job_id, status}``. The work
      runs as a background job; poll ``GET /api/jobs/{job_id}`` until ``status`` is
      ``succeeded`` or ``failed``. A succeeded job's ``result`` has the shape above
      (``committed: true`` when the import wrote the file; a file with errors writes nothing
      and its ``errors`` say why). A file that cannot be read ends as a ``failed`` job whose
      ``message`` gives the reason.
    - A file of the wrong type, empty or over 10 MB is refused at once (**400**), with no job.
    """
    content = file.read()
    filename = file.name or ""
    if commit or not services.researcher_import_check_is_quick(filename=filename,
                                                               size=len(content)):
        job = services.researcher_import_start(actor=request.auth, content=content,
                                               filename=filename, commit=commit, source="api")
        return Status(202, ResearcherImportJobOut(job_id=job.pk, status=job.status))
    return services.researcher_import(actor=request.auth, content=content, filename=filename,
                                      commit=False, source="api")


# --- 榜单 import (the page's service, decision 0355; ADR 0171) -------------------------------

def _listing_job_out(job) -> ListingImportJobOut:
    return ListingImportJobOut(job_id=job.pk, status=job.status,
                               commit=bool(job.params.get("commit")))


def _mapping_out(prepared) -> ListingImportMappingOut:
    from innolink.challenges import listing_import

    columns = [ListingImportColumnOut(
        header=h, guess=prepared.guesses.get(h) or None,
        samples=[r[i] for r in prepared.sample if i < len(r) and r[i]][:2])
        for i, h in enumerate(prepared.headers) if h]
    return ListingImportMappingOut(
        needs_mapping=True, token=prepared.token, filename=prepared.filename, columns=columns,
        fields=[ListingImportFieldOut(key=f.key, label=str(f.label))
                for f in listing_import.FIELDS]
        + [ListingImportFieldOut(key=listing_import.IGNORE, label=gettext("忽略此列"))])


@router.post("/listings/import",
             response={200: ListingImportMappingOut, 202: ListingImportJobOut, **ERRORS})
def listing_import(request, file: File[UploadedFile], commit: Form[bool] = False,
                   programme: Form[int | None] = None,
                   default_deadline: Form[dt.date | None] = None,
                   publish: Form[bool] = False):
    """Organizers: upload a 榜单 (.xlsx/.csv, GBK CSV read); the same service as the import
    page, all or nothing, audited.

    - Every column known (by alias or a remembered mapping): **202** ``{job_id, status,
      commit}``. The check (``commit=false``) or the import (``commit=true``: a clean file is
      written, a file with any error writes nothing) runs as a background job; poll
      ``GET /api/jobs/{job_id}``, then read ``GET /api/challenges/listings/import/{job_id}``
      for the per-row report. A clean check is imported with
      ``POST /api/challenges/listings/import/{job_id}/commit``.
    - A column nobody has named yet: **200** ``{needs_mapping: true, token, columns, fields}``;
      answer with ``POST /api/challenges/listings/import/mapping`` (remembered for next time).
    - A file of the wrong type, empty, without a header or over 10 MB: **400**, no job.
    """
    from innolink.challenges import listing_services

    prepared = listing_services.listing_import_upload(
        actor=request.auth, content=file.read(), filename=file.name or "",
        programme_id=programme, default_deadline=default_deadline, publish=publish)
    if prepared.needs_mapping:
        return _mapping_out(prepared)
    job = listing_services.listing_import_start(actor=request.auth, token=prepared.token,
                                                source="api", commit=commit)
    return Status(202, _listing_job_out(job))


@router.post("/listings/import/mapping", response={202: ListingImportJobOut, **ERRORS})
def listing_import_map(request, payload: ListingImportMapIn):
    """Answer the column mapping of an upload (every header: a field key or ``ignore``); the
    answers are remembered and the check (or, with ``commit``, the import) job starts."""
    from innolink.challenges import listing_services

    job = listing_services.listing_import_map(
        actor=request.auth, token=_no_nul(payload.token),
        choices={_no_nul(k): _no_nul(v) for k, v in payload.choices.items()},
        source="api", commit=payload.commit)
    return Status(202, _listing_job_out(job))


def _listing_job(request, job_id: uuid.UUID):
    from innolink.challenges.listing_services import LISTING_IMPORT_KIND
    from innolink.core.selectors import job_for_user

    if not access.is_board_staff(request.auth):
        raise PermissionDenied()
    job = job_for_user(request.auth, job_id)
    if job.kind != LISTING_IMPORT_KIND:
        raise NotFound()
    return job


@router.post("/listings/import/{uuid:job_id}/commit",
             response={202: ListingImportJobOut, **ERRORS})
def listing_import_commit(request, job_id: uuid.UUID):
    """Import the file of a finished, clean check job, once (409 otherwise)."""
    from innolink.challenges import listing_services

    job = listing_services.listing_import_commit(actor=request.auth,
                                                 job=_listing_job(request, job_id))
    return Status(202, _listing_job_out(job))


@router.get("/listings/import/{uuid:job_id}", response={200: ListingImportReportOut, **ERRORS})
def listing_import_report(request, job_id: uuid.UUID):
    """The per-row report of a check or import job, reasons in the request's language."""
    from innolink.challenges.listing_import import render_reason

    job = _listing_job(request, job_id)
    r = job.result or {}

    def problems(key):
        return [ListingImportProblemOut(
            row=int(p.get("row") or 0), column=str(p.get("column") or ""),
            value=str(p.get("value") or ""), code=str(p.get("code") or ""),
            reason=render_reason(p.get("code") or "", p.get("params")),
            fatal=bool(p.get("fatal"))) for p in r.get(key) or []]

    return ListingImportReportOut(
        job_id=job.pk, status=job.status, commit=bool(job.params.get("commit")),
        message=job.message or "", committed=bool(r.get("committed")),
        rows=int(r.get("rows") or 0), listings=int(r.get("listings") or 0),
        created=int(r.get("created") or 0), published=int(r.get("published") or 0),
        error_count=int(r.get("error_count") or 0),
        warning_count=int(r.get("warning_count") or 0),
        errors=problems("errors"), warnings=problems("warnings"),
        preview=list(r.get("preview") or []))


# --- offers --------------------------------------------------------------------------------

@router.get("/offers", response={200: list[OfferOut], **ERRORS}, auth=None)
def offer_board(request, q: str = "", domain: str = "", min_trl: int | None = None,
                mode: str = "", page: int = 1):
    query = selectors.offer_board(q=_no_nul(q), domain=_no_nul(domain), min_trl=min_trl,
                                  mode=_no_nul(mode)).select_related("institution")
    return list(Paginator(query, 20).get_page(page).object_list)


@router.post("/offers", response={201: OfferOut, **ERRORS})
def offer_create(request, payload: OfferIn):
    data = {k: _no_nul(v) for k, v in payload.dict().items()}
    return Status(201, services.offer_create(actor=request.auth, data=data, source="api"))


@router.get("/offers/{int:offer_id}", response={200: OfferOut, **ERRORS}, auth=None)
def offer_detail(request, offer_id: int):
    return selectors.offer_for_user(request.user, offer_id)


@router.put("/offers/{int:offer_id}", response={200: OfferOut, **ERRORS})
def offer_update(request, offer_id: int, payload: OfferIn):
    data = {k: _no_nul(v) for k, v in payload.dict().items()}
    return services.offer_update(actor=request.auth,
                                 offer=selectors.offer_for_user(request.auth, offer_id),
                                 data=data, source="api")


@router.post("/offers/{int:offer_id}/interest", response={201: InterestOut, **ERRORS},
             operation_id="offer_interest")
def offer_interest_create(request, offer_id: int, payload: InterestIn):
    offer = selectors.offer_for_user(request.auth, offer_id)
    return Status(201, services.offer_interest_create(actor=request.auth, offer=offer,
                                                      message=_no_nul(payload.message),
                                                      source="api"))


@router.post("/offers/{int:offer_id}/attachments", response={201: AttachmentOut, **ERRORS},
             operation_id="offer_attachment")
def offer_attachment(request, offer_id: int, file: File[UploadedFile],
                     kind: Form[str] = "other"):
    offer = selectors.offer_for_user(request.auth, offer_id)
    return Status(201, services.attachment_add(actor=request.auth, upload=file, kind=kind,
                                               offer=offer, source="api"))


@router.post("/offers/{int:offer_id}/submit", response={200: OfferOut, **ERRORS})
def offer_submit(request, offer_id: int):
    offer = selectors.offer_for_user(request.auth, offer_id)
    return services.offer_submit(actor=request.auth, offer=offer, source="api")


@router.post("/offers/{int:offer_id}/return", response={200: OfferOut, **ERRORS})
def offer_return(request, offer_id: int, payload: CommentIn | None = None):
    offer = selectors.offer_for_user(request.auth, offer_id)
    return services.offer_return(actor=request.auth, offer=offer, source="api",
                                 comment=_no_nul(payload.comment) if payload else "")


@router.post("/offers/{int:offer_id}/reject", response={200: OfferOut, **ERRORS})
def offer_reject(request, offer_id: int, payload: CommentIn | None = None):
    offer = selectors.offer_for_user(request.auth, offer_id)
    return services.offer_reject(actor=request.auth, offer=offer, source="api",
                                 comment=_no_nul(payload.comment) if payload else "")


@router.post("/offers/{int:offer_id}/publish", response={200: OfferOut, **ERRORS})
def offer_publish(request, offer_id: int):
    offer = selectors.offer_for_user(request.auth, offer_id)
    return services.offer_publish(actor=request.auth, offer=offer, source="api")


@router.post("/offers/{int:offer_id}/withdraw", response={200: OfferOut, **ERRORS})
def offer_withdraw(request, offer_id: int):
    offer = selectors.offer_for_user(request.auth, offer_id)
    return services.offer_withdraw(actor=request.auth, offer=offer, source="api")


@router.post("/offers/{int:offer_id}/close", response={200: OfferOut, **ERRORS})
def offer_close(request, offer_id: int):
    offer = selectors.offer_for_user(request.auth, offer_id)
    return services.offer_close(actor=request.auth, offer=offer, source="api")


@router.get("/interests/{int:interest_id}", response={200: InterestOut, **ERRORS})
def interest_detail(request, interest_id: int):
    return selectors.interest_for_user(request.auth, interest_id)


@router.post("/interests/{int:interest_id}/messages", response={201: MessageOut, **ERRORS})
def conversation_message_add(request, interest_id: int, payload: MessageIn):
    interest = selectors.interest_for_user(request.auth, interest_id)
    return Status(201, services.conversation_message_add(actor=request.auth, interest=interest,
                                                         body=_no_nul(payload.body),
                                                         source="api"))


# --- overview ------------------------------------------------------------------------------

@router.get("/overview", response={200: dict, **ERRORS})
def overview(request):
    if not access.is_board_staff(request.auth):
        raise PermissionDenied()
    o = selectors.overview()
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in o.items()
            if not k.startswith("chart_")} | {"by_domain": o["chart_domain"]}
