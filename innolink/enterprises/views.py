"""Registry pages: thin views that parse, authorize, call a selector or service, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from innolink.accounts.roles import Role, can_import_registry, can_read_registry, can_see_audit, has_role
from innolink.core.audit import audit_trail_for
from innolink.core.errors import ApplicationError, NotFound, PermissionDenied
from innolink.core.selectors import job_for_user
from innolink.enterprises import importing, selectors, services
from innolink.enterprises.forms import EnterpriseFilterForm, ImportUploadForm
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
        "audit": audit, "chart": {
            "type": "bar",
            "labels": table.years,
            "series": [{"label": r.name, "values": [float(v) / 10_000 if v is not None else None
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
        except ApplicationError as exc:  # the file as a whole: shown on the form
            form.add_error("file", exc.message)
        else:
            return redirect("core:job", pk=job.pk)
    from innolink.core.models import Job
    from innolink.enterprises.tasks import IMPORT_KIND

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
