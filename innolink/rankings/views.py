"""Rankings pages: thin views that parse, authorize, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innolink.core.errors import NotFound, PermissionDenied, ValidationFailed
from innolink.core.jobs import result_template_for
from innolink.rankings import exports, selectors, services
from innolink.accounts.roles import Role, has_role
from innolink.rankings.access import can_declare, can_manage_rankings
from innolink.rankings.forms import (
    AnswerForm,
    CorrectionForm,
    DeclarationForm,
    EntryReviewForm,
    NoticeForm,
    ObjectionForm,
    ReturnForm,
    RunStartForm,
    apply_errors,
    declared_label,
)
from innolink.rankings.models import Declaration, RankingEntry, RankingRun

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


REVIEW_PAGE = 50  # entries per review page


def _require_manager(user) -> None:
    if not can_manage_rankings(user):
        raise PermissionDenied()


# ---------------------------------------------------------------- staff: runs


@login_required
@require_http_methods(["GET", "POST"])
def run_list(request):
    _require_manager(request.user)
    form = RunStartForm(request.POST or None, years=services.covered_years())
    if request.method == "POST" and form.is_valid():
        try:
            run = services.run_start(year=form.cleaned_data["year"], actor=request.user,
                                     samples=form.cleaned_data["samples"])
        except ValidationFailed as exc:
            apply_errors(form, exc.fields)
        else:
            return redirect("rankings:run", pk=run.pk)
    runs = selectors.runs_overview(request.user)[:50]
    return render(request, "rankings/run_list.html", {"form": form, "runs": runs})


@login_required
def run_detail(request, pk: int):
    run = selectors.run_for_user(request.user, pk)
    lists = run.lists.all()
    context = {
        "run": run, "lists": lists, "job": run.job, "notice_form": NoticeForm(),
        "pending": run.lists.filter(entries__review="pending").count(),
        "uncertain": run.lists.filter(entries__uncertain=True).count(),
        "open_objections": run.objections.filter(status="open").count(),
        "objections": run.objections.count(),
        "public": selectors.public_runs().get(run.year),
        "notice_expired": services.notice_expired(run),
        "can_manage": can_manage_rankings(request.user),
    }
    if run.job is not None:
        context["result_template"] = result_template_for(run.job.kind)
    return render(request, "rankings/run_detail.html", context)


def _post_action(request, service, done, to: str, to_pk: int, **kwargs) -> HttpResponse:
    """One POST action: run the write service as the user, flash ``done`` (a text, or a function
    of the service's result) and go to the page ``to``. A refusal propagates (ADR 0006: shown on
    the page the form was on); a field refusal reads as its field messages."""
    try:
        result = service(actor=request.user, **kwargs)
    except ValidationFailed as exc:
        exc.message = "；".join(m for v in exc.fields.values() for m in v)
        raise
    messages.success(request, done(result) if callable(done) else done)
    return redirect(to, pk=to_pk)


def _managed_run(request, pk: int) -> RankingRun:
    _require_manager(request.user)
    return selectors.run_for_user(request.user, pk)


@login_required
@require_POST
def run_mark_reviewed(request, pk: int):
    run = _managed_run(request, pk)
    return _post_action(request, services.run_mark_reviewed, _("已完成复核。"), "rankings:run",
                        run.pk, run=run)


@login_required
@require_POST
def run_open_notice(request, pk: int):
    run = _managed_run(request, pk)
    form = NoticeForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed({k: list(v) for k, v in form.errors.items()},
                               message=_("公示截止日期：%(errors)s") % {"errors": "；".join(
                                   m for v in form.errors.values() for m in v)})
    return _post_action(request, services.run_open_notice, _("公示已开始。"), "rankings:run",
                        run.pk, run=run, closes_on=form.cleaned_data["closes_on"])


@login_required
@require_POST
def run_close_notice(request, pk: int):
    run = _managed_run(request, pk)
    return _post_action(request, services.run_close_notice, _("公示已结束。"), "rankings:run",
                        run.pk, run=run)


@login_required
@require_POST
def run_publish(request, pk: int):
    run = _managed_run(request, pk)
    return _post_action(request, services.run_publish, _("榜单已发布。"), "rankings:run", run.pk,
                        run=run)


@login_required
@require_POST
def run_reproduce(request, pk: int):
    run = _managed_run(request, pk)
    outcome = services.run_reproduce(run=run)
    if outcome["identical"]:
        messages.success(request, _("复算核验通过：用相同方法与数据重新计算，结果完全一致。"))
    elif not outcome["same_data"]:
        messages.warning(request, _("登记数据自计算以来已变化（数据指纹不同），复算结果与存档不同。"))
    else:
        messages.error(request, _("复算结果与存档不一致，请联系技术人员。"))
    return redirect("rankings:run", pk=run.pk)


@login_required
def run_list_detail(request, pk: int, list_id: str):
    ranking_list = selectors.run_list_for_user(request.user, pk, list_id)
    columns, rows = selectors.list_rows(ranking_list, members_only=False)
    return render(request, "rankings/run_list_detail.html", {
        "ranking_list": ranking_list, "run": ranking_list.run, "columns": columns,
        "rows": rows, "correction_form": CorrectionForm(),
        "can_manage": can_manage_rankings(request.user),
        "corrections": ranking_list.corrections.select_related("enterprise", "created_by"),
    })


@login_required
def run_list_export(request, pk: int, list_id: str, kind: str):
    ranking_list = selectors.run_list_for_user(request.user, pk, list_id)
    return _export(ranking_list, kind)


@login_required
@require_POST
def correction_add(request, pk: int, list_id: str):
    _require_manager(request.user)
    ranking_list = selectors.run_list_for_user(request.user, pk, list_id)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed({k: list(v) for k, v in form.errors.items()},
                               message="；".join(m for v in form.errors.values() for m in v))
    services.correction_add(ranking_list=ranking_list, actor=request.user,
                            description=form.cleaned_data["description"],
                            enterprise_id=form.cleaned_data["enterprise"])
    messages.success(request, _("更正已登记并在公开页面显示。"))
    return redirect("rankings:run-list", pk=pk, list_id=list_id)


@login_required
def run_review(request, pk: int):
    _require_manager(request.user)
    run = selectors.run_for_user(request.user, pk)
    entries = selectors.review_entries(run)
    lists = list(run.lists.filter(entries__uncertain=True).distinct())
    chosen = request.GET.get("list", "")
    if chosen in {rl.list_id for rl in lists}:
        entries = entries.filter(ranking_list__list_id=chosen)
    review = request.GET.get("review", "")
    if review in RankingEntry.Review.values and review:
        entries = entries.filter(review=review)
    page = Paginator(entries, REVIEW_PAGE).get_page(request.GET.get("page"))
    return render(request, "rankings/run_review.html", {
        "run": run, "entries": page.object_list, "page": page, "form": EntryReviewForm(),
        "lists": lists, "chosen": chosen, "review": review,
        "reviews": [c for c in RankingEntry.Review.choices if c[0]]})


@login_required
@require_POST
def entry_review(request, pk: int):
    entry = selectors.entry_for_user(request.user, pk)
    form = EntryReviewForm(request.POST)
    if not form.is_valid():
        raise ValidationFailed({k: list(v) for k, v in form.errors.items()},
                               message="；".join(m for v in form.errors.values() for m in v))
    try:
        entry = services.entry_review(entry=entry, actor=request.user, **form.cleaned_data)
    except ValidationFailed as exc:
        exc.message = "；".join(m for v in exc.fields.values() for m in v)
        if request.htmx:  # htmx swaps no 4xx: the row comes back with the message at its field
            return render(request, "rankings/_review_row.html", {
                "entry": entry, "errors": exc.fields, "data": form.cleaned_data})
        raise
    if request.htmx:
        return render(request, "rankings/_review_row.html", {"entry": entry, "form": form})
    return redirect("rankings:review", pk=entry.ranking_list.run_id)


@login_required
@require_POST
def entries_confirm_pending(request, pk: int):
    run = _managed_run(request, pk)
    return _post_action(request, services.entries_confirm_pending,
                        lambda count: _("已确认 %(count)d 条。") % {"count": count},
                        "rankings:review", run.pk, run=run, note=request.POST.get("note", ""))


@login_required
def run_objections(request, pk: int):
    run = selectors.run_for_user(request.user, pk)
    return render(request, "rankings/run_objections.html", {
        "run": run, "objections": selectors.objections_for_run(run), "form": AnswerForm(),
        "can_manage": can_manage_rankings(request.user)})


@login_required
@require_POST
def objection_answer(request, pk: int):
    objection = selectors.objection_for_user(request.user, pk)
    return _post_action(request, services.objection_answer, _("答复已记录。"),
                        "rankings:objections", objection.run_id, objection=objection,
                        answer=request.POST.get("answer", ""))


# ---------------------------------------------------------------- declarations


@login_required
@require_http_methods(["GET", "POST"])
def declare(request):
    """The enterprise's own declaration, prefilled from the registry (or its saved draft)."""
    if not can_declare(request.user):
        raise NotFound()
    enterprise = request.user.enterprise
    years = services.declaration_years()
    if not years:
        raise NotFound(_("当前没有开放申报的年度"))
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or max(years))
    except ValueError:
        year = max(years)
    if year not in years:
        raise NotFound()
    declaration, values = selectors.declaration_prefill(enterprise, year)
    initial = {**DeclarationForm.initial_from(values),
               "attested_name": (declaration.attested_name if declaration and
                                 declaration.attested_name else enterprise.legal_representative)}
    form = DeclarationForm(request.POST or None, initial=initial)
    locked = declaration is not None and declaration.status in (
        Declaration.Status.SUBMITTED, Declaration.Status.ACCEPTED)
    if request.method == "POST" and not locked and form.is_valid():
        data = form.yuan_values(values)
        submit = "submit" in request.POST
        try:
            declaration = services.declaration_save(
                enterprise=enterprise, year=year, values=data, actor=request.user,
                submit=submit, attested_name=form.cleaned_data["attested_name"],
                attest=form.cleaned_data["attest"])
        except ValidationFailed as exc:
            apply_errors(form, exc.fields)
        else:
            messages.success(request, _("申报已提交，等待审核。") if submit else _("草稿已保存。"))
            return redirect(f"{reverse('rankings:declare')}?year={year}")
    return render(request, "rankings/declare.html", {
        "form": form, "enterprise": enterprise, "year": year, "years": years,
        "declaration": declaration, "locked": locked,
        "prefilled_from_registry": declaration is None and bool(values)},
        status=422 if request.method == "POST" and form.errors else 200)


@login_required
def declaration_list(request):
    if not has_role(request.user, Role.LEADER):  # a leader reads the list from the overview
        _require_manager(request.user)
    qs = selectors.declarations_visible_to(request.user).select_related("enterprise")
    status = request.GET.get("status", "submitted")
    if status in Declaration.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("year", "").isdigit():
        qs = qs.filter(year=int(request.GET["year"]))
    page = Paginator(qs.order_by("-submitted_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "rankings/declaration_list.html", {
        "page": page, "declarations": page.object_list, "status": status,
        "statuses": Declaration.Status.choices})


@login_required
def declaration_detail(request, pk: int):
    declaration = selectors.declaration_for_user(request.user, pk)
    if not can_manage_rankings(request.user):
        return redirect(f"{reverse('rankings:declare')}?year={declaration.year}")
    from innolink.enterprises.models import EnterpriseYear
    from innolink.rankings.checks import DECLARED_FIELDS

    registry = EnterpriseYear.objects.filter(enterprise=declaration.enterprise,
                                             year__in=(declaration.year, declaration.year - 1))
    by_year = {y.year: y.values for y in registry}
    flagged = {f["field"] for f in declaration.flags}
    rows = [(f, declared_label(f), declaration.values.get(f.code),
             by_year.get(declaration.year, {}).get(f.code),
             by_year.get(declaration.year - 1, {}).get(f.code), f.code in flagged)
            for f in DECLARED_FIELDS]
    return render(request, "rankings/declaration_detail.html", {
        "declaration": declaration, "rows": rows, "return_form": ReturnForm()})


@login_required
@require_POST
def declaration_accept(request, pk: int):
    declaration = selectors.declaration_for_user(request.user, pk)
    _require_manager(request.user)
    return _post_action(request, services.declaration_accept, _("已采纳，登记数据已更新。"),
                        "rankings:declaration", declaration.pk, declaration=declaration)


@login_required
@require_POST
def declaration_return(request, pk: int):
    declaration = selectors.declaration_for_user(request.user, pk)
    _require_manager(request.user)
    return _post_action(request, services.declaration_return, _("已退回企业修改。"),
                        "rankings:declaration", declaration.pk, declaration=declaration,
                        reason=request.POST.get("reason", ""))


# ---------------------------------------------------------------- public (no login)


def public_index(request):
    return render(request, "rankings/public_index.html", {"editions": selectors.public_index()})


def _public_url(request, ranking_list) -> str:
    return request.build_absolute_uri(reverse("rankings:public-list", kwargs={
        "year": ranking_list.run.year, "list_id": ranking_list.list_id}))


def public_list(request, year: int, list_id: str):
    ranking_list = selectors.public_list(year, list_id)
    columns, rows = selectors.list_rows(ranking_list)
    run = ranking_list.run
    form = None
    if run.status == RankingRun.Status.NOTICE and timezone.localdate() <= run.notice_closes_on:
        initial = {}
        if request.user.is_authenticated:
            from innolink.accounts.contact import account_contact

            known = account_contact(request.user)
            initial = {"name": known["contact_name"], "phone": known["contact_phone"]}
            if request.user.enterprise_id:
                initial["organization"] = request.user.enterprise.name
        form = ObjectionForm(initial=initial, enterprises=[r.entry.enterprise for r in rows])
    return render(request, "rankings/public_list.html", {
        "ranking_list": ranking_list, "run": run, "columns": columns, "rows": rows,
        "result": ranking_list.result, "entry_threshold": selectors.entry_threshold(rows),
        "threshold_label": _threshold_label(ranking_list.result), "form": form, "public_url": _public_url(request, ranking_list),
        "previous": selectors.previous_edition(ranking_list),
        "corrections": ranking_list.corrections.select_related("enterprise"),
        "weights": _weights(ranking_list.result),
    })


def _threshold_label(result: dict) -> str:
    from innolink.engines.ranking.fields import get_field

    spec = get_field(result.get("threshold_field", ""))
    return spec.label_zh if spec is not None else result.get("threshold_field", "")


def _weights(result: dict) -> list[dict]:
    info = result.get("indicator_info", {})
    importance = result.get("importance", {})
    imputed = result.get("imputed_counts", {})
    return [{"label": v.get("label_zh", k), "unit": v.get("unit", ""),
             "direction": "越高越好" if v.get("direction") == "higher" else "越低越好",
             "weight": v.get("weight"), "importance": importance.get(k, 0) * 100,
             "imputed": imputed.get(k, 0), "missing": v.get("missing")}
            for k, v in info.items()]


@require_POST
def objection_submit(request, year: int, list_id: str):
    from innolink.core.throttle import public_post_throttle

    ranking_list = selectors.public_list(year, list_id)
    public_post_throttle(request, scope="rankings.objection", target=ranking_list.pk)
    _columns, rows = selectors.list_rows(ranking_list)
    form = ObjectionForm(request.POST, enterprises=[r.entry.enterprise for r in rows])
    if form.is_valid():
        try:
            services.objection_submit(
                ranking_list=ranking_list, name=form.cleaned_data["name"],
                phone=form.cleaned_data["phone"], content=form.cleaned_data["content"],
                organization=form.cleaned_data["organization"],
                enterprise_id=form.cleaned_data["enterprise"], user=request.user)
        except ValidationFailed as exc:
            apply_errors(form, exc.fields)
        else:
            messages.success(request, _("异议已收到，我们将在公示期结束前实名答复。"))
            return redirect("rankings:public-list", year=year, list_id=list_id)
    return render(request, "rankings/public_objection.html", {
        "ranking_list": ranking_list, "form": form}, status=422)


def public_qr(request, year: int, list_id: str):
    ranking_list = selectors.public_list(year, list_id)
    response = HttpResponse(exports.qr_svg(_public_url(request, ranking_list)),
                            content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=3600"
    return response


def public_export(request, year: int, list_id: str, kind: str):
    return _export(selectors.public_list(year, list_id), kind)


def _export(ranking_list, kind: str) -> HttpResponse:
    columns, rows = selectors.list_rows(ranking_list)
    name = f"{ranking_list.list_id}-{ranking_list.run.year}"
    if kind == "xlsx":
        response = HttpResponse(exports.list_xlsx(ranking_list, columns, rows), content_type=XLSX)
    elif kind == "pdf":
        response = HttpResponse(exports.list_pdf(ranking_list, columns, rows),
                                content_type="application/pdf")
    else:
        raise NotFound()
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response
