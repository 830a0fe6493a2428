"""The leaders' overview: what each app contributes, as a contract.

Each app that has something a leader should see adds ``<app>/overview.py`` with

    def overview_section(*, today: datetime.date) -> Section | None

which reads only aggregate rows that the app's own services (or a job) keep current, never a
scan of every record, in a fixed number of queries. The dashboard assembles the sections in
``order``. This module owns the shapes; the page, the map and the weekly brief build on them.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

Number = Decimal | int


@dataclass(frozen=True)
class Figure:
    key: str  # stable id, e.g. "servicedesk.timely_sign_rate"
    label: Any  # a (lazy) translation
    value: Number | None
    unit: Any = ""  # "%", "万元", "件" … (translated)
    url: str = ""  # the list this figure counts, filtered to exactly those records
    previous: Number | None = None  # the same period last year, when known
    by_town: dict[str, Number] | None = None  # town name -> value, for the map
    by_month: list[tuple[str, Number]] | None = None  # ("2026-11", value), oldest first
    status: str = ""  # "" | "ok" | "warn" | "bad"
    definition: Any = ""  # how it is computed, shown beside the figure
    note: Any = ""  # a word on the state behind the number ("公示中，截止 12月10日")
    by_month_previous: list[tuple[str, Number]] | None = None  # the same months a year earlier
    higher_is_better: bool = True  # for colouring a change against last year


@dataclass(frozen=True)
class LateItem:
    """Something late, and who owns it (the weekly 调度 brief lists these)."""

    title: str
    url: str
    owner: str  # department or person responsible
    due: datetime.date | None
    days_late: int
    kind: Any = ""


@dataclass(frozen=True)
class Table:
    """A breakdown shown under a section (e.g. money by policy); each row may link to its list."""

    key: str
    title: Any
    columns: list[Any]
    rows: list[tuple[str, list[Any]]]  # (url, cells); numbers stay Decimal/int


@dataclass(frozen=True)
class Section:
    key: str
    title: Any
    order: int
    figures: list[Figure] = field(default_factory=list)
    late: list[LateItem] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # what changed this week, in words
    tables: list[Table] = field(default_factory=list)
    url: str = ""  # the app's own page for more
    #: how many late items there are in all (``late`` holds only the longest overdue few);
    #: None when ``late`` is the whole list
    late_total: int | None = None
    late_url: str = ""  # the full list of the late items, filtered (逾期/超时 only)

    @property
    def late_count(self) -> int:
        return len(self.late) if self.late_total is None else max(self.late_total,
                                                                   len(self.late))


@dataclass(frozen=True)
class Period:
    """The overview's comparison: this year's months to date against the same months a year
    earlier (1–N月累计同比), by booking or event month."""

    today: datetime.date
    start: str  # "2026-01"
    end: str  # "2026-12"
    previous_start: str
    previous_end: str
    months: list[str]  # the 24 months ending with ``end``, oldest first

    @classmethod
    def of(cls, today: datetime.date) -> "Period":
        months = []
        year, month = today.year, today.month
        for _ in range(24):
            months.append(f"{year}-{month:02d}")
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        months.reverse()
        return cls(today, f"{today.year}-01", f"{today.year}-{today.month:02d}",
                   f"{today.year - 1}-01", f"{today.year - 1}-{today.month:02d}", months)

    def this_year(self, month: str) -> bool:
        return self.start <= month <= self.end

    def last_year(self, month: str) -> bool:
        return self.previous_start <= month <= self.previous_end

    def query(self) -> str:
        return f"from={self.start}&to={self.end}"


def month_series(values: dict[str, Number], period: Period) -> tuple[list, list]:
    """This year's months to date and last year's same months, as (month, value) lists."""
    months = [m for m in period.months if period.this_year(m)]
    previous = [f"{int(m[:4]) - 1}{m[4:]}" for m in months]
    return ([(m, values.get(m, 0)) for m in months],
            [(m, values.get(m, 0)) for m in previous])


def sections(*, today: datetime.date) -> list[Section]:
    """Every app's section, in order (apps without ``overview.py`` contribute nothing)."""
    import importlib

    from django.apps import apps

    found = []
    for config in apps.get_app_configs():
        if not config.name.startswith("innolink."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.overview")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.overview":
                raise
            continue
        if module.__name__ == __name__:
            continue
        section = module.overview_section(today=today)
        if section is not None:
            found.append(section)
    return sorted(found, key=lambda s: s.order)
