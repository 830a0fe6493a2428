"""JSON API of signed projects. Thin: parse, authorize (scoped selectors, the services' checks),
call, shape. Leaders and staff read every project; an enterprise or institution user only the
projects it is a party to (another project is a 404); organizer staff register projects and
review reports; the responsible party files reports."""

from __future__ import annotations

from decimal import Decimal

from ninja import Router
from ninja.responses import Status

from innolink.core.schemas import ERRORS
from innolink.core.errors import PermissionDenied
from innolink.projects import access, selectors, services
from innolink.projects.models import ProgressReport
from innolink.core.ids import id_or_none
from innolink.projects.schemas import (
    MeasureOut,
    NoteIn,
    ProjectDetailOut,
    ProjectIn,
    ProjectOut,
    ReportIn,
    ReportOut,
)

router = Router(tags=["projects"])


def _filters(status: str, kind: str, town: str, q: str) -> selectors.ProjectFilters:
    return selectors.ProjectFilters(status=status, kind=kind, town=town, q=q[:60])


@router.get("", response={200: list[ProjectOut], **ERRORS})
def project_list(request, status: str = "", kind: str = "", town: str = "", q: str = ""):
    """Leaders and staff: every project; others: the projects they are a party to."""
    if not access.can_list(request.auth):
        raise PermissionDenied()
    return list(selectors.projects_for(request.auth, _filters(status, kind, town, q))[:500])


@router.post("", response={201: ProjectDetailOut, **ERRORS})
def project_create(request, payload: ProjectIn):
    project = services.project_create(actor=request.auth, data=payload.dict(), source="api")
    return Status(201, selectors.project_for(request.auth, project.pk))


@router.get("/measures", response={200: list[MeasureOut], **ERRORS})
def measures(request, kind: str = ""):
    """履约率, 开工率, 投产率, 资金到位率 and target attainment, with their definitions."""
    if not access.reads_all(request.auth):
        raise PermissionDenied()
    return [{"key": m.key, "label": str(m.label), "value": m.value,
             "numerator": Decimal(m.numerator), "denominator": Decimal(m.denominator),
             "definition": str(m.definition)} for m in selectors.measures(kind)]


@router.get("/{int:project_id}", response={200: ProjectDetailOut, **ERRORS})
def project_detail(request, project_id: int):
    return selectors.project_for(request.auth, project_id)


@router.get("/{int:project_id}/reports", response={200: list[ReportOut], **ERRORS})
def report_list(request, project_id: int):
    return list(selectors.reports_of(selectors.project_for(request.auth, project_id)))


@router.post("/{int:project_id}/reports", response={201: ReportOut, **ERRORS})
def report_file(request, project_id: int, payload: ReportIn):
    project = selectors.project_for(request.auth, project_id)
    report = services.report_file(actor=request.auth, project=project, period=payload.period,
                                  values=payload.values, milestones=payload.milestones,
                                  funds_in_place=payload.funds_in_place,
                                  narrative=payload.narrative, problems=payload.problems,
                                  corrects=payload.corrects, source="api")
    return Status(201, report)


def _report(request, report_id: int) -> ProgressReport:
    report = ProgressReport.objects.filter(pk=id_or_none(report_id)).first()
    if report is None:
        from innolink.core.errors import NotFound

        raise NotFound()
    selectors.project_for(request.auth, report.project_id)
    return report


@router.post("/reports/{int:report_id}/accept", response={200: ReportOut, **ERRORS})
def report_accept(request, report_id: int, payload: NoteIn):
    return services.report_accept(actor=request.auth, report=_report(request, report_id),
                                  note=payload.note, source="api")


@router.post("/reports/{int:report_id}/return", response={200: ReportOut, **ERRORS})
def report_return(request, report_id: int, payload: NoteIn):
    return services.report_return(actor=request.auth, report=_report(request, report_id),
                                  note=payload.note, source="api")
