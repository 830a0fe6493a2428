"""The aggregate rows the measures page and the leaders' overview read.

Services add to them in the same transaction as the write that causes the change, with one
``INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n`` per call (the same statement on
SQLite and PostgreSQL): concurrent writers never lose an increment and never race on the insert.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db import connection
from django.utils import timezone

from innolink.servicedesk.models import RateCounter, TopicCounter

Key = tuple[dt.date, int, str, int]  # month, department id (0 = none), town, category id


def month_of(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date().replace(day=1)


def week_of(moment: dt.datetime | dt.date) -> dt.date:
    """The Monday of the week (Asia/Shanghai) a moment falls in."""
    day = timezone.localtime(moment).date() if isinstance(moment, dt.datetime) else moment
    return day - dt.timedelta(days=day.weekday())


def _date(value: dt.date):
    return connection.ops.adapt_datefield_value(value)


def counters_add(deltas: Mapping[Key, Mapping[str, int]]) -> None:
    """Add ``{field: n}`` to each key's row, creating rows as needed."""
    rows = [(key, d) for key, d in deltas.items() if any(d.values())]
    fields = RateCounter.FIELDS
    unknown = {name for _key, d in rows for name in d} - set(fields)
    if unknown:
        raise ValueError(f"unknown counters {sorted(unknown)}")
    for start in range(0, len(rows), CHUNK):
        _upsert(rows[start:start + CHUNK])


CHUNK = 1000


def _upsert(rows) -> None:
    if not rows:
        return
    fields = RateCounter.FIELDS
    q = connection.ops.quote_name
    table = q(RateCounter._meta.db_table)
    columns = ["month", "department_id", "town", "category_id", *fields]
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (f"INSERT INTO {table} ({', '.join(q(c) for c in columns)}) VALUES "
           + ", ".join([placeholders] * len(rows))
           + f" ON CONFLICT ({', '.join(q(c) for c in columns[:4])}) DO UPDATE SET "
           + ", ".join(f"{q(f)} = {table}.{q(f)} + excluded.{q(f)}" for f in fields))
    params: list = []
    for (month, department_id, town, category_id), d in rows:
        params.extend([_date(month), department_id or 0, town, category_id])
        params.extend(int(d.get(f, 0)) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def topics_add(week: dt.date, terms: Iterable[str], category_code: str) -> None:
    """Count one request under each of its distinct terms and its category for ``week``."""
    keys = [("term", t[:64]) for t in dict.fromkeys(terms)] + [("category", category_code)]
    q = connection.ops.quote_name
    table = q(TopicCounter._meta.db_table)
    sql = (f"INSERT INTO {table} ({q('week')}, {q('kind')}, {q('key')}, {q('count')}) VALUES "
           + ", ".join(["(%s, %s, %s, 1)"] * len(keys))
           + f" ON CONFLICT ({q('week')}, {q('kind')}, {q('key')}) DO UPDATE SET "
           f"{q('count')} = {table}.{q('count')} + excluded.{q('count')}")
    params: list = []
    for kind, key in keys:
        params.extend([_date(week), kind, key])
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def merge_deltas(items: Iterable[tuple[Key, Mapping[str, int]]]) -> dict[Key, dict[str, int]]:
    out: dict[Key, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for key, d in items:
        for name, n in d.items():
            out[key][name] += n
    return {k: dict(v) for k, v in out.items()}
