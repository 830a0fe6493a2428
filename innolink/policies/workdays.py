"""Working days for service deadlines (Monday to Friday).

The official holiday calendar (调休 included) is not modelled yet: an operator who needs it adds
dates to ``HOLIDAYS`` and ``MAKEUP_WORKDAYS``.
"""

from __future__ import annotations

import datetime as dt

HOLIDAYS: frozenset[dt.date] = frozenset()
MAKEUP_WORKDAYS: frozenset[dt.date] = frozenset()


def is_working_day(day: dt.date) -> bool:
    if day in MAKEUP_WORKDAYS:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start``.

    Examples:
        >>> add_working_days(dt.date(2026, 11, 27), 1)   # a Friday -> Monday
        datetime.date(2026, 11, 30)
    """
    day = start
    remaining = days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after ``start`` up to and including ``end``; negative when ``end`` is
    earlier (days overdue).

    Examples:
        >>> working_days_between(dt.date(2026, 11, 27), dt.date(2026, 11, 30))
        1
        >>> working_days_between(dt.date(2026, 11, 30), dt.date(2026, 11, 27))
        -1
    """
    if end >= start:
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += is_working_day(day)
        return count
    return -working_days_between(end, start)
