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
class Section:
    key: str
    title: Any
    order: int
    figures: list[Figure] = field(default_factory=list)
    late: list[LateItem] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)  # what changed this week, in words


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
