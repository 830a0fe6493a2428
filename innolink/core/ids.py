"""The one way to read a record id from a URL, a form or an API body.

A database integer is signed 64-bit: a larger number, a negative one, or text must not reach
the query (a 500 on PostgreSQL). Every lookup by id goes through ``parse_id`` (refusal is the
same ``NotFound`` as a missing record, so a probe learns nothing) or ``is_id`` / ``valid_ids``
where a bad id is filtered out instead.

    >>> parse_id("42")
    42
    >>> is_id(0), is_id(2**63), is_id(2**63 - 1)
    (False, False, True)
    >>> valid_ids(["3", 3, -1, "x", 2**64])
    [3]
    >>> id_or_none("12"), id_or_none(""), id_or_none(2**63)
    (12, None, None)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from innolink.core.errors import NotFound

#: The largest id a (big) integer primary key can hold.
MAX_ID = 2**63 - 1


def is_id(value: Any) -> bool:
    """True for an ``int`` (not a bool) in 1..MAX_ID."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def parse_id(value: Any) -> int:
    """The id in ``value`` (an int or its decimal digits), or ``NotFound``.

    >>> parse_id(" 7 ")
    7
    >>> [valid_ids([v]) for v in ("7.0", "-7", "七", True)]
    [[], [], [], []]
    """
    if isinstance(value, str):
        value = value.strip()
        if not value.isascii() or not value.isdigit():
            raise NotFound()
        value = int(value)
    if not is_id(value):
        raise NotFound()
    return value


def id_or_none(value: Any) -> int | None:
    """The id in ``value`` (as ``parse_id`` reads it), or ``None`` where a form treats a bad or
    missing id as "nothing chosen" instead of a missing record."""
    try:
        return parse_id(value)
    except NotFound:
        return None


def valid_ids(values: Iterable[Any]) -> list[int]:
    """The distinct ids among ``values`` in first-seen order; anything else is left out."""
    seen: dict[int, None] = {}
    for value in values:
        try:
            seen.setdefault(parse_id(value), None)
        except NotFound:
            continue
    return list(seen)
