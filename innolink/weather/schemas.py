"""Request and answer bodies of the weather API (operations in ``innolink.weather.api``)."""

from __future__ import annotations

import datetime as dt

from ninja import Schema


class IngestOut(Schema):
    outcome: str
    code: str
    reason: str
    warning_id: int | None
    notices: int
    log_id: int | None


class WarningOut(Schema):
    id: int
    kind: str
    level: str
    state: str
    headline: str
    area_desc: str
    whole_city: bool
    towns: list[str]
    onset: dt.datetime | None
    expires: dt.datetime | None
    first_sent: dt.datetime
    last_sent: dt.datetime
    notices_active: int
    notices_acknowledged: int


class NonResponderOut(Schema):
    notice_id: int
    enterprise_id: int
    enterprise: str
    town: str
    level: str
    sent: dt.datetime


class NoticeOut(Schema):
    id: int
    warning_id: int
    kind: str
    level: str
    state: str
    headline: str
    actions: list[str]
    created_at: dt.datetime
    updated_at: dt.datetime
    acknowledged_at: dt.datetime | None
    measures: str
    measures_done: list[str]


class AcknowledgeIn(Schema):
    measures: str = ""
    measures_done: list[str] = []


class ExposureProfileIn(Schema):
    exposures: list[str] = []
    park_id: int | None = None
    lat: float | None = None
    lon: float | None = None
    outdoor_staff: int = 0
    note: str = ""


class ExposureProfileOut(Schema):
    enterprise_id: int
    exposures: list[str]
    park_id: int | None
    lat: float | None
    lon: float | None
    outdoor_staff: int
    note: str


class ForecastOut(Schema):
    id: int
    area: str
    title: str
    valid_from: dt.date
    valid_to: dt.date
    risk: str
    summary: str
    advice: str
    park_id: int | None
    event_id: int | None
    industry_prefix: str


class ForecastIn(Schema):
    area: str
    title: str
    valid_from: dt.date
    valid_to: dt.date
    risk: str = "low"
    summary: str
    advice: str = ""
    park_id: int | None = None
    event_id: int | None = None
    industry_prefix: str = ""
    exposure: str = ""
