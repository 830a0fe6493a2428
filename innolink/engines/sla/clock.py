"""Working time: office hours on working days, added and measured to the second.

A deadline "within 2 working hours" counts only time inside office hours on working days; a
deadline "within N working days" is the close of business of the N-th working day after the
day of receipt (the day of receipt does not count, as in ADR 0121's ``add_working_days``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["OfficeHours", "WorkClock"]

#: how far a clock may look ahead before it gives up (a calendar with no working day at all)
MAX_DAYS = 3 * 366


def _t(text: str) -> dt.time:
    hours, minutes = text.split(":")
    return dt.time(int(hours), int(minutes))


@dataclass(frozen=True)
class OfficeHours:
    """The periods of a working day, in order and not overlapping.

    Examples:
        >>> OfficeHours.parse("08:30-12:00,14:00-17:30").seconds_per_day
        25200
    """

    periods: tuple[tuple[dt.time, dt.time], ...] = (
        (dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 0), dt.time(17, 30)))

    def __post_init__(self) -> None:
        if not self.periods:
            raise ValueError("office hours need at least one period")
        previous = dt.time.min
        for i, (start, end) in enumerate(self.periods):
            if not start < end:
                raise ValueError(f"period {start}-{end} ends before it starts")
            if i and start < previous:
                raise ValueError("office-hour periods must be in order and not overlap")
            previous = end

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """``"08:30-12:00,14:00-17:30"``; raises ``ValueError`` with the reason."""
        try:
            periods = tuple((_t(a), _t(b)) for a, b in
                            (part.strip().split("-") for part in text.split(",") if part.strip()))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"office hours must look like 08:30-12:00,14:00-17:30: {text!r}") \
                from exc
        return cls(periods)

    def __str__(self) -> str:
        return ",".join(f"{a:%H:%M}-{b:%H:%M}" for a, b in self.periods)

    @property
    def seconds_per_day(self) -> int:
        return sum(_seconds(a, b) for a, b in self.periods)

    @property
    def close(self) -> dt.time:
        return self.periods[-1][1]


def _seconds(a: dt.time, b: dt.time) -> int:
    return (b.hour - a.hour) * 3600 + (b.minute - a.minute) * 60 + (b.second - a.second)


class WorkClock:
    """Office hours on the days ``is_working_day`` accepts.

    Examples:
        >>> clock = WorkClock(lambda d: d.weekday() < 5)
        >>> clock.working_seconds(dt.datetime(2026, 11, 27, 17, 0), dt.datetime(2026, 11, 30, 9, 0))
        3600
    """

    def __init__(self, is_working_day: Callable[[dt.date], bool],
                 hours: OfficeHours | None = None) -> None:
        self.is_working_day = is_working_day
        self.hours = hours or OfficeHours()

    def _periods(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        if not self.is_working_day(day):
            return []
        return [(dt.datetime.combine(day, a), dt.datetime.combine(day, b))
                for a, b in self.hours.periods]

    def add_seconds(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """The moment ``seconds`` of working time after ``start``."""
        if seconds <= 0:
            return start
        remaining, moment, day = seconds, start, start.date()
        for _ in range(MAX_DAYS):
            for a, b in self._periods(day):
                if b <= moment:
                    continue
                begin = max(a, moment)
                available = int((b - begin).total_seconds())
                if remaining <= available:
                    return begin + dt.timedelta(seconds=remaining)
                remaining -= available
            day += dt.timedelta(days=1)
            moment = dt.datetime.combine(day, dt.time.min)
        raise ValueError(f"no working time within {MAX_DAYS} days after {start}")

    def add_hours(self, start: dt.datetime, hours: float) -> dt.datetime:
        return self.add_seconds(start, round(hours * 3600))

    def add_days(self, start: dt.datetime, days: int) -> dt.datetime:
        """Close of business on the ``days``-th working day after ``start``'s day (0: the
        close of ``start``'s own day when it is a working day, else of the next one)."""
        day, remaining = start.date(), days
        if remaining <= 0:
            for _ in range(MAX_DAYS):
                if self.is_working_day(day):
                    return dt.datetime.combine(day, self.hours.close)
                day += dt.timedelta(days=1)
            raise ValueError(f"no working day within {MAX_DAYS} days after {start}")
        for _ in range(MAX_DAYS):
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
                if remaining == 0:
                    return dt.datetime.combine(day, self.hours.close)
        raise ValueError(f"no {days} working days within {MAX_DAYS} days after {start}")

    def working_seconds(self, start: dt.datetime, end: dt.datetime) -> int:
        """Working time from ``start`` to ``end`` in seconds; negative when ``end`` is earlier."""
        if end < start:
            return -self.working_seconds(end, start)
        first, last = start.date(), end.date()
        total = self._within(first, start, end)
        if last == first:
            return total
        # the days strictly between are whole: a working day counts its office hours
        # (a countdown on the overdue list spans weeks; this keeps it one test per day)
        full, one = self.hours.seconds_per_day, dt.timedelta(days=1)
        day = first + one
        while day < last:
            if self.is_working_day(day):
                total += full
            day += one
        return total + self._within(last, start, end)

    def _within(self, day: dt.date, start: dt.datetime, end: dt.datetime) -> int:
        """Working seconds of ``day`` that fall between ``start`` and ``end``."""
        total = 0
        for a, b in self._periods(day):
            lo, hi = max(a, start), min(b, end)
            if hi > lo:
                total += int((hi - lo).total_seconds())
        return total
