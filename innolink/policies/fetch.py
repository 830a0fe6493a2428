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
from django.db.models import Count, Max, Min

from innolink.engines.rules import (
    DEFAULT_RULESETS_DIR,
    Population,
    Registry,
    load_registry,
)
from innolink.engines.rules.model import Needs, registry_needs
from innolink.engines.rules.population import population_from_columns
from innolink.engines.rules import fields as rule_fields
from innolink.enterprises.models import (
    Enterprise, EnterpriseItem, EnterpriseTag, EnterpriseYear, IndicatorDefinition, ItemKind, QualificationType,
)
from innolink.enterprises.reference import industry_label

# Explanations name an industry code as an enterprise reads it (「C26 化学原料和化学制品制造业」).
rule_fields.register_code_names("industry_code", industry_label)

_lock = threading.Lock()
_cache: dict[str, Any] = {"key": None, "registry": None}


def rulesets_dir() -> Path:
    return Path(DEFAULT_RULESETS_DIR)


def _files_key(directory: Path) -> tuple:
    return tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size)
                        for p in directory.glob("*.yaml")))


def register_indicators() -> None:
    """Register the registry's catalogue (indicators, qualification types, item kinds) with the
    rules engine (kept for callers of the former name)."""
    register_catalogue()


def catalogue_key() -> tuple:
    """Changes whenever an officer changes an indicator, a qualification type or an item kind
    (three small queries)."""
    indicators = tuple(IndicatorDefinition.objects.order_by("code").values_list("code", "kind", "unit", "levels"))
    indicators = tuple((c, k, u, tuple(lv or ())) for c, k, u, lv in indicators)
    quals = QualificationType.objects.aggregate(n=Count("code"), at=Max("updated_at"))
    items = ItemKind.objects.aggregate(n=Count("code"), at=Max("updated_at"))
    return (indicators, quals["n"], str(quals["at"]), items["n"], str(items["at"]))


def register_catalogue() -> None:
    """Make the registry's rows the rules engine's catalogue (the built-in indicators stay)."""
    rule_fields.replace_catalogue(
        indicators=[(c, k, u, n, lv or None) for c, k, u, n, lv in
                    IndicatorDefinition.objects.values_list("code", "kind", "unit", "name", "levels")],
        qualifications=list(QualificationType.objects.order_by("order", "code").values(
            "code", "name", "levels", "issuer", "validity_years", "renewal_is_new")),
        items=[(kind.code, kind.name, dict(kind.facts_in_order))  # facts in their declared order
               for kind in ItemKind.objects.order_by("order", "code").only("code", "name", "facts")],
    )


def _published_key() -> tuple:
    from innolink.policies.models import PolicyRevision

    return tuple(PolicyRevision.objects.filter(status=PolicyRevision.Status.PUBLISHED)
                 .order_by("code").values_list("code", "id"))


def rules_registry(directory: Path | None = None) -> Registry:
    """The loaded rules: the shipped rule files, each replaced by the revision an officer
    published for it (and the policies officers created in the browser) — ADR 0150. Reloaded
    only when a rule file changes, a revision is published or the registry's catalogue
    (indicators, qualification types, item kinds) changes."""
    directory = Path(directory or rulesets_dir())
    key = (str(directory), _files_key(directory), catalogue_key(), _published_key())
    with _lock:
        if _cache["key"] != key:
            register_catalogue()
            _cache["registry"] = _load(directory)
            _cache["key"] = key
        return _cache["registry"]


def history_from() -> int | None:
    """The registry's first year of data (the first year on record for "首次" conditions)."""
    return EnterpriseYear.objects.aggregate(first=Min("year"))["first"]


@dataclass(frozen=True)
class Reading:
    """What one policy year's population reads: the years of indicators (and which indicators
    from the years before the last two), the item kinds and their years, the first year on
    record."""

    year: int
    years: tuple[int, ...]
    old_indicators: frozenset[str]  # indicators read for years before year - 1
    items: dict[str, int]  # kind -> years of items
    history_from: int

    @property
    def key(self) -> list:
        return [list(self.years), sorted(self.old_indicators), sorted(self.items.items()), self.history_from]


_needs_cache: dict[tuple[int, int], Needs] = {}


def _needs(registry: Registry, year: int) -> Needs:
    """The rules' needs for a year, cached per loaded registry (a new registry is a new object)."""
    key = (id(registry), year)
    hit = _needs_cache.get(key)
    if hit is None or _needs_cache.get(("registry", id(registry))) is not registry:  # type: ignore[comparison-overlap]
        if len(_needs_cache) > 64:
            _needs_cache.clear()
        hit = _needs_cache[key] = registry_needs(registry, year)
        _needs_cache[("registry", id(registry))] = registry  # type: ignore[index]
    return hit


def reading(year: int, registry: Registry | None = None, needs: Needs | None = None) -> Reading:
    needs = needs or _needs(registry or rules_registry(), year)
    first = year - 1
    if needs.all_history:  # only "首次" reads the first year on record (one more query)
        found = history_from()
        first = year - 1 if found is None or found > year - 1 else found
    earliest = min([year - 1] + [year + offset for offset in needs.depth.values()])
    if needs.all_history:
        earliest = min(earliest, first)
    old = {name for name, offset in needs.depth.items() if offset < -1} | set(needs.all_history)
    return Reading(year, tuple(range(earliest, year + 1)), frozenset(old), dict(needs.items), first)


def payment_rows(enterprise_ids: Iterable[int] | None = None) -> list[tuple[int, str, str, int, Any]]:
    """(enterprise id, family, policy code, policy year, net amount yuan) of every commitment in
    the ledger (approved awards, net of reversals), per family, policy and year."""
    from django.db.models import Sum

    from innolink.policies.models import LedgerEntry

    rows = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.COMMITMENT, application__isnull=False)
    if enterprise_ids is not None:
        rows = rows.filter(enterprise_id__in=list(enterprise_ids))
    return list(rows.values_list("enterprise_id", "application__clause__family",
                                 "application__clause__version__policy__code", "application__year")
                .annotate(total=Sum("amount")).order_by())


def _item_facts(kind: str) -> tuple[str, ...]:
    spec = rule_fields.ITEMS.get(kind)
    return tuple(spec.facts) if spec else ()


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
    """(enterprise ids, engine records) in registry id order: attributes, certifications, the
    indicators of the years the rules read, items and payments."""
    read = reading(year)
    enterprises = Enterprise.objects.order_by("id")
    tags = EnterpriseTag.objects.all()
    years = EnterpriseYear.objects.filter(year__in=read.years)
    items = EnterpriseItem.objects.filter(kind__in=list(read.items), year__lte=year)
    ids = None
    if enterprise_ids is not None:
        ids = list(enterprise_ids)
        enterprises = enterprises.filter(id__in=ids)
        tags = tags.filter(enterprise_id__in=ids)
        years = years.filter(enterprise_id__in=ids)
        items = items.filter(enterprise_id__in=ids)
    order: list[int] = []
    records: dict[int, dict[str, Any]] = {}
    for pk, code, name, town, industry, ownership, founded, size in enterprises.values_list(
            "id", "credit_code", "name", "town", "industry_code", "ownership", "founded_on",
            "size_class").iterator(chunk_size=20_000):
        order.append(pk)
        records[pk] = {
            "credit_code": code, "name": name, "town": town or None,
            "industry_code": industry or None, "ownership": ownership or None,
            "founded_on": founded, "size_class": size or None, "qualifications": [],
            "indicators": {}, "items": {}, "payments": [],
        }
    known = rule_fields.QUALIFICATIONS
    for enterprise_id, tag, level, certified_on, expires_on, first in tags.values_list(
            "enterprise_id", "tag", "level", "certified_on", "expires_on", "first_certified").iterator(chunk_size=20_000):
        record = records.get(enterprise_id)
        if record is not None and tag in known:
            record["qualifications"].append({"type": tag, "level": level or None, "certified_on": certified_on,
                                             "expires_on": expires_on, "first": first})
    for enterprise_id, y, values in years.values_list("enterprise_id", "year", "values").iterator(chunk_size=20_000):
        record = records.get(enterprise_id)
        if record is not None:
            if y < year - 1:
                values = {k: v for k, v in values.items() if k in read.old_indicators}
            record["indicators"][y] = values
    for enterprise_id, kind, y, key, label, facts in items.values_list(
            "enterprise_id", "kind", "year", "key", "label", "facts").iterator(chunk_size=20_000):
        record = records.get(enterprise_id)
        if record is not None and y > year - read.items.get(kind, 1) and kind in rule_fields.ITEMS:
            wanted = _item_facts(kind)
            record["items"].setdefault(kind, []).append(
                {"key": key, "label": label, "year": y, **{k: v for k, v in facts.items() if k in wanted}})
    for enterprise_id, family, policy, y, total in payment_rows(ids):
        record = records.get(enterprise_id)
        if record is not None and total:
            record["payments"].append({"family": family, "policy": policy, "year": y, "amount": total})
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
    1970 UTC (``stamp_micros``), aligned with ``ids``, ``tag_rows``, ``year_rows`` and
    ``item_rows``; each stamp comes from the same query as the row's values, so it is the stamp
    of the version read. ``item_rows``: (row id, enterprise id) of the ``EnterpriseItem`` rows
    that went in. ``ledger_max_id``: the newest ledger entry of the payments read.
    """

    year: int
    ids: np.ndarray
    population: Population
    tag_rows: tuple[np.ndarray, np.ndarray]
    year_rows: tuple[np.ndarray, np.ndarray]
    stamps: tuple[np.ndarray, ...] | None = None  # enterprises, tag rows, year rows, item rows
    item_rows: tuple[np.ndarray, np.ndarray] = (np.empty(0, np.int64), np.empty(0, np.int64))
    ledger_max_id: int = 0  # the newest ledger entry read (entries are never changed or deleted)


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
                     stamps: bool = False, read: Reading | None = None) -> RegistryColumns:
    """The engine's population for ``year`` without a dict per enterprise; with ``stamps``, each
    row's ``updated_at`` too (the snapshot's). ``read`` says which years, indicators and items
    the rules need (default: the current rules')."""
    read = read or reading(year)
    with _collector_paused():
        return _registry_columns(year, enterprise_ids, stamps, read)


def _registry_columns(year: int, enterprise_ids: Iterable[int] | None, stamps: bool, read: Reading
                      ) -> RegistryColumns:
    from innolink.policies.models import LedgerEntry

    enterprises = Enterprise.objects.order_by("id")
    tags = EnterpriseTag.objects.order_by()
    years = EnterpriseYear.objects.filter(year__in=read.years).order_by()
    items = EnterpriseItem.objects.filter(kind__in=sorted(read.items), year__lte=year,
                                          year__gt=year - max(read.items.values() or [1])).order_by()
    wanted = None
    if enterprise_ids is not None:
        wanted = sorted(set(enterprise_ids))
        enterprises = enterprises.filter(id__in=wanted)
        tags = tags.filter(enterprise_id__in=wanted)
        years = years.filter(enterprise_id__in=wanted)
        items = items.filter(enterprise_id__in=wanted)
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
        wanted_ = np.array(enterprise_ids, dtype=np.int64)
        at = np.minimum(np.searchsorted(ids, wanted_), max(n - 1, 0))
        found = (ids[at] == wanted_) if n else np.zeros(len(wanted_), bool)
        return at, found

    known_types = rule_fields.QUALIFICATIONS
    tag_parts: list[tuple] = []
    q_cols: dict[str, list[Any]] = {k: [] for k in ("type", "level", "certified_on", "expires_on", "first")}
    q_at: list[np.ndarray] = []
    for rows in _rows(tags, ("id", "enterprise_id", "tag", "level", "certified_on", "expires_on", "first_certified",
                             *stamp)):
        row_id, owner, tag, level, certified_on, expires_on, first, *when = zip(*rows)
        at, found = positions(owner)
        tag_parts.append((np.array(row_id, np.int64)[found], at[found],
                          stamp_micros(when[0])[found] if stamps else None))
        use = found & np.fromiter((t in known_types for t in tag), bool, count=len(tag))
        q_at.append(at[use])
        for key, values in (("type", tag), ("level", level), ("certified_on", certified_on),
                            ("expires_on", expires_on), ("first", first)):
            kept = compress(values, use)
            if key == "level":
                kept = (v or None for v in kept)
            elif key == "first":
                kept = (None if v is None else bool(v) for v in kept)
            q_cols[key].extend(kept)
    tag_ids, tag_at = (np.concatenate([p[i] for p in tag_parts]) if tag_parts else np.empty(0, np.int64)
                       for i in (0, 1))
    year_parts: list[tuple] = []
    for rows in _rows(years, ("id", "enterprise_id", "year", "values", *stamp)):
        row_id, owner, row_year, values, *when = zip(*rows)
        at, found = positions(owner)
        decoded = _decode(values)
        row_year = np.array(row_year, np.int64)
        year_parts.append((np.array(row_id, np.int64)[found], np.array(owner, np.int64)[found],
                           {y: (at[found & (row_year == y)], list(compress(decoded, found & (row_year == y))))
                            for y in read.years},
                           stamp_micros(when[0])[found] if stamps else None))
    indicators = {}
    for y in read.years:
        where = np.concatenate([p[2][y][0] for p in year_parts]) if year_parts else np.empty(0, np.int64)
        dicts = [d for p in year_parts for d in p[2][y][1]]
        keys = set().union(*dicts) if dicts else set()
        keys &= set(rule_fields.INDICATORS)
        if y < year - 1:
            keys &= read.old_indicators
        indicators[y] = (where, {key: list(map(dict.get, dicts, repeat(key))) for key in keys})
    item_parts: list[tuple] = []
    item_cols: dict[str, tuple[list[int], dict[str, list[Any]]]] = {}
    for rows in _rows(items, ("id", "enterprise_id", "kind", "year", "key", "label", "facts", *stamp)):
        row_id, owner, kind, row_year, key, label, facts, *when = zip(*rows)
        at, found = positions(owner)
        in_window = np.fromiter((y > year - read.items.get(k, 1) and k in rule_fields.ITEMS
                                 for k, y in zip(kind, row_year)), bool, count=len(kind))
        item_parts.append((np.array(row_id, np.int64)[found], at[found],
                           stamp_micros(when[0])[found] if stamps else None))
        decoded = _decode(facts)
        for k in np.flatnonzero(found & in_window).tolist():
            kind_code = kind[k]
            facts_wanted = _item_facts(kind_code)
            pos, cols = item_cols.setdefault(kind_code, ([], {c: [] for c in ("key", "label", "year", *facts_wanted)}))
            pos.append(int(at[k]))
            cols["key"].append(key[k])
            cols["label"].append(label[k])
            cols["year"].append(int(row_year[k]))
            for fact in facts_wanted:
                cols[fact].append(decoded[k].get(fact))
    payments: tuple[list[int], dict[str, list[Any]]] = ([], {c: [] for c in ("family", "policy", "year", "amount")})
    for enterprise_id, family, policy, y, total in payment_rows(wanted):
        at, found = positions([enterprise_id])
        if found[0] and total:
            payments[0].append(int(at[0]))
            for key, value in (("family", family), ("policy", policy), ("year", y), ("amount", total)):
                payments[1][key].append(value)
    ledger_max = LedgerEntry.objects.aggregate(m=Max("id"))["m"] or 0
    population = population_from_columns(
        year, credit_code=code, name=name,
        town=[v or None for v in town], industry_code=[v or None for v in industry],
        ownership=[v or None for v in ownership], size_class=[v or None for v in size],
        founded_on=founded,
        qualifications=(np.concatenate(q_at).tolist() if q_at else [], q_cols),
        indicators=indicators, items={k: v for k, v in item_cols.items()}
        | {k: ([], {c: [] for c in ("key", "label", "year")}) for k in read.items if k not in item_cols
           and k in rule_fields.ITEMS},
        payments=payments, history_from=read.history_from,
    )
    year_ids, year_owner = (np.concatenate([p[i] for p in year_parts]) if year_parts
                            else np.empty(0, np.int64) for i in (0, 1))
    item_ids, item_at = (np.concatenate([p[i] for p in item_parts]) if item_parts else np.empty(0, np.int64)
                         for i in (0, 1))

    def joined(parts: list[tuple], i: int) -> np.ndarray | None:
        if not stamps:
            return None
        return np.concatenate([p[i] for p in parts]) if parts else np.empty(0, np.int64)

    tag_rows, tag_stamps = _pairs(tag_ids, ids[tag_at], joined(tag_parts, 2))
    year_rows, year_stamps = _pairs(year_ids, year_owner, joined(year_parts, 3))
    item_rows, item_stamps = _pairs(item_ids, ids[item_at], joined(item_parts, 2))
    return RegistryColumns(year=year, ids=ids, population=population, tag_rows=tag_rows, year_rows=year_rows,
                           stamps=(stamp_micros(columns[8]), tag_stamps, year_stamps, item_stamps) if stamps else None,
                           item_rows=item_rows, ledger_max_id=int(ledger_max))


def population_for(year: int, enterprise_ids: Iterable[int] | None = None
                   ) -> tuple[list[int], Population]:
    """The cold build: (enterprise ids in id order, their population), in three queries."""
    read = registry_columns(year, enterprise_ids)
    return read.ids.tolist(), read.population


def record_for(enterprise_id: int, year: int) -> dict[str, Any] | None:
    """One enterprise's engine record for ``year`` (explain it with ``history_from=
    reading(year).history_from`` so "首次" answers match the scan's)."""
    _ids, records = records_for(year, [enterprise_id])
    return records[0] if records else None


def explain_record(record: dict[str, Any], year: int, *, policy_ids: set[str] | None = None):
    """The engine's structured answer (ADR 0130) for one enterprise record and year: the same
    rules, catalogue, history and ledger as a scan."""
    from innolink.engines.rules import explain

    registry = rules_registry()
    return explain(registry, record, year, policy_ids=policy_ids, history_from=reading(year, registry).history_from)


def explain_enterprise(enterprise_id: int, year: int, *, policy_ids: set[str] | None = None):
    """The engine's structured answer (ADR 0130) for one enterprise and year, from the database
    (the registry's values only; an enterprise's own answer also reads the figures it declared,
    see ``record_with_declared``)."""
    record = record_for(enterprise_id, year)
    if record is None:
        return None
    return explain_record(record, year, policy_ids=policy_ids)


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
