"""Request and answer bodies of the compute API (operations in ``innolink.compute.api``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Schema


class RequestIn(Schema):
    title: str
    kind: str
    card_hours: int
    accelerator_class: str
    earliest: dt.date
    deadline: dt.date
    residency: str
    min_memory_gb: int = 0


class RequestOut(Schema):
    id: int
    title: str
    kind: str
    card_hours: int
    accelerator_class: str
    min_memory_gb: int
    earliest: dt.date
    deadline: dt.date
    residency: str
    status: str


class ComputeOfferOut(Schema):
    resource_id: int
    provider: str
    resource: str
    accelerator: str
    price: Decimal
    fits: bool
    score: float
    start: dt.date | None
    end: dt.date | None
    cards: int | None
    cost: Decimal | None
    reasons: list[str]
    misses: list[str]


class BookIn(Schema):
    resource_id: int


class BookingOut(Schema):
    id: int
    request_id: int
    resource_id: int
    provider_id: int
    enterprise_id: int
    cards: int
    start: dt.date
    end: dt.date
    card_hours: int
    price: Decimal
    amount: Decimal
    status: str
    used_card_hours: Decimal


class NoteIn(Schema):
    note: str = ""


class UsageIn(Schema):
    period_start: dt.date
    period_end: dt.date
    card_hours: Decimal
    invoice_number: str


class UsageOut(Schema):
    id: int
    booking_id: int
    period_start: dt.date
    period_end: dt.date
    card_hours: Decimal
    amount: Decimal
    invoice_number: str
    status: str
    hold_reasons: list[str]
    voucher_paid: Decimal
    voucher_note: str


class UsageReviewIn(Schema):
    release: bool
    note: str


class VoucherOut(Schema):
    year: int
    rate: Decimal | None
    cap: Decimal | None
    threshold: Decimal | None
    contract: Decimal
    application_id: int | None
    application_status: str | None
    approved: Decimal | None
    paid: Decimal


class MatchOut(Schema):
    id: int
    title: str
    score: float
    summary: str
    reasons: list[str]
