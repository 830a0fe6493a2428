"""Signed-project pages: thin views that parse, authorize, call a selector or service, render.
Refused input re-renders the form with the messages (422) and writes nothing."""

from __future__ import annotations


from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from innolink.accounts.models import Department, Institution, User
from innolink.accounts.roles import Role, can_see_audit
from innolink.core.audit import audit_trail_for
from innolink.core.errors import ApplicationError, PermissionDenied, ValidationFailed
from innolink.core.flash import error_text, errors_as_messages
from innolink.core.ids import parse_id
from innolink.core.spreadsheets import csv_bytes
from innolink.enterprises.reference import TOWN_CHOICES
from innolink.events.models import Event
from innolink.projects import access, selectors, services
from innolink.projects.models import (
    ProgressReport,
    ProjectKind,
    ProjectParty,
    ProjectProblem,
    ReportCycle,
    TargetMetric,
    stages_for,
)

BLANK_ROWS = {"parties": 3, "targets": 4, "milestones": 5}


def _grouped(post, prefix: str, count: int, names: list[str], selects: tuple = ()
             ) -> list[dict]:
    """Repeated form rows; a row whose text fields are all empty is left out (its select
    fields always post a value)."""
    rows = []
    for i in range(count):
        row = {name: post.get(f"{prefix}-{i}-{name}", "").strip() for name in names}
        if any(v for k, v in row.items() if k not in selects):
            rows.append(row)
    return rows


def _filters(request) -> selectors.ProjectFilters:
    g = request.GET
    return selectors.ProjectFilters(status=g.get("status", ""), kind=g.get("kind", ""),
                                    town=g.get("town", ""), q=g.get("q", "").strip()[:60],
                                    reason=g.get("reason", "")[:32],
                                    measure=g.get("measure", "")[:32],
                                    signed_from=g.get("signed_from", "")[:7],
                                    signed_to=g.get("signed_to", "")[:7])


@login_required
def project_list(request):
    if not access.can_list(request.user):
        raise PermissionDenied()
    filters = _filters(request)
    page = Paginator(selectors.projects_for(request.user, filters), 25).get_page(
        request.GET.get("page"))
    for project in page:
        project.first_reason = (selectors.reason_text(project.status_reasons[0])
                                if project.status_reasons else "")
    query = request.GET.copy()
    query.pop("page", None)
    measure_labels = {m.key: m.label for m in selectors.measures()} if filters.measure else {}
    return render(request, "projects/list.html", {
        "page": page, "query": query.urlencode(), "f": filters,
        "reason_label": selectors.REASON_LABELS.get(filters.reason, ""),
        "measure_label": measure_labels.get(filters.measure, ""),
        "statuses": selectors.status_choices(), "kinds": ProjectKind.choices, "towns": TOWN_CHOICES,
        "can_manage": access.can_manage(request.user)})


@login_required
def project_export(request):
    """The list as CSV, with the list's filters and the same visibility (``projects_for``)."""
    if not access.can_list(request.user):
        raise PermissionDenied()
    header, rows = selectors.export_rows(selectors.projects_for(request.user, _filters(request)))
    response = HttpResponse(csv_bytes(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="projects-{timezone.localdate():%Y%m%d}.csv"')
    return response


def _form_context(data=None, errors=None) -> dict:
    return {"data": data or {}, "errors": errors or {}, "kinds": ProjectKind.choices,
            "cycles": ReportCycle.choices, "metrics": TargetMetric.choices,
            "roles": ProjectParty.Role.choices, "towns": TOWN_CHOICES,
            "departments": Department.objects.order_by("name"),
            "cadres": User.objects.filter(role__in=[Role.CADRE, Role.ORGANIZER],
                                          is_active=True).order_by("username"),
            "events": Event.objects.order_by("-date")[:50],
            "institutions": Institution.objects.order_by("name")[:500],
            "stage_groups": [(k, label, [(c, str(name)) for c, name, _m in stages_for(k)
                                         if c != "signed"])
                             for k, label in ProjectKind.choices if k != "challenge"],
            "party_rows": range(BLANK_ROWS["parties"]), "target_rows": range(BLANK_ROWS["targets"]),
            "milestone_rows": range(BLANK_ROWS["milestones"])}


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    if not access.can_manage(request.user):
        raise PermissionDenied()
    if request.method == "POST":
        p = request.POST
        data = {k: p.get(k, "") for k in ("title", "kind", "summary", "signed_on",
                                          "signing_event_id", "signing_event_name",
                                          "department_id", "cadre_id", "investment",
                                          "report_cycle", "town")}
        data["investment_unit"] = "wan"
        data["parties"] = _grouped(p, "parties", BLANK_ROWS["parties"],
                                   ["role", "enterprise_code", "institution_id", "organisation"],
                                   selects=("role",))
        data["targets"] = _grouped(p, "targets", BLANK_ROWS["targets"],
                                   ["metric", "name", "unit", "baseline", "target", "due_on"],
                                   selects=("metric",))
        data["milestones"] = _grouped(p, "milestones", BLANK_ROWS["milestones"],
                                      ["stage", "title", "due_on"], selects=())
        try:
            project = services.project_create(actor=request.user, data=data)
        except ValidationFailed as exc:
            return render(request, "projects/form.html",
                          _form_context(request.POST, exc.fields), status=422)
        messages.success(request, _("项目已登记"))
        return redirect("projects:detail", pk=project.pk)
    return render(request, "projects/form.html", _form_context())


@login_required
def project_detail(request, pk: int):
    project = selectors.project_for(request.user, pk)
    user = request.user
    today = timezone.localdate()
    return render(request, "projects/detail.html", {
        "project": project, "targets": selectors.target_rows(project),
        "milestones": list(project.milestones.all()),
        "reasons": [selectors.reason_text(r) for r in project.status_reasons],
        "reports": list(selectors.reports_of(project)),
        "problems": selectors.problem_rows(project),
        "can_manage": access.can_manage(user), "can_file": access.can_file_report(user, project)
        and project.state == "active", "can_review": access.can_review_report(user, project),
        "desk_ready": services.servicedesk_request_create() is not None,
        "metrics": TargetMetric.choices,
        "stages": [(c, label) for c, label, _m in stages_for(project.kind)],
        "audit": audit_trail_for(project)[:20] if can_see_audit(user) else None,
        "today": today})


def _report_form(request, project, *, corrected, data, errors, status: int = 200):
    """The report form with what the user typed (or, for a correction, what was accepted)
    in every field and each message at its field (all of them are listed on top too)."""
    targets = list(project.targets.all())
    evidenced = ({e.milestone_id for e in corrected.milestone_evidence.all()}
                 if corrected is not None else set())
    milestones = [m for m in project.milestones.all() if not m.source_milestone_id
                  and (m.done_on is None or m.pk in evidenced)]
    periods = selectors.report_periods(project, timezone.localdate())
    if corrected is not None:  # a correction is for the corrected report's period only
        label = selectors.period_value(corrected)
        periods = [p for p in periods if p[0] == label] or periods
    target_rows = []
    for t in targets:
        key = f"values.{t.pk}"
        target_rows.append({"t": t, "value": data.get(f"value-{t.pk}", ""),
                            "errors": errors.get(key, [])})
    milestone_rows = []
    for m in milestones:
        keys = (f"milestones.{m.pk}", f"milestones.{m.pk}.done_on",
                f"milestones.{m.pk}.evidence")
        milestone_rows.append({"m": m, "done": data.get(f"done-{m.pk}", ""),
                               "evidence": data.get(f"evidence-{m.pk}", ""),
                               "errors": [msg for k in keys for msg in errors.get(k, [])]})
    return render(request, "projects/report_form.html", {
        "project": project, "periods": periods, "target_rows": target_rows,
        "milestone_rows": milestone_rows, "corrects": corrected.pk if corrected else "",
        "corrected": corrected, "data": data, "errors": errors,
        "values_errors": errors.get("values", [])},
        status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_file(request, pk: int):
    project = selectors.project_for(request.user, pk)
    if not access.can_file_report(request.user, project):
        raise PermissionDenied()
    corrects = request.GET.get("corrects") or request.POST.get("corrects") or ""
    corrected = None
    if corrects:
        # the accepted (locked) report being corrected: the form opens on its period
        corrected = get_object_or_404(ProgressReport, pk=parse_id(corrects), project=project,
                                      state=ProgressReport.State.ACCEPTED)
    if request.method != "POST":
        data = (selectors.correction_initial(corrected) if corrected else
                {"period": selectors.default_period(project, timezone.localdate())})
        return _report_form(request, project, corrected=corrected, data=data, errors={})
    p = request.POST
    values = {str(t.pk): p.get(f"value-{t.pk}", "") for t in project.targets.all()}
    evidence = {}
    for m in project.milestones.all():
        if p.get(f"done-{m.pk}") or p.get(f"evidence-{m.pk}"):
            evidence[str(m.pk)] = {"done_on": p.get(f"done-{m.pk}", ""),
                                   "evidence": p.get(f"evidence-{m.pk}", "")}
    problems = [line for line in p.get("problems", "").splitlines() if line.strip()]
    try:
        services.report_file(actor=request.user, project=project, period=p.get("period"),
                             values=values, milestones=evidence,
                             funds_in_place=p.get("funds_in_place"), funds_unit=services.WAN,
                             narrative=p.get("narrative", ""), problems=problems,
                             corrects=corrected.pk if corrected else None)
    except ValidationFailed as exc:
        return _report_form(request, project, corrected=corrected, data=p, errors=exc.fields,
                            status=422)
    except ApplicationError as exc:
        if exc.status in (403, 404):
            raise
        messages.error(request, error_text(exc))
        return _report_form(request, project, corrected=corrected, data=p, errors={},
                            status=exc.status)
    messages.success(request, _("进展报告已提交，等待审核"))
    return redirect("projects:detail", pk=project.pk)


def _post_action(request, project, service, done: str, **kwargs):
    """One POST action on a project page: run the write service as the user, flash ``done``
    (or the refusal, ADR 0006) and go back to the project."""
    with errors_as_messages(request):
        service(actor=request.user, **kwargs)
        messages.success(request, done)
    return redirect("projects:detail", pk=project.pk)


def _report(request, pk: int) -> tuple[ProgressReport, object]:
    report = get_object_or_404(ProgressReport.objects.select_related("project"),
                               pk=parse_id(pk))
    return report, selectors.project_for(request.user, report.project_id)


def _problem(request, pk: int) -> tuple[ProjectProblem, object]:
    problem = get_object_or_404(ProjectProblem, pk=parse_id(pk))
    return problem, selectors.project_for(request.user, problem.project_id)


@login_required
@require_POST
def report_accept(request, pk: int):
    report, project = _report(request, pk)
    return _post_action(request, project, services.report_accept, _("报告已确认"),
                        report=report, note=request.POST.get("note", ""))


@login_required
@require_POST
def report_return(request, pk: int):
    report, project = _report(request, pk)
    return _post_action(request, project, services.report_return, _("报告已退回"),
                        report=report, note=request.POST.get("note", ""))


@login_required
@require_POST
def problem_escalate(request, pk: int):
    problem, project = _problem(request, pk)
    return _post_action(request, project, services.problem_escalate, _("已转为企业诉求"),
                        problem=problem)


@login_required
@require_POST
def problem_resolve(request, pk: int):
    problem, project = _problem(request, pk)
    return _post_action(request, project, services.problem_resolve, _("问题已标记为解决"),
                        problem=problem)


def _managed_project(request, pk: int):
    project = selectors.project_for(request.user, pk)
    if not access.can_manage(request.user):
        raise PermissionDenied()
    return project


def _posted(request, *names: str) -> dict[str, str]:
    return {k: request.POST.get(k, "") for k in names}


@login_required
@require_POST
def project_target_add(request, pk: int):
    project = _managed_project(request, pk)
    return _post_action(request, project, services.project_target_add, _("指标已添加"),
                        project=project, data=_posted(request, "metric", "name", "unit",
                                                      "baseline", "target", "due_on"))


@login_required
@require_POST
def project_milestone_add(request, pk: int):
    project = _managed_project(request, pk)
    return _post_action(request, project, services.project_milestone_add, _("节点已添加"),
                        project=project, data=_posted(request, "stage", "title", "due_on"))


@login_required
@require_POST
def project_close(request, pk: int):
    project = _managed_project(request, pk)
    return _post_action(request, project, services.project_close, _("项目已结项"),
                        project=project, note=request.POST.get("note", ""))


@login_required
def measures(request):
    if not access.reads_all(request.user):
        raise PermissionDenied()
    return render(request, "projects/measures.html", {
        "city": selectors.measures(), "by_kind": selectors.measures_by_kind(),
        "today": timezone.localdate()})
