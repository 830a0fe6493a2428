"""Policy pages: thin views that parse, authorize, call one service or selector, render."""

from __future__ import annotations

import re
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innolink.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from innolink.core.flash import errors_as_messages
from innolink.enterprises.selectors import enterprise_for_user
from innolink.policies import access, claim_items, present, selectors, services
from innolink.policies.errors import UNKNOWN_FACT
from innolink.policies.forms import (
    ApplicationFilterForm,
    ApproveForm,
    ClaimForm,
    ClaimItemFormSet,
    PayForm,
    ReasonForm,
)
from innolink.policies.models import Application, LedgerEntry, Policy
from innolink.core.ids import parse_id


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
    versions = list(policy.versions.select_related("budget_row").prefetch_related("clauses"))
    for version in versions:  # a version whose clauses all left the rules is history (officers)
        clauses = list(version.clauses.all())
        version.retired = bool(clauses) and all(c.retired for c in clauses)
    from innolink.policies.models import PolicyRevision

    can_manage = access.can_manage_policies(request.user)
    revisions = PolicyRevision.objects.filter(code=policy.code) if can_manage else PolicyRevision.objects.none()
    return render(request, "policies/detail.html", {
        "policy": policy, "versions": versions, "year": selectors.default_year(),
        "can_manage": can_manage,
        "version_changes": selectors.version_changes(policy, can_manage=can_manage),
        "policy_revision": revisions.filter(status=PolicyRevision.Status.PUBLISHED).first(),
        "draft": revisions.filter(status=PolicyRevision.Status.DRAFT).first()})


# --------------------------------------------------------------------------- answers

def _fields(view: selectors.EnterpriseView, typed: dict[str, str] | None = None,
            errors: dict[str, list[str]] | None = None) -> selectors.EnterpriseView:
    """Attach to each clause the inputs for the figures it lacks, with what was typed and the
    error of each (the same figure asked by two clauses shows the same text in both)."""
    typed, errors = typed or {}, errors or {}
    for row in (*view.eligible, *view.not_eligible):
        key = row.clause.pk if row.clause else id(row)
        row.input_fields = [{"item": item, "id": f"c{key}-{item.name}",
                             "value": typed.get(item.name, ""), "errors": errors.get(item.name, [])}
                            for item in row.inputs]
    view.has_illustrative = any(r.clause is not None and r.clause.version.policy.illustrative
                                for r in (*view.eligible, *view.not_eligible))
    return view


def _refuse_unoffered(post, offered) -> None:
    """A figure field the page did not offer (a forged ``fact-…``, or one no longer asked for)
    is refused, never dropped: nothing is written (ADR 0380)."""
    names = {i.name for i in offered}
    stray = [k for k in post if k.startswith("fact-") and k not in names]
    if stray:
        raise ValidationFailed({}, message=_("没有需要填写的数据项 %(f)s；可填写：%(k)s") % {
            "f": stray[0][5:45], "k": "、".join(i.label for i in offered) or "—"}, code=UNKNOWN_FACT)


def _offered_inputs(view: selectors.EnterpriseView) -> list:
    out: list = []
    for row in view.not_eligible:
        for item in row.inputs:
            if item not in out:
                out.append(item)
    return out


@login_required
def my_policies(request):
    if not access.is_enterprise_user(request.user):
        raise NotFound()
    year = _year(request)
    view = _fields(selectors.enterprise_view(request.user.enterprise, year))
    return render(request, "policies/answer.html", {
        "view": view, "years": selectors.year_choices(), "mine": True,
        "applications": selectors.applications_visible_to(request.user).order_by("-submitted_at")[:20]})


@login_required
@require_POST
def declared_facts_set(request):
    """The enterprise types in figures its answer lacks; the platform answers again at once
    (htmx: the answer's body; without JavaScript: the page). What was typed stays in the
    inputs when it is refused."""
    if not access.is_enterprise_user(request.user):
        raise NotFound()
    year = _year(request)
    enterprise = request.user.enterprise
    view = selectors.enterprise_view(enterprise, year)
    offerable = _offered_inputs(view)
    offered = [i for i in offerable if i.name in request.POST]
    typed = {i.name: request.POST.get(i.name, "") for i in offered}
    focus = request.POST.get("clause", "")
    focus = int(focus) if focus.isdigit() else None
    context = {"years": selectors.year_choices(), "mine": True, "focus": focus}
    try:
        _refuse_unoffered(request.POST, offerable)
        if not offered:
            raise ValidationFailed({}, message=_("没有需要填写的数据，答复已是最新"))
        services.declared_facts_set(actor=request.user, enterprise=enterprise, inputs=offered,
                                    values=typed)
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        fields = exc.fields if isinstance(exc, ValidationFailed) else {}
        if not fields and offered:
            fields = {offered[0].name: [exc.message]}
        context.update(view=_fields(view, typed, fields),
                       notice="" if fields else exc.message)
        if request.htmx:
            return render(request, "policies/_answer_body.html", context)
        context["applications"] = selectors.applications_visible_to(request.user).order_by(
            "-submitted_at")[:20]
        return render(request, "policies/answer.html", context, status=exc.status)
    view = _fields(selectors.enterprise_view(enterprise, year))
    done = _("已按您填写的数据重新测算")
    if request.htmx:
        return render(request, "policies/_answer_body.html", {**context, "view": view,
                                                               "notice": done})
    messages.success(request, done)
    anchor = f"#clause-{focus}" if focus else ""
    return redirect(reverse("policies:mine") + f"?year={year}{anchor}")


@login_required
def enterprise_answer(request, pk: int):
    _require(access.can_read_metrics, request.user)
    enterprise = enterprise_for_user(request.user, pk)
    view = _fields(selectors.enterprise_view(enterprise, _year(request)))
    return render(request, "policies/answer.html", {"view": view, "years": selectors.year_choices(),
                                                    "mine": False})


def _item_rows(post, spec) -> list[dict[str, str]]:
    """The items as typed on the claim form (``items-<n>-<field>``), in order."""
    try:
        total = max(0, min(int(post.get(f"{claim_items.PREFIX}-TOTAL_FORMS", 0)), claim_items.MAX_ITEMS + 10))
    except (TypeError, ValueError):
        total = 0
    names = ["label", *(f.code for f in spec.facts)]
    rows = [{n: str(post.get(claim_items.field_name(i, n), "") or "").strip() for n in names}
            for i in range(total)]
    for key in post:  # a field no item form has (forged) is carried along, so the check refuses it
        m = re.fullmatch(rf"{claim_items.PREFIX}-(\d+)-(.+)", key, re.S)
        if m and m[2] not in names and int(m[1]) < total:
            rows[int(m[1])][m[2]] = str(post.get(key) or "").strip()
    return rows


def _stray_item_errors(fields: dict, spec) -> list[str]:
    """The refusals of item fields no form shows (a forged field), for the top of the items."""
    names = {"label", *(f.code for f in spec.facts)} if spec is not None else set()
    out = []
    for key, errors in fields.items():
        m = re.fullmatch(rf"{claim_items.PREFIX}-(\d+)-(.+)", key, re.S)
        if m and m[2] not in names:
            out.extend(errors)
    return out


def _item_formset(spec, rows: list[dict[str, str]], errors: dict | None = None):
    """The items as a bound formset of ``rows`` (contiguous), each error at its field."""
    data = {f"{claim_items.PREFIX}-TOTAL_FORMS": str(len(rows)),
            f"{claim_items.PREFIX}-INITIAL_FORMS": "0"}
    for i, row in enumerate(rows):
        for name, value in row.items():
            data[claim_items.field_name(i, name)] = value
    formset = ClaimItemFormSet(data, prefix=claim_items.PREFIX, form_kwargs={"spec": spec})
    formset.is_valid()
    for key, messages_ in (errors or {}).items():
        match = re.fullmatch(rf"{claim_items.PREFIX}-(\d+)-(\w+)", key)
        if match and int(match[1]) < len(formset.forms) and match[2] in formset.forms[int(match[1])].fields:
            formset.forms[int(match[1])].add_error(match[2], messages_)
    return formset


def _typed_form(request, initial: dict) -> ClaimForm:
    """The claim form showing what was typed, not yet checked (adding an item, a preview)."""
    typed = {name: request.POST.get(name) for name in ClaimForm.base_fields if name in request.POST}
    if "consent" in ClaimForm.base_fields:
        typed["consent"] = bool(request.POST.get("consent")) or (initial.get("consent") and not request.POST)
    return ClaimForm(initial={**initial, **typed})


def _claim_context(request, clause, year: int, form: ClaimForm, *, typed=None, fact_errors=None,
                   materials_errors=None, notice: str = "", items=None, item_rows=None,
                   item_errors=None) -> dict:
    """``items``: checked items typed on the form (the answer is computed with them, nothing
    written); ``item_rows``/``item_errors``: the item forms as typed and their errors."""
    enterprise = request.user.enterprise
    answer, record, declared = services.clause_answer_with_facts(enterprise=enterprise,
                                                                 clause=clause, year=year, items=items)
    row = selectors.ClauseRow(answer, clause, Application.objects.filter(
        enterprise=enterprise, clause=clause, year=year).first())
    selectors.present_row(row, record, year, declared)
    key = clause.pk
    row.input_fields = [{"item": item, "id": f"c{key}-{item.name}",
                         "value": (typed or {}).get(item.name, ""),
                         "errors": (fact_errors or {}).get(item.name, [])} for item in row.inputs]
    staged = {m.name: m for m in services.claim_staged(actor=request.user, clause=clause, year=year)}
    spec = claim_items.spec_for(clause)
    context = {"clause": clause, "answer": answer, "row": row, "form": form, "year": year,
               "materials": [(i, name, staged.get(name)) for i, name in enumerate(clause.version.materials)],
               "materials_errors": materials_errors, "notice": notice,
               "can_apply": answer is not None and answer.eligible and answer.amount > 0
               and row.application is None,
               "accept": ",".join(services.MATERIAL_EXTENSIONS), "item_spec": spec}
    if spec is not None and answer is not None and row.application is None:
        # the items decide the amount: the form (with the items) is there while the other
        # conditions hold, so the enterprise can list its items and see the amount at once
        context["can_apply"] = answer.eligible or claim_items.only_items_missing(answer)
        context["item_formset"] = _item_formset(spec, item_rows if item_rows is not None else [{}], item_errors)
        context["items_on_record"] = claim_items.on_record(enterprise.pk, spec, year)
        context["item_lines"] = present.item_lines_view(answer) if items else []
        context["items_previewed"] = bool(items)
    return context


@login_required
@require_http_methods(["GET", "POST"])
def claim(request, clause_pk: int):
    """Step 2 for the enterprise: confirm (免申即享) or apply (快申快享) on a prefilled form.

    The form is shown only while the clause applies; a figure the answer lacks is asked for
    here first (``facts``), and the form appears once the answer allows it. A refused
    submission comes back with everything typed still in place. ``inline``: the form alone,
    for the answer page's card (htmx)."""
    if not access.can_claim(request.user):
        raise NotFound()
    clause = selectors.clause_get(clause_pk)
    enterprise = request.user.enterprise
    year = _year(request)
    if clause.retired or not clause.version.covers_year(year):
        raise NotFound()
    inline = bool(request.GET.get("inline") or request.POST.get("inline"))
    template = "policies/_claim_form.html" if inline and request.htmx else "policies/claim.html"
    initial = {**selectors.claim_prefill(request.user, enterprise),
               "consent": clause.version.lane == "auto"}
    if request.method == "POST" and request.POST.get("facts"):
        context = _claim_context(request, clause, year, ClaimForm(initial=initial))
        offered = context["row"].inputs
        typed = {i.name: request.POST.get(i.name, "") for i in offered}
        try:
            _refuse_unoffered(request.POST, offered)
            services.declared_facts_set(actor=request.user, enterprise=enterprise,
                                        inputs=offered, values=typed)
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as exc:
            fields = exc.fields if isinstance(exc, ValidationFailed) else {}
            if not fields and offered:
                fields = {offered[0].name: [exc.message]}
            context = _claim_context(request, clause, year, ClaimForm(initial=initial),
                                     typed=typed, fact_errors=fields)
            return render(request, "policies/_claim_body.html" if request.htmx else template,
                          context, status=200 if request.htmx else exc.status)
        context = _claim_context(request, clause, year, ClaimForm(initial=initial),
                                 notice=_("已按您填写的数据重新测算"))
        return render(request, "policies/_claim_body.html" if request.htmx else template, context)
    if request.method == "GET":
        return render(request, template, _claim_context(request, clause, year,
                                                          ClaimForm(initial=initial)))
    form = ClaimForm(request.POST, request.FILES or None, initial=initial)
    materials_errors = None
    status = 422
    files = [(name, request.FILES[f"material_{i}"])
             for i, name in enumerate(clause.version.materials) if f"material_{i}" in request.FILES]
    if files and clause.version.lane == "apply":
        try:  # kept whatever happens to the rest of the form
            services.claim_stage(actor=request.user, clause=clause, year=year, materials=files)
        except ValidationFailed as exc:
            materials_errors = exc.fields.get("materials")
    spec = claim_items.spec_for(clause)
    action = request.POST.get("action", "")
    item_kw: dict = {}
    rows: list[dict[str, str]] = []
    if spec is not None:
        rows = _item_rows(request.POST, spec)
        if action == "add" or action.startswith("remove-"):
            # add or remove an item: the form comes back as typed, nothing is checked or written
            if action == "add" and len(rows) < claim_items.MAX_ITEMS:
                rows.append({})
            elif action.startswith("remove-") and action[7:].isdigit() and int(action[7:]) < len(rows):
                del rows[int(action[7:])]
            context = _claim_context(request, clause, year, _typed_form(request, initial),
                                     materials_errors=materials_errors, item_rows=rows or [{}])
            return render(request, template, context)
        rows = [r for r in rows if any(r.values())]
        item_kw["item_rows"] = rows or [{}]
        if action == "preview":
            try:
                checked = claim_items.parse(spec, rows, year)
            except ValidationFailed as exc:
                context = _claim_context(request, clause, year, _typed_form(request, initial),
                                         materials_errors=materials_errors, item_errors=exc.fields, **item_kw)
                context["items_error"] = ((exc.fields.get(claim_items.PREFIX) or [])
                                          + _stray_item_errors(exc.fields, spec)) or None
                return render(request, template, context, status=200 if request.htmx else 422)
            context = _claim_context(request, clause, year, _typed_form(request, initial),
                                     materials_errors=materials_errors, items=checked,
                                     notice=_("已按您填写的项目重新测算，尚未提交"), **item_kw)
            return render(request, template, context)
    if form.is_valid() and not materials_errors:
        try:
            application = services.application_submit_staged(
                actor=request.user, enterprise=enterprise, clause=clause, year=year,
                form=services.ClaimForm(**form.cleaned_data), items=rows if spec is not None else None)
        except (NotFound, PermissionDenied):
            raise
        except ValidationFailed as exc:
            for name, errors in exc.fields.items():
                if name in form.fields:
                    form.add_error(name, errors)
            materials_errors = exc.fields.get("materials")
            item_kw["item_errors"] = {k: v for k, v in exc.fields.items() if k.startswith(claim_items.PREFIX + "-")}
            if exc.fields.get(claim_items.PREFIX):
                form.add_error(None, exc.fields[claim_items.PREFIX])
            for message in _stray_item_errors(exc.fields, spec):
                form.add_error(None, message)
            if any(n not in form.fields and n != "materials" and not n.startswith(claim_items.PREFIX)
                   for n in exc.fields) or not exc.fields:
                form.add_error(None, exc.message)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
            status = exc.status
        else:
            messages.success(request, _("已提交，审核截止日 %(d)s") % {"d": application.due_on})
            target = reverse("policies:application", args=[application.pk])
            if request.htmx:
                from django_htmx.http import HttpResponseClientRedirect

                return HttpResponseClientRedirect(target)
            return redirect(target)
    context = _claim_context(request, clause, year, form, materials_errors=materials_errors, **item_kw)
    return render(request, template, context, status=200 if request.htmx else status)


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


def _application_page(request, application: Application, *, forms: dict | None = None,
                      status: int = 200):
    """The application with its facts, materials, ledger and — for an officer — the decision
    forms; a refused decision comes back here with the error at its field and what was typed."""
    forms = forms or {}
    prorated = selectors.application_proration(application)
    suggested = prorated.amount if prorated else application.amount_expected
    missing = services.missing_materials(application)
    return render(request, "policies/application.html", {
        "application": application, "countdown": selectors.countdown(application),
        "prorated": prorated,
        "ledger": application.ledger.order_by("created_at", "id"),
        "materials": application.materials.all(),
        "missing_materials": missing,
        "declared": selectors.application_declared(application),
        "items": claim_items.shown(services.application_items(application)),
        "can_upload": (access.is_enterprise_user(request.user)
                       and application.status in Application.OPEN),
        "material_names": [*application.clause.version.materials, services.OTHER_MATERIAL],
        "can_manage": access.can_manage_policies(request.user),
        "approve_form": forms.get("approve") or ApproveForm(initial={"amount": suggested}),
        "reject_form": forms.get("reject") or ReasonForm(prefix="reject"),
        "defer_form": forms.get("defer") or ReasonForm(prefix="defer"),
        "pay_form": forms.get("pay") or PayForm(initial={"amount": application.remaining}),
    }, status=status)


@login_required
def application_detail(request, pk: int):
    return _application_page(request, selectors.application_for_user(request.user, pk))


def _refused(request, application: Application, key: str, form, exc: ApplicationError):
    """A decision the service refused comes back as the same page with the form as typed: a
    field error at its field (422), a refusal about the record's state (budget, materials,
    already decided: 409) at the top of the form. 404/403 propagate (ADR 0006)."""
    if isinstance(exc, (NotFound, PermissionDenied)):
        raise exc
    if isinstance(exc, ValidationFailed) and exc.fields:
        for name, errors in exc.fields.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    elif exc.code == "materials_missing":  # one application: say what it lacks and what to do here
        lacking = ((exc.extra or {}).get("missing") or {}).get(str(application.pk))
        form.add_error("override_reason", _(
            "必需材料未齐（%(m)s），未批准。请待企业补齐，或在此填写理由后批准（记入审计）。") % {
            "m": "、".join(lacking)} if lacking else exc.message)
    else:
        form.add_error(None, exc.message)
    application.refresh_from_db()
    return _application_page(request, application, forms={key: form}, status=exc.status)


def _managed_application(request, pk: int) -> Application:
    _require(access.can_manage_policies, request.user)
    return selectors.application_for_user(request.user, pk)


@login_required
@require_POST
def application_approve(request, pk: int):
    application = _managed_application(request, pk)
    form = ApproveForm(request.POST)
    form.is_valid()
    data = {k: (request.POST.get(k) or "").strip() for k in ("amount", "note", "override_reason")}
    try:
        services.application_approve(actor=request.user, application_id=application.pk,
                                     amount=data["amount"] or None, note=data["note"],
                                     override_reason=data["override_reason"])
    except ApplicationError as exc:
        return _refused(request, application, "approve", form, exc)
    messages.success(request, _("已批准并记入台账"))
    return redirect("policies:application", pk=application.pk)


def _decide(request, pk: int, key: str, service, done: str):
    application = _managed_application(request, pk)
    form = ReasonForm(request.POST, prefix=key)
    form.is_valid()
    try:
        service(actor=request.user, application_id=application.pk,
                reason=request.POST.get(f"{key}-reason", ""))
    except ApplicationError as exc:
        return _refused(request, application, key, form, exc)
    messages.success(request, done)
    return redirect("policies:application", pk=application.pk)


@login_required
@require_POST
def application_reject(request, pk: int):
    return _decide(request, pk, "reject", services.application_reject, _("已不予通过"))


@login_required
@require_POST
def application_defer(request, pk: int):
    return _decide(request, pk, "defer", services.application_defer, _("已暂缓"))


@login_required
@require_POST
def application_pay(request, pk: int):
    application = _managed_application(request, pk)
    form = PayForm(request.POST)
    form.is_valid()
    try:
        services.application_pay(actor=request.user, application_id=application.pk,
                                 amount=request.POST.get("amount", ""),
                                 note=(request.POST.get("note") or "").strip())
    except ApplicationError as exc:
        return _refused(request, application, "pay", form, exc)
    messages.success(request, _("拨付已记入台账"))
    return redirect("policies:application", pk=application.pk)


@login_required
@require_POST
def application_material_add(request, pk: int):
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
def application_bulk_approve(request):
    _require(access.can_manage_policies, request.user)
    ids = [i for i in request.POST.getlist("ids") if i.isdigit()]
    with errors_as_messages(request):
        done = services.application_bulk_approve(actor=request.user,
                                                 application_ids=[int(i) for i in ids],
                                                 note=(request.POST.get("note") or "").strip())
        messages.success(request, _("已批准 %(n)s 条申请") % {"n": len(done)})
        return redirect(reverse("policies:applications") + "?status=approved")
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/policies/applications/") else reverse("policies:applications"))


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
        except (NotFound, PermissionDenied):
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


# --------------------------------------------------------------------------- rule editor (ADR 0150)

def _revision_for_officer(request, rid: int):
    from innolink.policies.models import PolicyRevision

    _require(access.can_manage_policies, request.user)
    revision = PolicyRevision.objects.filter(pk=parse_id(rid)).first()
    if revision is None:
        raise NotFound()
    return revision


def _editor_context(request, revision, *, text=None, cases=None, note=None, result=None,
                    errors=None, notice=""):
    from innolink.policies import authoring
    from innolink.policies.models import PolicyRevision

    text = revision.text if text is None else text
    cases = revision.cases if cases is None else cases
    policy = Policy.objects.filter(code=revision.code).first()
    base = revision.base_text if revision.status == PolicyRevision.Status.DRAFT else (
        revision.based_on.text if revision.based_on_id else revision.base_text)
    published = services.published_policy(revision.code)
    changes = []
    if result is not None and result.policy is not None and published is not None:
        before = {v.effective_from: v for v in published.versions}
        for version in result.policy.versions:
            old = before.get(version.effective_from)
            items = authoring.version_changes(old, version) if old else [
                authoring.Change("新增版本", "—", f"{version.effective_from} {version.doc_number}")]
            if items:
                changes.append((version, items))
    return {
        "revision": revision, "policy": policy, "text": text, "cases": cases,
        "note": revision.note if note is None else note,
        "result": result, "errors": errors or {}, "notice": notice,
        "diff": authoring.text_diff(base or "", text),
        "changes": changes,
        "history": PolicyRevision.objects.filter(code=revision.code).exclude(
            status=PolicyRevision.Status.DISCARDED).order_by("-number")[:20],
        "editable": revision.status == PolicyRevision.Status.DRAFT,
        "catalogue": _catalogue(),
    }


def _catalogue() -> dict:
    """The fields, qualification types, item kinds and operators a rule may use (rules format
    2, ADR 0131), for the editor's quick reference."""
    from innolink.engines.rules import fields as F
    from innolink.engines.rules.parse import OPS_BY_KIND, QUAL_OPS

    attributes = []
    for spec in F.ATTRIBUTES.values():
        if spec.kind == "text":
            continue
        label = F.tag_label if spec.kind == "tags" else (lambda c: F.CATEGORY_LABELS.get(c, c))
        values = "、".join(f"{c}={label(c)}" for c in spec.choices)
        attributes.append({"name": spec.name, "label": spec.label,
                           "ops": " ".join(sorted(OPS_BY_KIND.get(spec.kind, ()))), "values": values})
    indicators = [{"name": s.name, "label": s.label, "unit": s.unit}
                  for s in F.INDICATORS.values()]
    qual_ops = " ".join(op for op in QUAL_OPS if not op.isascii() or op in OPS_BY_KIND["date"])
    qualifications = [{"name": q.code, "label": q.label, "levels": "、".join(f"{lv.code}={lv.name}" for lv in q.levels),
                       "ops": qual_ops} for q in F.QUALIFICATIONS.values()]
    items = [{"name": i.code, "label": i.label, "facts": "、".join(f"{n}={f.label}" for n, f in i.facts.items())}
             for i in F.ITEMS.values()]
    return {"attributes": attributes, "indicators": indicators, "qualifications": qualifications,
            "items": items}


def _result_of(revision):
    """The stored outcome of the last save, shaped like a fresh check for the template."""
    from types import SimpleNamespace

    from innolink.policies import authoring

    return SimpleNamespace(
        valid=revision.valid, policy=None,
        problem=SimpleNamespace(**revision.problem) if revision.problem else None,
        cases=[SimpleNamespace(**c) for c in revision.results],
        blocker_texts=[authoring.blocker_text(b) for b in revision.blockers],
        publishable=revision.publishable,
        cases_passed=bool(revision.results) and all(c["passed"] for c in revision.results))


@login_required
@require_http_methods(["GET", "POST"])
def rules_edit(request, pk: int):
    """Open the policy's draft (POST starts one from the rules in force)."""
    from innolink.policies.models import PolicyRevision

    _require(access.can_manage_policies, request.user)
    policy = selectors.policy_get(pk)
    if request.method == "GET":
        draft = PolicyRevision.objects.filter(code=policy.code, status=PolicyRevision.Status.DRAFT).first()
        return redirect("policies:revision", rid=draft.pk) if draft else redirect("policies:detail", pk=pk)
    revision = services.revision_open(actor=request.user, code=policy.code)
    return redirect("policies:revision", rid=revision.pk)


@login_required
@require_http_methods(["GET", "POST"])
def revision_new_policy(request):
    """A new policy: its id, title, issuer and area; the rules follow in the editor."""
    _require(access.can_manage_policies, request.user)
    errors, data = {}, {}
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("code", "title", "issuer", "area")}
        try:
            revision = services.revision_new_policy(actor=request.user, **data)
        except ValidationFailed as exc:
            errors = exc.fields
        else:
            return redirect("policies:revision", rid=revision.pk)
    return render(request, "policies/rules_new.html", {"data": data, "errors": errors},
                  status=422 if errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def revision_detail(request, rid: int):
    """The editor: the rules (YAML) and the worked cases, checked as the officer types (htmx),
    saved with their cases run, the difference from the rules in force, and publication."""
    revision = _revision_for_officer(request, rid)
    if request.method == "GET":
        result = services.revision_check(code=revision.code, text=revision.text, cases=revision.cases) \
            if revision.status == revision.Status.DRAFT else _result_of(revision)
        return render(request, "policies/rules_edit.html", _editor_context(request, revision, result=result))
    text, cases, note = (request.POST.get("text", ""), request.POST.get("cases", ""),
                         request.POST.get("note", ""))
    try:
        revision, result = services.revision_save(actor=request.user, revision_id=revision.pk,
                                                  text=text, cases=cases, note=note)
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        from innolink.core.flash import error_text

        context = _editor_context(request, revision, text=text, cases=cases, note=note,
                                  result=_result_of(revision), notice=error_text(exc))
        return render(request, "policies/rules_edit.html", context, status=exc.status)
    notice = _("已保存；%(p)s/%(n)s 个案例通过") % {
        "p": sum(1 for c in result.cases if c.passed), "n": len(result.cases)}
    return render(request, "policies/rules_edit.html",
                  _editor_context(request, revision, result=result, notice=notice))


@login_required
@require_POST
def revision_check(request, rid: int):
    """Live validation (htmx): the check and the cases of what is typed now; nothing saved."""
    revision = _revision_for_officer(request, rid)
    text, cases = request.POST.get("text", ""), request.POST.get("cases", "")
    try:
        result = services.revision_check(code=revision.code, text=text, cases=cases)
    except ValidationFailed as exc:
        from innolink.core.flash import error_text

        return render(request, "policies/_rules_check.html", {"notice": error_text(exc),
                                                             "revision": revision})
    context = _editor_context(request, revision, text=text, cases=cases, result=result)
    return render(request, "policies/_rules_check.html", context)


@login_required
@require_POST
def revision_publish(request, rid: int):
    revision = _revision_for_officer(request, rid)
    try:
        revision = services.revision_publish(actor=request.user, revision_id=revision.pk)
    except (NotFound, PermissionDenied):
        raise
    except ApplicationError as exc:
        from innolink.core.flash import error_text

        revision.refresh_from_db()
        context = _editor_context(request, revision, result=_result_of(revision))
        context["publish_error"] = error_text(exc)
        return render(request, "policies/rules_edit.html", context, status=exc.status)
    messages.success(request, _("已发布第 %(n)s 版，新的答复与扫描即按此执行") % {"n": revision.number})
    policy = Policy.objects.filter(code=revision.code).first()
    return redirect("policies:detail", pk=policy.pk) if policy else redirect("policies:list")


@login_required
@require_POST
def revision_discard(request, rid: int):
    revision = _revision_for_officer(request, rid)
    with errors_as_messages(request):
        services.revision_discard(actor=request.user, revision_id=revision.pk)
        messages.success(request, _("已放弃该草稿"))
    policy = Policy.objects.filter(code=revision.code).first()
    return redirect("policies:detail", pk=policy.pk) if policy else redirect("policies:list")
