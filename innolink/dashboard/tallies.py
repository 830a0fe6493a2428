"""Write and read the overview's aggregates (``Tally``; decision 0500).

Writers:

- ``tally_add(deltas)``: add counts and amounts (an append-only source, e.g. ledger postings).
- ``tally_set_objects(source, {object_id: rows})``: make what each record adds equal ``rows``,
  replacing its previous contribution exactly (a record whose state changes).
- ``tally_replace(prefixes, rows)``: make every tally of these metrics equal ``rows`` (a small
  source recounted whole by the refresh job).

All three run inside the caller's transaction. Readers (``rollup``) use one grouped query over
tally rows, never the source tables.

A delta is ``{(metric, key, town, period): (count, amount)}``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.db import connection
from django.db.models import Q

from innolink.dashboard.models import Tally, TallyContribution

Point = tuple[str, str, str, str]
Delta = dict[Point, tuple[int, Decimal]]
ZERO = Decimal(0)
AMOUNT_PLACES = Decimal("0.0001")


def point(metric: str, key: object = "", town: str | None = "", period: str = "") -> Point:
    return (metric, str(key if key is not None else "")[:48], (town or "")[:16], period or "")


def month_of(day) -> str:
    return f"{day.year}-{day.month:02d}" if day else ""


def merge(*deltas: Mapping[Point, tuple[int, Decimal]], sign: int = 1) -> Delta:
    out: dict[Point, list] = defaultdict(lambda: [0, ZERO])
    for delta in deltas:
        for p, (count, amount) in delta.items():
            out[p][0] += sign * int(count)
            out[p][1] += sign * Decimal(amount or 0)
    return {p: (c, a) for p, (c, a) in out.items()}


def _nonzero(delta: Mapping[Point, tuple[int, Decimal]]) -> Delta:
    return {p: (int(c), Decimal(a).quantize(AMOUNT_PLACES)) for p, (c, a) in delta.items()
            if c or Decimal(a).quantize(AMOUNT_PLACES)}


def tally_add(delta: Mapping[Point, tuple[int, Decimal]]) -> int:
    """Add ``delta`` to the tallies (rows are created at zero first, then incremented in the
    database, so concurrent writers never lose an increment). Returns the points touched."""
    delta = _nonzero(delta)
    if not delta:
        return 0
    Tally.objects.bulk_create([Tally(metric=m, key=k, town=t, period=p)
                               for (m, k, t, p) in delta], ignore_conflicts=True,
                              batch_size=500)
    table = connection.ops.quote_name(Tally._meta.db_table)
    quote = connection.ops.quote_name
    sql = (f"UPDATE {table} SET {quote('count')} = {quote('count')} + %s, "
           f"{quote('amount')} = {quote('amount')} + %s WHERE {quote('metric')} = %s "
           f"AND {quote('key')} = %s AND {quote('town')} = %s AND {quote('period')} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, [(count, connection.ops.adapt_decimalfield_value(amount, 20, 4),
                                  m, k, t, p)
                                 for (m, k, t, p), (count, amount) in delta.items()])
    return len(delta)


def tally_set_objects(source: str, rows_by_object: Mapping[object, Mapping[Point, tuple]]
                      ) -> int:
    """Replace what each record of ``source`` contributes with its new rows."""
    ids = [str(i) for i in rows_by_object]
    if not ids:
        return 0
    old = _contributions(source, ids)
    new = merge(*[{p: v for p, v in rows.items()} for rows in rows_by_object.values()])
    for start in range(0, len(ids), 500):
        TallyContribution.objects.filter(source=source,
                                         object_id__in=ids[start:start + 500]).delete()
    TallyContribution.objects.bulk_create([
        TallyContribution(source=source, object_id=str(object_id), metric=m, key=k, town=t,
                          period=p, count=c, amount=a)
        for object_id, rows in rows_by_object.items()
        for (m, k, t, p), (c, a) in _nonzero(rows).items()], batch_size=500)
    return tally_add(merge(new, merge(old, sign=-1)))


def _contributions(source: str, ids: list[str]) -> Delta:
    total: dict[Point, list] = defaultdict(lambda: [0, ZERO])
    for start in range(0, len(ids), 500):
        for m, k, t, p, c, a in TallyContribution.objects.filter(
                source=source, object_id__in=ids[start:start + 500]).values_list(
                "metric", "key", "town", "period", "count", "amount"):
            total[(m, k, t, p)][0] += c
            total[(m, k, t, p)][1] += a
    return {p: (c, a) for p, (c, a) in total.items()}


def stored(prefixes: Iterable[str]) -> Delta:
    """The nonzero tallies of metrics starting with any of ``prefixes``."""
    q = Q()
    for prefix in prefixes:
        q |= Q(metric__startswith=prefix)
    return _nonzero({(m, k, t, p): (c, a) for m, k, t, p, c, a in Tally.objects.filter(q)
                     .values_list("metric", "key", "town", "period", "count", "amount")})


def tally_replace(prefixes: Iterable[str], rows: Mapping[Point, tuple[int, Decimal]]) -> int:
    """Make the tallies of these metrics equal ``rows`` (apply only the difference)."""
    prefixes = list(prefixes)
    for p in rows:
        if not any(p[0].startswith(prefix) for prefix in prefixes):
            raise ValueError(f"{p[0]} is outside {prefixes}")
    return tally_add(merge(rows, merge(stored(prefixes), sign=-1)))


def same(a: Mapping[Point, tuple], b: Mapping[Point, tuple]) -> bool:
    """Equal to the fen: SQLite sums decimals in floating point, so the fourth place of a
    large sum may differ between two orders of addition (PostgreSQL's are exact)."""
    def rounded(delta):
        return {p: (c, Decimal(a).quantize(Decimal("0.01"))) for p, (c, a) in
                _nonzero(delta).items() if c or Decimal(a).quantize(Decimal("0.01"))}
    return rounded(a) == rounded(b)


# --------------------------------------------------------------------------- reading

def rollup(metrics: Iterable[str], *, by: Iterable[str] = ("metric",),
           period_from: str = "", period_to: str = "", town: str = ""
           ) -> dict[tuple, tuple[int, Decimal]]:
    """Sums of count and amount grouped by ``by`` (any of metric, key, town, period), in one
    query. ``period_from``/``period_to`` bound the period inclusively. Plain SQL: the page runs
    a dozen of these, and the ORM's compilation would cost more than the query."""
    by = list(by)
    metrics = list(metrics)
    if not metrics:
        return {}
    if not set(by) <= {"metric", "key", "town", "period"}:
        raise ValueError(by)
    quote = connection.ops.quote_name
    table = quote(Tally._meta.db_table)
    columns = ", ".join(quote(name) for name in by)
    where = [f"{quote('metric')} IN ({', '.join(['%s'] * len(metrics))})"]
    params: list = list(metrics)
    for value, clause in ((period_from, f"{quote('period')} >= %s"),
                          (period_to, f"{quote('period')} <= %s"), (town, f"{quote('town')} = %s")):
        if value:
            where.append(clause)
            params.append(value)
    sql = (f"SELECT {columns}, SUM({quote('count')}), SUM({quote('amount')}) FROM {table} "
           f"WHERE {' AND '.join(where)} GROUP BY {columns}")
    out = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for row in cursor.fetchall():
            count, amount = row[-2], row[-1]
            if isinstance(amount, float):  # SQLite sums decimals as floating point
                amount = Decimal(repr(amount))
            out[tuple(row[:-2])] = (int(count or 0),
                                    Decimal(amount or 0).quantize(AMOUNT_PLACES))
    return out
