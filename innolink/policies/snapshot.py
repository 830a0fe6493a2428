"""The scan's population, kept as a stored columnar snapshot and brought up to date per load.

A cold build of the whole registry (``fetch.registry_columns``) costs seconds at 100,000
enterprises; the scan itself costs hundredths. So the population of a policy year is stored as
an ``.npz`` file of plain arrays (``population_to_arrays``; no pickle) in
``settings.INNOLINK_POLICY_SNAPSHOT_DIR`` (default ``var/cache/policy-population``), and each
load reads it (or this process's copy in memory) and patches only what changed:

- every stored row (enterprise, tag row, yearly row) keeps the ``updated_at`` of the version read
  (its stamp, microseconds; read in the same query as its values). A load lists only ids, owners
  and stamps of the rows with ``updated_at`` since the snapshot's ``as_of`` minus
  ``INNOLINK_POLICY_SNAPSHOT_OVERLAP`` seconds (default 600; a transaction that stamped its rows
  before the last load and committed after it is still listed; transactions and the clock skew
  between writers are assumed shorter than the overlap) and re-reads only the enterprises with a
  row whose stamp, owner or year differs from the stored one, or that is new: a row already read
  at its current version is not read again, however often it is listed;
- deleted rows are found by counting: the snapshot keeps the ids of every enterprise, tag row
  and yearly row it holds, and when a table's count is lower than those ids plus the new
  rows, the ids are compared in full;
- the enterprises re-read by the cold builder are written at their positions into copies of the
  columns that differ (``Population.with_rows``; no array handed out by an earlier load is ever
  written) or, when enterprises were added or removed, spliced in (``concat_populations``), so
  the result equals a cold build of the same registry.

Safety nets: the file name holds a key of the database, the year, the indicator catalogue and
the vocabularies, so a different database or catalogue never uses it; a table whose newest
``updated_at`` is older than the snapshot's (a restored backup) forces a cold build, as does a
snapshot older than ``INNOLINK_POLICY_SNAPSHOT_MAX_AGE`` seconds (default one day; it catches a
writer that changed rows without touching ``updated_at``), a missing or damaged file, or more
than a fifth of the registry (and more than 1,000 enterprises) changed. The file is written
after a cold build and, after patches, only when ``SAVE_AFTER`` enterprises were re-read since
it was written or it is older than ``SAVE_EVERY`` seconds (a new process patches an older file:
the stamps tell it what changed). Files are written to a temporary name and renamed, so a
reader sees a whole old file or a whole new one; two processes saving at once both write
complete files and the later rename wins. The snapshot is a cache (derived data): writing it is
no business change and has no audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection
from django.utils import timezone

from innolink.engines.rules import Population
from innolink.engines.rules import fields as F
from innolink.engines.rules.population import (
    concat_populations,
    population_from_arrays,
    population_to_arrays,
)
from innolink.enterprises.models import Enterprise, EnterpriseItem, EnterpriseTag, EnterpriseYear
from innolink.policies.fetch import Reading, RegistryColumns, _rows, reading, registry_columns, stamp_micros

log = logging.getLogger(__name__)

FORMAT = 3  # 2: per-row stamps (updated_at of the version read); 3: certifications, items, payments, history
#: more changed enterprises than this share of the registry (and than REBUILD_MIN) -> cold build
REBUILD_SHARE = 0.2
REBUILD_MIN = 1000
#: after a patch, the file is rewritten when this many enterprises were re-read since it was
#: written, or when it is older than SAVE_EVERY seconds; otherwise the patched population stays in
#: this process's memory and a new process patches the older file (it re-reads those enterprises:
#: their stamps differ from the file's)
SAVE_AFTER = 2000
SAVE_EVERY = 600
_lock = threading.Lock()
_memory: dict[str, "State"] = {}


@dataclass(frozen=True)
class State:
    """A population with what is needed to bring it up to date."""

    key: str
    read: RegistryColumns
    built_at: dt.datetime  # the cold build this state descends from
    as_of: dt.datetime  # the registry as it was at this time (reads started after it)
    marks: dict[str, list | None]  # newest (updated_at ISO, id) per table when read, for restores
    saved_as_of: dt.datetime | None = None  # as_of of the file this state was last written as
    pending: int = 0  # enterprises re-read since then
    id_tuple: tuple[int, ...] | None = field(default=None, compare=False, repr=False)  # read.ids, cached


def _id_tuple(state: State) -> State:
    """``state`` with its ids as a tuple of ints, built once per distinct id array."""
    return state if state.id_tuple is not None else replace(state, id_tuple=tuple(state.read.ids.tolist()))


@dataclass
class Load:
    """What one load did (for the scan's progress, the bench and tests)."""

    ids: tuple[int, ...]  # enterprise ids in row order (immutable, shared by loads of the same ids)
    population: Population  # never written after it is handed out (the next load copies what it patches)
    source: str  # "memory", "file" or "cold"
    reason: str = ""  # why cold: "missing", "damaged", "key", "old", "restored", "many changes"
    changed: int = 0  # enterprises re-read
    removed: int = 0  # enterprises gone
    saved: bool = False
    timings: dict[str, float] = field(default_factory=dict)


def snapshot_dir() -> Path:
    configured = getattr(settings, "INNOLINK_POLICY_SNAPSHOT_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "cache" / "policy-population"


def _seconds(name: str, default: float) -> dt.timedelta:
    return dt.timedelta(seconds=float(getattr(settings, name, default)))


def snapshot_key(year: int, read: Reading | None = None) -> str:
    """Changes with the database, the year, the format, the catalogue (indicators, qualification
    types and their levels, item kinds and their facts), a vocabulary, what the rules read
    (years, history, items) or the clauses' families (the ledger is read by family)."""
    from innolink.policies.models import PolicyClause

    read = read or reading(year)
    db = connection.settings_dict
    families = sorted(PolicyClause.objects.values_list("id", "family"))
    parts = [FORMAT, year, connection.vendor, str(db.get("NAME")), str(db.get("HOST")), str(db.get("PORT")),
             F.catalogue_signature(), read.key, families,
             {k: list(F.ATTRIBUTES[k].choices) for k in ("town", "ownership", "size_class")}]
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, default=str).encode()).hexdigest()[:20]


def snapshot_path(year: int) -> Path:
    return snapshot_dir() / f"population-{year}-{snapshot_key(year)}.npz"


_TABLES = (("enterprises", Enterprise), ("tags", EnterpriseTag), ("years", EnterpriseYear),
           ("items", EnterpriseItem))


def _marks() -> dict[str, list | None]:
    """The newest ``updated_at`` of each table and that row's id (one indexed lookup each)."""
    out: dict[str, list | None] = {}
    for name, model in _TABLES:
        row = model.objects.order_by("-updated_at", "-id").values_list("updated_at", "id").first()
        out[name] = [row[0].isoformat(), row[1]] if row else None
    return out


def _went_back(before: dict[str, list | None], now: dict[str, list | None]) -> bool:
    """True when a table's newest row is older than the snapshot's newest and that row is still
    there, older: the registry was restored from a backup. (The newest row deleted is no sign.)"""
    for name, model in _TABLES:
        b, n = before.get(name), now.get(name)
        if b and n and dt.datetime.fromisoformat(n[0]) < dt.datetime.fromisoformat(b[0]):
            if model.objects.filter(pk=b[1]).exists():
                return True
    return False


def _cold(year: int, key: str, read: Reading) -> State:
    now = timezone.now()
    marks = _marks()
    return State(key=key, read=registry_columns(year, stamps=True, read=read), built_at=now, as_of=now, marks=marks)


# -- the file ---------------------------------------------------------------------------------


def save(state: State, path: Path | None = None) -> Path:
    """Write ``state`` to its file: a temporary file in the same directory, then a rename."""
    path = path or snapshot_path(state.read.year)
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {"format": FORMAT, "key": state.key, "year": state.read.year,
            "built_at": state.built_at.isoformat(), "as_of": state.as_of.isoformat(), "marks": state.marks,
            "ledger_max_id": state.read.ledger_max_id}
    arrays = population_to_arrays(state.read.population)
    arrays.update({
        "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8),
        "ids": state.read.ids, "stamp": state.read.stamps[0],
        "tag_row_stamp": state.read.stamps[1], "year_row_stamp": state.read.stamps[2],
        "tag_row_id": state.read.tag_rows[0], "tag_row_owner": state.read.tag_rows[1],
        "year_row_id": state.read.year_rows[0], "year_row_owner": state.read.year_rows[1],
        "item_row_stamp": state.read.stamps[3],
        "item_row_id": state.read.item_rows[0], "item_row_owner": state.read.item_rows[1],
    })
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            np.savez(out, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def read(year: int, key: str, path: Path | None = None) -> State:
    """The stored state; ``FileNotFoundError`` when there is none, ``ValueError`` (or another
    exception of numpy's reader) when it is damaged or not this key's."""
    path = path or snapshot_path(year)
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    meta = json.loads(arrays.pop("meta").tobytes())
    if meta.get("format") != FORMAT or meta.get("key") != key or meta.get("year") != year:
        raise ValueError("snapshot of another format, key or year")
    population = population_from_arrays(arrays)
    ids = arrays["ids"].astype(np.int64)
    if ids.shape != (population.size,) or (ids.size and np.any(np.diff(ids) <= 0)):
        raise ValueError("snapshot ids do not match its population")
    stamp = arrays["stamp"].astype(np.int64)
    if stamp.shape != ids.shape:
        raise ValueError("snapshot stamps do not match its ids")
    pairs, stamps = {}, {}
    for name in ("tag_row", "year_row", "item_row"):
        row_id, owner = arrays[f"{name}_id"].astype(np.int64), arrays[f"{name}_owner"].astype(np.int64)
        stamps[name] = arrays[f"{name}_stamp"].astype(np.int64)
        if not (row_id.shape == owner.shape == stamps[name].shape) or (row_id.size and np.any(np.diff(row_id) <= 0)):
            raise ValueError(f"snapshot {name} ids are damaged")
        pairs[name] = (row_id, owner)
    as_of = dt.datetime.fromisoformat(meta["as_of"])
    return State(key=key, read=RegistryColumns(year=year, ids=ids, population=population,
                                               tag_rows=pairs["tag_row"], year_rows=pairs["year_row"],
                                               stamps=(stamp, stamps["tag_row"], stamps["year_row"],
                                                       stamps["item_row"]),
                                               item_rows=pairs["item_row"],
                                               ledger_max_id=int(meta["ledger_max_id"])),
                 built_at=dt.datetime.fromisoformat(meta["built_at"]), as_of=as_of, marks=meta["marks"],
                 saved_as_of=as_of)


# -- bringing a state up to date --------------------------------------------------------------


def _ids(rows) -> np.ndarray:
    return np.fromiter(rows, dtype=np.int64)


def _row_pairs(queryset, fields=("id", "enterprise_id")) -> tuple[np.ndarray, ...]:
    rows = list(queryset.values_list(*fields))
    if not rows:
        return tuple(np.empty(0, np.int64) for _ in fields)
    table = np.array(rows, dtype=np.int64)
    return tuple(table[:, k] for k in range(len(fields)))


def _window(queryset, fields: tuple[str, ...]) -> list[np.ndarray]:
    """The columns of the rows of ``queryset`` (ids, then ``updated_at`` last, as stamps), from a
    plain cursor: only ids and stamps, no model instances."""
    rows = [row for chunk in _rows(queryset.order_by(), fields) for row in chunk]
    if not rows:
        return [np.empty(0, np.int64) for _ in fields]
    columns = list(zip(*rows))
    return [np.array(c, dtype=np.int64) for c in columns[:-1]] + [stamp_micros(columns[-1])]


def _items_read(read: Reading):
    """The item rows the population holds: kinds the rules read, in their years."""
    if not read.items:
        return EnterpriseItem.objects.none()
    return EnterpriseItem.objects.filter(kind__in=sorted(read.items), year__lte=read.year,
                                         year__gt=read.year - max(read.items.values())).order_by()


def _item_belongs(read: Reading, kinds: list[str], years: np.ndarray) -> np.ndarray:
    return np.array([k in read.items and read.year - read.items[k] < y <= read.year for k, y in zip(kinds, years)],
                    dtype=bool).reshape(len(kinds))


def _counts(years: tuple[int, ...], read: Reading) -> tuple[int, int, int, int]:
    """The number of enterprises, tag rows, yearly rows of ``years`` and item rows read. (One
    statement each: on SQLite a top-level ``COUNT(*)`` of a whole table counts index pages; as
    scalar subqueries of one statement they walk every entry, twice as slow.)"""
    return (Enterprise.objects.order_by().count(), EnterpriseTag.objects.order_by().count(),
            EnterpriseYear.objects.order_by().filter(year__in=years).count(),
            _items_read(read).count() if read.items else 0)


def _in(values: np.ndarray, sorted_ids: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in the sorted array ``sorted_ids``."""
    if not sorted_ids.size:
        return np.zeros(values.shape, bool)
    if sorted_ids.size < 4096 and sorted_ids[-1] - sorted_ids[0] < 1 << 24:  # a few ids: a lookup table
        return np.isin(values, sorted_ids, kind="table")
    at = np.minimum(np.searchsorted(sorted_ids, values), sorted_ids.size - 1)
    return sorted_ids[at] == values


def _put(stored: np.ndarray, at: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``stored`` with ``values`` at ``at``: the same array when nothing differs, else a copy
    (an array a previous load handed out is never written)."""
    if np.array_equal(stored[at], values):
        return stored
    out = stored.copy()
    out[at] = values
    return out


def _touched_rows(stored: tuple[np.ndarray, np.ndarray], stored_stamp: np.ndarray,
                  window: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray], count: int,
                  everything) -> tuple[set[int], int]:
    """Enterprises whose rows of one table changed, and how many rows of the window were new
    versions. ``window`` is the row ids, owners, stamps and whether the row belongs in the
    snapshot (e.g. is of the two years) of the rows with a recent ``updated_at``. A row counts as
    changed when it is not stored, or its stamp, owner or belonging differs from the version
    stored; a stored row with the same stamp was read at this version and is skipped. Touched:
    the owner of a changed row that belongs, the former owner of a changed stored row, and, when
    rows are missing by count, the owners of deleted rows (and of rows that appeared without a
    recent ``updated_at``)."""
    stored_id, stored_owner = stored
    row_id, owner, stamp, belongs = window
    known = _in(row_id, stored_id)
    at = np.searchsorted(stored_id, row_id[known])
    same = np.zeros(row_id.shape, bool)
    same[known] = (stored_stamp[at] == stamp[known]) & (stored_owner[at] == owner[known]) & belongs[known]
    changed = ~same
    touched = set(owner[changed & belongs].tolist())
    touched.update(stored_owner[at[changed[known]]].tolist())
    expected = stored_id.size + int((belongs & ~known).sum()) - int((~belongs & known).sum())
    if count != expected:  # rows were deleted (or written without a recent updated_at)
        now_id, now_owner = everything()
        gone = ~_in(stored_id, np.sort(now_id))
        touched.update(stored_owner[gone].tolist())
        new = ~_in(now_id, stored_id)
        touched.update(now_owner[new].tolist())
    return touched, int(changed.sum())


def _patch_rows(stored: tuple[np.ndarray, np.ndarray], stored_stamp: np.ndarray,
                new: tuple[np.ndarray, np.ndarray], new_stamp: np.ndarray, owners: np.ndarray):
    """The stored rows of one table with the rows of ``owners`` (sorted enterprise ids) replaced
    by ``new`` (their rows as re-read, sorted by row id): ((row ids, owners), stamps). When the
    re-read rows are the stored ones (values or stamps changed, no row added, removed or moved)
    the id arrays are kept and only the stamps are written, into a copy."""
    stored_id, stored_owner = stored
    mine = np.flatnonzero(_in(stored_owner, owners))
    if np.array_equal(stored_id[mine], new[0]) and np.array_equal(stored_owner[mine], new[1]):
        return stored, _put(stored_stamp, mine, new_stamp)
    kept = np.ones(stored_id.shape, bool)
    kept[mine] = False
    row_id = np.concatenate([stored_id[kept], new[0]])
    by_id = np.argsort(row_id, kind="stable")
    return ((row_id[by_id], np.concatenate([stored_owner[kept], new[1]])[by_id]),
            np.concatenate([stored_stamp[kept], new_stamp])[by_id])


def refresh(state: State, now: dt.datetime | None = None, read: Reading | None = None) -> tuple[State, int, int]:
    """``state`` brought up to date: (new state, enterprises re-read, enterprises removed).
    Raises ``_Rebuild`` when a cold build is the answer."""
    from innolink.policies.models import LedgerEntry

    now = now or timezone.now()
    year = state.read.year
    read = read or reading(year)
    since = state.as_of - _seconds("INNOLINK_POLICY_SNAPSHOT_OVERLAP", 600)
    marks = _marks()
    if _went_back(state.marks, marks):
        raise _Rebuild("restored")
    years = read.years
    ids = state.read.ids
    stamp, tag_stamp, year_stamp, item_stamp = state.read.stamps
    # enterprises: ids and stamps of the recent rows; re-read the new ones and the new versions
    # (order_by() inside _window: the model's default ordering would make SQLite walk the name index)
    e_id, e_stamp = _window(Enterprise.objects.filter(updated_at__gte=since), ("id", "updated_at"))
    known = _in(e_id, ids)
    same = np.zeros(e_id.shape, bool)
    same[known] = stamp[np.searchsorted(ids, e_id[known])] == e_stamp[known]
    touched = set(e_id[~same].tolist())
    count, tag_count, year_count, item_count = _counts(years, read)
    removed: set[int] = set()
    if count != ids.size + int((~known).sum()):
        now_ids = np.sort(_ids(Enterprise.objects.values_list("id", flat=True)))
        removed = set(ids[~_in(ids, now_ids)].tolist())
        touched.update(now_ids[~_in(now_ids, ids)].tolist())
    tags = EnterpriseTag.objects.order_by()
    t_id, t_owner, t_stamp = _window(EnterpriseTag.objects.filter(updated_at__gte=since),
                                     ("id", "enterprise_id", "updated_at"))
    by_tags, _ = _touched_rows(state.read.tag_rows, tag_stamp, (t_id, t_owner, t_stamp, np.ones(t_id.shape, bool)),
                               tag_count, lambda: _row_pairs(tags))
    yearly = EnterpriseYear.objects.filter(year__in=years).order_by()
    # the years are filtered here, not in SQL: with a year condition SQLite picks the (year,
    # enterprise) index and reads every row of the two years instead of the recent ones
    y_id, y_owner, y_year, y_stamp = _window(EnterpriseYear.objects.filter(updated_at__gte=since),
                                             ("id", "enterprise_id", "year", "updated_at"))
    by_years, _ = _touched_rows(state.read.year_rows, year_stamp, (y_id, y_owner, y_stamp, np.isin(y_year, years)),
                                year_count, lambda: _row_pairs(yearly))
    by_items: set[int] = set()
    if read.items:
        i_id, i_owner, i_year, i_kind_stamp = _window(EnterpriseItem.objects.filter(updated_at__gte=since),
                                                      ("id", "enterprise_id", "year", "updated_at"))
        i_kinds = dict(EnterpriseItem.objects.filter(id__in=i_id.tolist()).values_list("id", "kind")) if i_id.size else {}
        belongs = _item_belongs(read, [i_kinds.get(i, "") for i in i_id.tolist()], i_year)
        by_items, _ = _touched_rows(state.read.item_rows, item_stamp, (i_id, i_owner, i_kind_stamp, belongs),
                                    item_count, lambda: _row_pairs(_items_read(read)))
    # the ledger is append-only (entries are never changed or deleted): the entries newer than
    # the newest one read name every enterprise whose payments changed
    ledger_max = state.read.ledger_max_id
    new_entries = list(LedgerEntry.objects.filter(id__gt=ledger_max).values_list("id", "enterprise_id"))
    by_ledger = {owner for _id, owner in new_entries}
    if new_entries:
        ledger_max = max(i for i, _owner in new_entries)
    touched = (touched | by_tags | by_years | by_items | by_ledger) - removed
    if not touched and not removed:
        return replace(state, as_of=now, marks=marks), 0, 0
    if len(touched) + len(removed) > max(REBUILD_SHARE * ids.size, REBUILD_MIN):
        raise _Rebuild("many changes")
    wanted = np.array(sorted(touched), dtype=np.int64)
    delta = registry_columns(year, wanted.tolist(), stamps=True, read=read)
    d_stamp, d_tag_stamp, d_year_stamp, d_item_stamp = delta.stamps
    dropped = np.array(sorted(touched | removed), dtype=np.int64)
    if not removed and np.array_equal(delta.ids, wanted) and _in(wanted, ids).all():
        # the same enterprises, new versions: write them at their positions (into copies)
        at = np.searchsorted(ids, wanted)
        new_ids, population = ids, state.read.population.with_rows(at, delta.population)
        new_stamp = _put(stamp, at, d_stamp)
    else:  # enterprises added or removed: splice
        keep = np.flatnonzero(~_in(ids, dropped))
        joined = np.concatenate([ids[keep], delta.ids])
        order = np.argsort(joined, kind="stable")
        new_ids = joined[order]
        population = concat_populations([state.read.population.take(keep), delta.population]).take(order)
        new_stamp = np.concatenate([stamp[keep], d_stamp])[order]
    tag_rows, new_tag_stamp = _patch_rows(state.read.tag_rows, tag_stamp, delta.tag_rows, d_tag_stamp, dropped)
    year_rows, new_year_stamp = _patch_rows(state.read.year_rows, year_stamp, delta.year_rows, d_year_stamp, dropped)
    item_rows, new_item_stamp = _patch_rows(state.read.item_rows, item_stamp, delta.item_rows, d_item_stamp, dropped)
    read_ = RegistryColumns(year=year, ids=new_ids, population=population, tag_rows=tag_rows, year_rows=year_rows,
                            stamps=(new_stamp, new_tag_stamp, new_year_stamp, new_item_stamp), item_rows=item_rows,
                            ledger_max_id=max(ledger_max, delta.ledger_max_id))
    return (replace(state, read=read_, as_of=now, marks=marks, pending=state.pending + len(touched) + len(removed),
                    id_tuple=state.id_tuple if new_ids is ids else None),
            len(touched), len(removed))


class _Rebuild(Exception):
    pass


def _cleanup(directory: Path) -> None:
    """Remove temporary files left by a process that died while writing (after an hour)."""
    limit = time.time() - 3600
    for tmp in directory.glob("population-*.tmp"):
        try:
            if tmp.stat().st_mtime < limit:
                tmp.unlink()
        except OSError:
            pass


def load_population(year: int) -> Load:
    """The population of ``year`` equal to a cold build of the registry now, from this
    process's copy or the stored file plus the changes since; cold when there is neither."""
    t0 = time.perf_counter()
    with _lock:
        read_ = reading(year)
        key = snapshot_key(year, read_)
        path = snapshot_dir() / f"population-{year}-{key}.npz"
        now = timezone.now()
        state, source, reason = _memory.get(key), "memory", ""
        if state is None:
            source = "file"
            try:
                state = read(year, key, path)
            except FileNotFoundError:
                reason = "missing"
            except Exception as exc:  # a damaged file is a cold build, never a failed scan
                log.warning("policy population snapshot %s unreadable (%s); building it again", path, exc)
                reason = "damaged"
        t_read = time.perf_counter()
        if state is not None and now - state.built_at > _seconds("INNOLINK_POLICY_SNAPSHOT_MAX_AGE", 86400):
            state, reason = None, "old"
        changed = removed = 0
        if state is not None:
            try:
                state, changed, removed = refresh(state, now, read_)
            except _Rebuild as why:
                state, reason = None, str(why)
        if state is None:
            state, source = _cold(year, key, read_), "cold"
        t_patch = time.perf_counter()
        saved = False
        if source == "cold" or (changed or removed) and (
                state.pending >= SAVE_AFTER or state.saved_as_of is None
                or now - state.saved_as_of > dt.timedelta(seconds=SAVE_EVERY)):
            state, saved = _write(state, path)
        state = _id_tuple(state)
        _memory.clear()
        _memory[key] = state
        t_end = time.perf_counter()
    return Load(ids=state.id_tuple, population=state.read.population, source=source, reason=reason,
                changed=changed, removed=removed, saved=saved,
                timings={"read_s": t_read - t0, "patch_s": t_patch - t_read, "save_s": t_end - t_patch})


def _write(state: State, path: Path) -> tuple[State, bool]:
    try:
        save(state, path)
    except (OSError, ValueError) as exc:  # no snapshot this time; the scan goes on
        log.warning("policy population snapshot %s not written (%s)", path, exc)
        return state, False
    _cleanup(path.parent)
    return replace(state, saved_as_of=state.as_of, pending=0), True


def write_current(year: int) -> bool:
    """Write this process's copy of ``year`` to the file now if it holds patches the file lacks
    (e.g. before a worker stops, so the next process re-reads less; the bench). True if written."""
    with _lock:
        key = snapshot_key(year)
        state = _memory.get(key)
        if state is None or (state.pending == 0 and state.saved_as_of is not None):
            return False
        state, saved = _write(state, snapshot_dir() / f"population-{year}-{key}.npz")
        _memory[key] = state
        return saved


def forget() -> None:
    """Drop this process's copy (tests; the bench's cold-from-file measurement)."""
    with _lock:
        _memory.clear()
