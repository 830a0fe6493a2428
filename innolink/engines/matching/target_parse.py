"""Moved to :mod:`innolink.engines.challenges.target_parse` (reading targets belongs to the
challenge board; the matcher only uses it through ``indicators.parse_target``). Kept so that
old imports work."""

from innolink.engines.challenges.target_parse import Reading, normalize, read_target, split_name

__all__ = ["Reading", "read_target", "split_name", "normalize"]
