"""Registry pages: thin views that parse, authorize, call a selector or service, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from django.utils.translation import gettext as _

from innolink.accounts.roles import (
    Role, can_edit_facts, can_import_registry, can_read_registry, can_see_audit, has_role,
)
from innolink.core.audit import audit_trail_for
from innolink.core.errors import ApplicationError, NotFound, PermissionDenied, ValidationFailed
from innolink.core.flash import errors_as_messages, refusal_as_message
from innolink.core.money import wan
from innolink.core.selectors import job_for_user
from innolink.enterprises import importing, selectors, services
from innolink.enterprises.forms import (
    EnterpriseFilterForm, FactImportForm, ImportUploadForm, IndicatorForm, ItemKindForm, QualificationForm,
    QualificationTypeForm,
)
from innolink.enterprises.templates_xlsx import import_template_xlsx


@login_required
def enterprise_list(request):
    if not can_read_registry(request.user):
        raise PermissionDenied()
    form = EnterpriseFilterForm(request.GET or None)
    filters = selectors.EnterpriseFilters(**form.cleaned_data) if form.is_valid() \
        else selectors.EnterpriseFilters()
    page = Paginator(selectors.enterprise_search(request.user, filters), 25).get_page(
        request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "enterprises/_list_table.html" if request.htmx else "enterprises/list.html"
    return render(request, template, {"form": form, "page": page, "query": query.urlencode()})


@login_required
def enterprise_mine(request):
    if not has_role(request.user, Role.ENTERPRISE):
        raise NotFound()
    return redirect("enterprises:detail", pk=request.user.enterprise_id)


@login_required
def enterprise_detail(request, pk: int):
    enterprise = selectors.enterprise_for_user(request.user, pk)
    table = selectors.enterprise_indicator_table(enterprise)
    audit = None
    if can_see_audit(request.user):
        audit = audit_trail_for(enterprise)[:50]
    chart_rows = [r for r in table.rows if r.kind == "money"][:4]
    return render(request, "enterprises/detail.html", {
        "enterprise": enterprise, "tags": enterprise.tags.all(), "table": table,
        "items": enterprise.items.all()[:200], "can_edit_facts": can_edit_facts(request.user),
        "qualification_form": QualificationForm() if can_edit_facts(request.user) else None,
        "audit": audit, "chart": {
            "type": "bar",
            "labels": table.years,
            "series": [{"label": r.name, "values": [None if v is None else wan(v)
                                                    for v in r.values]} for r in chart_rows],
        },
    })


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request):
    if not can_import_registry(request.user):
        raise PermissionDenied()
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.registry_import_start(content=upload.read(), filename=upload.name,
                                                 actor=request.user, commit=False)
        except (NotFound, PermissionDenied):
            raise
        except ApplicationError as exc:  # the file as a whole: shown on the form
            form.add_error("file", exc.message)
        else:
            return redirect("core:job", pk=job.pk)
    from innolink.core.models import Job
    from innolink.enterprises.services import IMPORT_KIND

    recent = Job.objects.filter(kind=IMPORT_KIND).select_related("created_by")[:10]
    return render(request, "enterprises/import.html", {"form": form, "recent": recent},
                  status=422 if form.errors else 200)


@login_required
@require_POST
def import_commit(request, pk):
    if not can_import_registry(request.user):
        raise PermissionDenied()
    dry_run = job_for_user(request.user, pk)
    job = services.registry_import_commit(job=dry_run, actor=request.user)
    return redirect("core:job", pk=job.pk)


@login_required
def import_errors(request, pk):
    if not can_import_registry(request.user):
        raise PermissionDenied()
    job = job_for_user(request.user, pk)
    response = HttpResponse(importing.error_report_csv(job.result.get("errors", [])),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-errors-{str(pk)[:8]}.csv"'
    return response


@login_required
def import_template(request):
    if not can_import_registry(request.user):
        raise PermissionDenied()
    response = HttpResponse(import_template_xlsx(), content_type=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
    response["Content-Disposition"] = 'attachment; filename="enterprise-import-template.xlsx"'
    return response


# --------------------------------------------------------------------------- facts as data

def _facts_editor(request) -> None:
    if not can_edit_facts(request.user):
        raise PermissionDenied()


@login_required
def facts_catalogue(request):
    """资质、事项与指标目录: what rules may name, defined by officers."""
    _facts_editor(request)
    from innolink.enterprises.models import IndicatorDefinition, ItemKind, QualificationType

    return render(request, "enterprises/facts.html", {
        "types": QualificationType.objects.all(), "kinds": ItemKind.objects.all(),
        "indicators": IndicatorDefinition.objects.all()})


def _catalogue_edit(request, *, model, code: str | None, form_class, initial_of, service,
                    fields, title: str, saved: str):
    """One editor for the three catalogues (资质类型, 事项类别, 年度指标): look the row up by its
    code (404 when missing), fill the form from it, refuse a changed code, call ``save``
    ``service(actor=…, **fields(form))`` on POST, and show refusals at their field or as a message."""
    _facts_editor(request)
    row = None
    if code is not None:
        row = model.objects.filter(code=code).first()
        if row is None:
            raise NotFound()
    form = form_class(request.POST or None, initial={} if row is None else initial_of(row))
    if request.method == "POST" and form.is_valid():
        if row is not None and form.cleaned_data["code"] != row.code:
            form.add_error("code", _("代码不能修改"))
        else:
            try:
                service(actor=request.user, **fields(form))
                messages.success(request, saved)
                return redirect("enterprises:facts")
            except ValidationFailed as exc:
                _form_errors(form, exc)
            except ApplicationError as exc:
                refusal_as_message(request, exc)
    return render(request, "enterprises/fact_form.html", {"form": form, "title": title, "row": row},
                  status=422 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def qualification_type_edit(request, code: str | None = None):
    from innolink.enterprises.models import QualificationType

    def initial_of(row):
        return {"code": row.code, "name": row.name, "issuer": row.issuer,
                "validity_years": row.validity_years, "renewal_is_new": row.renewal_is_new,
                "levels": "\n".join(f"{lv['code']} {lv['name']}" for lv in row.levels or ())}

    def fields(form):
        data = form.cleaned_data
        return {"code": data["code"], "name": data["name"], "issuer": data["issuer"],
                "levels": form.parsed_levels(), "validity_years": data["validity_years"],
                "renewal_is_new": data["renewal_is_new"]}

    return _catalogue_edit(request, model=QualificationType, code=code,
                           form_class=QualificationTypeForm, initial_of=initial_of,
                           service=services.qualification_type_save, fields=fields,
                           title=_("资质类型"), saved=_("已保存资质类型"))


@login_required
@require_http_methods(["GET", "POST"])
def item_kind_edit(request, code: str | None = None):
    from innolink.enterprises.models import ItemKind

    def initial_of(row):
        return {"code": row.code, "name": row.name, "facts": "\n".join(
            "|".join([fact, spec.get("name", ""), spec.get("kind", ""),
                      spec.get("unit", "") or "、".join(spec.get("choices") or spec.get("levels")
                                                       or [])])
            for fact, spec in row.facts_in_order)}

    def fields(form):
        return {"code": form.cleaned_data["code"], "name": form.cleaned_data["name"],
                "facts": form.parsed_facts()}

    return _catalogue_edit(request, model=ItemKind, code=code, form_class=ItemKindForm,
                           initial_of=initial_of, service=services.item_kind_save,
                           fields=fields, title=_("事项类别"),
                           saved=_("已保存事项类别"))


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request, code: str | None = None):
    from innolink.enterprises.models import IndicatorDefinition

    def initial_of(row):
        return {"code": row.code, "name": row.name, "kind": row.kind, "unit": row.unit,
                "levels": "、".join(row.levels or []), "allow_negative": row.allow_negative}

    def fields(form):
        data = form.cleaned_data
        return {"code": data["code"], "name": data["name"], "kind": data["kind"],
                "unit": data["unit"], "levels": form.parsed_levels(),
                "allow_negative": data["allow_negative"]}

    return _catalogue_edit(request, model=IndicatorDefinition, code=code,
                           form_class=IndicatorForm, initial_of=initial_of,
                           service=services.indicator_definition_save, fields=fields,
                           title=_("年度指标"), saved=_("已保存指标"))


def _form_errors(form, exc: ValidationFailed) -> None:
    for name, errors in (exc.extra.get("fields") or {}).items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


@login_required
@require_http_methods(["GET", "POST"])
def facts_import(request):
    """Import certifications or items: all or nothing, every change audited."""
    _facts_editor(request)
    form = FactImportForm(request.POST or None, request.FILES or None)
    outcome = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        run = services.qualification_import if form.cleaned_data["what"] == "qualifications" else services.item_import
        try:
            outcome = run(actor=request.user, content=upload.read(), filename=upload.name)
        except ApplicationError as exc:
            refusal_as_message(request, exc)
            status = 422
        else:
            if outcome.errors:
                status = 422
            else:
                messages.success(request, _("已导入：新增 %(c)s 条，更新 %(u)s 条，未变 %(s)s 条") % {
                    "c": outcome.created, "u": outcome.updated, "s": outcome.unchanged})
    elif request.method == "POST":
        status = 422
    return render(request, "enterprises/facts_import.html", {"form": form, "outcome": outcome}, status=status)


@login_required
@require_POST
def qualification_add(request, pk: int):
    _facts_editor(request)
    enterprise = selectors.enterprise_for_user(request.user, pk)
    form = QualificationForm(request.POST)
    if form.is_valid():
        with errors_as_messages(request):
            services.qualification_add(actor=request.user, enterprise=enterprise, type=form.cleaned_data["type"],
                                       level=form.cleaned_data["level"], certified_on=form.cleaned_data["certified_on"],
                                       expires_on=form.cleaned_data["expires_on"], first=form.first_value(),
                                       reference=form.cleaned_data["reference"])
            messages.success(request, _("已添加资质"))
    else:
        messages.error(request, "；".join(f"{form.fields[k].label if k in form.fields else ''}：{'、'.join(v)}"
                                         for k, v in form.errors.items()))
    return redirect("enterprises:detail", pk=enterprise.pk)


@login_required
@require_POST
def qualification_delete(request, pk: int, qid: int):
    _facts_editor(request)
    enterprise = selectors.enterprise_for_user(request.user, pk)
    from innolink.enterprises.models import EnterpriseTag

    row = EnterpriseTag.objects.filter(pk=qid, enterprise=enterprise).first()
    if row is None:
        raise NotFound()
    with errors_as_messages(request):
        services.qualification_delete(actor=request.user, qualification=row)
        messages.success(request, _("已删除资质记录"))
    return redirect("enterprises:detail", pk=enterprise.pk)


@login_required
@require_POST
def item_delete(request, pk: int, item_id: int):
    _facts_editor(request)
    enterprise = selectors.enterprise_for_user(request.user, pk)
    from innolink.enterprises.models import EnterpriseItem

    row = EnterpriseItem.objects.filter(pk=item_id, enterprise=enterprise).first()
    if row is None:
        raise NotFound()
    with errors_as_messages(request):
        services.item_delete(actor=request.user, item=row)
        messages.success(request, _("已删除事项"))
    return redirect("enterprises:detail", pk=enterprise.pk)
