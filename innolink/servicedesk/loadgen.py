"""Service requests in bulk for the benches, with the aggregate rows the pages read.

``bench/servicedesk.py`` and the leaders' overview bench (through ``overview.bench_requests``)
both load their requests here: a year of requests from the shipped labelled wordings, spread
over every month, town, category and department, most of them closed and rated, the rest
running (signed or waiting to be signed), some past their limits. Rows go in without the
services (the reads being measured never read the event history), as fast as the database
takes them: PostgreSQL's ``COPY`` (psycopg's copy API), multi-row ``executemany`` on SQLite,
with the table's secondary indexes dropped during the load and rebuilt once afterwards
(``indexes_deferred``: one sort per index instead of a B-tree insert per row per index). The counters (``RateCounter``, ``TopicCounter``) are written in the
same pass, keyed by the month (week) each request was received, and hold exactly what
``rates_from_rows`` recounts from the request rows (the flags ``sign_counted`` and
``done_counted`` say which limits were counted, as the services and the overdue sweep set them).

Not for production data: this bypasses the services' checks and the audit trail on purpose.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.db import connection, models, transaction
from django.db.models import Count, DateField, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from innolink.core.bulk import insert_rows
from innolink.servicedesk import counters
from innolink.servicedesk.models import (
    Category,
    DeskSettings,
    RateCounter,
    RoutingRule,
    ServiceRequest,
    Status,
    TopicCounter,
)

CITY_DEPARTMENTS = [("gxj", "工业和信息化局"), ("kjj", "科学技术局"), ("swj", "商务局"),
                    ("czj", "财政局"), ("rsj", "人力资源和社会保障局"),
                    ("scjgj", "市场监督管理局"), ("fgj", "发展和改革局"),
                    ("zrzyj", "自然资源局"), ("sthjj", "生态环境局"), ("qxj", "气象局")]
BUSIEST = "zrzyj"  # gets six times the share of every other department
COLUMNS = ["enterprise_id", "town", "category_id", "kind", "urgent", "channel", "title",
           "description", "status", "department_id", "first_department_id", "routed_by",
           "suggestions", "assigned_at", "sign_due_at", "signed_at", "due_at", "deadline_at",
           "replied_at", "closed_at", "warned", "sign_counted", "done_counted", "reply",
           "rating", "rated_at", "reopen_count", "source", "external_id", "created_at",
           "updated_at", "is_demo"]
CHANNELS = ["online", "online", "online", "visit", "reception", "forum", "hotline"]
SIGN_LIMIT = dt.timedelta(hours=2)
HANDLING_LIMITS = [dt.timedelta(days=d) for d in (3, 7, 7, 7, 15)]
RATINGS = (("satisfied", 0.90), ("basic", 0.97), ("unsatisfied", 1.0))


def desk_setup() -> dict:
    """The city's departments (the demo's and the bureaus), the fallback owner and one routing
    rule per category, created if missing. Returns ``{code: Department}``."""
    from innolink.accounts.models import Department
    from innolink.servicedesk.demo import DEPARTMENTS, FALLBACK, RULES

    for code, name in [*CITY_DEPARTMENTS, *DEPARTMENTS]:
        Department.objects.get_or_create(code=code, defaults={"name": name})
    departments = {d.code: d for d in Department.objects.all()}
    categories = {c.code: c for c in Category.objects.all()}
    DeskSettings.objects.filter(pk=1).update(fallback_department=departments[FALLBACK])
    for code, (lead, _co) in RULES.items():
        if code in categories and not RoutingRule.objects.filter(
                category=categories[code], town="").exists():
            RoutingRule.objects.create(category=categories[code], lead=departments[lead])
    return departments


def load_requests(*, count: int, enterprises: list[tuple[int, str]], departments: dict,
                  seed: int = 12, now: dt.datetime | None = None, days: int = 365) -> int:
    """Insert ``count`` requests received over the ``days`` before ``now`` by ``enterprises``
    (``(id, town)`` pairs), routed among ``departments`` (``{code: Department}``), and add
    their counts to the counter rows. About 1.5% are still running (mostly the newest): 60%
    signed and being handled, 40% received in the last three hours and waiting to be signed; those past their limit are on the
    overdue list. Closed ones were signed, answered (most within the limit) and 85% rated.
    Returns the number of requests written."""
    from innolink.servicedesk import fetch
    from innolink.servicedesk.text import topic_terms

    if count <= 0:
        return 0
    if not enterprises:
        raise ValueError("no enterprises to file the requests")
    rng = random.Random(seed)
    now = now or timezone.now()
    start = now - dt.timedelta(days=days)
    span = (now - start).total_seconds()
    categories = {c.code: c for c in Category.objects.all()}
    texts = []  # (category id, category code, title, description)
    for row in fetch.labelled_set():
        if row["category"] in categories:
            text = row["text"]
            texts.append((categories[row["category"]].pk, row["category"], text[:30], text))
    terms = [list(dict.fromkeys(topic_terms(f"{title} {text}")[:20]))
             for _id, _code, title, text in texts]
    codes = sorted(departments)
    pool = [departments[c].pk for c in codes for _ in range(6 if c == BUSIEST else 1)]
    rates: dict = defaultdict(lambda: defaultdict(int))
    weekly: dict = defaultdict(int)  # (week, text index) -> requests
    hour, day = dt.timedelta(hours=1), dt.timedelta(days=1)
    month_cache: dict = {}

    def month_week(moment: dt.datetime) -> tuple[dt.date, dt.date]:
        # the time zones the platform runs in have whole-hour offsets: one lookup per hour
        hour_key = (moment.year, moment.month, moment.day, moment.hour)
        if hour_key not in month_cache:
            local = timezone.localtime(moment).date()
            month_cache[hour_key] = (local.replace(day=1),
                                     local - dt.timedelta(days=local.weekday()))
        return month_cache[hour_key]

    def rows():
        for n in range(count):
            enterprise_id, town = enterprises[rng.randrange(len(enterprises))]
            index = rng.randrange(len(texts))
            category_id, _code, title, text = texts[index]
            department_id = pool[rng.randrange(len(pool))]
            channel = CHANNELS[rng.randrange(len(CHANNELS))]
            running = (n > count * 0.985 and rng.random() < 0.9) or rng.random() < 0.002
            handling = rng.random() < 0.6
            created = start + dt.timedelta(seconds=span * (n / count))
            if running and not handling:  # waiting to be signed: received in the last hours
                created = now - dt.timedelta(seconds=rng.randrange(1, 3 * 3600))
            if created > now:
                created = now
            sign_due = created + SIGN_LIMIT
            due = created + HANDLING_LIMITS[rng.randrange(len(HANDLING_LIMITS))]
            month, week = month_week(created)
            weekly[(week, index)] += 1
            tally = rates[(month, department_id, town, category_id)]
            tally["received"] += 1
            if running:
                if handling:
                    signed = min(created + dt.timedelta(minutes=rng.randint(5, 110)), now)
                    late = due < now
                    tally["sign_total"] += 1
                    tally["sign_timely"] += 1
                    tally["done_total"] += late  # the overdue sweep counts a missed limit
                    yield (enterprise_id, town, category_id, "help", False, channel, title,
                           text, Status.HANDLING, department_id, department_id, "rule", [],
                           created, sign_due, signed, due, due, None, None,
                           "red" if late else "", True, late, "", "", None, 0, "", "",
                           created, signed, True)
                else:
                    late = sign_due < now
                    tally["sign_total"] += late
                    yield (enterprise_id, town, category_id, "help", False, channel, title,
                           text, Status.ASSIGNED, department_id, None, "rule", [], created,
                           sign_due, None, due, sign_due, None, None, "red" if late else "",
                           late, False, "", "", None, 0, "", "", created, created, True)
                continue
            signed = created + dt.timedelta(minutes=rng.randint(5, 180))
            replied = signed + hour * rng.randint(2, 200)
            closed = replied + day * rng.randint(0, 3)
            rating, rated_at = "", None
            if rng.random() < 0.85:
                draw = rng.random()
                rating = next(name for name, upto in RATINGS if draw < upto)
                rated_at = closed
                tally["rated"] += 1
                tally[rating] += 1
            tally["sign_total"] += 1
            tally["sign_timely"] += signed <= sign_due
            tally["done_total"] += 1
            tally["done_timely"] += replied <= due
            yield (enterprise_id, town, category_id, "help", False, channel, title, text,
                   Status.CLOSED, department_id, department_id, "rule", [], created, sign_due,
                   signed, due, None, replied, closed, "", True, True, "已办理，答复企业。",
                   rating, rated_at, 0, "", "", created, closed, True)

    with transaction.atomic(), indexes_deferred(ServiceRequest):
        written = write_rows(ServiceRequest, COLUMNS, rows())
        counters.counters_add({k: dict(v) for k, v in rates.items()})
        topics: dict = defaultdict(int)
        for (week, index), n in weekly.items():
            topics[(week, "category", texts[index][1])] += n
            for term in terms[index]:
                topics[(week, "term", term[:64])] += n
        _topics_add(topics)
    return written


def write_rows(model: type[models.Model], fields: Sequence[str],
               rows: Iterable[Sequence]) -> int:
    """Insert ``rows`` (tuples in the order of ``fields``): ``COPY … FROM STDIN`` on
    PostgreSQL, ``core.bulk.insert_rows`` elsewhere. Returns the number of rows."""
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    if connection.vendor == "sqlite":
        return _sqlite_rows(model, concrete, rows)
    if connection.vendor != "postgresql":
        return insert_rows(model, fields, rows, batch_size=5000)
    json_columns = [i for i, f in enumerate(concrete) if isinstance(f, models.JSONField)]
    q = connection.ops.quote_name
    sql = (f"COPY {q(meta.db_table)} ({', '.join(q(f.column) for f in concrete)}) "
           "FROM STDIN")
    count = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            if json_columns:
                row = list(row)
                for i in json_columns:
                    row[i] = json.dumps(row[i], ensure_ascii=False)
            copy.write_row(row)
            count += 1
    return count


def _sqlite_rows(model: type[models.Model], concrete: list, rows: Iterable[Sequence]) -> int:
    """``executemany`` with values adapted as Django's SQLite backend stores them (UTC
    datetimes as naive ``YYYY-MM-DD HH:MM:SS[.ffffff]`` text, dates ISO, JSON as text), with
    a fast path for the UTC datetimes the loader makes (``core.bulk`` spends most of a
    million-row load in ``adapt_datetimefield_value``)."""
    ops = connection.ops
    utc = dt.timezone.utc

    def stamp(value):
        if value is None:
            return None
        if value.tzinfo is utc:
            return str(value.replace(tzinfo=None))
        return ops.adapt_datetimefield_value(value)

    adapters = []
    for i, field in enumerate(concrete):
        if isinstance(field, models.JSONField):
            adapters.append((i, lambda v: json.dumps(v, ensure_ascii=False)))
        elif isinstance(field, models.DateTimeField):
            adapters.append((i, stamp))
        elif isinstance(field, models.DateField):
            adapters.append((i, lambda v: None if v is None else v.isoformat()))
    q = ops.quote_name
    sql = (f"INSERT INTO {q(model._meta.db_table)} "
           f"({', '.join(q(f.column) for f in concrete)}) "
           f"VALUES ({', '.join(['?'] * len(concrete))})")

    def adapted():
        for row in rows:
            row = list(row)
            for i, adapt in adapters:
                row[i] = adapt(row[i])
            yield row

    count = 0
    batch: list = []
    with connection.cursor() as cursor:
        raw = cursor.cursor  # sqlite3's own cursor: executemany in C, ? placeholders
        for row in adapted():
            batch.append(row)
            if len(batch) >= 10000:
                raw.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            raw.executemany(sql, batch)
            count += len(batch)
    return count


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """``(name, CREATE statement)`` of the table's indexes that no constraint owns (the
    primary key and unique constraints stay)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                           "AND tbl_name = %s AND sql IS NOT NULL ORDER BY name", [table])
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
                "JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid "
                "WHERE t.relname = %s AND t.relnamespace = current_schema()::regnamespace "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
                " ORDER BY i.relname", [table])
        else:
            return []
        return list(cursor.fetchall())


@contextmanager
def indexes_deferred(model: type[models.Model]) -> Iterator[list[str]]:
    """Drop ``model``'s secondary indexes for a bulk load and rebuild them afterwards (run
    inside the load's transaction: if the load fails, the drop is rolled back with it).
    Yields the names of the indexes dropped."""
    indexes = _secondary_indexes(model._meta.db_table)
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        for name, _sql in indexes:
            cursor.execute(f"DROP INDEX {q(name)}")
    yield [name for name, _sql in indexes]
    with connection.cursor() as cursor:
        postgres = connection.vendor == "postgresql"
        if postgres:  # run the deferred foreign-key checks now: no CREATE INDEX while pending
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _name, sql in indexes:
            cursor.execute(sql)
        if postgres:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")  # Django's default again
        if connection.vendor == "postgresql":  # fresh statistics for the planner
            cursor.execute(f"ANALYZE {q(model._meta.db_table)}")


def _topics_add(topics: dict) -> None:
    """Add counts to the topic rows (existing rows grow, as ``counters.topics_add`` does)."""
    existing = {}
    weeks = sorted({w for w, _k, _key in topics})
    if weeks:
        existing = {(r.week, r.kind, r.key): r for r in TopicCounter.objects.filter(
            week__gte=weeks[0], week__lte=weeks[-1])}
    new, changed = [], []
    for key, n in topics.items():
        if key in existing:
            existing[key].count += n
            changed.append(existing[key])
        else:
            new.append((key[0], key[1], key[2], n))
    write_rows(TopicCounter, ["week", "kind", "key", "count"], new)
    TopicCounter.objects.bulk_update(changed, ["count"], batch_size=1000)


def rates_from_rows() -> dict[tuple, dict[str, int]]:
    """The rate counters recounted the naive way, one grouped query over every request row,
    keyed as ``RateCounter`` rows (month received, department id or 0, town, category id)
    with zero counts left out (as ``selectors.counters_stored``). Equal to the stored counters
    for requests loaded here (the services key later steps by the month they happen in)."""
    timely_sign = Q(sign_counted=True, signed_at__isnull=False, signed_at__lte=F("sign_due_at"))
    timely_done = Q(done_counted=True, replied_at__isnull=False, replied_at__lte=F("due_at"))
    grouped = (ServiceRequest.objects
               .annotate(month=TruncMonth("created_at", output_field=DateField()))
               .values("month", "department_id", "town", "category_id")
               .annotate(received=Count("id"),
                         sign_total=Count("id", filter=Q(sign_counted=True)),
                         sign_timely=Count("id", filter=timely_sign),
                         done_total=Count("id", filter=Q(done_counted=True)),
                         done_timely=Count("id", filter=timely_done),
                         rated=Count("id", filter=~Q(rating="")),
                         satisfied=Count("id", filter=Q(rating="satisfied")),
                         basic=Count("id", filter=Q(rating="basic")),
                         unsatisfied=Count("id", filter=Q(rating="unsatisfied")),
                         reopened=Sum("reopen_count"))
               .order_by())
    out: dict = {}
    for g in grouped:
        key = (g["month"], g["department_id"] or 0, g["town"], g["category_id"])
        values = {f: int(g[f] or 0) for f in RateCounter.FIELDS if g[f]}
        if values:
            row = out.setdefault(key, {})
            for name, n in values.items():
                row[name] = row.get(name, 0) + n
    return out
