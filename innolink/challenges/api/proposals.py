"""API of proposals (揭榜): claiming a challenge, the organizer's steps, attachments."""

from __future__ import annotations

from ninja import File, Form
from ninja.files import UploadedFile
from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.challenges import selectors, services
from innolink.challenges.api.schemas import (
    AttachmentOut,
    NoteIn,
    ProposalIn,
    ProposalOut,
    _no_nul,
)
from innolink.challenges.api._router import router
from innolink.challenges.api.challenges import _challenge


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
