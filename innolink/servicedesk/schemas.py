"""Request and answer bodies of the servicedesk API (operations in ``innolink.servicedesk.api``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from innolink.servicedesk.models import Channel, Kind
from innolink.core.ids import MAX_ID


class CountdownOut(Schema):
    stage: str
    level: str
    seconds: int
    text: str


class ServiceRequestOut(Schema):
    id: int
    number: str
    title: str
    enterprise_id: int
    enterprise_name: str
    channel: str
    kind: str
    urgent: bool
    category: str
    town: str
    status: str
    department: str | None
    first_department: str | None
    created_at: dt.datetime
    sign_due_at: dt.datetime | None
    due_at: dt.datetime | None
    replied_at: dt.datetime | None
    rating: str
    external_id: str
    countdown: CountdownOut | None = None


class StepOut(Schema):
    at: dt.datetime
    kind: str
    label: str
    department: str | None
    note: str
    from_request: str


class SuggestionOut(Schema):
    department: str
    name: str
    probability: float
    votes: list[str]


class DuplicateOut(Schema):
    id: int
    number: str
    title: str
    score: float
    shared: list[str]


class RequestDetailOut(ServiceRequestOut):
    description: str
    reply: str
    reopen_count: int
    merged_into: int | None
    suggestions: list[SuggestionOut]
    steps: list[StepOut]
    duplicates: list[DuplicateOut]


class RequestPage(Schema):
    count: int
    page: int
    pages: int
    items: list[ServiceRequestOut]


class ListQuery(Schema):
    status: str = ""
    category: str = Field("", max_length=32)
    town: str = Field("", max_length=8)
    channel: str = ""
    overdue: bool = False
    q: str = Field("", max_length=100)
    page: int = Field(1, ge=1, le=100000)


class ServiceRequestIn(Schema):
    enterprise_id: int | None = Field(None, ge=1, le=MAX_ID)
    credit_code: str = Field("", max_length=18)
    channel: str = Field(Channel.ONLINE, description="online, visit, reception, forum, hotline, staff, project")
    category: str = Field(..., max_length=32, description="类别代码或名称，见 GET /categories")
    kind: str = Field(Kind.HELP, description="consult 咨询 · help 求助 · suggest 建议 · complaint 投诉")
    urgent: bool = False
    town: str = Field("", max_length=8)
    title: str = Field("", max_length=100)
    description: str = Field(..., max_length=5000)
    external_id: str = Field("", max_length=64, description="12345 工单编号：同一编号只受理一次")
    received_at: dt.datetime | None = None


class ReturnReasonIn(Schema):
    reason: str = Field(..., max_length=1000)


class ServiceNoteIn(Schema):
    note: str = Field("", max_length=1000)


class AssignIn(Schema):
    department: str = Field(..., max_length=100, description="部门代码")
    note: str = Field("", max_length=500)


class ReturnDecisionIn(Schema):
    accept: bool
    department: str = Field("", max_length=100)
    note: str = Field("", max_length=500)


class InputIn(Schema):
    department: str = Field(..., max_length=100)
    question: str = Field(..., max_length=1000)


class ServiceAnswerIn(Schema):
    answer: str = Field(..., max_length=5000)


class ReplyIn(Schema):
    text: str = Field(..., max_length=5000)


class RateIn(Schema):
    rating: str = Field(..., description="satisfied 满意 · basic 基本满意 · unsatisfied 不满意")
    comment: str = Field("", max_length=500)


class ServiceReviewIn(Schema):
    reopen: bool
    note: str = Field(..., max_length=500)


class ExtensionIn(Schema):
    days: int = Field(..., ge=1, le=30)
    reason: str = Field(..., max_length=500)


class DecisionIn(Schema):
    approve: bool
    note: str = Field("", max_length=300)


class MergeIn(Schema):
    target: int = Field(..., ge=1, le=MAX_ID)


class CategoryOut(Schema):
    code: str
    name: str
    active: bool


class RuleOut(Schema):
    id: int
    category: str
    town: str
    lead: str
    co_departments: list[str]
    note: str


class RuleIn(Schema):
    category: str = Field(..., max_length=32)
    town: str = Field("", max_length=8)
    lead: str = Field(..., max_length=100)
    co_departments: list[str] = Field(default_factory=list, max_length=20)
    note: str = Field("", max_length=200)


class RowErrorOut(Schema):
    row: int
    column: str
    reason: str


class ImportOut(Schema):
    created: int
    skipped: int
    rows: int
    errors: list[RowErrorOut]


class RateOut(Schema):
    key: str
    label: str
    received: int
    timely_sign_rate: Decimal | None
    on_time_rate: Decimal | None
    satisfaction_rate: Decimal | None
    reopen_rate: Decimal | None
    sign_total: int
    sign_timely: int
    done_total: int
    done_timely: int
    rated: int
    reopened: int


class RatesOut(Schema):
    year: int
    by: str
    total: RateOut
    rows: list[RateOut]
