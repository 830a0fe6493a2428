"""Request and answer bodies of the challenges API (operations in the modules beside it)."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import field_validator


def _no_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


class IndicatorIn(Schema):
    """An indicator: ``target`` as the listing writes it ("≥20万次", "30℃至120℃",
    "优于进口同类产品"), or the structured form (``comparator`` ge/le/eq/gt/lt/range/text,
    ``value``, ``value_max``, ``unit``)."""

    name: str = ""
    target: str = ""
    comparator: str = ""
    value: str | None = None
    value_max: str | None = None
    unit: str = ""
    test_method: str = ""


class IndicatorOut(Schema):
    name: str
    comparator: str
    value: Decimal | None
    value_max: Decimal | None
    unit: str
    test_method: str
    raw_text: str
    needs_review: bool


class PrizeIn(Schema):
    award: str = ""
    amount: str | None = None
    count: int | None = None


class ChallengeIn(Schema):
    """A challenge; money in yuan. ``funding_kind``: fixed (``funding``), range (``funding``
    to ``funding_max``), up_to (``funding`` is the limit), prize (``prize_schedule``) or
    negotiable (面议). Staff posting on behalf name ``enterprise_id``, ``institution_id`` or an
    outside issuer (``issuer_name``, ``issuer_kind``, ``issuer_region``); an enterprise user
    always posts for its own enterprise. Indicators, time limit and domain are optional: the
    organizer screens what is missing (decision 0351)."""

    title: str = ""
    domain: str = ""
    secondary_domains: list[str] = []
    statement: str = ""
    keywords: str = ""
    funding_kind: str = "fixed"
    funding: str | None = None
    funding_max: str | None = None
    prize_schedule: list[PrizeIn] = []
    payment_terms: str = ""
    time_limit_months: int | None = None
    ip_ownership: str = ""
    ip_enterprise_share: int | None = None
    ip_notes: str = ""
    other_conditions: str = ""
    claim_deadline: str | None = None
    max_claims: int | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    indicators: list[IndicatorIn] = []
    enterprise_id: int | None = None
    institution_id: int | None = None
    issuer_name: str = ""
    issuer_kind: str = ""
    issuer_region: str = ""
    programme_id: int | None = None
    external_ref: str = ""
    source: str = ""
    solver_eligibility: str = ""
    solver_region: str = ""
    disciplines: list[str] = []
    solver_types: list[str] = []
    trl_min: int | None = None
    trl_max: int | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _strip_nul(cls, value):
        return _no_nul(value)


class ChallengeOut(Schema):
    id: int
    title: str
    domain: str
    secondary_domains: list[str]
    state: str
    funding_kind: str
    funding: Decimal | None
    funding_max: Decimal | None
    time_limit_months: int | None
    ip_ownership: str
    claim_deadline: dt.date
    max_claims: int
    open_claims: int
    poster: str
    published_at: dt.datetime | None

    @staticmethod
    def resolve_poster(obj) -> str:
        return obj["poster"] if isinstance(obj, dict) else obj.poster_name


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    payment: Decimal
    state: str


class ScreeningCheckOut(Schema):
    code: str
    label: str
    detail: str
    waivable: bool
    waived: bool
    reason: str | None


class ChallengeDetailOut(ChallengeOut):
    statement: str
    keywords: str
    prize_schedule: list[dict]
    issuer_kind: str
    issuer_region: str
    programme: str | None
    external_ref: str
    source: str
    solver_eligibility: str
    solver_region: str
    disciplines: list[str]
    solver_types: list[str]
    trl_min: int | None
    trl_max: int | None
    screening: list[ScreeningCheckOut] | None
    payment_terms: str
    ip_enterprise_share: int | None
    ip_notes: str
    other_conditions: str
    indicators: list[IndicatorOut]
    review_comment: str | None
    contact: dict | None
    matched_proposal_id: int | None
    contract_amount: Decimal | None
    contract_start: dt.date | None
    milestones: list[MilestoneOut]


class ChallengePage(Schema):
    count: int
    page: int
    pages: int
    items: list[ChallengeOut]


class BoardIn(Schema):
    q: str = ""
    domain: str = ""
    funding_min_wan: Decimal | None = None
    funding_max_wan: Decimal | None = None
    max_months: int | None = None
    ip: str = ""
    deadline_from: dt.date | None = None
    page: int = 1
    page_size: int = 20

    @field_validator("q", "domain", "ip", mode="after")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.replace("\x00", "")


class CommentIn(Schema):
    comment: str = ""


class MilestoneIn(Schema):
    title: str = ""
    due_on: str | None = None
    payment: str | None = None


class ContractIn(Schema):
    amount: str | None = None
    start: str | None = None
    milestones: list[MilestoneIn] = []


class ProposalMilestone(Schema):
    title: str = ""
    month: int | None = None
    deliverable: str = ""


class ProposalIn(Schema):
    approach: str = ""
    team: str = ""
    budget: str | None = None
    plan: str = ""
    prior_results: str = ""
    milestones: list[ProposalMilestone] = []


class ProposalOut(Schema):
    id: int
    challenge_id: int
    researcher_id: int
    researcher: str
    state: str
    approach: str
    team: str
    budget: Decimal
    plan: str
    prior_results: str
    milestones: list[dict]
    created_at: dt.datetime

    @staticmethod
    def resolve_researcher(obj) -> str:
        return obj.researcher.name


class NoteIn(Schema):
    note: str = ""


class ProfileIn(Schema):
    kind: str = "individual"
    name: str = ""
    title: str = ""
    email: str = ""
    phone: str = ""
    region: str = ""
    trl: int | None = None
    discipline_codes: list[str] = []
    station_kind: str = "station"
    station: str = ""
    discipline: str = ""
    research_fields: str = ""
    keywords: str = ""
    achievements: str = ""
    availability: str = "available"
    domains: list[str] = []
    members: list[dict] = []


class ProfileOut(Schema):
    id: int
    kind: str
    name: str
    institution: str
    region: str
    station_kind: str
    station: str
    discipline: str
    discipline_codes: list[str]
    trl: int | None
    research_fields: str
    keywords: str
    achievements: str
    availability: str
    domains: list[str]
    members: list[dict]

    @staticmethod
    def resolve_institution(obj) -> str:
        return obj.institution.name if obj.institution_id else ""

    @staticmethod
    def resolve_region(obj) -> str:
        return obj.region_text


class OfferIn(Schema):
    title: str = ""
    domain: str = ""
    summary: str = ""
    trl: int | None = None
    applications: str = ""
    ip_status: str = ""
    ip_notes: str = ""
    cooperation_mode: str = ""
    asking_terms: str = ""
    asking_price: str | None = None
    keywords: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    institution_id: int | None = None


class OfferOut(Schema):
    id: int
    title: str
    domain: str
    state: str
    trl: int
    ip_status: str
    cooperation_mode: str
    asking_price: Decimal | None
    institution: str
    summary: str
    applications: str
    asking_terms: str

    @staticmethod
    def resolve_institution(obj) -> str:
        return obj.institution.name


class InterestIn(Schema):
    message: str = ""


class MessageOut(Schema):
    id: int
    author: str | None
    body: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj) -> str | None:
        return str(obj.author) if obj.author_id else None


class InterestOut(Schema):
    id: int
    offer_id: int
    enterprise: str
    state: str
    messages: list[MessageOut]

    @staticmethod
    def resolve_enterprise(obj) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_messages(obj) -> list:
        return list(obj.messages.select_related("author"))


class MessageIn(Schema):
    body: str = ""


class AttachmentOut(Schema):
    id: int
    kind: str
    original_name: str
    content_type: str
    size: int


class WaiveIn(Schema):
    code: str = ""
    reason: str = ""


class DomainsIn(Schema):
    domain: str = ""
    secondary_domains: list[str] = []


class ResearcherImportJobOut(Schema):
    job_id: uuid.UUID
    status: str


class ListingImportJobOut(Schema):
    job_id: uuid.UUID
    status: str
    commit: bool


class ListingImportColumnOut(Schema):
    header: str
    guess: str | None
    samples: list[str]


class ListingImportFieldOut(Schema):
    key: str
    label: str


class ListingImportMappingOut(Schema):
    needs_mapping: bool
    token: str
    filename: str
    columns: list[ListingImportColumnOut]
    fields: list[ListingImportFieldOut]


class ListingImportMapIn(Schema):
    token: str
    choices: dict[str, str]
    commit: bool = False


class ListingImportProblemOut(Schema):
    row: int
    column: str
    value: str
    code: str
    reason: str
    fatal: bool


class ListingImportReportOut(Schema):
    job_id: uuid.UUID
    status: str
    commit: bool
    message: str
    committed: bool
    rows: int
    listings: int
    created: int
    published: int
    error_count: int
    warning_count: int
    errors: list[ListingImportProblemOut]
    warnings: list[ListingImportProblemOut]
    preview: list[dict]
