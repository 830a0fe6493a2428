"""JSON API of signed projects. Thin: parse, authorize (scoped selectors, the services' checks),
call, shape. Leaders and staff read every project; an enterprise or institution user only the
projects it is a party to (another project is a 404); organizer staff register projects and
review reports; the responsible party files reports."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from innolink.core.schemas import ERRORS
from innolink.core.errors import PermissionDenied
from innolink.projects import access, selectors, services
from innolink.projects.models import ProgressReport
from innolink.core.ids import id_or_none

router = Router(tags=["projects"])


class PartyOut(Schema):
    role: str
    name: str
    enterprise_id: int | None
    institution_id: int | None


class TargetOut(Schema):
    id: int
    metric: str
    name: str
    unit: str
    baseline: Decimal
    target: Decimal
    due_on: dt.date
    latest_value: Decimal | None
    latest_on: dt.date | None


class ProjectMilestoneOut(Schema):
    id: int
    stage: str
    title: str
    due_on: dt.date | None
    done_on: dt.date | None
    evidence: str


class ProjectOut(Schema):
    id: int
    title: str
    kind: str
    signed_on: dt.date
    signing_event: str
    department: str
    cadre: str
    investment: Decimal
    funds_in_place: Decimal
    report_cycle: str
    town: str
    state: str
    status: str
    reasons: list[str]
    is_demo: bool

    @staticmethod
    def resolve_signing_event(obj) -> str:
        return str(obj.signing_event or obj.signing_event_name)

    @staticmethod
    def resolve_department(obj) -> str:
        return str(obj.department)

    @staticmethod
    def resolve_cadre(obj) -> str:
        return str(obj.cadre or "")

    @staticmethod
    def resolve_reasons(obj) -> list[str]:
        return [selectors.reason_text(r) for r in obj.status_reasons]


class ProjectDetailOut(ProjectOut):
    summary: str
    parties: list[PartyOut]
    targets: list[TargetOut]
    milestones: list[ProjectMilestoneOut]

    @staticmethod
    def resolve_parties(obj) -> list[dict]:
        return [{"role": p.role, "name": p.name, "enterprise_id": p.enterprise_id,
                 "institution_id": p.institution_id} for p in obj.parties.all()]

    @staticmethod
    def resolve_targets(obj) -> list:
        return list(obj.targets.all())

    @staticmethod
    def resolve_milestones(obj) -> list:
        return list(obj.milestones.all())


class ProjectIn(Schema):
    title: str = Field(max_length=160)
    kind: str
    summary: str = ""
    signed_on: dt.date
    signing_event_id: int | None = None
    signing_event_name: str = ""
    department_id: int
    cadre_id: int | None = None
    investment: Decimal = Decimal(0)  # yuan
    report_cycle: str = "quarterly"
    town: str = ""
    parties: list[dict[str, Any]]
    targets: list[dict[str, Any]] = []
    milestones: list[dict[str, Any]] = []


class ReportIn(Schema):
    period: str  # "2026Q4" or "2026-11"
    values: dict[str, str] = {}  # target id -> value
    milestones: dict[str, dict[str, str]] = {}  # milestone id -> {done_on, evidence}
    funds_in_place: str | None = None  # yuan, cumulative
    narrative: str = ""
    problems: list[str] = []
    corrects: int | None = None


class ReportOut(Schema):
    id: int
    project_id: int
    period_start: dt.date
    period_end: dt.date
    state: str
    narrative: str
    funds_in_place: Decimal | None
    corrects_id: int | None
    values: dict[str, Decimal]
    review_note: str

    @staticmethod
    def resolve_values(obj) -> dict[str, Decimal]:
        return {str(v.target_id): v.value for v in obj.values.all()}


class NoteIn(Schema):
    note: str = ""


class MeasureOut(Schema):
    key: str
    label: str
    value: Decimal | None
    numerator: Decimal
    denominator: Decimal
    definition: str


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
