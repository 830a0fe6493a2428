"""The working clock against a slow, obviously correct reference that walks minute by minute."""

import datetime as dt
import random

import pytest

from innolink.engines.sla import Level, OfficeHours, WorkClock, warning_level

HOLIDAYS = {dt.date(2025, 10, d) for d in range(1, 9)}
MAKEUP = {dt.date(2025, 9, 28), dt.date(2025, 10, 11)}


def is_working_day(day: dt.date) -> bool:
    if day in MAKEUP:
        return True
    return day.weekday() < 5 and day not in HOLIDAYS


CLOCK = WorkClock(is_working_day)
MINUTE = dt.timedelta(minutes=1)


def in_office(moment: dt.datetime) -> bool:
    """Is the minute starting at ``moment`` working time?"""
    if not is_working_day(moment.date()):
        return False
    return any(a <= moment.time() < b for a, b in CLOCK.hours.periods)


def reference_add_minutes(start: dt.datetime, minutes: int) -> dt.datetime:
    moment = start
    while minutes > 0:
        if in_office(moment):
            minutes -= 1
        moment += MINUTE
    return moment


def reference_minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    count, moment = 0, start
    while moment < end:
        count += in_office(moment)
        moment += MINUTE
    return sign * count


def random_moment(rng: random.Random) -> dt.datetime:
    base = dt.datetime(2025, 9, 20)
    return base + dt.timedelta(minutes=rng.randrange(0, 30 * 24 * 60))


def _same_instant_or_boundary(got: dt.datetime, want: dt.datetime) -> bool:
    """The reference steps past the last counted minute; the clock stops on it. They agree, or
    the reference has walked on through non-working time after the same last minute."""
    return got == want or (got < want and CLOCK.working_seconds(got, want) == 0)


def test_add_hours_matches_minute_walk():
    rng = random.Random(7)
    for _ in range(300):
        start = random_moment(rng)
        minutes = rng.choice([30, 60, 120, 240, 420, 600, 1500])
        got = CLOCK.add_seconds(start, minutes * 60)
        want = reference_add_minutes(start, minutes)
        assert _same_instant_or_boundary(got, want), (start, minutes, got, want)


def test_working_seconds_matches_minute_walk():
    rng = random.Random(11)
    for _ in range(200):
        a = random_moment(rng)
        b = a + dt.timedelta(minutes=rng.randrange(-9000, 9000))  # up to about six days
        assert CLOCK.working_seconds(a, b) == 60 * reference_minutes_between(a, b), (a, b)


def test_working_seconds_over_weeks_matches_minute_walk():
    """Spans of weeks (the overdue list's countdowns) over the holiday and make-up days; the
    whole days between the ends are counted without walking their periods."""
    rng = random.Random(13)
    for _ in range(30):
        a = random_moment(rng)
        b = a + dt.timedelta(minutes=rng.randrange(-60 * 24 * 40, 60 * 24 * 40))
        assert CLOCK.working_seconds(a, b) == 60 * reference_minutes_between(a, b), (a, b)


def test_working_seconds_to_the_second_with_other_hours():
    clock = WorkClock(is_working_day, OfficeHours.parse("09:00-17:00"))
    a = dt.datetime(2025, 9, 26, 16, 59, 30)  # Friday
    b = dt.datetime(2025, 10, 13, 9, 0, 15)  # Monday after the holiday and a make-up Saturday
    # Fri 30 s + Sun 28 Sep (make-up) + Mon-Tue 29-30 Sep + Thu-Fri 9-10 Oct + Sat 11 Oct
    # (make-up) + Mon 15 s
    assert clock.working_seconds(a, b) == 30 + 6 * 8 * 3600 + 15
    assert clock.working_seconds(b, a) == -(30 + 6 * 8 * 3600 + 15)


def test_add_then_measure_round_trips():
    rng = random.Random(3)
    for _ in range(300):
        start = random_moment(rng)
        seconds = rng.randrange(1, 5 * 25200)
        assert CLOCK.working_seconds(start, CLOCK.add_seconds(start, seconds)) == seconds


def test_two_hours_over_the_national_day_holiday():
    # 2025-09-30 is a Tuesday; October 1-8 are holidays; the 9th is the next working day
    assert CLOCK.add_hours(dt.datetime(2025, 9, 30, 17, 0), 2) == dt.datetime(2025, 10, 9, 10, 0)


def test_make_up_saturday_counts():
    # Friday 26 September 17:00 + 1 hour: Saturday the 27th is off, Sunday the 28th is a make-up day
    assert CLOCK.add_hours(dt.datetime(2025, 9, 26, 17, 0), 1) == dt.datetime(2025, 9, 28, 9, 0)


def test_add_days_ends_at_close_of_the_nth_working_day():
    # received on Monday 29 September: 1 working day -> Tuesday 30th; 2 -> Thursday 9 October
    received = dt.datetime(2025, 9, 29, 10, 15)
    assert CLOCK.add_days(received, 1) == dt.datetime(2025, 9, 30, 17, 30)
    assert CLOCK.add_days(received, 2) == dt.datetime(2025, 10, 9, 17, 30)
    assert CLOCK.add_days(dt.datetime(2025, 10, 4, 9, 0), 0) == dt.datetime(2025, 10, 9, 17, 30)


def test_received_outside_office_hours_starts_at_the_next_opening():
    assert CLOCK.add_hours(dt.datetime(2025, 9, 29, 12, 30), 1) == dt.datetime(2025, 9, 29, 15, 0)
    assert CLOCK.add_hours(dt.datetime(2025, 9, 29, 6, 0), 1) == dt.datetime(2025, 9, 29, 9, 30)


def test_office_hours_parse_and_refuse():
    hours = OfficeHours.parse("08:00-12:00, 14:30-17:30")
    assert hours.seconds_per_day == 7 * 3600 and str(hours) == "08:00-12:00,14:30-17:30"
    for bad in ("8-12", "12:00-08:00", "08:00-12:00,11:00-13:00", ""):
        with pytest.raises(ValueError):
            OfficeHours.parse(bad)


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(ValueError):
        WorkClock(lambda d: False).add_hours(dt.datetime(2026, 1, 1), 1)


def test_warning_levels():
    due = dt.datetime(2025, 9, 29, 17, 30)
    ok = warning_level(now=due - dt.timedelta(hours=6), due=due, remaining_seconds=6 * 3600,
                       total_seconds=14 * 3600, warn_fraction=0.25)
    yellow = warning_level(now=due - dt.timedelta(hours=1), due=due, remaining_seconds=3600,
                           total_seconds=14 * 3600, warn_fraction=0.25)
    at_due = warning_level(now=due, due=due, remaining_seconds=0, total_seconds=14 * 3600,
                           warn_fraction=0.25)
    # Saturday after a Friday deadline: no working time has passed, still red
    red = warning_level(now=dt.datetime(2025, 10, 4, 10, 0), due=dt.datetime(2025, 10, 3, 17, 30),
                        remaining_seconds=0, total_seconds=3600, warn_fraction=0.25)
    assert (ok, yellow, at_due, red) == (Level.OK, Level.YELLOW, Level.YELLOW, Level.RED)
