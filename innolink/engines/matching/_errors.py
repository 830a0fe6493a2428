"""Errors raised by the matching engine. One base with a stable ``code`` so the Django side can
map them to its application error (``{code, message, extra}``) without string matching."""

from __future__ import annotations

from typing import Any

__all__ = [
    "MatchingError",
    "UnknownDocumentError",
    "EncoderUnavailableError",
    "InfeasibleError",
    "InvalidInputError",
]


class MatchingError(Exception):
    """Base error of the matching engine."""

    code = "matching_error"

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class InvalidInputError(MatchingError, ValueError):
    code = "matching_invalid_input"


class UnknownDocumentError(MatchingError, KeyError):
    code = "matching_unknown_document"

    def __str__(self) -> str:  # KeyError would repr() the message
        return self.message


class EncoderUnavailableError(MatchingError, RuntimeError):
    """The configured embedding model cannot be loaded (package or local path missing)."""

    code = "matching_encoder_unavailable"


class InfeasibleError(MatchingError, ValueError):
    """An assignment requirement cannot be met; ``extra['reasons']`` lists why."""

    code = "matching_infeasible"
