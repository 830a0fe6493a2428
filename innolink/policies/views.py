"""Policy pages: thin views that parse, authorize, call one service or selector, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innolink.core.errors import NotFound, PermissionDenied, ValidationFailed
from innolink.enterprises.selectors import enterprise_for_user
from innolink.policies import access, selectors, services
from innolink.policies.forms import ApplicationFilterForm, ClaimForm
from innolink.policies.models import Application, LedgerEntry, Policy


def _year(request) -> int:
    raw = request.GET.get("year") or request.POST.get("year")
    if raw in (None, ""):
        return selectors.default_year()
    return services.check_year(raw)


def _require(predicate, user) -> None:
    if not predicate(user):
        raise PermissionDenied()


# --------------------------------------------------------------------------- library

@login_required
def policy_list(request):
    year = _year(request)
    rows = []
    for policy in selectors.policy_list():
        version = selectors.version_for_year(policy, year)
        rows.append({"policy": policy, "version": version,
                     "budget": getattr(version, "budget_row", None) if version else None})
    total = sum((r["version"].budget for r in rows if r["version"]), 0)
    return render(request, "policies/list.html", {"rows": rows, "year": year, "total": total,
                                                  "years": selectors.year_choices(),
                                                  "can_manage": access.can_manage_policies(request.user)})


@login_required
def policy_detail(request, pk: int):
    policy = selectors.policy_get(pk)
    versions = policy.versions.select_related("budget_row").prefetch_related("clauses")
    return render(request, "policies/detail.html", {
        "policy": policy, "versions": versions, "year": selectors.default_year(),
        "can_manage": access.can_manage_policies(request.user)})


# --------------------------------------------------------------------------- answers

@login_required
def my_policies(request):
    if not access.is_enterprise_user(request.user):
        raise NotFound()
    year = _year(request)
    view = selectors.enterprise_view(request.user.enterprise, year)
    return render(request, "policies/answer.html", {
        "view": view, "years": selectors.year_choices(), "mine": True,
        "applications": selectors.applications_visible_to(request.user).order_by("-submitted_at")[:20]})


@login_required
def enterprise_answer(request, pk: int):
    _require(access.can_read_metrics, request.user)
    enterprise = enterprise_for_user(request.user, pk)
    view = selectors.enterprise_view(enterprise, _year(request))
    return render(request, "policies/answer.html", {"view": view, "years": selectors.year_choices(),
                                                    "mine": False})


@login_required
@require_http_methods(["GET", "POST"])
def claim(request, clause_pk: int):
    """Step 2 for the enterprise: confirm (免申即享) or apply (快申快享) on a prefilled form."""
    if not access.can_claim(request.user):
        raise NotFound()
    clause = selectors.clause_get(clause_pk)
    enterprise = request.user.enterprise
    year = _year(request)
    answer = services.clause_answer(enterprise=enterprise, clause=clause, year=year) \
        if clause.version.covers_year(year) else None
    if answer is None:
        raise NotFound()
    form = ClaimForm(request.POST or None, request.FILES or None,
                     initial={**selectors.claim_prefill(request.user, enterprise),
                              "consent": clause.version.lane == "auto"})
    status = 200
    materials_errors = None
    if request.method == "POST" and form.is_valid():
        try:
            files = [(name, request.FILES[f"material_{i}"])
                     for i, name in enumerate(clause.version.materials)
                     if f"material_{i}" in request.FILES]
            application = services.application_submit(
                actor=request.user, enterprise=enterprise, clause=clause, year=year,
                form=services.ClaimForm(**form.cleaned_data), materials=files)
        except ValidationFailed as exc:
            for name, errors in exc.fields.items():
                form.add_error(name if name in form.fields else None, errors)
            materials_errors = exc.fields.get("materials")
            status = 422
        else:
            messages.success(request, _("已提交，审核截止日 %(d)s") % {"d": application.due_on})
            return redirect("policies:application", pk=application.pk)
    elif request.method == "POST":
        status = 422
    return render(request, "policies/claim.html", {
        "clause": clause, "answer": answer, "form": form, "year": year,
        "materials": list(enumerate(clause.version.materials)), "materials_errors": materials_errors,
        "accept": ",".join(services.MATERIAL_EXTENSIONS)}, status=status)


# --------------------------------------------------------------------------- applications

@login_required
def application_list(request):
    user = request.user
    if not (access.can_read_metrics(user) or access.is_enterprise_user(user)):
        raise PermissionDenied()
    form = ApplicationFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.ApplicationFilters(
        status=data.get("status") or "", policy=data.get("policy"), lane=data.get("lane") or "",
        overdue=bool(data.get("overdue")), q=data.get("q") or "")
    page = Paginator(selectors.application_search(user, filters), 50).get_page(request.GET.get("page"))
    rows = [(a, selectors.countdown(a)) for a in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "policies/applications.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "policies": Policy.objects.all(), "can_manage": access.can_manage_policies(user),
        "shortages": selectors.budget_shortages() if access.can_manage_policies(user) else []})


@login_required
def application_detail(request, pk: int):
    application = selectors.application_for_user(request.user, pk)
    return render(request, "policies/application.html", {
        "application": application, "countdown": selectors.countdown(application),
        "prorated": selectors.application_proration(application),
        "ledger": application.ledger.order_by("created_at", "id"),
        "materials": application.materials.all(),
        "can_upload": (access.is_enterprise_user(request.user)
                       and application.status in Application.OPEN),
        "material_names": [*application.clause.version.materials, services.OTHER_MATERIAL],
        "can_manage": access.can_manage_policies(request.user)})


@login_required
@require_POST
def material_upload(request, pk: int):
    """The enterprise adds files to its application while it is under review."""
    application = selectors.application_for_user(request.user, pk)
    if not (access.is_enterprise_user(request.user)
            and application.enterprise_id == request.user.enterprise_id):
        raise PermissionDenied()
    upload = request.FILES.get("file")
    if upload is None:
        raise ValidationFailed({"file": [_("请选择要上传的文件")]})
    services.application_material_add(actor=request.user, application_id=application.pk,
                                      materials=[(request.POST.get("name", ""), upload)])
    messages.success(request, _("材料已上传"))
    return redirect("policies:application", pk=application.pk)


@login_required
def material_download(request, pk: int):
    material = selectors.material_for_user(request.user, pk)
    from innolink.core.files import attachment_response

    return attachment_response(material.file, filename=material.original_name)


@login_required
@require_POST
def application_action(request, pk: int, action: str):
    _require(access.can_manage_policies, request.user)
    application = selectors.application_for_user(request.user, pk)
    user, post = request.user, request.POST
    if action == "approve":
        raw = post.get("amount", "").strip()
        amount = services.parse_money(raw, "amount", _("批准金额")) if raw else None
        services.application_approve(actor=user, application_id=application.pk, amount=amount,
                                     note=post.get("note", ""))
        messages.success(request, _("已批准并记入台账"))
    elif action == "reject":
        services.application_reject(actor=user, application_id=application.pk,
                                    reason=post.get("reason", ""))
        messages.success(request, _("已不予通过"))
    elif action == "defer":
        services.application_defer(actor=user, application_id=application.pk,
                                   reason=post.get("reason", ""))
        messages.success(request, _("已暂缓"))
    elif action == "pay":
        services.application_pay(actor=user, application_id=application.pk,
                                 amount=post.get("amount", ""), note=post.get("note", ""))
        messages.success(request, _("拨付已记入台账"))
    else:
        raise NotFound()
    return redirect("policies:application", pk=application.pk)


@login_required
@require_POST
def bulk_approve(request):
    _require(access.can_manage_policies, request.user)
    ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
    done = services.application_bulk_approve(actor=request.user, application_ids=[int(i) for i in ids])
    messages.success(request, _("已批准 %(n)s 条申请") % {"n": len(done)})
    return redirect(reverse("policies:applications") + "?status=approved")


# --------------------------------------------------------------------------- scans, notices

@login_required
@require_http_methods(["GET", "POST"])
def scans(request):
    _require(access.can_manage_policies, request.user)
    if request.method == "POST" and request.POST.get("notify"):
        sent = services.eligibility_notify_all(actor=request.user,
                                               year=services.check_year(request.POST.get("year")))
        messages.success(request, _("已向 %(n)s 个企业用户推送通知") % {"n": sent})
        return redirect("policies:scans")
    if request.method == "POST":
        scan = services.scan_start(actor=request.user, year=request.POST.get("year"))
        return redirect("core:job", pk=scan.job_id)
    scans = list(selectors.latest_scans())
    latest = next((s for s in scans if s.finished_at), None)
    summary = selectors.scan_summary_rows(latest) if latest else []
    return render(request, "policies/scans.html", {
        "scans": scans, "years": selectors.year_choices(), "latest": latest, "summary": summary,
        "year": selectors.default_year()})


@login_required
@require_http_methods(["GET", "POST"])
def unpaid(request, pk: int):
    _require(access.can_read_metrics if request.method == "GET" else access.can_manage_policies,
             request.user)
    policy = selectors.policy_get(pk)
    year = _year(request)
    if request.method == "POST":
        sent = services.eligibility_notify(actor=request.user, policy=policy, year=year)
        messages.success(request, _("已向 %(n)s 个企业用户推送通知") % {"n": sent})
        return redirect(reverse("policies:unpaid", args=[policy.pk]) + f"?year={year}")
    qs = selectors.unpaid_eligibilities(policy=policy, year=year)
    from innolink.dashboard.filters import town_of  # the overview's map links by town

    if town_of(request.GET):
        qs = qs.filter(enterprise__town=town_of(request.GET))
    page = Paginator(selectors.unpaid_page_rows(qs), 50).get_page(request.GET.get("page"))
    return render(request, "policies/unpaid.html", {"policy": policy, "year": year, "page": page,
                                                    "years": selectors.year_choices(),
                                                    "town": town_of(request.GET),
                                                    "can_manage": access.can_manage_policies(
                                                        request.user)})


# --------------------------------------------------------------------------- ledger, metrics

@login_required
def ledger(request):
    _require(access.can_read_ledger, request.user)
    policy = request.GET.get("policy")
    kind = request.GET.get("kind", "")
    entries = selectors.ledger_entries(policy=int(policy) if policy and policy.isdigit() else None,
                                       kind=kind if kind in LedgerEntry.Kind.values else "")
    from innolink.dashboard.filters import describe, ledger_filter  # the overview's links

    entries = ledger_filter(entries, request.GET)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "policies/ledger.html", {
        "summary": selectors.ledger_summary(), "page": page, "policies": Policy.objects.all(),
        "can_manage": access.can_manage_policies(request.user),
        "overview_filter": describe(request.GET), "query": _query_without_page(request)})


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
@require_POST
def ledger_reverse(request, posting: uuid.UUID):
    _require(access.can_manage_policies, request.user)
    services.ledger_reverse(actor=request.user, posting=posting, reason=request.POST.get("reason", ""))
    messages.success(request, _("已冲正"))
    return redirect("policies:ledger")


@login_required
def metrics(request):
    _require(access.can_read_metrics, request.user)
    year = _year(request)
    data = selectors.metrics(year)
    return render(request, "policies/metrics.html", {
        "m": data, "charts": selectors.metrics_charts(data), "year": year,
        "years": selectors.year_choices()})


# --------------------------------------------------------------------------- working-day calendar

@login_required
@require_http_methods(["GET", "POST"])
def work_calendar(request):
    """The official holidays and make-up working days the review deadlines are counted with."""
    _require(access.can_manage_policies, request.user)
    from innolink.core.errors import ApplicationError
    from innolink.core.flash import error_text
    from innolink.policies.models import CalendarDay
    from innolink.policies.workdays import calendar_gaps

    status = 200
    if request.method == "POST":
        try:
            if request.POST.get("delete"):
                row = services.calendar_day_delete(actor=request.user,
                                                   day_id=request.POST.get("delete"))
                messages.success(request, _("已删除 %(d)s") % {"d": row.date.isoformat()})
            else:
                rows = services.calendar_days_add(
                    actor=request.user, start=request.POST.get("start", ""),
                    end=request.POST.get("end", ""), kind=request.POST.get("kind", ""),
                    name=request.POST.get("name", ""))
                messages.success(request, _("已登记 %(n)s 天") % {"n": len(rows)})
        except NotFound:
            raise
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
            status = exc.status
        else:
            return redirect("policies:calendar")
    return render(request, "policies/calendar.html", {
        "years": selectors.calendar_years(), "gaps": calendar_gaps(),
        "kinds": CalendarDay.Kind.choices, "form": request.POST if status != 200 else {}},
        status=status)
