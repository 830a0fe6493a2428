"""The one error class of the rules engine, with stable codes.

Every problem found while loading rule files, test cases or enterprise records is raised as
:class:`RulesError`; callers (the Django services, the API) render ``code`` / ``message`` /
``location`` without parsing the text.
"""

from __future__ import annotations

__all__ = ["RulesError", "ErrorCode"]


class ErrorCode:
    """Stable error codes. Never rename one: API clients and tests match on them."""

    BAD_YAML = "rules.bad_yaml"
    MISSING_KEY = "rules.missing_key"
    UNKNOWN_KEY = "rules.unknown_key"
    BAD_VALUE = "rules.bad_value"
    UNKNOWN_FIELD = "rules.unknown_field"
    BAD_OPERATOR = "rules.bad_operator"
    MISSING_UNIT = "rules.missing_unit"
    BAD_UNIT = "rules.bad_unit"
    OVERLAPPING_VERSIONS = "rules.overlapping_versions"
    DUPLICATE_ID = "rules.duplicate_id"
    BAD_REFERENCE = "rules.bad_reference"
    BAD_SHARES = "rules.bad_shares"
    BAD_RECORD = "rules.bad_record"
    UNKNOWN_POLICY = "rules.unknown_policy"
    CONTRADICTION = "rules.contradiction"
    UNKNOWN_LEVEL = "rules.unknown_level"


class RulesError(Exception):
    """A rule file, test case or input record is invalid.

    Attributes:
        code: a stable code from :class:`ErrorCode`, e.g. ``"rules.unknown_field"``.
        message: a human message, Chinese then English.
        location: where the problem is, ``"<file>: <path>"``, e.g.
            ``"p03_rd_award.yaml: versions[0].clauses[0].conditions.all[1].field"``.

    Examples:
        >>> err = RulesError(ErrorCode.UNKNOWN_FIELD, "未知指标 rd / unknown field 'rd'", "x.yaml: a")
        >>> err.code, err.location
        ('rules.unknown_field', 'x.yaml: a')
        >>> str(err)
        "[rules.unknown_field] 未知指标 rd / unknown field 'rd' (at x.yaml: a)"
    """

    def __init__(self, code: str, message: str, location: str = "") -> None:
        self.code = code
        self.message = message
        self.location = location
        suffix = f" (at {location})" if location else ""
        super().__init__(f"[{code}] {message}{suffix}")

    def as_dict(self) -> dict[str, str]:
        """The ``{code, message, extra}`` shape the API renders."""
        return {"code": self.code, "message": self.message, "extra": {"location": self.location}}
