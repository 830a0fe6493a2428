"""Form values for the weather pages (the services check everything)."""

from __future__ import annotations

import datetime as dt


def date_or_none(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None
