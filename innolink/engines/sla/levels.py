"""Warning levels of a running deadline: green, yellow before the limit, red after it."""

from __future__ import annotations

import datetime as dt
from enum import Enum

__all__ = ["Level", "warning_level"]


class Level(str, Enum):
    OK = "ok"
    YELLOW = "yellow"  # less than ``warn_fraction`` of the allowed working time is left
    RED = "red"  # the deadline has passed

    def __str__(self) -> str:
        return self.value


def warning_level(*, now: dt.datetime, due: dt.datetime, remaining_seconds: int,
                  total_seconds: int, warn_fraction: float) -> Level:
    """Red once ``now`` is past ``due`` (in calendar time: a deadline that passed on Friday
    evening is red on Saturday although no working time has gone by); yellow when at most
    ``warn_fraction`` of the allowed working time is left.

    Examples:
        >>> t = dt.datetime(2026, 11, 30, 9, 0)
        >>> warning_level(now=t, due=t + dt.timedelta(hours=1), remaining_seconds=3600,
        ...               total_seconds=7200, warn_fraction=0.5)
        <Level.YELLOW: 'yellow'>
    """
    if now > due:
        return Level.RED
    if total_seconds > 0 and remaining_seconds <= warn_fraction * total_seconds:
        return Level.YELLOW
    return Level.OK
