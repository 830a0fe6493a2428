"""API of offers (成果/能力供给) and the interest conversations on them."""

from __future__ import annotations

from django.core.paginator import Paginator
from ninja import File, Form
from ninja.files import UploadedFile
from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.challenges import selectors, services
from innolink.challenges.api.schemas import (
    AttachmentOut,
    CommentIn,
    InterestIn,
    InterestOut,
    MessageIn,
    MessageOut,
    OfferIn,
    OfferOut,
    _no_nul,
)
from innolink.challenges.api._router import router


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
