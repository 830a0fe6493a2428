"""The one exception class of the ranking engine.

Every refusal carries a stable ``code`` (what callers and the API branch on), a message id with
its values (``msgid``: a Chinese %-format with named fields, ``params``), so the rankings app
words it in the reader's language now or when a stored failure is read later (ADR 0792), and
``extra`` (machine-readable detail). ``message`` is the Chinese sentence. The engine stays pure:
it translates nothing.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RankingError"]


def _plain(value: Any) -> Any:
    """A value as JSON can store it: numbers, text, booleans and lists/mappings of them; anything
    else (a NumPy scalar, a path) as a plain number or its text."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    item = getattr(value, "item", None)  # a NumPy scalar
    if callable(item):
        try:
            return _plain(item())
        except (TypeError, ValueError):
            pass
    return str(value)


class RankingError(Exception):
    """Bad methodology, bad snapshot or impossible run, refused before any computation.

    ``msgid`` is formatted with ``extra`` plus ``values`` (values the sentence needs that are no
    detail of their own).

    Examples:
        >>> err = RankingError(RankingError.UNKNOWN_INDICATOR, "%(where)s 引用了未知指标“%(indicator)s”",
        ...                    indicator="foo", where="indicators[0]")
        >>> err.code, err.extra["indicator"], err.message
        ('ranking.unknown_indicator', 'foo', 'indicators[0] 引用了未知指标“foo”')
        >>> err.msgid, err.params
        ('%(where)s 引用了未知指标“%(indicator)s”', {'indicator': 'foo', 'where': 'indicators[0]'})
        >>> sorted(err.as_dict())
        ['code', 'extra', 'message', 'msgid', 'params']
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

    def __init__(self, code: str, msgid: str, *, values: dict[str, Any] | None = None,
                 **extra: Any) -> None:
        if code not in self.CODES:
            raise ValueError(f"unknown ranking error code {code!r}")
        self.code = code
        self.msgid = msgid
        self.extra = extra
        self.params = _plain({**extra, **(values or {})})
        self.message = msgid % self.params if self.params else msgid
        super().__init__(f"[{code}] {self.message}")

    def as_dict(self) -> dict[str, Any]:
        """``{code, message, extra}``, the shape the API renders, plus ``msgid`` and ``params``
        (JSON data) to word a stored failure again in its reader's language."""
        return {"code": self.code, "message": self.message, "extra": dict(self.extra),
                "msgid": self.msgid, "params": dict(self.params)}
