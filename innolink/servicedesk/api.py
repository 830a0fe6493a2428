"""The service-desk JSON API: requests from any channel (12345 pushes transfers here with a
token), every handling step, the routing table, imports and the measures.
Thin: parse, authorize, call one service or selector, render."""

from __future__ import annotations

from django.utils.translation import gettext as _
import datetime as dt

from django.core.paginator import Paginator
from django.utils import timezone
from ninja import File, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from innolink.servicedesk import access, importing, selectors, services, sla
from innolink.servicedesk.models import Category, Channel, RoutingRule, Status as S
from innolink.core.ids import parse_id
from innolink.servicedesk.errors import IMPORT_ROWS_INVALID, UNKNOWN_ENTERPRISE
from innolink.servicedesk.schemas import (
    AssignIn,
    CategoryOut,
    DecisionIn,
    ExtensionIn,
    ImportOut,
    InputIn,
    ListQuery,
    MergeIn,
    RateIn,
    RatesOut,
    ReplyIn,
    RequestDetailOut,
    RequestPage,
    ReturnDecisionIn,
    ReturnReasonIn,
    RuleIn,
    RuleOut,
    ServiceAnswerIn,
    ServiceNoteIn,
    ServiceRequestIn,
    ServiceReviewIn,
)

router = Router(tags=["servicedesk"])



def _require(ok: bool) -> None:
    if not ok:
        raise PermissionDenied()


def _clean(value: str | None) -> str:
    return (value or "").replace("\x00", "")


# --------------------------------------------------------------------------- answer shapes

def _out(r, cd=None) -> dict:
    return {"id": r.pk, "number": r.number, "title": r.title, "enterprise_id": r.enterprise_id,
            "enterprise_name": r.enterprise.name, "channel": r.channel, "kind": r.kind,
            "urgent": r.urgent, "category": r.category.code, "town": r.town, "status": r.status,
            "department": r.department.code if r.department_id else None,
            "first_department": r.first_department.code if r.first_department_id else None,
            "created_at": r.created_at, "sign_due_at": r.sign_due_at, "due_at": r.due_at,
            "replied_at": r.replied_at, "rating": r.rating, "external_id": r.external_id,
            "countdown": {"stage": cd.stage, "level": str(cd.level), "seconds": cd.seconds,
                          "text": cd.text} if cd else None}


def _detail(r, user) -> dict:
    out = _out(r, sla.countdown(r))
    own = access.is_enterprise_user(user)
    out.update(
        description=r.description, reply=r.reply, reopen_count=r.reopen_count,
        merged_into=r.merged_into_id,
        suggestions=[] if own else [{"department": s["code"], "name": s["name"],
                                     "probability": s["probability"], "votes": s["votes"]}
                                    for s in r.suggestions],
        steps=[{"at": s.event.at, "kind": s.event.kind, "label": s.event.get_kind_display(),
                "department": s.event.department.code if s.event.department_id else None,
                "note": s.note, "from_request": s.from_number}
               for s in selectors.timeline(r, user)],
        duplicates=[{"id": d.request.pk, "number": d.request.number, "title": d.request.title,
                     "score": d.score, "shared": list(d.shared)}
                    for d in selectors.duplicates_for(r)])
    return out


def _page(qs, page: int, size: int = 25) -> dict:
    paginator = Paginator(qs, size)
    current = paginator.get_page(page)
    return {"count": paginator.count, "page": current.number, "pages": paginator.num_pages,
            "items": [_out(r, cd) for r, cd in sla.countdowns(current.object_list)]}


def _request(user, pk: int):
    return selectors.request_for_user(user, pk)


# --------------------------------------------------------------------------- requests

@router.get("/requests", response={200: RequestPage, **ERRORS}, summary="诉求列表（按角色范围）")
def request_list(request, query: Query[ListQuery]):
    _require(access.uses_desk(request.auth))
    filters = selectors.RequestFilters(
        status=query.status if query.status in (*S.values, "open") else "",
        category=_clean(query.category), town=_clean(query.town),
        channel=query.channel if query.channel in Channel.values else "",
        overdue=query.overdue, q=_clean(query.q))
    return _page(selectors.request_search(request.auth, filters), query.page)


@router.get("/queue", response={200: RequestPage, **ERRORS}, summary="部门经办人的待办（按剩余时限）")
def queue(request, page: int = Query(1, ge=1, le=100000)):
    _require(access.is_handler(request.auth))
    return _page(selectors.handler_queue(request.auth), page)


@router.get("/overdue", response={200: RequestPage, **ERRORS}, summary="超时诉求（超时最久在前）")
def overdue(request, page: int = Query(1, ge=1, le=100000)):
    _require(access.reads_all(request.auth))
    return _page(selectors.overdue_list(), page)


@router.post("/requests", response={201: RequestDetailOut, **ERRORS},
             summary="登记诉求（企业、协调员、12345 对接账号）")
def request_create(request, payload: ServiceRequestIn):
    user = request.auth
    if payload.enterprise_id or payload.credit_code:
        enterprise = selectors.filing_enterprise_for_user(
            user, enterprise_id=payload.enterprise_id or None,
            credit_code=_clean(payload.credit_code or "").upper())
    elif access.is_enterprise_user(user):
        enterprise = user.enterprise
    else:
        enterprise = None
    if enterprise is None:
        raise ValidationFailed({"enterprise_id": [_("企业库中没有该企业")]}, code=UNKNOWN_ENTERPRISE)
    received = payload.received_at
    if received is not None:
        if timezone.is_naive(received):
            received = timezone.make_aware(received, timezone.get_default_timezone())
        if received > timezone.now() or received.year < 2000:
            raise ValidationFailed({"received_at": [_("受理时间不能晚于现在")]})
    created = services.request_create(
        enterprise=enterprise, channel=payload.channel, category=_clean(payload.category),
        description=_clean(payload.description), kind=payload.kind, urgent=payload.urgent,
        town=_clean(payload.town) or None, title=_clean(payload.title),
        external_id=_clean(payload.external_id), received_at=received, actor=user,
        source="api", audit_source="api")
    return Status(201, _detail(selectors.request_for_user(user, created.pk), user))


@router.get("/requests/{int:pk}", response={200: RequestDetailOut, **ERRORS},
            summary="诉求详情：每个办理环节、重复诉求、分派建议")
def request_detail(request, pk: int):
    return _detail(_request(request.auth, pk), request.auth)


@router.post("/requests/{int:pk}/attachments", response={200: RequestDetailOut, **ERRORS},
             summary="补充附件（企业或承办部门）")
def request_attach(request, pk: int, files: list[UploadedFile] = File(...)):
    item = _request(request.auth, pk)
    services.request_attachment_add(actor=request.auth, request_id=item.pk, files=files)
    return _detail(_request(request.auth, pk), request.auth)


def _step(request, pk: int, call) -> dict:
    item = _request(request.auth, pk)
    call(item)
    return _detail(_request(request.auth, pk), request.auth)


@router.post("/requests/{int:pk}/sign", response={200: RequestDetailOut, **ERRORS}, summary="签收")
def sign(request, pk: int):
    return _step(request, pk, lambda i: services.request_sign(actor=request.auth, request_id=i.pk))


@router.post("/requests/{int:pk}/return", response={200: RequestDetailOut, **ERRORS},
             summary="退单（交协调员）")
def return_(request, pk: int, payload: ReturnReasonIn):
    return _step(request, pk, lambda i: services.request_return(
        actor=request.auth, request_id=i.pk, reason=_clean(payload.reason)))


@router.post("/requests/{int:pk}/assign", response={200: RequestDetailOut, **ERRORS},
             summary="派单/改派（协调员；兜底部门采纳建议）")
def assign(request, pk: int, payload: AssignIn):
    return _step(request, pk, lambda i: services.request_assign(
        actor=request.auth, request_id=i.pk, department=_clean(payload.department),
        note=_clean(payload.note)))


@router.post("/requests/{int:pk}/return-decision", response={200: RequestDetailOut, **ERRORS},
             summary="处理退单（协调员）")
def return_decision(request, pk: int, payload: ReturnDecisionIn):
    return _step(request, pk, lambda i: services.request_return_decide(
        actor=request.auth, request_id=i.pk, accept=payload.accept,
        department=_clean(payload.department) or None, note=_clean(payload.note)))


@router.post("/requests/{int:pk}/inputs", response={200: RequestDetailOut, **ERRORS},
             summary="征求协办部门意见")
def ask_input(request, pk: int, payload: InputIn):
    return _step(request, pk, lambda i: services.request_input_ask(
        actor=request.auth, request_id=i.pk, department=_clean(payload.department),
        question=_clean(payload.question)))


@router.post("/inputs/{int:pk}/answer", response={200: RequestDetailOut, **ERRORS},
             summary="协办部门回复意见")
def answer_input(request, pk: int, payload: ServiceAnswerIn):
    from innolink.servicedesk.models import CoHandling

    row = CoHandling.objects.filter(pk=parse_id(pk)).first()
    if row is None:
        raise NotFound()
    item = _request(request.auth, row.request_id)
    services.request_input_give(actor=request.auth, cohandling_id=row.pk,
                                answer=_clean(payload.answer))
    return _detail(_request(request.auth, item.pk), request.auth)


@router.post("/requests/{int:pk}/reply", response={200: RequestDetailOut, **ERRORS},
             summary="答复企业（承办部门）")
def reply(request, pk: int, payload: ReplyIn):
    return _step(request, pk, lambda i: services.request_reply(
        actor=request.auth, request_id=i.pk, text=_clean(payload.text)))


@router.post("/requests/{int:pk}/close", response={200: RequestDetailOut, **ERRORS}, summary="办结")
def close(request, pk: int, payload: ServiceNoteIn):
    return _step(request, pk, lambda i: services.request_close(
        actor=request.auth, request_id=i.pk, note=_clean(payload.note)))


@router.post("/requests/{int:pk}/rate", response={200: RequestDetailOut, **ERRORS},
             summary="企业评价（满意/基本满意/不满意）")
def rate(request, pk: int, payload: RateIn):
    return _step(request, pk, lambda i: services.request_rate(
        actor=request.auth, request_id=i.pk, rating=payload.rating,
        comment=_clean(payload.comment)))


@router.post("/requests/{int:pk}/review", response={200: RequestDetailOut, **ERRORS},
             summary="复核不满意（协调员：重办一次或办结）")
def review(request, pk: int, payload: ServiceReviewIn):
    return _step(request, pk, lambda i: services.request_review(
        actor=request.auth, request_id=i.pk, reopen=payload.reopen, note=_clean(payload.note)))


@router.post("/requests/{int:pk}/extension", response={200: RequestDetailOut, **ERRORS},
             summary="申请延期（承办部门）")
def extension(request, pk: int, payload: ExtensionIn):
    return _step(request, pk, lambda i: services.request_extension_ask(
        actor=request.auth, request_id=i.pk, days=payload.days, reason=_clean(payload.reason)))


@router.post("/extensions/{int:pk}/decision", response={200: RequestDetailOut, **ERRORS},
             summary="审批延期（协调员）")
def extension_decision(request, pk: int, payload: DecisionIn):
    from innolink.servicedesk.models import Extension

    _require(access.is_coordinator(request.auth))
    row = Extension.objects.filter(pk=parse_id(pk)).first()
    if row is None:
        raise NotFound()
    services.request_extension_decide(actor=request.auth, extension_id=row.pk,
                                      approve=payload.approve, note=_clean(payload.note))
    return _detail(_request(request.auth, row.request_id), request.auth)


@router.post("/requests/{int:pk}/merge", response={200: RequestDetailOut, **ERRORS},
             summary="把本件合并到另一件（同一企业，保留两件的办理记录）")
def merge(request, pk: int, payload: MergeIn):
    item = _request(request.auth, pk)
    target = _request(request.auth, payload.target)
    merged = services.request_merge(actor=request.auth, source_id=item.pk, target_id=target.pk)
    return _detail(_request(request.auth, merged.pk), request.auth)


# --------------------------------------------------------------------------- reference data

@router.get("/categories", response={200: list[CategoryOut], **ERRORS}, summary="诉求类别")
def categories(request):
    return list(Category.objects.all())


def _rule_out(rule: RoutingRule) -> dict:
    return {"id": rule.pk, "category": rule.category.code, "town": rule.town,
            "lead": rule.lead.code, "co_departments": [d.code for d in rule.co_departments.all()],
            "note": rule.note}


@router.get("/routing-rules", response={200: list[RuleOut], **ERRORS}, summary="分派规则")
def rules(request):
    _require(access.reads_all(request.auth))
    return [_rule_out(r) for r in RoutingRule.objects.select_related("category", "lead")
            .prefetch_related("co_departments")]


@router.post("/routing-rules", response={201: RuleOut, **ERRORS}, summary="新增分派规则")
def rule_create(request, payload: RuleIn):
    rule = services.routing_rule_save(
        actor=request.auth, category=_clean(payload.category), town=_clean(payload.town),
        lead=_clean(payload.lead), co_departments=[_clean(c) for c in payload.co_departments],
        note=_clean(payload.note))
    return Status(201, _rule_out(rule))


@router.put("/routing-rules/{int:pk}", response={200: RuleOut, **ERRORS}, summary="修改分派规则")
def rule_update(request, pk: int, payload: RuleIn):
    rule = services.routing_rule_save(
        actor=request.auth, category=_clean(payload.category), town=_clean(payload.town),
        lead=_clean(payload.lead), co_departments=[_clean(c) for c in payload.co_departments],
        note=_clean(payload.note), rule_id=parse_id(pk))
    return _rule_out(rule)


@router.delete("/routing-rules/{int:pk}", response={204: None, **ERRORS}, summary="删除分派规则")
def rule_delete(request, pk: int):
    services.routing_rule_delete(actor=request.auth, rule_id=parse_id(pk))
    return Status(204, None)


# --------------------------------------------------------------------------- imports

@router.post("/hotline/import", response={200: ImportOut, **ERRORS},
             summary="导入 12345 转办工单（.xlsx/.csv，全部无误才导入；错误在 extra.errors）")
def hotline_import(request, file: UploadedFile = File(...)):
    _require(access.is_desk_staff(request.auth))
    result = importing.hotline_import(actor=request.auth, content=file.read(),
                                      filename=file.name or "")
    errors = [e.__dict__ for e in result.errors]
    if errors:
        raise ApplicationError(_("文件有 %(n)s 处错误，未导入任何工单") % {"n": len(errors)},
                               code=IMPORT_ROWS_INVALID, status=422,
                               extra={"rows": result.rows, "errors": errors[:500]})
    return {"created": result.created, "skipped": result.skipped, "rows": result.rows,
            "errors": []}


# --------------------------------------------------------------------------- measures

def _rate_out(row: selectors.RateRow) -> dict:
    return {"key": str(row.key), "label": str(row.label), "received": row.received,
            "timely_sign_rate": row.timely_sign_rate, "on_time_rate": row.on_time_rate,
            "satisfaction_rate": row.satisfaction_rate, "reopen_rate": row.reopen_rate,
            "sign_total": row.sign_total, "sign_timely": row.sign_timely,
            "done_total": row.done_total, "done_timely": row.done_timely, "rated": row.rated,
            "reopened": row.reopened}


@router.get("/rates", response={200: RatesOut, **ERRORS},
            summary="三率（及时签收率、按时办结率、满意率）与重办率")
def rates(request, year: int = Query(..., ge=2000, le=2100),
          by: str = Query("department", pattern="^(department|town|category|month)$")):
    _require(access.can_read_measures(request.auth))
    total, rows = selectors.rates(start=dt.date(year, 1, 1), end=dt.date(year + 1, 1, 1), by=by)
    return {"year": year, "by": by, "total": _rate_out(total), "rows": [_rate_out(r) for r in rows]}
