"""Request and answer bodies of the policies API (operations in ``innolink.policies.api``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import ConfigDict, Field, field_validator


class BodyIn(Schema):
    """A request body: a field the operation does not take is refused (422 naming it), never
    silently dropped (ADR 0380)."""

    model_config = ConfigDict(extra="forbid")


def _clean(value: str) -> str:
    return value.replace("\x00", "")


class ClauseOut(Schema):
    id: int
    code: str
    title: str
    text: str
    rule: dict
    retired: bool


class VersionOut(Schema):
    id: int
    effective_from: date
    effective_to: date | None
    doc_number: str
    budget: Decimal
    committed: Decimal
    paid: Decimal
    shares: list[tuple[str, int]]
    lane: str
    materials: list[str]
    review_days: int
    clauses: list[ClauseOut]

    @staticmethod
    def resolve_committed(obj) -> Decimal:
        return obj.budget_row.committed

    @staticmethod
    def resolve_paid(obj) -> Decimal:
        return obj.budget_row.paid

    @staticmethod
    def resolve_clauses(obj) -> list:
        return list(obj.clauses.all())


class PolicyOut(Schema):
    id: int
    code: str
    title: str
    issuer: str
    area: str
    tech_innovation: bool
    illustrative: bool


class PolicyDetailOut(PolicyOut):
    source: str
    versions: list[VersionOut]

    @staticmethod
    def resolve_versions(obj) -> list:
        return list(obj.versions.select_related("budget_row").prefetch_related("clauses"))


class MissOut(Schema):
    field: str
    label: str
    value: str | None
    threshold: str
    gap: str | None
    message: str


class ClauseAnswerOut(Schema):
    policy_id: str
    policy_title: str
    doc_number: str
    clause_id: str
    clause_title: str
    clause_pk: int | None
    lane: str
    eligible: bool
    amount: Decimal
    gross: Decimal
    steps: list[str]
    shares: list[tuple[str, Decimal]]
    misses: list[MissOut]
    application_id: int | None
    application_status: str | None


class AnswerOut(Schema):
    enterprise_id: int
    credit_code: str
    year: int
    total: Decimal
    eligible: list[ClauseAnswerOut]
    not_eligible: list[ClauseAnswerOut]


class ScanIn(BodyIn):
    year: int


class ScanOut(Schema):
    id: int
    year: int
    job_id: uuid.UUID | None
    status: str | None
    enterprises: int
    eligible_pairs: int
    new_pairs: int
    dropped_pairs: int
    total: Decimal
    created_at: datetime

    @staticmethod
    def resolve_status(obj) -> str | None:
        return obj.job.status if obj.job_id and obj.job else ("succeeded" if obj.finished_at else None)


class EligibilityOut(Schema):
    enterprise_id: int
    enterprise_name: str
    clause_id: int
    clause_title: str
    year: int
    amount: Decimal
    first_found_on: date
    notified_at: datetime | None
    application_id: int | None
    application_status: str | None


class EligibilityPage(Schema):
    count: int
    page: int
    pages: int
    items: list[EligibilityOut]


class NotifyIn(BodyIn):
    year: int


class NotifyOut(Schema):
    notified_users: int


class PolicyClaimItemIn(BodyIn):
    """One project (patent, purchase, event …) of a per-item clause: its name and the facts the
    clause's rule reads, by code; money in 元 as a decimal string ("300000.00"), yes/no as
    ``true``/``false``, dates as ``2025-03-01``, categories and levels as their names. A code
    the clause does not read is refused (422 at ``items.<n>.facts.<code>``, with
    ``extra.known_facts`` listing the codes it takes, in their declared order)."""

    name: str = Field(max_length=200)
    facts: dict[str, str | int | bool] = Field(default_factory=dict, max_length=40)

    @field_validator("name", mode="after")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return _clean(value)


class ApplicationIn(BodyIn):
    clause_id: int
    year: int
    bank_name: str = Field(max_length=100)
    bank_account: str = Field(max_length=40)
    account_holder: str = Field(max_length=200)
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", max_length=32)
    statement: str = Field("", max_length=2000)
    consent: bool = False
    # the projects of a 快申快享 clause that reads items (ADR 0370, 0375); omitted otherwise
    items: list[PolicyClaimItemIn] = Field(default_factory=list, max_length=50)

    @field_validator("bank_name", "bank_account", "account_holder", "contact_name",
                     "contact_phone", "statement", mode="after")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return _clean(value)


class ApplicationOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    policy_code: str
    clause_id: int
    clause_title: str
    year: int
    lane: str
    status: str
    amount_expected: Decimal
    amount_approved: Decimal | None
    paid_total: Decimal
    eligible_since: date
    submitted_at: datetime
    due_on: date
    working_days_left: int | None
    decision_note: str
    paid_on: date | None


class MaterialOut(Schema):
    id: int
    name: str
    original_name: str
    size: int
    uploaded_at: datetime
    url: str

    @staticmethod
    def resolve_url(obj) -> str:
        from django.urls import reverse

        return reverse("policies:material", args=[obj.pk])


class ApplicationPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ApplicationOut]


class ApplicationFiltersIn(Schema):
    status: str = ""
    policy: int | None = None
    lane: str = ""
    overdue: bool = False
    q: str = ""
    page: int = 1
    page_size: int = 50

    @field_validator("status", "lane", "q", mode="after")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return _clean(value)


class ApproveIn(BodyIn):
    amount: Decimal | None = None
    note: str = Field("", max_length=500)
    override_reason: str = Field("", max_length=300)  # approve although required materials lack


class BulkApproveIn(BodyIn):
    ids: list[int] = Field(max_length=1000)
    note: str = Field("", max_length=500)


class ReasonIn(BodyIn):
    reason: str = Field(max_length=500)


class PayIn(BodyIn):
    amount: str = Field(max_length=30)
    note: str = Field("", max_length=300)


class LedgerOut(Schema):
    id: int
    posting: uuid.UUID
    policy_code: str
    doc_number: str
    application_id: int | None
    enterprise_id: int
    kind: str
    level: str
    amount: Decimal
    reverses_id: int | None
    note: str
    booked_on: date


class LedgerPage(Schema):
    count: int
    page: int
    pages: int
    items: list[LedgerOut]


class MetricOut(Schema):
    key: str
    label: str
    eligible: int
    eligible_amount: Decimal
    applied: int
    approved: int
    paid: int
    paid_amount: Decimal
    rate_percent: float | None
    avg_days_to_cash: float | None
    budget: Decimal | None
    committed: Decimal | None
    budget_used_percent: float | None


class MetricsOut(Schema):
    year: int
    total: MetricOut
    by_policy: list[MetricOut]
    by_town: list[MetricOut]
    by_industry: list[MetricOut]


class SyncOut(Schema):
    retired: int
    policies_created: int
    policies_updated: int
    unchanged: int
    versions: int
    clauses: int
