"""The one exception class of the ranking engine.

Every refusal carries a stable ``code`` (what callers and the API branch on), a bilingual
``message`` (what a user reads) and ``extra`` (machine-readable detail).
"""

from __future__ import annotations

from typing import Any

__all__ = ["RankingError"]


class RankingError(Exception):
    """Bad methodology, bad snapshot or impossible run, refused before any computation.

    Examples:
        >>> err = RankingError(RankingError.UNKNOWN_INDICATOR, "未知指标 foo / unknown indicator foo",
        ...                    indicator="foo")
        >>> err.code, err.extra["indicator"]
        ('ranking.unknown_indicator', 'foo')
        >>> err.as_dict()["code"]
        'ranking.unknown_indicator'
    """

    INVALID_METHODOLOGY = "ranking.invalid_methodology"
    UNKNOWN_INDICATOR = "ranking.unknown_indicator"
    UNKNOWN_FIELD = "ranking.unknown_field"
    WEIGHTS_SUM_MISMATCH = "ranking.weights_sum_mismatch"
    LIST_SIZE_EXCEEDS_POPULATION = "ranking.list_size_exceeds_population"
    YEAR_NOT_COVERED = "ranking.year_not_covered"
    INVALID_SNAPSHOT = "ranking.invalid_snapshot"
    MISSING_FIELD = "ranking.missing_field"
    INCOMPATIBLE_LISTS = "ranking.incompatible_lists"

    CODES = frozenset(
        {
            INVALID_METHODOLOGY,
            UNKNOWN_INDICATOR,
            UNKNOWN_FIELD,
            WEIGHTS_SUM_MISMATCH,
            LIST_SIZE_EXCEEDS_POPULATION,
            YEAR_NOT_COVERED,
            INVALID_SNAPSHOT,
            MISSING_FIELD,
            INCOMPATIBLE_LISTS,
        }
    )

    def __init__(self, code: str, message: str, **extra: Any) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown ranking error code {code!r}")
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message
        self.extra = extra

    def as_dict(self) -> dict[str, Any]:
        """``{code, message, extra}``, the shape the API renders."""
        return {"code": self.code, "message": self.message, "extra": dict(self.extra)}
