"""API of challenges (榜单): the board, posting and editing, the review steps, screening
waivers, domains, the contract and its milestones, attachments."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from ninja import File, Form, Query
from ninja.files import UploadedFile
from ninja.responses import Status

from innolink.accounts.api_auth import ActiveSessionAuth, TokenAuth, anonymous_without_credentials
from innolink.core.schemas import ERRORS
from innolink.challenges import access, selectors, services
from innolink.challenges.models import Milestone
from innolink.core.errors import NotFound, PermissionDenied
from innolink.challenges.api.schemas import (
    AttachmentOut,
    BoardIn,
    ChallengeDetailOut,
    ChallengeIn,
    ChallengePage,
    CommentIn,
    ContractIn,
    DomainsIn,
    MilestoneOut,
    NoteIn,
    WaiveIn,
    _no_nul,
)
from innolink.challenges.api._router import router


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
            "matched_proposal_id", "contract_amount", "contract_start", "external_ref", "source",
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
