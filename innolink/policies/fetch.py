"""Database rows into the rules engine's inputs.

``registry_columns(year)`` reads the whole registry (or a set of enterprise ids) in three
queries (enterprises, tags, the policy year's and the year before's indicators) and hands the
rows to the engine as columns (``population_from_columns``, the engine's one conversion) without
building a dict per enterprise: the queries run on a plain cursor (no per-row model or
``values_list`` machinery), the JSON indicator values of a chunk of rows are decoded by one
``json.loads`` call, and the decimal strings are converted column by column. It is the cold
build of the scan's population; ``innolink/policies/snapshot.py`` keeps a stored copy current.

``records_for(year)`` builds the per-enterprise records (the engine's documented record shape)
for one enterprise's page and explanation; ``population_for`` is the cold columnar build.
``rules_registry()`` loads the rule files once per change of the files and registers the
registry's indicator definitions first, so a new indicator row is usable in rules without code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import threading
from itertools import compress, repeat
from operator import sub
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from django.core.exceptions import EmptyResultSet
from django.db import connection

from innolink.engines.rules import (
    DEFAULT_RULESETS_DIR,
    Population,
    Registry,
    load_registry,
)
from innolink.engines.rules.population import population_from_columns
from innolink.engines.rules import fields as rule_fields
from innolink.enterprises.models import Enterprise, EnterpriseTag, EnterpriseYear, IndicatorDefinition

_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "registry": None}


def rulesets_dir() -> Path:
    return Path(DEFAULT_RULESETS_DIR)


def _files_key(directory: Path) -> tuple:
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                        for p in directory.glob("*.yaml")))


def register_indicators() -> None:
    for code, kind, unit, name in IndicatorDefinition.objects.values_list("code", "kind", "unit",
                                                                         "name"):
        if code not in rule_fields.INDICATORS:
            rule_fields.register_indicator(code, kind, unit, name)


def _published_key() -> tuple:
    from innolink.policies.models import PolicyRevision

    return tuple(PolicyRevision.objects.filter(status=PolicyRevision.Status.PUBLISHED)
                 .order_by("code").values_list("code", "id"))


def rules_registry(directory: Path | None = None) -> Registry:
    """The loaded rules: the shipped rule files, each replaced by the revision an officer
    published for it (and the policies officers created in the browser) — ADR 0150. Reloaded
    only when a rule file changes or a revision is published."""
    directory = Path(directory or rulesets_dir())
    key = (str(directory), _files_key(directory), _published_key())
    with _lock:
        if _cache["key"] != key:
            register_indicators()
            _cache["registry"] = _load(directory)
            _cache["key"] = key
        return _cache["registry"]


def _published_texts() -> dict[str, tuple[int, str]]:
    from innolink.policies.models import PolicyRevision

    return {code: (number, text) for code, number, text in PolicyRevision.objects.filter(
        status=PolicyRevision.Status.PUBLISHED).values_list("code", "number", "text")}


def _load(directory: Path) -> Registry:
    from innolink.policies.authoring import load_draft

    base = load_registry(directory)
    published = _published_texts()
    if not published:
        return base
    policies = []
    for policy in base.policies:
        if policy.id in published:
            number, text = published.pop(policy.id)
            policies.append(replace(load_draft(text, file=f"{policy.id}#r{number}"), file=policy.file))
        else:
            policies.append(policy)
    for code, (number, text) in sorted(published.items()):
        policies.append(load_draft(text, file=f"{code}#r{number}"))
    return Registry(tuple(policies))


def rule_texts(registry: Registry, directory: Path | None = None) -> dict[str, str]:
    """Each policy's rule text as the registry read it: the published revision (with its
    defaults filled in) or the shipped file."""
    from innolink.policies.authoring import effective_text

    directory = Path(directory or rulesets_dir())
    published = _published_texts()
    out = {}
    for policy in registry.policies:
        if policy.id in published:
            out[policy.id] = effective_text(published[policy.id][1])
        elif policy.file and (directory / policy.file).exists():
            out[policy.id] = (directory / policy.file).read_text(encoding="utf-8")
        else:
            out[policy.id] = ""
    return out


def records_for(year: int, enterprise_ids: Iterable[int] | None = None
                ) -> tuple[list[int], list[dict[str, Any]]]:
    """(enterprise ids, engine records) in registry id order, for ``year`` and the year before."""
    enterprises = Enterprise.objects.order_by("id")
    tags = EnterpriseTag.objects.all()
    years = EnterpriseYear.objects.filter(year__in=(year, year - 1))
    if enterprise_ids is not None:
        ids = list(enterprise_ids)
        enterprises = enterprises.filter(id__in=ids)
        tags = tags.filter(enterprise_id__in=ids)
        years = years.filter(enterprise_id__in=ids)
    order: list[int] = []
    records: dict[int, dict[str, Any]] = {}
    for pk, code, name, town, industry, ownership, founded, size in enterprises.values_list(
            "id", "credit_code", "name", "town", "industry_code", "ownership", "founded_on",
            "size_class").iterator(chunk_size=20_000):
        order.append(pk)
        records[pk] = {
            "credit_code": code, "name": name, "town": town or None,
            "industry_code": industry or None, "ownership": ownership or None,
            "founded_on": founded, "size_class": size or None, "tags": [],
            "high_tech_cert_date": None, "high_tech_first_cert": None, "indicators": {},
        }
    for enterprise_id, tag, certified_on, first in tags.values_list(
            "enterprise_id", "tag", "certified_on", "first_certified").iterator(chunk_size=20_000):
        record = records.get(enterprise_id)
        if record is None:
            continue
        record["tags"].append(tag)
        if tag == "high_tech":
            record["high_tech_cert_date"] = certified_on
            record["high_tech_first_cert"] = first
    for enterprise_id, y, values in years.values_list("enterprise_id", "year", "values").iterator(
            chunk_size=20_000):
        record = records.get(enterprise_id)
        if record is not None:
            record["indicators"][y] = values
    return order, [records[pk] for pk in order]


CHUNK = 20_000


@dataclass(frozen=True)
class RegistryColumns:
    """A columnar read of the registry for one policy year.

    ``ids``: enterprise ids in ascending order (row ``i`` of ``population`` is ``ids[i]``).
    ``tag_rows`` / ``year_rows``: (row id, enterprise id) of the ``EnterpriseTag`` rows and the
    ``EnterpriseYear`` rows of the two years that went in, each sorted by row id; the snapshot
    uses them to notice deleted rows.
    ``stamps`` (when asked for): the ``updated_at`` of each row as read, in microseconds since
    1970 UTC (``stamp_micros``), aligned with ``ids``, ``tag_rows`` and ``year_rows``; each stamp
    comes from the same query as the row's values, so it is the stamp of the version read.
    """

    year: int
    ids: np.ndarray
    population: Population
    tag_rows: tuple[np.ndarray, np.ndarray]
    year_rows: tuple[np.ndarray, np.ndarray]
    stamps: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


def _rows(queryset, fields: tuple[str, ...]):
    """The rows of ``queryset.values_list(*fields)`` from a plain cursor, in chunks: the SQL is
    the ORM's, the per-value Python work of the ORM is skipped (dates still arrive as dates from
    both backends; booleans may arrive as 0/1 on SQLite; JSON arrives as text or decoded)."""
    try:
        sql, params = queryset.values_list(*fields).query.sql_with_params()
    except EmptyResultSet:  # e.g. no enterprise ids asked for
        return
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            yield rows


def _pairs(row_ids: np.ndarray, owners: np.ndarray, stamps: np.ndarray | None = None):
    """(row ids, owners) sorted by row id, and the stamps in that order (or ``None``)."""
    order = np.argsort(row_ids, kind="stable")
    return (row_ids[order].astype(np.int64), owners[order].astype(np.int64)), (
        None if stamps is None else stamps[order])


_EPOCH = dt.datetime(1970, 1, 1)
_EPOCH_UTC = _EPOCH.replace(tzinfo=dt.timezone.utc)
_MICRO = dt.timedelta(microseconds=1)


def stamp_micros(values) -> np.ndarray:
    """``updated_at`` values as a plain cursor returns them (naive UTC datetimes on SQLite, aware
    ones on PostgreSQL) to int64 microseconds since 1970 UTC, exactly (no float)."""
    values = list(values)
    first = next((v for v in values if v is not None), None)
    epoch = _EPOCH if first is None or first.tzinfo is None else _EPOCH_UTC
    if first is None or None in values:
        return np.array([np.iinfo(np.int64).min if v is None else (v - epoch) // _MICRO for v in values],
                        dtype=np.int64).reshape(len(values))
    return np.fromiter(map(dt.timedelta.__floordiv__, map(sub, values, repeat(epoch)), repeat(_MICRO)),
                       dtype=np.int64, count=len(values))


def _decode(chunk: tuple[Any, ...]) -> list[dict[str, Any]]:
    """A chunk of JSON texts (or already decoded values) to dicts, with one ``json.loads``."""
    if all(type(v) is str for v in chunk):
        return json.loads("[" + ",".join(chunk) + "]")
    return [json.loads(v) if isinstance(v, str) else v for v in chunk]


@contextlib.contextmanager
def _collector_paused():
    """The read allocates millions of objects that all survive until the arrays are built; the
    cyclic collector would traverse them again and again (a third of the read's CPU time at
    100,000 enterprises). Nothing here makes reference cycles, so it is paused meanwhile."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def registry_columns(year: int, enterprise_ids: Iterable[int] | None = None, *,
                     stamps: bool = False) -> RegistryColumns:
    """The engine's population for ``year`` from three queries, without a dict per enterprise;
    with ``stamps``, each row's ``updated_at`` too (the snapshot's)."""
    with _collector_paused():
        return _registry_columns(year, enterprise_ids, stamps)


def _registry_columns(year: int, enterprise_ids: Iterable[int] | None, stamps: bool = False) -> RegistryColumns:
    enterprises = Enterprise.objects.order_by("id")
    tags = EnterpriseTag.objects.order_by()
    years = EnterpriseYear.objects.filter(year__in=(year, year - 1)).order_by()
    if enterprise_ids is not None:
        wanted = sorted(set(enterprise_ids))
        enterprises = enterprises.filter(id__in=wanted)
        tags = tags.filter(enterprise_id__in=wanted)
        years = years.filter(enterprise_id__in=wanted)
    stamp = ("updated_at",) if stamps else ()
    columns: list[list[Any]] = [[] for _ in range(8 + len(stamp))]
    for rows in _rows(enterprises, ("id", "credit_code", "name", "town", "industry_code", "ownership",
                                    "founded_on", "size_class", *stamp)):
        for column, values in zip(columns, zip(*rows)):
            column.extend(values)
    pk, code, name, town, industry, ownership, founded, size = columns[:8]
    ids = np.array(pk, dtype=np.int64)
    n = len(ids)

    def positions(enterprise_ids) -> tuple[np.ndarray, np.ndarray]:
        """Positions in ``ids`` of these enterprise ids, and which of them are there at all (a
        row whose enterprise appeared after the first query is left for the next read)."""
        wanted = np.array(enterprise_ids, dtype=np.int64)
        at = np.minimum(np.searchsorted(ids, wanted), max(n - 1, 0))
        found = (ids[at] == wanted) if n else np.zeros(len(wanted), bool)
        return at, found

    tag_parts: list[tuple] = []
    cert_date: list[Any] = [None] * n
    first_cert: list[Any] = [None] * n
    for rows in _rows(tags, ("id", "enterprise_id", "tag", "certified_on", "first_certified", *stamp)):
        row_id, owner, tag, certified_on, first, *when = zip(*rows)
        at, found = positions(owner)
        tag_parts.append((np.array(row_id, np.int64)[found], at[found], list(compress(tag, found)),
                          stamp_micros(when[0])[found] if stamps else None))
        for k in (k for k, t in enumerate(tag) if t == "high_tech" and found[k]):
            cert_date[at[k]] = certified_on[k]
            first_cert[at[k]] = None if first[k] is None else bool(first[k])
    tag_ids, tag_at = (np.concatenate([p[i] for p in tag_parts]) if tag_parts else np.empty(0, np.int64)
                       for i in (0, 1))
    tag_names = [name for p in tag_parts for name in p[2]]
    year_parts: list[tuple] = []
    for rows in _rows(years, ("id", "enterprise_id", "year", "values", *stamp)):
        row_id, owner, row_year, values, *when = zip(*rows)
        at, found = positions(owner)
        decoded = _decode(values)
        row_year = np.array(row_year, np.int64)
        year_parts.append((np.array(row_id, np.int64)[found], np.array(owner, np.int64)[found],
                           {y: (at[found & (row_year == y)], list(compress(decoded, found & (row_year == y))))
                            for y in (year, year - 1)},
                           stamp_micros(when[0])[found] if stamps else None))
    indicators = {}
    for y in (year, year - 1):
        where = np.concatenate([p[2][y][0] for p in year_parts]) if year_parts else np.empty(0, np.int64)
        dicts = [d for p in year_parts for d in p[2][y][1]]
        keys = set().union(*dicts) if dicts else set()
        indicators[y] = (where, {key: list(map(dict.get, dicts, repeat(key))) for key in keys})
    population = population_from_columns(
        year, credit_code=code, name=name,
        town=[v or None for v in town], industry_code=[v or None for v in industry],
        ownership=[v or None for v in ownership], size_class=[v or None for v in size],
        founded_on=founded, high_tech_cert_date=cert_date, high_tech_first_cert=first_cert,
        tags=(tag_at, tag_names), indicators=indicators,
    )
    year_ids, year_owner = (np.concatenate([p[i] for p in year_parts]) if year_parts
                            else np.empty(0, np.int64) for i in (0, 1))

    def joined(parts: list[tuple], i: int) -> np.ndarray | None:
        if not stamps:
            return None
        return np.concatenate([p[i] for p in parts]) if parts else np.empty(0, np.int64)

    tag_rows, tag_stamps = _pairs(tag_ids, ids[tag_at], joined(tag_parts, 3))
    year_rows, year_stamps = _pairs(year_ids, year_owner, joined(year_parts, 3))
    return RegistryColumns(year=year, ids=ids, population=population, tag_rows=tag_rows, year_rows=year_rows,
                           stamps=(stamp_micros(columns[8]), tag_stamps, year_stamps) if stamps else None)


def population_for(year: int, enterprise_ids: Iterable[int] | None = None
                   ) -> tuple[list[int], Population]:
    """The cold build: (enterprise ids in id order, their population), in three queries."""
    read = registry_columns(year, enterprise_ids)
    return read.ids.tolist(), read.population


def record_for(enterprise_id: int, year: int) -> dict[str, Any] | None:
    _ids, records = records_for(year, [enterprise_id])
    return records[0] if records else None


def record_with_declared(enterprise_id: int, year: int
                         ) -> tuple[dict[str, Any] | None, dict[tuple[str, int], str]]:
    """One enterprise's record for its own answer: the registry's values, with the gaps filled
    by the figures the enterprise declared itself (``DeclaredFact``; the registry wins where it
    has a value). Returns the record and the declared values used, ``{(code, year): value}``."""
    from innolink.policies.models import DeclaredFact

    record = record_for(enterprise_id, year)
    used: dict[tuple[str, int], str] = {}
    if record is None:
        return None, used
    for code, fact_year, value in DeclaredFact.objects.filter(
            enterprise_id=enterprise_id, year__lte=year).values_list("code", "year", "value"):
        if code not in rule_fields.INDICATORS:
            continue
        values = record["indicators"].setdefault(fact_year, {})
        if values.get(code) is None:
            values[code] = value
            used[(code, fact_year)] = value
    return record, used
