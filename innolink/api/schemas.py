"""Kept for callers written before the error body moved to ``innolink.core.schemas``."""

from innolink.core.schemas import ERRORS, ErrorOut

__all__ = ["ERRORS", "ErrorOut"]
