"""Request and answer bodies of the projects API (operations in ``innolink.projects.api``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from innolink.projects import selectors


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
