"""JSON API of the compute platform. Thin: parse, authorize (scoped selectors and the services'
checks), call, shape. A provider sees only its own bookings and usage; an enterprise only its
own requests, bookings and voucher."""

from __future__ import annotations

from ninja import Router
from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.compute import fetch, selectors, services
from innolink.compute.schemas import (
    BookIn,
    BookingOut,
    ComputeOfferOut,
    MatchOut,
    NoteIn,
    RequestIn,
    RequestOut,
    UsageIn,
    UsageOut,
    UsageReviewIn,
    VoucherOut,
)

router = Router(tags=["compute"])
MAX_ROWS = 500


def _clean(value: str) -> str:
    return value.replace("\x00", "")


@router.get("/requests", response={200: list[RequestOut], **ERRORS}, summary="算力需求")
def request_list(request):
    return list(selectors.requests_for(request.user)[:MAX_ROWS])


@router.post("/requests", response={201: RequestOut, **ERRORS}, summary="提出算力需求")
def request_create(request, payload: RequestIn):
    data = payload.dict()
    data["title"] = _clean(data["title"])
    return Status(201, services.request_create(actor=request.user, **data))


@router.get("/requests/{request_id}/offers", response={200: list[ComputeOfferOut], **ERRORS},
            summary="符合需求的算力资源（按价格与匹配度排序，附理由）")
def request_offers(request, request_id: int):
    workload = selectors.request_for_user(request.user, request_id)
    out = []
    for resource, r in fetch.offers_for(workload):
        p = r.plan
        out.append({"resource_id": resource.pk, "provider": resource.provider.name,
                    "resource": resource.name, "accelerator": resource.accelerator,
                    "price": resource.price, "fits": r.fits, "score": r.score,
                    "start": p.start if p else None, "end": p.end if p else None,
                    "cards": p.cards if p else None, "cost": p.cost if p else None,
                    "reasons": list(r.reasons), "misses": list(r.misses)})
    return out


@router.post("/requests/{request_id}/bookings", response={201: BookingOut, **ERRORS},
             summary="预订一个算力资源")
def booking_create(request, request_id: int, payload: BookIn):
    return Status(201, services.booking_create(actor=request.user, request_id=request_id,
                                               resource_id=payload.resource_id))


@router.get("/bookings", response={200: list[BookingOut], **ERRORS}, summary="预订")
def booking_list(request):
    return list(selectors.bookings_for(request.user)[:MAX_ROWS])


@router.post("/bookings/{booking_id}/confirm", response={200: BookingOut, **ERRORS},
             summary="服务商确认预订")
def booking_confirm(request, booking_id: int, payload: NoteIn):
    return services.booking_confirm(actor=request.user, booking_id=booking_id,
                                    note=_clean(payload.note))


@router.post("/bookings/{booking_id}/decline", response={200: BookingOut, **ERRORS},
             summary="服务商拒绝预订")
def booking_decline(request, booking_id: int, payload: NoteIn):
    return services.booking_decline(actor=request.user, booking_id=booking_id,
                                    note=_clean(payload.note))


@router.post("/bookings/{booking_id}/cancel", response={200: BookingOut, **ERRORS},
             summary="企业取消未确认的预订")
def booking_cancel(request, booking_id: int):
    return services.booking_cancel(actor=request.user, booking_id=booking_id)


@router.post("/bookings/{booking_id}/usage", response={201: UsageOut, **ERRORS},
             summary="服务商报告使用量（附发票号码）")
def usage_report(request, booking_id: int, payload: UsageIn):
    return Status(201, services.usage_report(
        actor=request.user, booking_id=booking_id, period_start=payload.period_start,
        period_end=payload.period_end, card_hours=payload.card_hours,
        invoice_number=_clean(payload.invoice_number)))


@router.get("/usage", response={200: list[UsageOut], **ERRORS}, summary="使用量")
def usage_list(request):
    return list(selectors.usage_for(request.user)[:MAX_ROWS])


@router.post("/usage/{usage_id}/review", response={200: UsageOut, **ERRORS},
             summary="复核待复核的使用量（工作人员）")
def usage_review(request, usage_id: int, payload: UsageReviewIn):
    return services.usage_review(actor=request.user, usage_id=usage_id, release=payload.release,
                                 note=_clean(payload.note))


@router.get("/voucher", response={200: VoucherOut, **ERRORS}, summary="本企业的算力券")
def voucher(request, year: int | None = None):
    v = selectors.voucher_view(request.user, year)
    return {"year": v.year, "rate": v.terms.rate if v.terms else None,
            "cap": v.terms.cap if v.terms else None,
            "threshold": v.terms.threshold if v.terms else None, "contract": v.contract,
            "application_id": v.application.pk if v.application else None,
            "application_status": v.application.status if v.application else None,
            "approved": v.application.amount_approved if v.application else None,
            "paid": v.paid}


@router.get("/scenarios/needs/{need_id}/solutions", response={200: list[MatchOut], **ERRORS},
            summary="场景需求的推荐方案（匹配引擎）")
def need_solutions(request, need_id: int):
    need = selectors.need_for_user(request.user, need_id)
    return [{"id": s.pk, "title": s.title, "score": score, "summary": e["summary"],
             "reasons": e["reasons"]} for s, score, e in fetch.solutions_for_need(need)]


@router.get("/scenarios/solutions/{solution_id}/needs", response={200: list[MatchOut], **ERRORS},
            summary="方案匹配的企业场景需求")
def solution_needs(request, solution_id: int):
    solution = selectors.solution_for_user(request.user, solution_id)
    return [{"id": n.pk, "title": n.title, "score": score, "summary": e["summary"],
             "reasons": e["reasons"]} for n, score, e in fetch.needs_for_solution(solution)]
