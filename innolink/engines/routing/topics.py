"""Hot topics: the terms (or categories) most frequent this week, and those rising week on week."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Trend", "rising_terms"]


@dataclass(frozen=True)
class Trend:
    term: str
    current: int
    previous: int

    @property
    def change(self) -> int:
        return self.current - self.previous

    @property
    def ratio(self) -> float:
        """Growth with add-one smoothing, so a term new this week does not divide by zero."""
        return (self.current + 1) / (self.previous + 1)


def rising_terms(current: Mapping[str, int], previous: Mapping[str, int], *, k: int = 10,
                 min_count: int = 3) -> list[Trend]:
    """Terms seen at least ``min_count`` times this week that grew, by smoothed growth then by
    count.

    Examples:
        >>> [t.term for t in rising_terms({"限电": 9, "招工": 5, "贷款": 4}, {"招工": 6, "贷款": 1})]
        ['限电', '贷款']
    """
    trends = [Trend(term, n, previous.get(term, 0)) for term, n in current.items()
              if n >= min_count and n > previous.get(term, 0)]
    trends.sort(key=lambda t: (-t.ratio, -t.current, t.term))
    return trends[:k]
