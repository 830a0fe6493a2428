"""Request and answer bodies of the enterprises API (operations in ``innolink.enterprises.api``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from ninja import Schema
from pydantic import field_validator


class EnterpriseOut(Schema):
    id: int
    credit_code: str
    name: str
    town: str
    industry_code: str
    ownership: str
    size_class: str
    founded_on: date | None
    is_demo: bool


class TagOut(Schema):
    tag: str
    label: str
    certified_on: date | None
    first_certified: bool | None


class EnterpriseDetailOut(EnterpriseOut):
    legal_representative: str
    address: str
    products: str
    tags: list[TagOut]

    @staticmethod
    def resolve_tags(obj) -> list[dict]:
        return [{"tag": t.tag, "label": str(t.get_tag_display()), "certified_on": t.certified_on,
                 "first_certified": t.first_certified} for t in obj.tags.all()]


class EnterprisePage(Schema):
    count: int
    page: int
    pages: int
    items: list[EnterpriseOut]


class SearchIn(Schema):
    """Filters of the registry search. NUL characters, which no database text holds, are
    dropped."""

    q: str = ""
    town: str = ""
    section: str = ""
    ownership: str = ""
    size_class: str = ""
    tag: str = ""
    page: int = 1
    page_size: int = 25

    @field_validator("q", "town", "section", "ownership", "size_class", "tag", mode="after")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        return value.replace("\x00", "")


class YearOut(Schema):
    year: int
    values: dict[str, Decimal]


class CatalogueIndicatorOut(Schema):
    code: str
    name: str
    kind: str
    unit: str


class AuditOut(Schema):
    at: datetime
    actor: str | None
    action: str
    changes: dict
    source: str


class ImportJobOut(Schema):
    job_id: uuid.UUID
    status: str
