"""The policies JSON API: one endpoint per step of 政策找企 → 确认/申请 → 审核 → 拨付 → 台账/统计.
Thin: parse, authorize, call one service or selector, render."""

from __future__ import annotations

import re
import uuid

from django.core.paginator import Paginator
from ninja import File, Form, Query, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.core.errors import NotFound, PermissionDenied, ValidationFailed
from innolink.enterprises.selectors import enterprise_for_user
from innolink.policies import access, selectors, services
from innolink.policies.models import Application, LedgerEntry
from innolink.policies.schemas import (
    AnswerOut,
    ApplicationFiltersIn,
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    ApproveIn,
    BulkApproveIn,
    EligibilityPage,
    LedgerOut,
    LedgerPage,
    MaterialOut,
    MetricsOut,
    NotifyIn,
    NotifyOut,
    PayIn,
    PolicyClaimItemIn,
    PolicyDetailOut,
    PolicyOut,
    ReasonIn,
    ScanIn,
    ScanOut,
    SyncOut,
    _clean,
)

router = Router(tags=["policies"])


def _year(year: int | None) -> int:
    return selectors.default_year() if year is None else services.check_year(year)


def _require(predicate, user) -> None:
    if not predicate(user):
        raise PermissionDenied()


# --------------------------------------------------------------------------- answer shapes

def _answer_out(view: selectors.EnterpriseView) -> AnswerOut:
    def row(r: selectors.ClauseRow) -> dict:
        a = r.answer
        return {"policy_id": a.policy_id, "policy_title": a.policy_title,
                "doc_number": a.doc_number, "clause_id": a.clause_id,
                "clause_title": a.clause_title, "clause_pk": r.clause.pk if r.clause else None,
                "lane": a.lane, "eligible": a.eligible, "amount": a.amount, "gross": a.gross,
                "steps": list(a.steps), "shares": list(a.shares),
                "misses": [{"field": m.field, "label": m.label, "value": m.value,
                            "threshold": m.threshold, "gap": m.gap, "message": m.message}
                           for m in a.misses],
                "application_id": r.application.pk if r.application else None,
                "application_status": r.application.status if r.application else None}

    return AnswerOut(enterprise_id=view.enterprise.pk, credit_code=view.enterprise.credit_code,
                     year=view.year, total=view.total, eligible=[row(r) for r in view.eligible],
                     not_eligible=[row(r) for r in view.not_eligible])


def _app_out(a: Application) -> dict:
    return {"id": a.pk, "enterprise_id": a.enterprise_id, "enterprise_name": a.enterprise.name,
            "policy_code": a.clause.version.policy.code, "clause_id": a.clause_id,
            "clause_title": a.clause.title, "year": a.year, "lane": a.lane, "status": a.status,
            "amount_expected": a.amount_expected, "amount_approved": a.amount_approved,
            "paid_total": a.paid_total, "eligible_since": a.eligible_since,
            "submitted_at": a.submitted_at, "due_on": a.due_on,
            "working_days_left": selectors.countdown(a), "decision_note": a.decision_note,
            "paid_on": a.paid_on}


def _metric(r: selectors.MetricRow) -> dict:
    return {"key": r.key, "label": r.label, "eligible": r.eligible,
            "eligible_amount": r.eligible_amount, "applied": r.applied, "approved": r.approved,
            "paid": r.paid, "paid_amount": r.paid_amount, "rate_percent": r.rate,
            "avg_days_to_cash": r.avg_days, "budget": r.budget, "committed": r.committed,
            "budget_used_percent": r.budget_used}


def _page(qs, page: int, size: int):
    paginator = Paginator(qs, max(1, min(size, 100)))
    current = paginator.get_page(page)
    return paginator, current


# --------------------------------------------------------------------------- policies

@router.get("", response={200: list[PolicyOut], **ERRORS})
def policy_list(request):
    return list(selectors.policy_list())


@router.post("/sync", response={200: SyncOut, **ERRORS})
def policy_sync(request):
    _require(access.can_manage_policies, request.auth)
    outcome = services.policy_sync(actor=request.auth, source="api")
    return outcome.__dict__


@router.get("/{int:policy_id}", response={200: PolicyDetailOut, **ERRORS})
def policy_detail(request, policy_id: int):
    return selectors.policy_get(policy_id)


# --------------------------------------------------------------------------- answers

@router.get("/answers/mine", response={200: AnswerOut, **ERRORS})
def answer_mine(request, year: int | None = None):
    """What my enterprise can get in ``year`` (amount and arithmetic), and why not the rest."""
    if not access.is_enterprise_user(request.auth):
        raise NotFound()
    return _answer_out(selectors.enterprise_view(request.auth.enterprise, _year(year)))


@router.get("/answers/{int:enterprise_id}", response={200: AnswerOut, **ERRORS})
def answer_for(request, enterprise_id: int, year: int | None = None):
    user = request.auth
    enterprise = enterprise_for_user(user, enterprise_id)  # own enterprise or registry readers
    if not (access.can_read_metrics(user) or access.is_enterprise_user(user)):
        raise NotFound()
    return _answer_out(selectors.enterprise_view(enterprise, _year(year)))


# --------------------------------------------------------------------------- scans, notices

@router.post("/scans", response={202: ScanOut, **ERRORS})
def scan_start(request, payload: ScanIn):
    """Start a whole-registry scan; follow it at /api/jobs/{job_id}."""
    _require(access.can_manage_policies, request.auth)
    return Status(202, services.scan_start(actor=request.auth, year=payload.year))


@router.get("/scans", response={200: list[ScanOut], **ERRORS})
def scan_list(request):
    _require(access.can_manage_policies, request.auth)
    return list(selectors.latest_scans(50))


@router.get("/{int:policy_id}/unpaid", response={200: EligibilityPage, **ERRORS})
def unpaid(request, policy_id: int, year: int | None = None, page: int = 1, page_size: int = 50):
    """Enterprises eligible for the policy in ``year`` and not yet fully paid."""
    _require(access.can_manage_policies, request.auth)
    policy = selectors.policy_get(policy_id)
    year = _year(year)
    paginator, current = _page(selectors.unpaid_page_rows(
        selectors.unpaid_eligibilities(policy=policy, year=year)), page, page_size)
    return {"count": paginator.count, "page": current.number, "pages": paginator.num_pages,
            "items": [{"enterprise_id": e.enterprise_id, "enterprise_name": e.enterprise.name,
                       "clause_id": e.clause_id, "clause_title": e.clause.title, "year": e.year,
                       "amount": e.amount, "first_found_on": e.first_found_on,
                       "notified_at": e.notified_at, "application_id": e.application_id,
                       "application_status": e.application_status} for e in current]}


@router.post("/notify", response={200: NotifyOut, **ERRORS})
def eligibility_notify_all(request, payload: NotifyIn):
    """Push the notices of every policy for ``year`` to enterprises not yet notified."""
    _require(access.can_manage_policies, request.auth)
    return {"notified_users": services.eligibility_notify_all(
        actor=request.auth, year=services.check_year(payload.year))}


@router.post("/{int:policy_id}/notify", response={200: NotifyOut, **ERRORS})
def eligibility_notify(request, policy_id: int, payload: NotifyIn):
    _require(access.can_manage_policies, request.auth)
    policy = selectors.policy_get(policy_id)
    sent = services.eligibility_notify(actor=request.auth, policy=policy,
                                       year=services.check_year(payload.year))
    return {"notified_users": sent}


# --------------------------------------------------------------------------- applications

_NAME_KEY = "label"  # the claim form's key for an item's name; never a fact code
_FACT_LABEL = "\x00label"  # a fact coded "label": a key no client can send (NULs are refused)


def _item_row(item: PolicyClaimItemIn) -> dict[str, str]:
    """An API item as the claim form's row: ``label`` and each fact as typed text. A fact
    coded ``label`` is kept under a key no fact can have, so it is refused as unknown (named
    ``items.<n>.facts.label``) instead of overwriting the name."""
    row = {(code if code != _NAME_KEY else _FACT_LABEL): ("true" if v else "false")
           if isinstance(v, bool) else _clean(str(v)) for code, v in item.facts.items()}
    return {**row, _NAME_KEY: item.name}


def _item_path(key: str) -> str:
    """The claim form's field name (``items-0-investment``) as the API's path
    (``items.0.facts.investment``; the name is ``items.0.name``)."""
    m = re.fullmatch(r"items-(\d+)-(.+)", key, re.S)
    if not m:
        return key
    if m.group(2) == _NAME_KEY:
        return f"items.{m.group(1)}.name"
    return f"items.{m.group(1)}.facts.{m.group(2).replace(chr(0), '')}"


@router.get("/applications", response={200: ApplicationPage, **ERRORS})
def application_list(request, filters: Query[ApplicationFiltersIn]):
    user = request.auth
    if not (access.can_read_metrics(user) or access.is_enterprise_user(user)):
        raise PermissionDenied()
    qs = selectors.application_search(user, selectors.ApplicationFilters(
        status=filters.status, policy=filters.policy, lane=filters.lane,
        overdue=filters.overdue, q=filters.q))
    paginator, current = _page(qs, filters.page, filters.page_size)
    return {"count": paginator.count, "page": current.number, "pages": paginator.num_pages,
            "items": [_app_out(a) for a in current]}


@router.post("/applications", response={201: ApplicationOut, **ERRORS})
def application_submit(request, payload: ApplicationIn):
    """免申即享 confirmation (``consent`` true) or 快申快享 application for my enterprise. The
    amount is computed by the platform; a clause paid per project takes the projects in
    ``items`` (checked like the claim form's; a bad one is a 422 naming ``items.<n>.name`` or
    ``items.<n>.facts.<code>``, nothing written)."""
    if not access.can_claim(request.auth):
        raise PermissionDenied()
    try:
        application = services.application_submit(
            actor=request.auth, enterprise=request.auth.enterprise,
            clause=selectors.clause_get(payload.clause_id), year=payload.year,
            form=services.ClaimForm(bank_name=payload.bank_name, bank_account=payload.bank_account,
                                    account_holder=payload.account_holder,
                                    contact_name=payload.contact_name,
                                    contact_phone=payload.contact_phone,
                                    statement=payload.statement, consent=payload.consent),
            items=[_item_row(i) for i in payload.items] or None, items_money_in="元")
    except ValidationFailed as exc:
        renamed = ValidationFailed({_item_path(k): v for k, v in exc.fields.items()},
                                   exc.message, code=exc.code)
        renamed.extra.update({k: v for k, v in exc.extra.items() if k != "fields"})
        raise renamed from None
    return Status(201, _app_out(selectors.application_for_user(request.auth, application.pk)))


@router.post("/applications/bulk-approve", response={200: list[ApplicationOut], **ERRORS})
def application_bulk_approve(request, payload: BulkApproveIn):
    """All or nothing: any application that cannot be approved, or any budget that would be
    exceeded, refuses the whole batch (409 ``budget_exceeded`` / ``not_decidable``)."""
    _require(access.can_manage_policies, request.auth)
    done = services.application_bulk_approve(actor=request.auth, application_ids=payload.ids,
                                              note=_clean(payload.note))
    return [_app_out(a) for a in done]


@router.get("/applications/{int:application_id}", response={200: ApplicationOut, **ERRORS})
def application_detail(request, application_id: int):
    return _app_out(selectors.application_for_user(request.auth, application_id))


def _managed(request, application_id: int) -> Application:
    application = selectors.application_for_user(request.auth, application_id)
    _require(access.can_manage_policies, request.auth)
    return application


@router.get("/applications/{int:application_id}/materials", response={200: list[MaterialOut], **ERRORS})
def material_list(request, application_id: int):
    return list(selectors.application_for_user(request.auth, application_id).materials.all())


@router.post("/applications/{int:application_id}/materials", response={201: list[MaterialOut], **ERRORS})
def application_material_add(request, application_id: int, file: File[UploadedFile], name: Form[str]):
    """Add one file (a material named by the policy, or 其他材料) while under review."""
    application = selectors.application_for_user(request.auth, application_id)
    if not (access.is_enterprise_user(request.auth)
            and application.enterprise_id == request.auth.enterprise_id):
        raise PermissionDenied()
    rows = services.application_material_add(actor=request.auth, application_id=application.pk,
                                             materials=[(_clean(name), file)])
    return Status(201, rows)


@router.post("/applications/{int:application_id}/approve", response={200: ApplicationOut, **ERRORS})
def application_approve(request, application_id: int, payload: ApproveIn):
    """Approve and commit against the budget. A 快申快享 application lacking a required material
    is refused (409 ``materials_missing``, ``extra.missing``) unless ``override_reason`` is given
    (at least 4 characters; written into the audit trail)."""
    application = _managed(request, application_id)
    services.application_approve(actor=request.auth, application_id=application.pk,
                                 amount=payload.amount,
                                 note=_clean(payload.note),
                                 override_reason=_clean(payload.override_reason))
    return _app_out(selectors.application_for_user(request.auth, application.pk))


@router.post("/applications/{int:application_id}/reject", response={200: ApplicationOut, **ERRORS})
def application_reject(request, application_id: int, payload: ReasonIn):
    application = _managed(request, application_id)
    services.application_reject(actor=request.auth, application_id=application.pk,
                                reason=_clean(payload.reason))
    return _app_out(selectors.application_for_user(request.auth, application.pk))


@router.post("/applications/{int:application_id}/defer", response={200: ApplicationOut, **ERRORS})
def application_defer(request, application_id: int, payload: ReasonIn):
    application = _managed(request, application_id)
    services.application_defer(actor=request.auth, application_id=application.pk,
                               reason=_clean(payload.reason))
    return _app_out(selectors.application_for_user(request.auth, application.pk))


@router.post("/applications/{int:application_id}/pay", response={200: ApplicationOut, **ERRORS})
def application_pay(request, application_id: int, payload: PayIn):
    """Record one instalment (元, two decimals at most)."""
    application = _managed(request, application_id)
    services.application_pay(actor=request.auth, application_id=application.pk,
                             amount=_clean(payload.amount), note=_clean(payload.note))
    return _app_out(selectors.application_for_user(request.auth, application.pk))


# --------------------------------------------------------------------------- ledger, metrics

@router.get("/ledger", response={200: LedgerPage, **ERRORS})
def ledger(request, policy: int | None = None, kind: str = "", page: int = 1,
           page_size: int = 50):
    _require(access.can_read_ledger, request.auth)
    kind = kind if kind in LedgerEntry.Kind.values else ""
    paginator, current = _page(selectors.ledger_entries(policy=policy, kind=kind), page, page_size)
    return {"count": paginator.count, "page": current.number, "pages": paginator.num_pages,
            "items": [{"id": e.pk, "posting": e.posting, "policy_code": e.version.policy.code,
                       "doc_number": e.version.doc_number, "application_id": e.application_id,
                       "enterprise_id": e.enterprise_id, "kind": e.kind, "level": e.level,
                       "amount": e.amount, "reverses_id": e.reverses_id, "note": e.note,
                       "booked_on": e.booked_on} for e in current]}


@router.post("/ledger/{posting}/reverse", response={200: list[LedgerOut], **ERRORS})
def ledger_reverse(request, posting: uuid.UUID, payload: ReasonIn):
    _require(access.can_manage_policies, request.auth)
    entries = services.ledger_reverse(actor=request.auth, posting=posting,
                                      reason=_clean(payload.reason))
    return [{"id": e.pk, "posting": e.posting, "policy_code": e.version.policy.code,
             "doc_number": e.version.doc_number, "application_id": e.application_id,
             "enterprise_id": e.enterprise_id, "kind": e.kind, "level": e.level,
             "amount": e.amount, "reverses_id": e.reverses_id, "note": e.note,
             "booked_on": e.booked_on} for e in entries]


@router.get("/metrics", response={200: MetricsOut, **ERRORS})
def metrics(request, year: int | None = None):
    _require(access.can_read_metrics, request.auth)
    m = selectors.metrics(_year(year))
    return {"year": m.year, "total": _metric(m.total),
            "by_policy": [_metric(r) for r in m.by_policy],
            "by_town": [_metric(r) for r in m.by_town],
            "by_industry": [_metric(r) for r in m.by_industry]}
