"""Service-level clocks in working time: deadlines in working hours or working days on the
platform's official calendar, countdowns, and yellow/red warning levels.

Pure Python; never imports Django. The calendar is any ``is_working_day(date) -> bool`` (the
service desk passes ``innolink.policies.workdays.calendar().is_working_day``, ADR 0121); office
hours are data (:class:`OfficeHours`). Datetimes are naive local times (Asia/Shanghai): the
caller converts.

Examples:
    >>> import datetime as dt
    >>> clock = WorkClock(lambda d: d.weekday() < 5)
    >>> clock.add_hours(dt.datetime(2026, 11, 27, 16, 0), 2)   # Friday 16:00 + 2 working hours
    datetime.datetime(2026, 11, 30, 9, 0)
    >>> clock.add_days(dt.datetime(2026, 11, 27, 16, 0), 1)    # one working day: Monday's close
    datetime.datetime(2026, 11, 30, 17, 30)
"""

from .clock import OfficeHours, WorkClock
from .levels import Level, warning_level

__all__ = ["OfficeHours", "WorkClock", "Level", "warning_level"]
