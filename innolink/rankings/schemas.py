"""Request and answer bodies of the rankings API (operations in ``innolink.rankings.api``)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from ninja import Schema
from pydantic import Field


class ListSummaryOut(Schema):
    list_id: str
    title_zh: str
    size: int
    eligible: int
    methodology_version: str
    methodology_hash: str
    fingerprint: str


class RunOut(Schema):
    id: int
    year: int
    status: str
    job_id: uuid.UUID | None = None
    engine_version: str
    data_fingerprint: str
    fingerprint: str
    samples: int | None
    seed: int | None
    error: dict
    notice_opens_on: dt.date | None
    notice_closes_on: dt.date | None
    published_at: dt.datetime | None
    created_at: dt.datetime
    lists: list[ListSummaryOut]

    @staticmethod
    def resolve_lists(obj) -> list:
        return list(obj.lists.all())

    @staticmethod
    def resolve_error(obj) -> dict:
        return {**obj.error, "message": obj.error_message} if obj.error else {}


class RunIn(Schema):
    year: int
    samples: int | None = None


class NoticeIn(Schema):
    closes_on: dt.date


class EntryOut(Schema):
    id: int
    list_id: str
    enterprise_id: int
    enterprise_name: str
    town: str
    rank: int
    in_list: bool
    tied: bool
    score: float
    median_rank: float
    rank_p05: float
    rank_p95: float
    in_list_frequency: float
    uncertain: bool
    review: str
    review_note: str


class ReviewIn(Schema):
    decision: str = Field(description="confirmed | queried")
    note: str = ""


class ObjectionIn(Schema):
    name: str
    phone: str
    content: str
    organization: str = ""
    enterprise_id: int | None = None


class ObjectionOut(Schema):
    id: int
    list_id: str
    enterprise_id: int | None
    name: str
    organization: str
    content: str
    status: str
    answer: str
    created_at: dt.datetime
    answered_at: dt.datetime | None


class AnswerIn(Schema):
    answer: str


class CorrectionIn(Schema):
    description: str
    enterprise_id: int | None = None


class CorrectionOut(Schema):
    id: int
    enterprise_id: int | None
    description: str
    created_at: dt.datetime


class PublicRowOut(Schema):
    rank: int
    in_list: bool
    tied: bool
    enterprise_id: int
    enterprise_name: str
    town: str
    indicators: dict[str, str]
    previous_rank: int | None
    change: int | None
    new_entrant: bool
    median_rank: float
    rank_p05: float
    rank_p95: float
    uncertain: bool


class PublicListOut(Schema):
    year: int
    list_id: str
    title_zh: str
    status: str
    notice_closes_on: dt.date | None
    published_at: dt.datetime | None
    size: int
    eligible: int
    methodology_version: str
    methodology_hash: str
    data_fingerprint: str
    note_zh: str
    tie_rule_zh: str
    threshold_field: str
    entry_threshold: Decimal | None
    url: str
    qr_url: str
    columns: dict[str, str]
    rows: list[PublicRowOut]
    corrections: list[CorrectionOut]


class PublicEditionOut(Schema):
    year: int
    status: str
    notice_closes_on: dt.date | None
    lists: dict[str, str]


class DeclarationIn(Schema):
    year: int
    values: dict[str, Decimal | None] = Field(
        description="indicator code → value (money in yuan; counts as integers)")
    submit: bool = False
    attested_name: str = ""
    attest: bool = False


class DeclarationOut(Schema):
    id: int
    enterprise_id: int
    year: int
    status: str
    values: dict[str, Decimal]
    flags: list[dict]
    attested_name: str
    attested_at: dt.datetime | None
    submitted_at: dt.datetime | None
    return_reason: str

    @staticmethod
    def resolve_values(obj) -> dict:
        return {k: Decimal(v) for k, v in obj.values.items()}


class ReturnIn(Schema):
    reason: str


class JobRef(Schema):
    run_id: int
    job_id: uuid.UUID | None
    status: str


class ConfirmIn(Schema):
    note: str


class CountOut(Schema):
    count: int
