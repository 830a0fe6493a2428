"""Working days for service deadlines (快申快享 review within N working days).

A day is a working day when it is Monday to Friday and not a public holiday, or when it is an
adjusted make-up working day (调休上班). Holidays and make-up days are the rows of
:class:`~innolink.policies.models.CalendarDay` (seeded from ``data/cn_holidays.yaml``, edited on
the calendar page). A year with no row at all falls back to Monday to Friday, and
:func:`calendar_gaps` names the current or next year when that is the case, so the officer
workspace can warn before deadlines are counted wrongly.

The calendar is read once and kept in the process for ``CACHE_SECONDS``; an edit made through
the services clears it at once in the process that made it (and again on commit), and other
processes pick it up within ``CACHE_SECONDS``.

Examples:
    >>> cal = WorkCalendar(holidays={dt.date(2025, 10, 1): "国庆节"},
    ...                    workdays={dt.date(2025, 9, 28): "国庆节"})
    >>> cal.is_working_day(dt.date(2025, 10, 1)), cal.is_working_day(dt.date(2025, 9, 28))
    (False, True)
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
SEED_FILE = Path(__file__).with_name("data") / "cn_holidays.yaml"


@dataclass(frozen=True)
class WorkCalendar:
    """Holidays and make-up working days (date -> name); pure, no database.

    ``years`` are the years the calendar has data for; other years count Monday to Friday."""

    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: dict[dt.date, str] = field(default_factory=dict)

    @property
    def years(self) -> frozenset[int]:
        return frozenset(d.year for d in (*self.holidays, *self.workdays))

    def covers(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: dt.date, days: int) -> dt.date:
        """The date ``days`` working days after ``start`` (``start`` itself does not count).

        Examples:
            >>> WorkCalendar().add_working_days(dt.date(2026, 11, 27), 1)   # a Friday -> Monday
            datetime.date(2026, 11, 30)
        """
        day, remaining = start, days
        while remaining > 0:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after ``start`` up to and including ``end``; negative when ``end`` is
        earlier (days overdue).

        Examples:
            >>> cal = WorkCalendar()
            >>> cal.working_days_between(dt.date(2026, 11, 27), dt.date(2026, 11, 30))
            1
            >>> cal.working_days_between(dt.date(2026, 11, 30), dt.date(2026, 11, 27))
            -1
        """
        if end < start:
            return -self.working_days_between(end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


# --------------------------------------------------------------------------- the shipped data

def seed_rows(path: Path = SEED_FILE) -> list[tuple[dt.date, str, str]]:
    """``(date, kind, name)`` for every day of the shipped data file, kind ``holiday`` or
    ``workday``; raises ``ValueError`` when a date is listed twice (or as both kinds)."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    rows: dict[dt.date, tuple[dt.date, str, str]] = {}

    def put(day: dt.date, kind: str, name: str) -> None:
        if day in rows:
            raise ValueError(f"{path.name}: {day} is listed twice")
        rows[day] = (day, kind, name)

    for _year, spec in sorted(data.items()):
        for block in spec.get("holidays", []):
            day = block["from"]
            while day <= block["to"]:
                put(day, "holiday", block["name"])
                day += dt.timedelta(days=1)
        for block in spec.get("workdays", []):
            for day in block["dates"]:
                put(day, "workday", block["name"])
    return sorted(rows.values())


def seed_calendar(apps=None) -> int:
    """Insert the shipped days that are not in the table yet (never overwrites an operator's
    row). Used by the data migration and after a flush. Returns the rows inserted."""
    from django.apps import apps as installed_apps

    model = (apps or installed_apps).get_model("policies", "CalendarDay")
    have = set(model.objects.values_list("date", flat=True))
    new = [model(date=d, kind=k, name=n) for d, k, n in seed_rows() if d not in have]
    model.objects.bulk_create(new)
    return len(new)


# --------------------------------------------------------------------------- the cached calendar

_lock = threading.Lock()
_cached: tuple[WorkCalendar, float] | None = None
_warned_years: set[int] = set()


def reset_cache() -> None:
    """Forget the cached calendar (after an edit, and between tests)."""
    global _cached
    with _lock:
        _cached = None


def calendar() -> WorkCalendar:
    """The official calendar from the database, cached for ``CACHE_SECONDS``."""
    global _cached
    hit = _cached
    if hit is not None and time.monotonic() - hit[1] < CACHE_SECONDS:
        return hit[0]
    from innolink.policies.models import CalendarDay

    holidays, workdays = {}, {}
    for day, kind, name in CalendarDay.objects.values_list("date", "kind", "name"):
        (workdays if kind == CalendarDay.Kind.WORKDAY else holidays)[day] = name
    loaded = WorkCalendar(holidays=holidays, workdays=workdays)
    with _lock:
        _cached = (loaded, time.monotonic())
    return loaded


def _checked(*days: dt.date) -> WorkCalendar:
    cal = calendar()
    for year in {d.year for d in days}:
        if not cal.covers(year) and year not in _warned_years:
            _warned_years.add(year)
            logger.warning("working-day calendar has no data for %s: counting Monday to Friday",
                           year)
    return cal


def calendar_gaps(today: dt.date | None = None) -> list[int]:
    """The current and next year when the calendar has no data for them (empty when fine)."""
    from django.utils import timezone

    today = today or timezone.localdate()
    cal = calendar()
    return [y for y in (today.year, today.year + 1) if not cal.covers(y)]


def is_working_day(day: dt.date) -> bool:
    return _checked(day).is_working_day(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start`` in the official calendar: with the
    shipped data, one working day after 2025-09-30 is 2025-10-09 (国庆 Oct 1–8)."""
    cal = _checked(start)
    end = cal.add_working_days(start, days)
    _checked(end)
    return end


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative: overdue)."""
    return _checked(start, end).working_days_between(start, end)
